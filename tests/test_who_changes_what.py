"""Who may change what (SPEC section 10), beyond questions' own steps: a repair is processed
only once both partners' own commits say so, and a question moved to the therapist names
who moved it. The other partner acts with plain git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, invoke, make_pair
from testing.plain import commit_and_push

REPAIR = "repairs/2026/2026-11-20-missed-call.md"
QUESTION = "questions/Q-0001.md"
NOW = "2026-11-28T20:00:00+01:00"


def _repair(status: str, said: str = "") -> str:
    done = f"processed: 2026-11-24\nprocessed_by: [{said}]\n" if said else ""
    return (
        "---\ntype: repair\nauthor: alice\ndate: 2026-11-20\nkind: rupture\n"
        f"status: {status}\n{done}---\n\n# The missed call\n"
    )


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pair:
    monkeypatch.setenv("OPENBOOK_NOW", NOW)
    return make_pair(tmp_path)


def _step(pair: Pair, who: str, files: dict[str, str]) -> None:
    """`who` commits with plain git and pushes; the other partner syncs."""
    commit_and_push(pair.root(who), who, files, "a step")
    assert pair.sync("alice" if who == "bob" else "bob").exit_code in (0, 1)


def _agenda(root: Path) -> dict[str, object]:
    res = invoke(["agenda", "--json", "--date", "2026-11-29"], vault=root)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def _topics(root: Path) -> list[str]:
    data = _agenda(root)
    topic = data["topic"]
    items = ([topic] if topic else []) + list(data["queued_topics"])  # type: ignore[call-overload]
    return [str(t["text"]) for t in items]  # type: ignore[index]


def test_a_repair_is_processed_only_once_both_say_so(pair: Pair) -> None:
    _step(pair, "alice", {REPAIR: _repair("open")})
    _step(pair, "alice", {REPAIR: _repair("processed", "alice")})
    # Alice alone has said so: it stays open, and the agenda says who is still to say it
    titles = _topics(pair.bob)
    assert titles == ["The missed call (Alice Example said it is processed; not yet Bob Example)"]
    res = invoke(["check"], vault=pair.bob)
    assert "until Bob Example adds their own id to 'processed_by', it stays open" in res.stdout
    _step(pair, "bob", {REPAIR: _repair("processed", "alice, bob")})
    assert _topics(pair.alice) == []
    assert invoke(["check"], vault=pair.alice).exit_code == 0


def test_one_partner_cannot_say_it_for_both(pair: Pair) -> None:
    _step(pair, "alice", {REPAIR: _repair("open")})
    _step(pair, "alice", {REPAIR: _repair("processed", "alice, bob")})
    res = invoke(["check"], vault=pair.bob)
    assert res.exit_code == 1
    assert "Bob Example is named as having processed the repair" in res.stdout
    assert "[consent-unproven]" in res.stdout
    assert _topics(pair.bob) == [
        "The missed call (Alice Example said it is processed; not yet Bob Example)"
    ]


def test_a_question_moved_to_the_therapist_names_who_moved_it(pair: Pair) -> None:
    question = (
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-24 18:00\nstatus: {}\n---\nWhere were you?\n"
    )
    _step(pair, "alice", {QUESTION: question.format("open")})
    _step(pair, "bob", {QUESTION: question.format("with-therapist")})  # either may
    assert invoke(["check"], vault=pair.alice).exit_code == 0
    data = _agenda(pair.alice)
    assert data["questions_with_therapist"] == ["Q-0001"]
    assert data["with_therapist"] == ["Q-0001 (moved by Bob Example)"]
    res = invoke(["agenda", "--date", "2026-11-29"], vault=pair.alice)
    assert "With our therapist: Q-0001 (moved by Bob Example)." in res.stdout


def test_a_merge_that_brings_the_move_in_is_not_the_mover(pair: Pair) -> None:
    question = (
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-24 18:00\nstatus: {}\n---\nWhere were you?\n"
    )
    _step(pair, "alice", {QUESTION: question.format("open")})
    commit_and_push(pair.bob, "bob", {QUESTION: question.format("with-therapist")}, "moved")
    # Alice writes a note of her own first, so her sync makes a merge of Bob's move
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    assert pair.sync("alice").exit_code == 0
    merge = git(pair.alice, "log", "-1", "--format=%P", "HEAD").split()
    assert len(merge) == 2
    data = _agenda(pair.alice)
    assert data["with_therapist"] == ["Q-0001 (moved by Bob Example)"]


def test_a_repair_marked_processed_by_no_ones_word_says_how_it_becomes_so(pair: Pair) -> None:
    done = _repair("processed").replace(
        "status: processed\n", "status: processed\nprocessed: 2026-11-24\n"
    )
    _step(pair, "alice", {REPAIR: done})
    assert _topics(pair.bob) == [
        "The missed call (marked processed; it is, once each of you adds your id to processed_by)"
    ]
