"""A problem in one note, or a note that is gone, never hides another note.

References to ids that existed in history (deleted or renamed notes) are warnings; an
unknown or duplicate id is reported on the note that holds it, and that note still counts
in `status` and the agenda.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import build_vault, checkin_path, checkin_text, git, invoke, make_pair, write

KEPT = "kept: {A-001: yes}\n"
ALICE_AT = "2026-11-24T20:00:00+01:00"


def test_a_deleted_agreement_never_hides_the_checkins_that_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", "2026-11-22T10:00:00+01:00")
    pair = make_pair(tmp_path)
    new = ["new", "agreement", "--set", "title=Phone stays open", "--no-edit"]
    assert invoke(new, vault=pair.bob).exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    res = invoke(["accept", "A-001", "--yes"], vault=pair.alice, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    checkins = [checkin_path("alice", "2026-11-23"), checkin_path("alice", "2026-11-24")]
    for rel, day in zip(checkins, ("2026-11-23", "2026-11-24"), strict=True):
        monkeypatch.setenv("OPENBOOK_COMMIT_DATE", f"{day}T20:00:00+01:00")
        pair.write("alice", rel, checkin_text("alice", day, extra=KEPT))
        assert invoke(["commit"], vault=pair.alice, as_partner="alice").exit_code == 0
    # Alice deletes the agreement with plain git, and syncs
    (agreement,) = git(pair.alice, "ls-files", "--", "agreements/A-001-*").splitlines()
    git(pair.alice, "rm", "-q", "--", agreement)
    when = {"GIT_AUTHOR_DATE": ALICE_AT, "GIT_COMMITTER_DATE": ALICE_AT}
    git(pair.alice, "commit", "-q", "-m", "gone", env=when)
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert not (pair.bob / agreement).exists()

    check = invoke(["check"], vault=pair.bob)
    gone = (
        "warning: A-001 is no longer in this vault (its agreement was deleted or renamed; the "
        "history keeps it); remove it here if it no longer applies [ref-unknown]"
    )
    assert (check.exit_code, check.stdout.splitlines()) == (
        0,
        [
            f"{checkins[0]}:6:8: {gone}",
            f"{checkins[1]}:6:8: {gone}",
            "0 errors, 2 warnings in 3 notes",
        ],
    )
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert {c["partner"]: c["written"] for c in status["checkins"]}["alice"] is True
    assert status["invalid_notes"] == []
    text = invoke(["status"], vault=pair.bob, as_partner="bob").stdout
    assert "Alice Example: the check-in for today is written." in text
    agenda = json.loads(invoke(["agenda", "--format", "json"], vault=pair.bob).stdout)
    assert agenda["checkins"]["alice"]["received"] == 2
    assert agenda["invalid_notes"] == []


def test_an_unknown_id_is_an_error_on_its_note_that_still_counts(vault: Path) -> None:
    day = "2026-11-24"
    rel = checkin_path("alice", day)
    text = checkin_text("alice", day, extra="kept: {A-007: yes}\n")
    build_vault(vault, {rel: text}, when=f"{day}T20:00:00+01:00")  # written on its day
    check = invoke(["check"], vault=vault)
    assert (check.exit_code, check.stdout.splitlines()) == (
        1,
        [
            f"{rel}:6:8: error: A-007 is not a agreement in this vault; check the id [ref-unknown]",
            "1 error, 0 warnings in 2 notes",
        ],
    )
    status = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert {c["partner"]: c["written"] for c in status["checkins"]}["alice"] is True
    assert status["invalid_notes"] == []
    agenda = json.loads(invoke(["agenda", "--format", "json"], vault=vault).stdout)
    assert agenda["checkins"]["alice"]["received"] == 1
    # commit still records no note with an error
    mine = checkin_path("bob", day)
    write(vault, mine, checkin_text("bob", day, extra="kept: {A-007: yes}\n"))
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stderr) == (
        1,
        f"not committed {mine}: it has errors; run 'openbook check {mine}'\n",
    )


def test_two_notes_with_one_id_both_stay_in_status(vault: Path) -> None:
    from testing import question_text

    build_vault(
        vault,
        {
            "questions/Q-0001.md": question_text("Q-0001", asked="2026-11-24 10:00"),
            "questions/Q-0001-again.md": question_text("Q-0001", asked="2026-11-24 11:00"),
        },
    )
    check = invoke(["check"], vault=vault)
    assert check.exit_code == 1 and "[id-duplicate]" in check.stdout
    status = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert [q["path"] for q in status["open_questions"]] == [
        "questions/Q-0001.md",
        "questions/Q-0001-again.md",
    ]
