"""Who may change a question (SPEC section 10): it is withdrawn, and how its answer landed
is said, only by its asker; it is acknowledged only by the one asked. Another partner's
commit taking one of those steps does not count, and `check` names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, invoke, make_pair
from testing.plain import commit_and_push

PATH = "questions/Q-0001.md"
ANSWERED = "answered: 2026-11-24 19:00\n"


def _question(status: str, extra: str = "") -> str:
    return (
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        f"asked: 2026-11-24 18:00\nstatus: {status}\n{extra}---\nWhere were you?\n"
    )


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pair:
    """Alice asked Bob a question at 18:00 (with plain git); both clones have it."""
    pair = make_pair(tmp_path)
    with monkeypatch.context() as m:
        m.setenv("GIT_AUTHOR_DATE", "2026-11-24T18:00:00+01:00")
        m.setenv("GIT_COMMITTER_DATE", "2026-11-24T18:00:00+01:00")
        commit_and_push(pair.alice, "alice", {PATH: _question("open")}, "a question")
    assert pair.sync("bob").exit_code == 0
    return pair


def _by(pair: Pair, who: str, text: str) -> None:
    """`who` writes the question as `text` with plain git and pushes; the other syncs."""
    commit_and_push(pair.root(who), who, {PATH: text}, "a step")
    other = "alice" if who == "bob" else "bob"
    assert pair.sync(other).exit_code in (0, 1)


def _open(root: Path) -> list[str]:
    data = json.loads(invoke(["status", "--json"], vault=root).stdout)
    return [q["id"] for q in data["open_questions"]]


def test_only_the_asker_withdraws_a_question(pair: Pair) -> None:
    _by(pair, "bob", _question("withdrawn"))
    res = invoke(["check"], vault=pair.alice)
    assert res.exit_code == 1
    assert "named as withdrawing the question" in res.stdout
    assert "[consent-unproven]" in res.stdout
    assert _open(pair.alice) == ["Q-0001"]  # Bob cannot withdraw Alice's question
    _by(pair, "alice", _question("open"))
    _by(pair, "alice", _question("withdrawn"))
    assert invoke(["check"], vault=pair.bob).exit_code == 0
    assert _open(pair.bob) == []


def test_only_the_one_asked_acknowledges_it(pair: Pair) -> None:
    _by(pair, "alice", _question("acknowledged"))
    res = invoke(["check"], vault=pair.bob)
    assert "named as acknowledging the question" in res.stdout
    _by(pair, "bob", _question("open"))
    _by(pair, "bob", _question("acknowledged"))
    assert invoke(["check"], vault=pair.alice).exit_code == 0


def test_only_the_asker_says_how_the_answer_landed(pair: Pair) -> None:
    _by(pair, "bob", _question("answered", ANSWERED + "landed: helped\n"))
    res = invoke(["check"], vault=pair.alice)
    assert "named as saying how the answer landed" in res.stdout
    # the answer itself is Bob's and counts; the landed mark is Alice's to give
    assert _open(pair.alice) == []
    _by(pair, "alice", _question("answered", ANSWERED + "landed: partly\n"))
    assert invoke(["check"], vault=pair.bob).exit_code == 0
