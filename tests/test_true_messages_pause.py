"""Pauses read as SPEC says ("Paused by Bob since Sun 15 Nov: nothing is expected"), the
way to end one is told only to the partner who paused, and `resume` names what is paused."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, git, invoke

AGREEMENT = "agreements/A-001-phone.md"
TEXT = """\
---
type: agreement
id: A-001
title: Phone open on request
status: proposed
proposed_by: bob
accepted_by: [bob]
next_review: 2026-12-20
---
# Phone open on request
"""
ACTIVE = TEXT.replace("status: proposed", "status: active").replace(
    "accepted_by: [bob]", "accepted_by: [alice, bob]"
)


def _active(vault: Path) -> None:
    """A-001 active (Bob proposed, Alice accepted) and Bob's check-ins serving it."""
    cfg = (
        (vault / "openbook.yml")
        .read_text()
        .replace(
            "bob: {every: day, by: '21:00'}", "bob: {every: day, by: '21:00', agreement: A-001}"
        )
    )
    build_vault(vault, {"openbook.yml": cfg})
    build_vault(vault, {AGREEMENT: TEXT}, as_partner="bob")
    build_vault(vault, {AGREEMENT: ACTIVE}, as_partner="alice")


def _as(vault: Path, who: str, args: list[str]) -> tuple[int, str, str]:
    git(vault, "config", "openbook.partner", who)
    try:
        res = invoke(args, vault=vault)
        return res.exit_code, res.stdout, res.stderr
    finally:
        git(vault, "config", "openbook.partner", "bob")


def test_an_agreement_pause_tells_only_the_pauser_how_to_end_it(vault: Path) -> None:
    _active(vault)
    assert _as(vault, "alice", ["pause", "A-001"])[0] == 0
    _, bob, _ = _as(vault, "bob", ["status"])
    assert "resume A-001" not in bob and "resumes it" not in bob
    assert (
        "  A-001 Phone open on request: paused by Alice Example since Tue 24 Nov 20:30; only "
        "Alice Example can end it."
    ) in bob.splitlines()
    assert "  You: no check-in is expected while A-001 is paused." in bob.splitlines()
    assert "not active" not in bob
    _, alice, _ = _as(vault, "alice", ["status"])
    assert (
        "  A-001 Phone open on request: paused by you since Tue 24 Nov 20:30 "
        "(openbook resume A-001 ends your pause)."
    ) in alice.splitlines()
    agenda = invoke(["agenda"], vault=vault).stdout
    assert "resume A-001" not in agenda


def test_a_pause_of_everything_reads_paused_by_since(vault: Path) -> None:
    assert _as(vault, "alice", ["pause", "--all"])[0] == 0
    _, bob, _ = _as(vault, "bob", ["status"])
    assert (
        "  Paused by Alice Example since Tue 24 Nov: nothing is expected. Only Alice Example "
        "can end it."
    ) in bob.splitlines()
    assert "paused everything on" not in bob and "openbook resume" not in bob
    _, alice, _ = _as(vault, "alice", ["status"])
    assert (
        "  Paused by you since Tue 24 Nov: nothing is expected. 'openbook resume' ends it."
    ) in alice.splitlines()
    agenda = invoke(["agenda"], vault=vault).stdout
    assert "Paused by Alice Example since Tue 24 Nov: nothing is expected." in agenda


def test_resume_names_the_agreement_paused_and_who_can_end_it(vault: Path) -> None:
    _active(vault)
    assert _as(vault, "alice", ["pause", "A-001"])[0] == 0
    assert _as(vault, "bob", ["resume"]) == (
        1,
        "",
        "openbook: Not everything is paused, only A-001, paused by Alice Example since "
        "Tue 24 Nov 20:30; only Alice Example can end it.\n",
    )
    assert _as(vault, "alice", ["resume"]) == (
        1,
        "",
        "openbook: Not everything is paused, only A-001, which you paused on Tue 24 Nov 20:30; "
        "'openbook resume A-001' ends your pause.\n",
    )
    assert _as(vault, "alice", ["resume", "A-001"])[0] == 0
    assert _as(vault, "alice", ["resume"]) == (
        1,
        "",
        "openbook: Nothing is paused right now; there is nothing to resume.\n",
    )
