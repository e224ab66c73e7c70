"""Time the log can stand behind (SPEC section 10): each clone notes when it first saw each
commit (.git/openbook/arrivals, local only); for counting, a commit's time is its date
kept within [its parents' times, when this clone first saw it] (10 minutes of skew
allowed), `log` marks a commit off that clock `clock`, and a check-in written ahead of
its day does not count (`written-ahead`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, invoke, make_pair, write
from testing.plain import identity, push
from testing.ritual import agenda_json, at

ALICE_TODAY = "checkins/2026/2026-11-24-alice.md"
ALICE_TOMORROW = "checkins/2026/2026-11-25-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def plain_commit(root: Path, who: str, files: dict[str, str], when: str) -> str:
    """Commit `files` as `who` with plain git, dated `when` (author and committer)."""
    for rel, text in files.items():
        write(root, rel, text)
    git(root, "add", "--", *files)
    env = {**identity(root, who), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(root, "commit", "-q", "--no-verify", "-m", "plain git", env=env)
    return git(root, "rev-parse", "HEAD")


def now(monkeypatch: pytest.MonkeyPatch, day: str, hhmm: str) -> None:
    monkeypatch.setenv("OPENBOOK_NOW", at(day, hhmm))


def alice_count(pair: Pair, meeting: str) -> dict[str, object]:
    return agenda_json(pair.bob, "--date", meeting)["checkins"]["alice"]  # type: ignore[no-any-return]


def log_marks(root: Path, sha: str) -> list[str]:
    res = invoke(["log", "--json"], vault=root)
    assert res.exit_code == 0, res.stderr
    entries = json.loads(res.stdout)
    entries = entries["entries"] if isinstance(entries, dict) else entries
    return next(e["marks"] for e in entries if e["sha"] == sha)  # type: ignore[no-any-return]


def test_a_backdated_late_checkin_counts_as_received_late(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alice pulls Bob's 21:10 note, then commits her check-in dated 20:00 (before the
    21:00 deadline) and pushes at 21:30: her commit is dated before its parent."""
    now(monkeypatch, "2026-11-24", "21:10")
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", at("2026-11-24", "21:10"))
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    monkeypatch.delenv("OPENBOOK_COMMIT_DATE")
    now(monkeypatch, "2026-11-24", "21:20")
    git(pair.alice, "pull", "-q", "origin", "main")
    sha = plain_commit(
        pair.alice, "alice", {ALICE_TODAY: checkin_text("alice")}, at("2026-11-24", "20:00")
    )
    push(pair.alice)
    now(monkeypatch, "2026-11-24", "21:30")
    assert pair.sync("bob").exit_code == 0
    alice = alice_count(pair, "2026-11-25")
    assert (alice["received"], alice["late"], alice["late_paths"]) == (1, 1, [ALICE_TODAY])
    assert "clock" in log_marks(pair.bob, sha)


def test_a_future_dated_checkin_counts_at_its_arrival(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dated a day after it arrived: it counts when it arrived (20:30, before 21:00)."""
    sha = plain_commit(
        pair.alice, "alice", {ALICE_TODAY: checkin_text("alice")}, at("2026-11-25", "20:30")
    )
    push(pair.alice)
    now(monkeypatch, "2026-11-24", "20:30")
    assert pair.sync("bob").exit_code == 0
    now(monkeypatch, "2026-11-24", "21:30")
    alice = alice_count(pair, "2026-11-25")
    assert (alice["received"], alice["late"]) == (1, 0)
    assert "clock" in log_marks(pair.bob, sha)


def test_an_honest_checkin_is_counted_by_its_date_and_not_marked(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = plain_commit(
        pair.alice, "alice", {ALICE_TODAY: checkin_text("alice")}, at("2026-11-24", "21:05")
    )
    push(pair.alice)
    now(monkeypatch, "2026-11-24", "21:30")
    assert pair.sync("bob").exit_code == 0
    alice = alice_count(pair, "2026-11-25")
    assert (alice["received"], alice["late"]) == (1, 1)  # 21:05 is after 21:00: late, as dated
    assert "clock" not in log_marks(pair.bob, sha)


def test_a_checkin_written_ahead_does_not_count(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tomorrow's check-in committed today: `check` says written-ahead at its date line,
    and counting leaves it out even once its day has come."""
    text = checkin_text("alice", "2026-11-25")
    plain_commit(pair.alice, "alice", {ALICE_TOMORROW: text}, at("2026-11-24", "20:00"))
    push(pair.alice)
    now(monkeypatch, "2026-11-24", "20:30")
    assert pair.sync("bob").exit_code == 0
    res = invoke(["check"], vault=pair.bob)
    assert res.exit_code == 1
    line = text.splitlines().index("date: 2026-11-25") + 1
    assert f"{ALICE_TOMORROW}:{line}:1: error: a check-in is written on its day or after" in (
        res.stdout
    )
    assert "[written-ahead]" in res.stdout
    now(monkeypatch, "2026-11-25", "22:00")
    alice = alice_count(pair, "2026-11-26")
    assert alice["received"] == 0


def test_new_refuses_a_checkin_dated_tomorrow(vault: Path) -> None:
    res = invoke(["new", "checkin", "--date", "2026-11-25", "--set", "mood=4"], vault=vault)
    assert res.exit_code != 0
    assert "a check-in is written on its day or after" in res.stderr
    assert not (vault / ALICE_TOMORROW.replace("alice", "bob")).exists()
    assert (
        invoke(["new", "checkin", "--date", "2026-11-24", "--set", "mood=4"], vault=vault).exit_code
        == 0
    )


def test_commit_leaves_a_checkin_dated_tomorrow_uncommitted(vault: Path) -> None:
    rel = "checkins/2026/2026-11-25-bob.md"
    write(vault, rel, checkin_text("bob", "2026-11-25"))
    res = invoke(["commit"], vault=vault)
    assert "a check-in is written on its day or after" in res.stdout + res.stderr
    assert git(vault, "log", "--format=%s", "--", rel) == ""


def test_an_empty_checkin_is_not_a_checkin(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = "---\ntype: checkin\nauthor: alice\ndate: 2026-11-24\n---\n"
    plain_commit(pair.alice, "alice", {ALICE_TODAY: empty}, at("2026-11-24", "20:00"))
    push(pair.alice)
    now(monkeypatch, "2026-11-24", "21:30")
    assert pair.sync("bob").exit_code == 0
    assert alice_count(pair, "2026-11-25")["received"] == 0


def test_arrivals_are_noted_once_locally_and_survive_a_cut_line(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openbook.git.arrivals import arrivals, record_arrivals, store_path

    now(monkeypatch, "2026-11-24", "20:00")
    sha = plain_commit(
        pair.alice, "alice", {ALICE_TODAY: checkin_text("alice")}, at("2026-11-24", "19:00")
    )
    push(pair.alice)
    assert pair.sync("bob").exit_code == 0
    seen = arrivals(pair.bob)
    assert seen[sha] == int(dt.datetime.fromisoformat(at("2026-11-24", "20:00")).timestamp())
    # the whole history arrived at Alice's clone when she cloned it (at the pinned now)
    cloned = git(pair.alice, "rev-list", "HEAD~1").split()
    clone_time = int(dt.datetime.fromisoformat(at("2026-11-24", "20:30")).timestamp())
    assert {arrivals(pair.alice).get(c) for c in cloned} == {clone_time}
    # never shared: it lives in .git
    path = store_path(pair.bob)
    assert path is not None and ".git" in path.parts
    # a line a kill cut short is skipped, and what comes after it still reads
    with open(path, "ab") as fh:
        fh.write(b"0123456789abcdef0123456789abcdef01234567 17")
    record_arrivals(pair.bob, ["f" * 40], 1_800_000_000)
    again = arrivals(pair.bob)
    assert "0123456789abcdef0123456789abcdef01234567" not in again
    assert again["f" * 40] == 1_800_000_000 and again[sha] == seen[sha]
    record_arrivals(pair.bob, [sha], 1_900_000_000)  # the first arrival stays
    assert arrivals(pair.bob)[sha] == seen[sha]


def test_a_commit_just_made_is_noted_once_and_a_cut_line_does_not_count(vault: Path) -> None:
    from openbook.git.arrivals import arrivals, see, store_path

    sha = git(vault, "rev-parse", "HEAD").strip()
    path = store_path(vault)
    assert path is not None
    path.write_bytes(f"{sha} 17".encode())  # cut short by a kill: not a line for sha
    see(vault, 1_800_000_000, sha, only=True)
    assert arrivals(vault)[sha] == 1_800_000_000
    see(vault, 1_900_000_000, sha, only=True)  # seen already: nothing more is written
    assert path.read_bytes().count(sha.encode()) == 2
    assert arrivals(vault)[sha] == 1_800_000_000


def test_standing_time_keeps_a_date_within_parents_and_arrival() -> None:
    from openbook.git.standing import standing_time

    assert standing_time(1000, [900], 2000) == 1000  # honest
    assert standing_time(500, [900], 2000) == 900  # dated before its parent
    assert standing_time(5000, [900], 2000) == 2000  # dated after it arrived
    assert standing_time(2300, [900], 2000) == 2300  # within 10 minutes of skew
    assert standing_time(500, [3000], 2000) == 2000  # the arrival wins
    assert standing_time(500, [], None) == 500  # nothing known: its date
