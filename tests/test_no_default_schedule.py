"""`openbook init` writes no check-in schedule (SPEC section 10): the partner who has not
even cloned yet is never told that a check-in is due. status and the agenda say calmly
that none is agreed yet and how to propose one; once proposed and accepted, it runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import ALICE, BOB, bare_remote, git, invoke
from testing.ritual import harmful, section

from openbook.config import load_config
from openbook.sync.clone import clone

NO_SCHEDULE = (
    "No check-in schedule is agreed yet. To propose one, one of you adds it under checkins "
    "in openbook.yml and syncs; the other accepts it with 'openbook accept settings'."
)


# nothing of the first settings binds until the other partner accepts them (SPEC 10)
JOINING = (
    "Nothing is in force yet: Bob Example wrote the vault's first settings, and they wait "
    "for Alice Example. Until then no check-in is expected, no answer time runs and no "
    "meeting is reminded. Alice Example: openbook accept settings"
)


def _init(root: Path, *more: str) -> list[str]:
    res = invoke(
        [
            "--as",
            "bob",
            "init",
            str(root),
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--timezone",
            "Europe/Berlin",
            *more,
        ]
    )
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""
    return res.stdout.splitlines()


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bob's vault as `openbook init` makes it, on Tue 24 Nov at 09:00."""
    monkeypatch.setenv("OPENBOOK_NOW", "2026-11-24T09:00:00+01:00")
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", "2026-11-24T09:00:00+01:00")
    root = tmp_path / "ourbook"
    _init(root)
    return root


def test_init_says_what_it_made_whose_copy_it_is_and_what_next(tmp_path: Path) -> None:
    root = tmp_path / "ourbook"
    assert _init(root) == [
        f"Created the vault in {root}: openbook.yml, language.md, the note folders and a "
        "first commit.",
        "This copy is Bob Example's (bob). Alice Example makes their own from the shared "
        "repository with 'openbook --as alice clone ADDRESS'.",
        "openbook is not therapy, and not for a relationship where one partner fears the other.",
        "Helplines by country: findahelpline.com; therapists and how to stop: openbook resources.",
        "No check-in schedule is set yet: agree on one together; one of you proposes it "
        "with 'openbook propose checkins bob --every day --by 21:00', and Alice Example "
        "accepts it with 'openbook accept settings'.",
        "Next:",
        "  openbook new checkin    write a check-in",
        "  openbook status         what is due and what is waiting",
        "  git remote add origin ADDRESS, then openbook sync    share it with Alice Example "
        "(docs/sync.md)",
    ]
    with_remote = _init(tmp_path / "other", "--remote", str(bare_remote(tmp_path / "r.git")))
    assert with_remote[-1] == "  openbook sync    share it with Alice Example (docs/sync.md)"


def test_init_writes_no_schedule_but_shows_how_to_propose_one(fresh: Path) -> None:
    cfg = load_config(fresh)
    assert cfg.checkins == {} and not cfg.problems
    text = (fresh / "openbook.yml").read_text()
    assert "\ncheckins:" not in text
    assert '#   bob: {every: day, by: "21:00", agreement: A-002}\n' in text
    assert "`openbook accept settings`" in text
    assert invoke(["check"], vault=fresh).exit_code == 0


def test_status_after_init_says_no_schedule_is_agreed_and_nothing_is_due(fresh: Path) -> None:
    res = invoke(["status"], vault=fresh)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"Vault {fresh}, you are Bob Example (bob).",
        f"  {JOINING}",
        "Check-ins:",
        f"  {NO_SCHEDULE}",
        "Open questions:",
        "  None open.",
        "Agreements:",
        "  Nothing due for review and nothing waiting for consent.",
        "Uncommitted: nothing, everything is in the log.",
        "Last sync: never (openbook sync shares your notes with your partner).",
    ]
    data = json.loads(invoke(["status", "--json"], vault=fresh).stdout)
    assert data["checkins"] == []
    assert data["schedule_agreed"] is False
    assert data["no_schedule"] == {"text": NO_SCHEDULE}
    assert json.loads(invoke(["remind", "--json"], vault=fresh).stdout)["due"] == []


def test_the_agenda_after_init_says_it_once_and_counts_nothing(fresh: Path) -> None:
    res = invoke(["agenda"], vault=fresh)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.count(NO_SCHEDULE) == 1
    assert section(res.stdout, "Transparency") == [
        "No check-in schedule agreed yet.",
        "No check-in schedule agreed yet.",
    ]
    assert harmful(res.stdout, 7) == []
    data = json.loads(invoke(["agenda", "--json"], vault=fresh).stdout)
    assert {pid: c["expected"] for pid, c in data["checkins"].items()} == {
        "alice": None,
        "bob": None,
    }


def test_a_proposed_schedule_binds_once_the_other_accepts(
    fresh: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    git(fresh, "remote", "add", "origin", str(remote))
    assert invoke(["sync"], vault=fresh).exit_code == 0
    alice = clone(str(remote), tmp_path / "alice", "alice")
    # Bob proposes his own schedule: the line the file shows, uncommented
    cfg = fresh / "openbook.yml"
    example = '#   bob: {every: day, by: "21:00", agreement: A-002}\n'
    proposal = '  bob: {every: day, by: "21:00"}\n'
    cfg.write_text(cfg.read_text().replace("# checkins:\n" + example, "checkins:\n" + proposal))
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", "2026-11-24T09:10:00+01:00")
    assert invoke(["sync"], vault=fresh).exit_code == 0
    monkeypatch.setenv("OPENBOOK_NOW", "2026-11-24T09:20:00+01:00")
    res = invoke(["sync"], vault=alice)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[-1] == (  # nothing is in force until Alice joins
        "Nothing is in force yet: Bob Example wrote the vault's first settings (Bob Example's "
        "check-ins: every day by 21:00, was none), and they wait for Alice Example. Until then "
        "no check-in is expected, no answer time runs and no meeting is reminded. Alice "
        "Example: openbook accept settings"
    )
    data = json.loads(invoke(["status", "--json"], vault=alice).stdout)
    assert data["checkins"] == []  # a proposal binds no one
    assert data["no_schedule"]["text"] == (
        "No check-in schedule is agreed yet; the one proposed above is in force once you "
        "have both accepted it."
    )
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", "2026-11-24T09:30:00+01:00")
    monkeypatch.setenv("OPENBOOK_NOW", "2026-11-24T09:30:00+01:00")
    assert invoke(["accept", "settings", "--yes"], vault=alice).exit_code == 0
    data = json.loads(invoke(["status", "--json"], vault=alice).stdout)
    assert [(c["partner"], c["by"], c["due_on"]) for c in data["checkins"]] == [
        ("bob", "21:00", "2026-11-24")
    ]
    assert data["schedule_agreed"] is True and data["no_schedule"] is None
    assert "No check-in schedule" not in invoke(["status"], vault=alice).stdout
