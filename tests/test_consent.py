"""answer, accept, pause, retire: one attributed commit each, only the keys that change."""

from __future__ import annotations

import json
from pathlib import Path

from testing import git, invoke, subjects, trailers, write

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


def committed(vault: Path, rel: str, text: str) -> Path:
    path = write(vault, rel, text)
    git(vault, "add", "--", rel)
    git(vault, "commit", "-q", "-m", "setup", "--", rel)
    return path


def head(vault: Path) -> str:
    return git(vault, "rev-parse", "HEAD")


def test_answer_changes_only_status_and_answered_and_appends_text(vault: Path) -> None:
    path = committed(vault, "questions/Q-0001.md", QUESTION)
    res = invoke(["answer", "Q-0001", "--text", "At my sister's, from 6 to 9."], vault=vault)
    assert res.exit_code == 0, res.stderr
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
    path = vault / "questions/Q-0001.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw.replace("\n", "\r\n").encode())
    git(vault, "add", "--", "questions/Q-0001.md")
    git(vault, "commit", "-q", "-m", "setup")
    res = invoke(["answer", "Q-0001", "--text", "Home."], vault=vault)
    assert res.exit_code == 0, res.stderr
    data = path.read_bytes()
    assert data.endswith(b"\r\n\r\n## Answer\r\n\r\nHome.\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_only_the_partner_asked_may_answer(vault: Path) -> None:
    path = committed(vault, "questions/Q-0001.md", QUESTION)
    before = head(vault)
    res = invoke(["answer", "Q-0001", "--text", "x"], vault=vault, as_partner="alice")
    assert res.exit_code == 1
    assert "only they can answer it" in res.stderr
    assert path.read_text(encoding="utf-8") == QUESTION
    assert head(vault) == before


def test_answer_refuses_unknown_invalid_and_already_answered(vault: Path) -> None:
    res = invoke(["answer", "Q-0009"], vault=vault)
    assert res.exit_code == 1 and "openbook status" in res.stderr
    res = invoke(["answer", "nonsense"], vault=vault)
    assert res.exit_code == 1 and "is not a question id" in res.stderr
    committed(vault, "questions/Q-0001.md", QUESTION.replace("status: open", "status: maybe"))
    res = invoke(["answer", "Q-0001"], vault=vault)
    assert res.exit_code == 1 and "has errors" in res.stderr and "openbook check" in res.stderr
    committed(vault, "questions/Q-0001.md", QUESTION)
    assert invoke(["answer", "Q-0001"], vault=vault).exit_code == 0
    res = invoke(["answer", "Q-0001"], vault=vault)
    assert res.exit_code == 1 and "already answered" in res.stderr
    assert "Traceback" not in res.stderr


def test_accept_by_both_makes_an_agreement_active(vault: Path) -> None:
    path = committed(vault, "agreements/A-001-phone.md", AGREEMENT)
    res = invoke(["accept", "A-001"], vault=vault)  # bob proposed it and accepted already
    assert res.exit_code == 1 and "already accepted" in res.stderr
    res = invoke(["accept", "A-001", "--json"], vault=vault, as_partner="alice")
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
        vault,
        "agreements/A-001-phone.md",
        AGREEMENT.replace("accepted_by: [bob]", "accepted_by: []"),
    )
    res = invoke(["accept", "A-001"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "becomes active when Alice Example accepts too" in res.stdout
    assert "status: proposed" in path.read_text(encoding="utf-8")


def test_pause_by_either_and_accept_again(vault: Path) -> None:
    active = AGREEMENT.replace("status: proposed", "status: active").replace(
        "accepted_by: [bob]", "accepted_by: [alice, bob]"
    )
    path = committed(vault, "agreements/A-001-phone.md", active)
    res = invoke(["pause", "A-001"], vault=vault, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    text = path.read_text(encoding="utf-8")
    assert "status: paused" in text and "paused_by: alice" in text
    assert "accepted_by: [bob]" in text
    assert trailers(vault)["Openbook-Action"] == "pause"
    res = invoke(["pause", "A-001"], vault=vault)
    assert res.exit_code == 1 and "already paused by Alice Example" in res.stderr
    res = invoke(["accept", "A-001"], vault=vault)
    assert res.exit_code == 1 and "already accepted" in res.stderr
    res = invoke(["accept", "A-001"], vault=vault, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    text = path.read_text(encoding="utf-8")
    assert "status: active" in text and "paused_by" not in text
    assert invoke(["check"], vault=vault).exit_code == 0


def test_pause_refuses_a_proposed_agreement(vault: Path) -> None:
    committed(vault, "agreements/A-001-phone.md", AGREEMENT)
    res = invoke(["pause", "A-001"], vault=vault)
    assert res.exit_code == 1 and "not active yet" in res.stderr


def test_retire_needs_both(vault: Path) -> None:
    active = AGREEMENT.replace("status: proposed", "status: active").replace(
        "accepted_by: [bob]", "accepted_by: [alice, bob]"
    )
    path = committed(vault, "agreements/A-001-phone.md", active)
    res = invoke(["retire", "A-001"], vault=vault)
    assert res.exit_code == 0, res.stderr
    text = path.read_text(encoding="utf-8")
    assert "status: active" in text and "retire_requested_by: [bob]" in text
    res = invoke(["retire", "A-001"], vault=vault)
    assert res.exit_code == 1 and "already asked to retire" in res.stderr
    res = invoke(["retire", "A-001", "--json"], vault=vault, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["status"] == "retired"
    assert "status: retired" in path.read_text(encoding="utf-8")
    assert subjects(vault)[:2] == ["agreement: retire A-001", "agreement: retire A-001"]
    res = invoke(["retire", "A-001"], vault=vault)
    assert res.exit_code == 1 and "already retired" in res.stderr
    res = invoke(["accept", "A-001"], vault=vault)
    assert res.exit_code == 1 and "retired" in res.stderr


def test_consent_refuses_in_a_held_lock(vault: Path) -> None:
    import fcntl
    import os

    committed(vault, "agreements/A-001-phone.md", AGREEMENT)
    fd = os.open(vault / ".git/openbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = invoke(["accept", "A-001"], vault=vault, as_partner="alice")
    finally:
        os.close(fd)
    assert res.exit_code == 6
    assert "status: proposed" in (vault / "agreements/A-001-phone.md").read_text()
