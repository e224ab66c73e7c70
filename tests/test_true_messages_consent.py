"""Consent problems read as true, plain sentences: who is named as doing what, who really
wrote it, and what to do next (never "X is answered", never a double negative)."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, git, invoke, question_text

QUESTION = "questions/Q-0001.md"


def test_an_answer_written_for_the_other_partner_names_who_answered_what(vault: Path) -> None:
    build_vault(vault, {QUESTION: question_text()}, as_partner="alice")
    answered = question_text(status="answered", extra="answered: 2026-11-24 19:00\n")
    build_vault(vault, {QUESTION: answered}, as_partner="alice")
    sha = git(vault, "rev-parse", "--short=7", "HEAD")
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    line = next(x for x in res.stdout.splitlines() if "consent-unproven" in x)
    assert line == (
        f"{QUESTION}:7:1: error: Bob Example is named as the one who answered Q-0001, but "
        f"alice@example.org wrote that in commit {sha}; only Bob Example's own commit can "
        "answer for Bob Example, so it does not count (Bob Example answers with 'openbook "
        "answer Q-0001') [consent-unproven]"
    )
    assert " is answered," not in res.stdout


def test_a_consent_taken_out_by_the_other_partner_still_counts_said_plainly(
    vault: Path,
) -> None:
    agreement = "agreements/A-001-x.md"
    text = (
        "---\ntype: agreement\nid: A-001\ntitle: X\nstatus: proposed\nproposed_by: bob\n"
        "accepted_by: [bob]\n---\n# X\n"
    )
    build_vault(vault, {agreement: text}, as_partner="bob")
    build_vault(vault, {agreement: text.replace("[bob]", "[]")}, as_partner="alice")
    sha = git(vault, "rev-parse", "--short=7", "HEAD")
    res = invoke(["check"], vault=vault)
    line = next(x for x in res.stdout.splitlines() if "consent-unproven" in x)
    assert "not Bob Example's own" not in line and "only Bob Example withdraws" not in line
    assert line.endswith(
        f"error: Bob Example's consent still counts: alice@example.org took Bob Example out of "
        f"accepted_by in commit {sha}, and only Bob Example can withdraw it [consent-unproven]"
    )
