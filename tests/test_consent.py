"""answer, accept, pause, retire: one attributed commit each, only the keys that change."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from click.testing import Result
from testing import build_vault, git, invoke, subjects, trailers
from testing.terminal import run_on_a_terminal

from openbook.check.authorship import author_field
from openbook.notes.parse import parse_bytes

QUESTION = """\
---
type: question
id: Q-0001
asked_by: alice
to: bob
asked: 2026-11-22 10:00   # asked at breakfast
status: open
category: timeline
---
Where were you on Friday?

## Answer

*Answer honestly.*
"""

AGREEMENT = """\
---
type: agreement
id: A-001
title: Phone open on request
status: proposed
proposed_by: bob
accepted_by: [bob]
# a comment that must survive
next_review: 2026-12-20
---
# Phone open on request
"""


QUESTION_PATH = "questions/Q-0001.md"
AGREEMENT_PATH = "agreements/A-001-phone.md"
ACTIVE = AGREEMENT.replace("status: proposed", "status: active").replace(
    "accepted_by: [bob]", "accepted_by: [alice, bob]"
)


def committed(vault: Path, rel: str, text: str | bytes) -> Path:
    """The note committed by the partner it is under (its author field), else by Bob."""
    raw = text.encode() if isinstance(text, str) else text
    meta = parse_bytes(rel, raw, positions=False).meta
    key = author_field(meta.get("type"))
    who = meta.get(key) if key else None
    build_vault(vault, {rel: text}, as_partner=who if who in ("alice", "bob") else "bob")
    return vault / rel


def committed_active(vault: Path) -> Path:
    """A-001 as history proves it: proposed and accepted by Bob, then accepted by Alice."""
    committed(vault, AGREEMENT_PATH, AGREEMENT)
    build_vault(vault, {AGREEMENT_PATH: ACTIVE}, as_partner="alice")
    return vault / AGREEMENT_PATH


def refused(message: str) -> tuple[int, str, str]:
    """What a refused consent command shows: exit 1, nothing on stdout, one sentence."""
    return (1, "", f"openbook: {message}\n")


def head(vault: Path) -> str:
    return git(vault, "rev-parse", "HEAD")


def as_alice(vault: Path, args: list[str]) -> Result:
    """Alice consents from her own copy: this clone is hers for the command."""
    git(vault, "config", "openbook.partner", "alice")
    try:
        return invoke(args, vault=vault)
    finally:
        git(vault, "config", "openbook.partner", "bob")


def test_answer_changes_only_status_and_answered_and_appends_text(vault: Path) -> None:
    path = committed(vault, QUESTION_PATH, QUESTION)
    res = invoke(["answer", "Q-0001", "--text", "At my sister's, from 6 to 9."], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (0, "Q-0001 is answered.\n", "")
    text = path.read_text(encoding="utf-8")
    expected = (
        QUESTION.replace("status: open", "status: answered").replace(
            "category: timeline\n", "category: timeline\nanswered: 2026-11-24 20:30\n"
        )
        + "\nAt my sister's, from 6 to 9.\n"
    )
    assert text == expected
    assert subjects(vault)[0] == "question: answer Q-0001"
    assert trailers(vault) == {
        "Openbook-Action": "answer",
        "Openbook-Type": "question",
        "Openbook-Partner": "bob",
    }
    assert git(vault, "status", "--porcelain") == ""
    assert invoke(["check"], vault=vault).exit_code == 0


def test_answer_keeps_crlf_and_adds_a_missing_answer_heading(vault: Path) -> None:
    raw = QUESTION.split("## Answer")[0].rstrip("\n") + "\n"
    path = committed(vault, QUESTION_PATH, raw.replace("\n", "\r\n").encode())
    res = invoke(["answer", "Q-0001", "--text", "Home."], vault=vault)
    assert res.exit_code == 0, res.stderr
    data = path.read_bytes()
    assert data.endswith(b"\r\n\r\n## Answer\r\n\r\nHome.\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_only_the_partner_asked_may_answer(vault: Path) -> None:
    path = committed(vault, QUESTION_PATH, QUESTION)
    before = head(vault)
    res = as_alice(vault, ["answer", "Q-0001", "--text", "x"])
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "Q-0001 is for Bob Example, so only they can answer it; you can ask a follow-up with "
        "'openbook ask'."
    )
    assert path.read_text(encoding="utf-8") == QUESTION
    assert head(vault) == before


def test_answer_refuses_unknown_invalid_and_already_answered(vault: Path) -> None:
    res = invoke(["answer", "Q-0009"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "There is no question Q-0009 in this vault; run 'openbook status' to see the open ones."
    )
    res = invoke(["answer", "nonsense"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "'NONSENSE' is not a question id like Q-0007; run 'openbook status' to see the ids."
    )
    bad = committed(vault, QUESTION_PATH, QUESTION.replace("status: open", "status: maybe"))
    res = invoke(["answer", "Q-0001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "questions/Q-0001.md has errors, so it was not changed; run "
        "'openbook check questions/Q-0001.md', fix them, then try again."
    )
    assert bad.read_text(encoding="utf-8") == QUESTION.replace("status: open", "status: maybe")
    committed(vault, QUESTION_PATH, QUESTION)
    assert invoke(["answer", "Q-0001"], vault=vault).exit_code == 0
    before = head(vault)
    res = invoke(["answer", "Q-0001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "Q-0001 is already answered; to add to it, edit the ## Answer section of "
        "questions/Q-0001.md and run 'openbook commit'."
    )
    assert head(vault) == before


def test_accept_by_both_makes_an_agreement_active(vault: Path) -> None:
    path = committed(vault, AGREEMENT_PATH, AGREEMENT)
    res = invoke(["accept", "A-001", "--yes"], vault=vault)  # bob proposed it and accepted already
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "You have already accepted A-001; it becomes active when Alice Example accepts too. "
        "Nothing was changed."
    )
    res = as_alice(vault, ["accept", "A-001", "--yes", "--json"])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["status"] == "active" and out["waiting_for"] == []
    text = path.read_text(encoding="utf-8")
    assert text == (
        AGREEMENT.replace("status: proposed", "status: active")
        .replace("accepted_by: [bob]", "accepted_by: [bob, alice]")
        .replace("next_review: 2026-12-20\n", "next_review: 2026-12-20\nsince: 2026-11-24\n")
    )
    assert subjects(vault)[0] == "agreement: accept A-001"
    assert trailers(vault)["Openbook-Action"] == "accept"
    assert trailers(vault)["Openbook-Partner"] == "alice"
    assert invoke(["check"], vault=vault).exit_code == 0


def test_one_partner_alone_never_makes_it_active(vault: Path) -> None:
    path = committed(
        vault, AGREEMENT_PATH, AGREEMENT.replace("accepted_by: [bob]", "accepted_by: []")
    )
    res = invoke(["accept", "A-001", "--yes"], vault=vault)
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.startswith("You accepted these words:\nA-001: Phone open on request\n")
    assert res.stdout.endswith(
        "You accepted A-001; it becomes active when Alice Example accepts too.\n"
    )
    assert "status: proposed" in path.read_text(encoding="utf-8")


def test_pause_by_either_and_only_the_pauser_resumes(vault: Path) -> None:
    path = committed_active(vault)
    before = path.read_text(encoding="utf-8")
    res = as_alice(vault, ["pause", "A-001"])
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "A-001 is paused. No check-in schedule serves A-001, so check-ins continue; to pause "
        "everything, run 'openbook pause --all'. It becomes active again when you run "
        "'openbook resume A-001'.\n"
    )
    assert path.read_text(encoding="utf-8") == before  # the agreement file is not edited
    assert trailers(vault)["Openbook-Type"] == "pause"
    res = invoke(["resume", "A-001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "A-001 is paused by Alice Example since Tue 24 Nov 20:30; only Alice Example can end it."
    )
    res = invoke(["accept", "A-001", "--yes"], vault=vault)  # accepting again resumes nothing
    assert res.exit_code == 1
    res = as_alice(vault, ["resume", "A-001"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "You resumed A-001; what serves it runs again from now.\n"
    assert invoke(["check"], vault=vault).exit_code == 0


def test_pause_refuses_a_proposed_agreement(vault: Path) -> None:
    path = committed(vault, AGREEMENT_PATH, AGREEMENT)
    res = invoke(["pause", "A-001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "A-001 is not active yet (status proposed), so there is nothing to pause; it only "
        "becomes active when you both accept."
    )
    assert path.read_text(encoding="utf-8") == AGREEMENT


def test_retire_needs_both(vault: Path) -> None:
    path = committed_active(vault)
    res = invoke(["retire", "A-001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        0,
        "You asked to retire A-001; it stays active until Alice Example runs "
        "'openbook retire A-001' too.\n",
        "",
    )
    text = path.read_text(encoding="utf-8")
    assert "status: active" in text and "retire_requested_by: [bob]" in text
    res = invoke(["retire", "A-001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "You have already asked to retire A-001; it retires when Alice Example runs "
        "'openbook retire A-001' too. Nothing was changed."
    )
    res = as_alice(vault, ["retire", "A-001", "--json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["status"] == "retired"
    assert "status: retired" in path.read_text(encoding="utf-8")
    assert subjects(vault)[:2] == ["agreement: retire A-001", "agreement: retire A-001"]
    res = invoke(["retire", "A-001"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "A-001 is already retired. Nothing was changed."
    )
    res = invoke(["accept", "A-001", "--yes"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == refused(
        "A-001 is retired; propose a new agreement with 'openbook new agreement' if you want "
        "it back."
    )


def test_consent_refuses_in_a_held_lock(vault: Path) -> None:
    path = committed(vault, AGREEMENT_PATH, AGREEMENT)
    before = head(vault)
    fd = os.open(vault / ".git/openbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = as_alice(vault, ["accept", "A-001", "--yes"])
    finally:
        os.close(fd)
    assert (res.exit_code, res.stdout, res.stderr) == (
        6,
        "",
        "openbook: Another openbook is working on this vault right now (lock "
        f"{vault / '.git/openbook.lock'}); wait a moment and try again.\n",
    )
    assert path.read_text(encoding="utf-8") == AGREEMENT
    assert head(vault) == before


def test_consent_is_never_given_for_the_other_partner(vault: Path) -> None:
    committed(vault, AGREEMENT_PATH, AGREEMENT.replace("accepted_by: [bob]", "accepted_by: []"))
    before = head(vault)
    for args in (
        ["accept", "A-001", "--yes"],
        ["pause", "--all"],
        ["resume"],
        ["answer", "Q-0001"],
    ):
        res = invoke(args, vault=vault, as_partner="alice")
        assert res.exit_code == 2, args
        assert res.stderr.endswith(
            "Error: This copy is bob's; alice consents from their own copy (each partner "
            "accepts, pauses, retires, answers and resumes for themself).\n"
        ), args
    assert head(vault) == before


def test_accept_shows_what_it_asks_and_asks_first_on_a_terminal(vault: Path) -> None:
    text = AGREEMENT.replace("accepted_by: [bob]", "accepted_by: []").replace(
        "next_review: 2026-12-20\n",
        "next_review: 2026-12-20\nowners: [bob]\nmeasures: [Plan changes announced ahead]\n"
        "relax_when: Three months without a surprise\n",
    )
    path = committed(vault, AGREEMENT_PATH, text)
    before = head(vault)
    _, shown = run_on_a_terminal(vault, ["accept", "A-001"], b"n\r")
    assert (
        "A-001: Phone open on request\n"
        "    # Phone open on request\n"
        "  It asks of: Bob Example.\n"
        "  How we will see it: Plan changes announced ahead\n"
        "  Reviewed on 2026-12-20.\n"
        "  What would let you relax it: Three months without a surprise\n"
        "  openbook never gathers phone logs, locations, messages, screenshots or passwords; "
        "decisions like this belong in a conversation with your therapist (docs/resources.md).\n"
        "Accept A-001 as it is written above? [y/N]"
    ) in shown
    assert "Nothing was accepted; A-001 stays as it was." in shown
    assert head(vault) == before and path.read_text(encoding="utf-8") == text
    _, shown = run_on_a_terminal(vault, ["accept", "A-001"], b"y\r")
    assert "You accepted A-001; it becomes active when Alice Example accepts too." in shown
    assert subjects(vault)[0] == "agreement: accept A-001"
