"""A change of settings by one partner binds no one until the other accepts it, and then
only from that moment on (SPEC section 10): sync names the proposal; the week already
counted keeps its numbers; a question keeps the answer time in force when it was asked.
And no answer clock runs while a pause holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from testing import Pair, build_vault, invoke, make_pair, question_text
from testing.ritual import at, checkin_note, checkin_path, harmful

CHANGED = (
    ("bob: {every: day, by: '21:00'}", "bob: {every: day, by: '07:00'}"),
    ("questions: {answer_within: 48h}", "questions: {answer_within: 15m}"),
)
PROPOSAL = (
    "Alice Example proposed new settings on Mon 23 Nov: Bob Example's check-ins: every day "
    "by 07:00, was every day by 21:00; answers within 15m, was 48h. Nothing changes unless "
    "Bob Example accepts; Bob Example can read it with 'openbook accept settings' and say no."
)

TO_BOB = PROPOSAL.replace(
    "Nothing changes unless Bob Example accepts; Bob Example can read it with 'openbook "
    "accept settings' and say no.",
    "Nothing changes unless you accept; 'openbook accept settings' shows it, and you may say no.",
)


def _clock(monkeypatch: pytest.MonkeyPatch, day: str, hhmm: str) -> None:
    """openbook's now, and the date of the commits it makes (merges, consents)."""
    monkeypatch.setenv("OPENBOOK_NOW", at(day, hhmm))
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", at(day, hhmm))


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pair:
    """Bob checked in every day of 16 to 22 November by 20:00; on Monday 23 November at
    10:00 Alice asked him Q-0001. Both clones have all of it."""
    pair = make_pair(tmp_path)
    for d in range(16, 23):
        day = f"2026-11-{d}"
        note = {checkin_path("bob", day): checkin_note("bob", day)}
        build_vault(pair.bob, note, as_partner="bob", when=at(day, "20:00"))
    asked = {"questions/Q-0001.md": question_text(asked="2026-11-23 10:00", body="Why?")}
    build_vault(pair.alice, asked, as_partner="alice", when=at("2026-11-23", "10:00"))
    _clock(monkeypatch, "2026-11-23", "10:30")
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    return pair


def _propose(pair: Pair) -> None:
    """Alice, with plain git and as herself, moves Bob's check-in to 07:00 and the answer
    time to 15 minutes, at 12:00 on Monday 23 November, and shares it."""
    cfg = pair.alice / "openbook.yml"
    text = cfg.read_text()
    for old, new in CHANGED:
        assert old in text
        text = text.replace(old, new)
    changed = {"openbook.yml": text}
    when = at("2026-11-23", "12:00")
    build_vault(pair.alice, changed, as_partner="alice", when=when, accepted=False)
    assert pair.sync("alice").exit_code == 0


def _status(root: Path) -> dict[str, Any]:
    res = invoke(["status", "--json"], vault=root)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def _last_week(root: Path) -> dict[str, Any]:
    """Bob's counts for the week up to the meeting of Sunday 22 November, and the line
    the agenda says them in."""
    res = invoke(["agenda", "--json", "--date", "2026-11-22"], vault=root)
    assert res.exit_code == 0, res.stderr
    bob = json.loads(res.stdout)["checkins"]["bob"]
    counts = {k: bob[k] for k in ("expected", "received", "late", "written_later")}
    text = invoke(["agenda", "--date", "2026-11-22"], vault=root).stdout
    said = [
        line
        for line in text.splitlines()
        if line.startswith("- ") and ("check-ins" in line or "checked in" in line)
    ]
    return {**counts, "said": said}


def _answer_by(data: dict[str, Any]) -> dict[str, str]:
    return {q["id"]: q["answer_by"] for q in data["open_questions"]}


def _ask(pair: Pair, qid: str, when: str) -> None:
    asked = {f"questions/{qid}.md": question_text(qid, asked=when.replace("T", " ")[:16])}
    build_vault(pair.alice, asked, as_partner="alice", when=at(*when.split("T")))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0


@pytest.mark.slow
def test_a_change_by_alice_binds_bob_only_once_he_accepts_and_from_then_on(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    week_before = _last_week(pair.bob)
    # up to the meeting on Sunday at 19:00: Monday to Saturday
    assert week_before == {
        "expected": 6,
        "received": 6,
        "late": 0,
        "written_later": 0,
        "said": [
            "- Bob Example checked in as agreed on 6 days.",
            "- 6 check-ins due, none received (every day by 21:00).",  # Alice's
            "- 6 of 6 check-ins (every day by 21:00).",
        ],
    }
    _propose(pair)
    _clock(monkeypatch, "2026-11-23", "13:00")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[-1] == TO_BOB
    synced = json.loads(pair.sync("bob", "--json").stdout)
    assert synced["settings_proposal"]["text"] == TO_BOB
    assert synced["settings_proposal"]["waiting"] == ["bob"]
    assert TO_BOB in invoke(["status"], vault=pair.bob).stdout
    # until Bob accepts: his check-in stays at 21:00, answers have 48 hours
    _ask(pair, "Q-0002", "2026-11-23T13:00")
    data = _status(pair.bob)
    assert [(c["partner"], c["by"]) for c in data["checkins"]] == [
        ("alice", "21:00"),
        ("bob", "21:00"),
    ]
    assert _answer_by(data) == {
        "Q-0001": "2026-11-25T10:00:00+01:00",
        "Q-0002": "2026-11-25T13:00:00+01:00",
    }
    assert _last_week(pair.bob) == week_before
    # Bob accepts at 14:00: from then on
    _clock(monkeypatch, "2026-11-23", "14:00")
    res = invoke(["accept", "settings", "--yes"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    _ask(pair, "Q-0003", "2026-11-23T15:00")
    _clock(monkeypatch, "2026-11-23", "15:05")
    data = _status(pair.bob)
    assert data["settings_proposal"] is None
    assert _answer_by(data) == {
        "Q-0001": "2026-11-25T10:00:00+01:00",  # asked before the change: still 48 hours
        "Q-0002": "2026-11-25T13:00:00+01:00",  # asked before Bob accepted: 48 hours
        "Q-0003": "2026-11-23T15:15:00+01:00",  # asked after: 15 minutes
    }
    # today's check-in was due by 21:00 when the change came into force at 14:00, after
    # the new 07:00: it stays due by 21:00; 07:00 applies from tomorrow on
    bob = next(c for c in data["checkins"] if c["partner"] == "bob")
    assert (bob["due_on"], bob["by"], bob["passed"]) == ("2026-11-23", "21:00", False)
    text = invoke(["status"], vault=pair.bob).stdout
    assert "You: a check-in is due today by 21:00." in text
    assert _last_week(pair.bob) == week_before
    _clock(monkeypatch, "2026-11-24", "06:00")
    bob = next(c for c in _status(pair.bob)["checkins"] if c["partner"] == "bob")
    assert (bob["due_on"], bob["by"]) == ("2026-11-24", "07:00")
    for root in (pair.alice, pair.bob):
        assert harmful(invoke(["status"], vault=root).stdout, 7) == []


PAUSE = """\
---
type: pause
by: alice
since: {since}
until: null
resumed: {resumed}
---
"""
PAUSE_PATH = "pauses/2026/2026-11-24-0900-alice.md"


def _pause(pair: Pair, resumed: str | None) -> None:
    """Alice paused everything on Tue 24 Nov at 09:00 (and resumed at `resumed`)."""
    since = at("2026-11-24", "09:00")
    note = PAUSE.format(since=since, resumed=resumed or "null")
    build_vault(pair.alice, {PAUSE_PATH: note}, as_partner="alice", when=resumed or since)
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0


def _said(root: Path) -> str:
    out = ""
    for args in (["status"], ["agenda"], ["remind"], ["remind", "--json"], ["status", "--json"]):
        res = invoke(args, vault=root, as_partner="bob")
        assert res.exit_code == 0, res.stderr
        out += res.stdout
    return out.replace(str(root), "VAULT")


def test_no_answer_is_overdue_while_paused_and_the_clock_runs_on_after(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Q-0001, asked Mon 23 Nov 10:00 with 48 hours, was due Wed 25 Nov 10:00. Alice paused
    everything on Tue 24 Nov 09:00, with 25 hours left on the clock."""
    _pause(pair, None)
    _clock(monkeypatch, "2026-11-26", "12:00")  # past the old deadline
    said = _said(pair.bob)
    assert "was due" not in said.lower() and '"overdue": true' not in said
    assert "Q-0001 for you, 3 days old, no answer is due while everything is paused." in said
    remind = invoke(["remind", "--json"], vault=pair.bob, as_partner="bob")
    assert json.loads(remind.stdout)["due"] == []
    agenda = json.loads(invoke(["agenda", "--json"], vault=pair.bob).stdout)
    assert [(q["id"], q["overdue"], q["paused"]) for q in agenda["open_questions"]] == [
        ("Q-0001", False, True)
    ]
    assert "answer due" not in said  # nothing in the week ahead either
    # Alice resumes on Thu 26 Nov at 12:00: the 25 hours left run from then on
    _clock(monkeypatch, "2026-11-26", "12:00")
    _pause(pair, at("2026-11-26", "12:00"))
    q = _status(pair.bob)["open_questions"][0]
    assert (q["answer_by"], q["overdue"], q["paused"]) == (
        "2026-11-27T13:00:00+01:00",
        False,
        False,
    )
    _clock(monkeypatch, "2026-11-27", "11:30")
    remind = invoke(["remind"], vault=pair.bob, as_partner="bob")
    assert remind.stdout == "Due at 13:00: your answer to Q-0001.\n"
    _clock(monkeypatch, "2026-11-27", "13:30")
    q = _status(pair.bob)["open_questions"][0]
    assert q["overdue"] is True
    agenda = json.loads(invoke(["agenda", "--json"], vault=pair.bob).stdout)
    assert [(o["id"], o["overdue"]) for o in agenda["open_questions"]] == [("Q-0001", True)]


def test_a_pause_after_the_deadline_hides_nothing_once_it_ends(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pause that began after the answer was due does not move the deadline: while it
    holds nothing is overdue; after it, the question is overdue as it was before."""
    _clock(monkeypatch, "2026-11-26", "09:00")
    since = at("2026-11-26", "08:00")
    note = PAUSE.format(since=since, resumed=at("2026-11-26", "10:00"))
    build_vault(pair.alice, {PAUSE_PATH: note}, as_partner="alice", when=since)
    assert pair.sync("alice").exit_code == 0 and pair.sync("bob").exit_code == 0
    q = _status(pair.bob)["open_questions"][0]
    assert (q["answer_by"], q["overdue"], q["paused"]) == ("2026-11-25T10:00:00+01:00", False, True)
    _clock(monkeypatch, "2026-11-26", "11:00")
    q = _status(pair.bob)["open_questions"][0]
    assert (q["answer_by"], q["overdue"]) == ("2026-11-25T10:00:00+01:00", True)
