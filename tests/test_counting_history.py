"""Counting follows history (GUIDE invariant 8): nothing is counted before the couple
started or under a schedule that was not in force, a first week is a first week, and a
long gap is welcomed back, not added up."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, make_vault
from testing.ritual import (
    CONFIG,
    agenda_json,
    at,
    commit_checkin,
    commit_files,
    ok,
    section,
    vault_at,
)

from openbook.ritual.history import CACHE_FILE, read_history
from openbook.vault import Vault

BOTH_DAILY = CONFIG.replace(
    'alice: {every: week, on: sunday, by: "20:00"}', 'alice: {every: day, by: "21:00"}'
)


def test_a_vault_created_on_thursday_expects_thursday_to_sunday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-22", "17:30"))
    root = vault_at(tmp_path / "v", at("2026-11-19", "10:00"), BOTH_DAILY)
    for day in ("2026-11-19", "2026-11-20", "2026-11-21"):
        commit_checkin(root, "bob", day, "20:00")
    commit_checkin(root, "bob", "2026-11-22", "17:00")
    data = agenda_json(root)
    assert data["period"] == {"start": "2026-11-19", "end": "2026-11-22"}
    bob, alice = data["checkins"]["bob"], data["checkins"]["alice"]
    assert (bob["expected"], bob["received"], bob["late"]) == (4, 4, 0)
    assert (alice["expected"], alice["received"]) == (3, 0)  # Sunday is due at 21:00
    assert [w["week"] for w in data["checkin_weeks"]] == ["2026-W47"]
    text = ok(["agenda"], root)
    assert "This agenda covers Thu 19 Nov to Sun 22 Nov." in text
    assert section(text, "What went right") == [
        "Bob Example checked in as agreed on 4 days."
    ]  # alice is simply not listed
    assert section(text, "Transparency") == [
        "3 check-ins due, none received yet (every day by 21:00).",
        "4 of 4 check-ins (every day by 21:00).",
    ]
    html = ok(["agenda", "--format", "html"], root)
    assert "0 of" not in html and "4 of 4" in html and "3 due" in html


def test_a_schedule_changed_midweek_counts_each_day_under_its_own(week_vault: Path) -> None:
    """Bob's deadline moves from 21:00 to 08:00 on Wednesday at 10:00: Wednesday's 08:00
    had passed, so Monday to Wednesday count under 21:00, Thursday on under 08:00."""
    early = CONFIG.replace('bob:   {every: day, by: "21:00"}', 'bob:   {every: day, by: "08:00"}')
    for day in ("2026-11-16", "2026-11-17"):
        commit_checkin(week_vault, "bob", day, "20:30")
    commit_files(week_vault, {"openbook.yml": early}, at("2026-11-18", "10:00"))
    commit_checkin(week_vault, "bob", "2026-11-18", "20:30")
    commit_checkin(week_vault, "bob", "2026-11-19", "07:30")
    commit_checkin(week_vault, "bob", "2026-11-20", "08:10")
    for day in ("2026-11-21", "2026-11-22"):
        commit_checkin(week_vault, "bob", day, "07:30")
    bob = agenda_json(week_vault, "--date", "2026-11-22")["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (7, 7, 1)
    assert bob["late_paths"] == ["checkins/2026/2026-11-20-bob.md"]
    assert bob["schedule"] == "every day by 08:00"
    text = ok(["agenda", "--date", "2026-11-22"], week_vault)
    assert (
        "7 of 7 check-ins, 1 after 08:00 (every day by 21:00; every day by 08:00 from Thu 19 Nov)."
        in text
    )


def test_nothing_is_expected_before_a_partner_had_a_schedule(week_vault: Path) -> None:
    only_bob = CONFIG.replace('  alice: {every: week, on: sunday, by: "20:00"}\n', "")
    commit_files(week_vault, {"openbook.yml": only_bob}, at("2026-11-03", "09:00"))
    commit_files(week_vault, {"openbook.yml": BOTH_DAILY}, at("2026-11-19", "12:00"), "alice")
    alice = agenda_json(week_vault, "--date", "2026-11-22")["checkins"]["alice"]
    assert (alice["expected"], alice["received"]) == (3, 0)  # Thu, Fri, Sat
    weeks = agenda_json(week_vault, "--date", "2026-11-22")["checkin_weeks"]
    assert [w["checkins"]["alice"]["expected"] for w in weeks] == [0, None, 3]


def test_after_six_weeks_the_opening_welcomes_back_and_counts_seven_days(
    week_vault: Path,
) -> None:
    commit_files(
        week_vault,
        {
            "meetings/2026/2026-W41.md": "---\ntype: meeting\ndate: 2026-10-11\n"
            "week: 2026-W41\nparticipants: [alice, bob]\n---\n"
        },
        at("2026-11-02", "10:00"),
    )
    for day in ("2026-11-10", "2026-11-20", "2026-11-21"):
        commit_checkin(week_vault, "bob", day, "20:00")
    data = agenda_json(week_vault, "--date", "2026-11-22")
    assert data["last_meeting"] == "2026-10-11"
    assert data["period"] == {"start": "2026-11-16", "end": "2026-11-22"}
    assert data["welcome_back"] == (
        "Your last meeting was 6 weeks ago; welcome back. This agenda covers the last 7 days."
    )
    assert (data["checkins"]["bob"]["expected"], data["checkins"]["bob"]["received"]) == (6, 2)
    text = ok(["agenda", "--date", "2026-11-22"], week_vault)
    opening = text.split("## Opening")[1].split("## Appreciations")[0]
    assert "Your last meeting was 6 weeks ago; welcome back." in opening
    assert "Bob Example checked in as agreed on 2 days." in text
    assert "We held our weekly meeting" not in text


def test_the_period_runs_from_the_last_meeting_at_most_fourteen_days(week_vault: Path) -> None:
    commit_files(
        week_vault,
        {
            "meetings/2026/2026-W45.md": "---\ntype: meeting\ndate: 2026-11-08\n"
            "week: 2026-W45\nparticipants: [alice, bob]\n---\n"
        },
        at("2026-11-08", "20:00"),
    )
    data = agenda_json(week_vault, "--date", "2026-11-22")
    assert data["period"] == {"start": "2026-11-09", "end": "2026-11-22"}
    assert data["welcome_back"] is None
    assert data["checkins"]["bob"]["expected"] == 13  # Sunday is due after the meeting
    text = ok(["agenda", "--date", "2026-11-22"], week_vault)
    assert "We held our weekly meeting on Sun 8 Nov." in section(text, "What went right")


def test_a_review_on_the_13th_counts_up_to_the_13th(
    week_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-13", "12:00"))
    for n in range(2, 13):
        if n != 6:
            commit_checkin(week_vault, "bob", f"2026-11-{n:02d}", "20:00")
    res = ok(["review"], week_vault, "bob")
    text = (week_vault / res.strip()).read_text(encoding="utf-8")
    assert "Written before the month is over: it counts up to 13 November." in text
    glance = section(text, "The month at a glance")
    assert glance[1] == "Bob Example: 10 of 11 check-ins (every day by 21:00)."
    assert "of 30" not in text and "of 26" not in text


@pytest.fixture
def week_vault(tmp_path: Path) -> Path:
    return vault_at(tmp_path / "v", at("2026-11-02", "09:00"))


def test_history_is_cached_by_head_and_follows_it(week_vault: Path) -> None:
    vault = Vault(week_vault)
    first = read_history(vault)
    cache = vault.state_dir() / CACHE_FILE  # type: ignore[operator]
    assert cache.is_file() and first.head == git(week_vault, "rev-parse", "HEAD")
    rel = commit_checkin(week_vault, "bob", "2026-11-20", "20:00")
    second = read_history(vault)
    assert second.first_commit[rel].isoformat() == at("2026-11-20", "20:00")
    assert len(second.configs) == len(first.configs)
    git(week_vault, "reset", "-q", "--hard", "HEAD~1")  # history moved back: read it again
    third = read_history(vault)
    assert rel not in third.first_commit and third.head == first.head
    assert read_history(vault) == third  # from the cache
    fresh = make_vault(week_vault.parent / "fresh")
    assert read_history(Vault(fresh)).start is not None
