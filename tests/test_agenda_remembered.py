"""The agenda and `status` read only the notes that can matter to them and remember them
by the note files' sizes and times (ritual/recent.py), and what they read of git by
commit (ritual/remembered.py). Whatever they remember, they say exactly what they say
with nothing remembered: after a note changes, today moves, HEAD moves or the settings
change."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from testing import git, write
from testing.gitlog import counting_git
from testing.process import run_openbook
from testing.ritual import CONFIG, agenda_json, at, commit_checkin, commit_files, ok, vault_at

REMEMBERED = ("recent-notes.json", "recent-stats.json", "admitted-paths.json", "fingerprint.json")
OLD_DAY = "2026-05-13"


def checkin(who: str, day: str, thanks: str) -> str:
    return (
        f'---\ntype: checkin\nauthor: {who}\ndate: {day}\ntime: "20:00"\nmood: 3\n---\n\n'
        f"## Appreciation\n\n{thanks}\n"
    )


def question(qid: str, asked: str, status: str, answered: str | None = None) -> str:
    done = f"answered: {answered}\n" if answered else ""
    return (
        f"---\ntype: question\nid: {qid}\nasked_by: alice\nto: bob\nasked: {asked}\n"
        f"status: {status}\n{done}---\n\nWhere were you on Tuesday?\n"
    )


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """Half a year of history: a check-in and a question settled in May, recent
    check-ins and a question still open."""
    root = vault_at(tmp_path / "v", at("2026-05-01", "10:00"), CONFIG)
    write(root, f"checkins/2026/{OLD_DAY}-bob.md", checkin("bob", OLD_DAY, "The May walk."))
    git(root, "add", "-A")
    env = {"GIT_AUTHOR_DATE": at(OLD_DAY, "20:00"), "GIT_COMMITTER_DATE": at(OLD_DAY, "20:00")}
    git(root, "-c", "user.name=Bob Example", "-c", "user.email=bob@example.org", "commit",
        "-q", "--no-verify", "-m", "old check-in", env=env)  # fmt: skip
    old_q = question("Q-001", at("2026-05-02", "09:00"), "answered", at("2026-05-03", "09:00"))
    commit_files(root, {"questions/2026/Q-001.md": old_q}, at("2026-05-03", "09:30"))
    commit_checkin(root, "bob", "2026-11-22", "20:00")
    commit_checkin(root, "bob", "2026-11-23", "20:00")
    new_q = question("Q-002", at("2026-11-23", "09:00"), "open")
    commit_files(root, {"questions/2026/Q-002.md": new_q}, at("2026-11-23", "09:30"))
    return root


def forget(root: Path) -> None:
    for name in REMEMBERED:
        (root / ".git" / "openbook" / name).unlink(missing_ok=True)


def remembered_and_fresh(root: Path, *args: str, **env: str) -> tuple[Any, Any]:
    """The agenda with what the runs before remembered, then with nothing remembered."""
    warm = agenda_json(root, *args, **env)
    forget(root)
    fresh = agenda_json(root, *args, **env)
    return warm, fresh


def status_both(root: Path, **env: str) -> tuple[Any, Any]:
    warm = json.loads(ok(["status", "--json"], root, **env))
    forget(root)
    return warm, json.loads(ok(["status", "--json"], root, **env))


def thanks(data: dict[str, Any]) -> list[str]:
    return [a["text"] for a in data["appreciations"]]


def test_the_remembered_notes_leave_out_what_cannot_matter(vault: Path) -> None:
    agenda_json(vault)
    state = vault / ".git" / "openbook"
    kept = json.loads((state / "recent-notes.json").read_text())["notes"]
    assert f"checkins/2026/{OLD_DAY}-bob.md" not in kept  # months before the agenda's weeks
    assert "questions/2026/Q-001.md" not in kept  # answered in May
    assert {"checkins/2026/2026-11-23-bob.md", "questions/2026/Q-002.md"} <= set(kept)
    every = json.loads((state / "recent-stats.json").read_text())["stats"]
    assert f"checkins/2026/{OLD_DAY}-bob.md" in every


def test_a_note_changed_added_or_deleted_is_read_again(vault: Path) -> None:
    agenda_json(vault)
    rel = "checkins/2026/2026-11-23-bob.md"
    write(vault, rel, checkin("bob", "2026-11-23", "Thank you for the soup."))
    warm, fresh = remembered_and_fresh(vault)
    assert warm == fresh
    assert "Thank you for the soup." in thanks(warm)
    write(vault, "checkins/2026/2026-11-24-bob.md", checkin("bob", "2026-11-24", "The call."))
    warm, fresh = remembered_and_fresh(vault)
    assert warm == fresh
    assert "The call." in thanks(warm)
    (vault / rel).unlink()
    warm, fresh = remembered_and_fresh(vault)
    assert warm == fresh
    assert "Thank you for the soup." not in thanks(warm)


def test_an_old_meeting_date_reads_the_notes_of_its_own_weeks(vault: Path) -> None:
    agenda_json(vault)
    warm, fresh = remembered_and_fresh(vault, "--date", "2026-05-17")
    assert warm == fresh
    assert thanks(warm) == ["The May walk."]
    warm, fresh = remembered_and_fresh(vault)  # and back to this week
    assert warm == fresh
    assert "The May walk." not in thanks(warm)


def test_today_moving_on_or_back_says_what_a_fresh_run_says(vault: Path) -> None:
    agenda_json(vault)
    for now in ("2026-12-02T20:30:00+01:00", "2026-05-13T20:30:00+02:00"):
        warm, fresh = remembered_and_fresh(vault, OPENBOOK_NOW=now)
        assert warm == fresh
        swarm, sfresh = status_both(vault, OPENBOOK_NOW=now)
        assert swarm == sfresh


def test_a_new_commit_moves_the_fingerprint_and_what_is_said(vault: Path) -> None:
    before = agenda_json(vault)
    commit_checkin(vault, "bob", "2026-11-24", "20:10")
    warm, fresh = remembered_and_fresh(vault)
    assert warm == fresh
    assert warm["fingerprint"] != before["fingerprint"]
    shown = ok(["fingerprint"], vault)
    assert warm["fingerprint"].replace(" ", "") in shown.replace(" ", "")
    swarm, sfresh = status_both(vault)
    assert swarm == sfresh


def test_new_settings_in_force_are_counted_by(vault: Path) -> None:
    agenda_json(vault)
    ok(["status"], vault)
    weekly = CONFIG.replace('bob:   {every: day, by: "21:00"}', "bob:   {every: week, on: sunday}")
    assert weekly != CONFIG
    commit_files(vault, {"openbook.yml": weekly}, at("2026-11-16", "09:00"))
    warm, fresh = remembered_and_fresh(vault)
    assert warm == fresh
    assert warm["checkins"]["bob"]["schedule"] != "every day by 21:00"
    swarm, sfresh = status_both(vault)
    assert swarm == sfresh


def test_a_damaged_memory_is_read_again_never_an_error(vault: Path) -> None:
    agenda_json(vault)
    state = vault / ".git" / "openbook"
    for name in REMEMBERED:
        if (state / name).exists():
            (state / name).write_text('{"key": [1, "x"], "notes": 7')
    before = os.listdir(state)
    warm = agenda_json(vault)
    forget(vault)
    assert warm == agenda_json(vault)
    assert set(before) <= set(os.listdir(state))


def test_a_note_added_days_later_is_read_on_its_own(vault: Path) -> None:
    """The notes chosen last time keep their verdict: a new note the next week reads that
    note, not every note again (the cutoff they were chosen by stays)."""
    agenda_json(vault)
    state = vault / ".git" / "openbook"
    cutoff = json.loads((state / "recent-notes.json").read_text())["cutoff"]
    write(vault, "checkins/2026/2026-12-01-bob.md", checkin("bob", "2026-12-01", "Tea."))
    later = "2026-12-01T21:30:00+01:00"
    warm = agenda_json(vault, OPENBOOK_NOW=later)
    assert json.loads((state / "recent-notes.json").read_text())["cutoff"] == cutoff
    assert "Tea." in thanks(warm)
    forget(vault)
    assert warm == agenda_json(vault, OPENBOOK_NOW=later)


def test_check_and_the_agenda_in_turn_each_keep_what_they_asked_of_git(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` and the agenda each remember the commits admitted without proof, in files
    of their own: run in turn, as a day's use runs them, neither reads all of history
    again for it (one file for both was rewritten by each in its own shape)."""

    def both(day: str) -> None:
        env = {"OPENBOOK_NOW": at(day, "09:00")}  # a new day: no printed answer is kept
        assert run_openbook("--vault", str(vault), "agenda", "--json", env=env).code == 0
        run_openbook("--vault", str(vault), "check", env=env)

    both("2026-11-24")
    log = counting_git(tmp_path, monkeypatch)
    both("2026-11-25")
    both("2026-11-26")
    calls = log.read_text().splitlines()
    assert calls, "git was not asked at all: the test shows nothing"
    assert not [c for c in calls if "--grep Openbook-Unverified" in c], calls
