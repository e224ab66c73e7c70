"""The helpers in tests/testing build what openbook itself accepts, so tests built on them
test openbook and not a typo in a fixture."""

from __future__ import annotations

from pathlib import Path

from testing import (
    AGREEMENT,
    agreement_text,
    build_vault,
    checkin_path,
    checkin_text,
    git,
    invoke,
    question_text,
)


def test_the_note_builders_write_notes_that_check_clean(vault: Path) -> None:
    build_vault(
        vault,
        {
            checkin_path("bob"): checkin_text("bob"),
            checkin_path("alice", "2026-11-23"): checkin_text(
                "alice", "2026-11-23", mood=None, time="20:05", body=""
            ),
            "questions/Q-0001.md": question_text(),
            AGREEMENT: agreement_text("We tell each other the same day."),
            "agreements/A-002-phone.md": agreement_text(
                "", "Phone open", aid="A-002", accepted_by=["alice"]
            ),
        },
        # each note by the partner it is under
        when="2026-11-24T20:00:00+01:00",  # a check-in is written on its day or after
    )
    # a consent counts only from the consenting partner's own commit: Alice asks in hers,
    # Bob answers in his
    build_vault(
        vault,
        {
            "questions/Q-0002.md": question_text(
                "Q-0002", status="answered", extra="answered: 2026-11-21 09:00\n"
            )
        },
    )
    res = invoke(["check", "--strict"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        0,
        "0 errors, 0 warnings in 7 notes\n",
        "",
    )
    assert git(vault, "status", "--porcelain") == ""


def test_checkin_text_leaves_out_what_is_none() -> None:
    assert checkin_text() == (
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: 4\n---\n\nFeelings.\n"
    )
    assert checkin_text("alice", "2026-11-20", None, time="21:00", extra="x: 1\n", body="") == (
        '---\ntype: checkin\nauthor: alice\ndate: 2026-11-20\ntime: "21:00"\nx: 1\n---\n'
    )
