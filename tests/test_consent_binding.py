"""Nothing binds through one partner (SPEC section 10): a pause stops every schedule and
count, a schedule serving an agreement runs only while it is active, and a change to the
binding settings is a proposal until the other partner accepts it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from testing import build_vault, invoke
from testing.consent import accept_settings
from testing.ritual import CONFIG, agenda_json, at, commit_files, ok, status_json, vault_at

PAUSE = """\
---
type: pause
by: alice
since: 2026-11-18T10:00:00+01:00
until: null
resumed: {resumed}
---
"""


@pytest.fixture
def week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-22", "17:30"))
    return vault_at(tmp_path / "v", at("2026-11-09", "10:00"))


def test_a_pause_expects_and_counts_nothing(week: Path) -> None:
    commit_files(
        week,
        {"pauses/2026/2026-11-18-1000-alice.md": PAUSE.format(resumed="null")},
        at("2026-11-18", "10:00"),
        who="alice",
    )
    bob = agenda_json(week, "--date", "2026-11-22")["checkins"]["bob"]
    assert bob["expected"] == 2  # Mon 16 and Tue 17; nothing from Wednesday's 21:00 on
    data = status_json(week, "bob")
    assert data["checkins"] == []
    assert data["paused"]["text"] == (
        "Paused by Alice Example since Wed 18 Nov: nothing is expected. Only Alice Example "
        "can end it."
    )
    text = ok(["status"], week, "bob")
    assert "Paused: nothing is expected." in text
    assert "Paused by Alice Example since Wed 18 Nov: nothing is expected." in ok(["agenda"], week)
    assert json.loads(ok(["remind", "--json"], week, "bob"))["due"] == []


def test_after_resume_schedules_run_again(week: Path) -> None:
    pause = PAUSE.format(resumed="2026-11-20T12:00:00+01:00")
    commit_files(
        week,
        {"pauses/2026/2026-11-18-1000-alice.md": pause},
        at("2026-11-18", "10:00"),
        who="alice",
    )
    bob = agenda_json(week, "--date", "2026-11-22")["checkins"]["bob"]
    assert bob["expected"] == 4  # 16, 17, then 20 and 21 after the pause ended
    assert status_json(week, "bob")["paused"] is None


def test_a_schedule_for_an_agreement_runs_only_while_it_is_active(week: Path) -> None:
    served = CONFIG.replace(
        'bob:   {every: day, by: "21:00"}', 'bob:   {every: day, by: "21:00", agreement: A-002}'
    )
    build_vault(week, {"openbook.yml": served}, when=at("2026-11-09", "10:00"))
    assert agenda_json(week, "--date", "2026-11-22")["checkins"]["bob"]["expected"] is None
    assert status_json(week, "bob")["checkins"][0]["partner"] == "alice"


def test_an_agreement_id_must_look_like_one(week: Path) -> None:
    bad = CONFIG.replace('by: "21:00"}', 'by: "21:00", agreement: two}')
    build_vault(week, {"openbook.yml": bad}, when=at("2026-11-09", "10:00"))
    res = invoke(["check"], vault=week)
    assert "agreement must name an agreement id, like A-002" in res.stdout + res.stderr


def bob_of(data: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in data["checkins"] if c["partner"] == "bob")


EARLY = CONFIG.replace('bob:   {every: day, by: "21:00"}', 'bob:   {every: day, by: "07:00"}')
EARLY = EARLY.replace("answer_within: 48h", "answer_within: 15m")


def test_a_change_by_one_partner_is_a_proposal_until_the_other_accepts(week: Path) -> None:
    build_vault(
        week,
        {"openbook.yml": EARLY},
        as_partner="bob",
        when=at("2026-11-18", "10:00"),
        accepted=False,
    )
    data = status_json(week, "alice")
    bob_due = bob_of(data)
    assert bob_due["by"] == "21:00"  # the accepted version stays in force
    proposal = data["settings_proposal"]
    assert proposal["by"] == "bob" and proposal["waiting"] == ["alice"]
    assert proposal["changes"] == [
        "Bob Example's check-ins: every day by 07:00, was every day by 21:00",
        "answers within 15m, was 48h",
    ]
    assert proposal["text"].startswith("Bob Example proposed new settings on Wed 18 Nov: ")
    assert proposal["text"].endswith(  # status speaks to Alice, who is asked
        "Nothing changes unless you accept; 'openbook accept settings' shows it, and you may "
        "say no."
    )
    assert proposal["text"].replace(
        "you accept; 'openbook accept settings' shows it, and you may say no.",
        "Alice Example accepts; Alice Example can read it with 'openbook accept settings' and "
        "say no.",
    ) in ok(["agenda"], week)
    accept_settings(week, "alice", at("2026-11-20", "12:00"))
    data = status_json(week, "alice")
    assert data["settings_proposal"] is None
    assert bob_of(data)["by"] == "07:00"
    # nothing is recounted backwards: Mon 16 to Fri 20 at 21:00, then 07:00 from Sat 21
    counts = agenda_json(week, "--date", "2026-11-22")["checkins"]["bob"]
    assert counts["expected"] == 7


def test_an_edit_not_by_a_partner_is_never_in_force(week: Path) -> None:
    build_vault(week, {"openbook.yml": EARLY}, when=at("2026-11-18", "10:00"), accepted=False)
    accept_settings(week, "alice", at("2026-11-19", "10:00"))
    data = status_json(week, "alice")
    assert bob_of(data)["by"] == "21:00"
    assert data["settings_proposal"]["waiting"] == ["bob"]
