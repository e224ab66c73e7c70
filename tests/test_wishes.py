"""An answer_by sooner than the agreed answer time is the asker's wish, never a deadline
(SPEC section 10, GUIDE invariant 2): Alice, with plain git, cannot make Bob late by
writing a deadline minutes away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, invoke, make_pair
from testing.plain import commit_and_push

QUESTION = (
    "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
    "asked: 2026-11-24 18:00\nanswer_by: 2026-11-24 18:10\nstatus: open\n---\n"
    "Where were you this afternoon?\n"
)


def _asked_at_six(pair: Pair, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alice commits the question with plain git when she asked it, at 18:00."""
    with monkeypatch.context() as m:
        m.setenv("GIT_AUTHOR_DATE", "2026-11-24T18:00:00+01:00")
        m.setenv("GIT_COMMITTER_DATE", "2026-11-24T18:00:00+01:00")
        commit_and_push(pair.alice, "alice", {"questions/Q-0001.md": text}, "a question")


def _bob_has_the_wish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pair = make_pair(tmp_path)
    _asked_at_six(pair, QUESTION, monkeypatch)
    assert pair.sync("bob").exit_code == 0
    return pair.bob


def test_a_deadline_sooner_than_agreed_is_a_wish_in_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _bob_has_the_wish(tmp_path, monkeypatch)
    # now is 20:30, 2 h 20 min after the wished-for 18:10: not overdue
    res = invoke(["status", "--json"], vault=bob)
    (q,) = json.loads(res.stdout)["open_questions"]
    assert (q["overdue"], q["answer_by"], q["wish"]) == (
        False,
        "2026-11-26T18:00:00+01:00",
        "2026-11-24T18:10:00+01:00",
    )
    text = invoke(["status"], vault=bob).stdout
    assert (
        "Q-0001 for you, today, answer by Thu 26 Nov 18:00; "
        "Alice Example hoped for an answer by Tue 24 Nov 18:10." in text
    )


def test_a_wish_is_no_reminder_and_no_calendar_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _bob_has_the_wish(tmp_path, monkeypatch)
    due = json.loads(invoke(["remind", "--json"], vault=bob).stdout)["due"]
    assert [d for d in due if d["kind"] == "answer"] == []
    ics = invoke(["calendar"], vault=bob).stdout
    todo = ics[ics.index("BEGIN:VTODO") : ics.index("END:VTODO")]
    assert "DUE;TZID=Europe/Berlin:20261126T180000" in todo


def test_a_later_answer_by_gives_more_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = make_pair(tmp_path)
    later = QUESTION.replace("answer_by: 2026-11-24 18:10", "answer_by: 2026-11-30 18:00")
    _asked_at_six(pair, later, monkeypatch)
    assert pair.sync("bob").exit_code == 0
    (q,) = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)["open_questions"]
    assert (q["answer_by"], q["wish"]) == ("2026-11-30T18:00:00+01:00", None)
