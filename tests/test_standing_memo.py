"""The times for counting of the whole history (SPEC section 10) are remembered and only
the commits since are read, after a merge too: the answer is the one a reading from
scratch gives; a rewound HEAD, or an arrivals file that is not the one read then, reads
everything again. Real git; the other partner acts with plain git in his own clone."""

from __future__ import annotations

import datetime as dt
import marshal
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, invoke, make_pair, write
from testing.plain import identity
from testing.ritual import at

from openbook.git.arrivals import store_path
from openbook.git.standing import MEMO, Standing, standing_times

NOW = int(dt.datetime.fromisoformat(at("2026-11-24", "22:00")).timestamp())


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _memo(root: Path) -> Path:
    path = store_path(root)
    assert path is not None
    return path.with_name(MEMO)


def _commit(root: Path, who: str, day: str, when: str) -> str:
    write(root, checkin_path(who, day), checkin_text(who, day))
    git(root, "add", "-A")
    env = {**identity(root, who), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(root, "commit", "-q", "--no-verify", "-m", f"check-in {day}", env=env)
    return git(root, "rev-parse", "HEAD")


def _times(root: Path, mine: str | None = "alice@example.org") -> dict[str, Standing]:
    return standing_times(root, NOW, git(root, "rev-parse", "HEAD"), mine=mine)


def _scratch(root: Path, mine: str | None = "alice@example.org") -> dict[str, Standing]:
    _memo(root).unlink(missing_ok=True)
    return _times(root, mine)


def _marked(root: Path, sha: str) -> None:
    """Leave a mark on what is remembered of `sha`, an honest commit: off the clock, a
    mark that no later commit's time depends on."""
    version, head, then, shas, times, clocks, arrived_off = marshal.loads(_memo(root).read_bytes())
    at = shas.index(sha)
    assert clocks[at] == 0
    clocks = clocks[:at] + b"\x01" + clocks[at + 1 :]
    memo = (version, head, then, shas, times, clocks, arrived_off)
    _memo(root).write_bytes(marshal.dumps(memo))


def _merged(pair: Pair) -> str:
    """Bob, with plain git, commits a check-in dated before its parent and one dated next
    year; Alice commits her own and merges his with plain git. Her commit."""
    alice, bob = pair.alice, pair.bob
    _commit(bob, "bob", "2026-11-20", "2020-01-01T10:00:00+01:00")
    _commit(bob, "bob", "2026-11-21", "2027-06-01T10:00:00+01:00")
    git(bob, "push", "-q", "origin", "HEAD:main")
    mine = _commit(alice, "alice", "2026-11-22", at("2026-11-22", "20:00"))
    git(alice, "fetch", "-q", "origin")
    git(alice, "merge", "-q", "--no-edit", "origin/main", env=identity(alice, "alice"))
    return mine


def test_after_a_merge_only_the_commits_since_are_read(pair: Pair) -> None:
    alice = pair.alice
    first = _times(alice)
    old = git(alice, "rev-parse", "HEAD")
    assert _memo(alice).is_file() and old in first
    mine = _merged(pair)
    _marked(alice, old)
    found = _times(alice)
    assert found[old].clock  # taken as remembered, not read again
    assert not found[mine].clock
    scratch = _scratch(alice)
    assert found.keys() == scratch.keys()
    assert {s: v for s, v in found.items() if s != old} == {
        s: v for s, v in scratch.items() if s != old
    }
    assert any(s.clock for s in scratch.values())  # bob's commits are off the clock
    assert _times(alice, None) == _scratch(alice, None)  # whoever reads it


def test_a_rewound_head_reads_everything_again(pair: Pair) -> None:
    alice = pair.alice
    first = _commit(alice, "alice", "2026-11-22", at("2026-11-22", "20:00"))
    _commit(alice, "alice", "2026-11-23", at("2026-11-23", "20:00"))
    _times(alice)
    _marked(alice, first)
    git(alice, "reset", "-q", "--hard", "HEAD~1")
    found = _times(alice)
    assert not found[first].clock
    assert found == _scratch(alice)


@pytest.mark.parametrize("damage", ["noted again", "rewritten", "cut", "garbage", "wrong types"])
def test_an_arrivals_file_that_changed_reads_everything_again(pair: Pair, damage: str) -> None:
    alice = pair.alice
    old = git(alice, "rev-parse", "HEAD")
    _times(alice)
    _marked(alice, old)
    _commit(alice, "alice", "2026-11-22", at("2026-11-22", "20:00"))
    path = store_path(alice)
    assert path is not None
    data = path.read_bytes()
    if damage == "noted again":
        path.write_bytes(data + f"{old} 1600000000\n".encode())
    elif damage == "rewritten":
        path.write_bytes(data.replace(b"\n", b"\n\n", 1))
    elif damage == "cut":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        _memo(alice).write_bytes(b"\x00 not a memo")
    else:  # readable, but not times
        version, head, then, shas, times, clocks, off = marshal.loads(_memo(alice).read_bytes())
        times = ["soon"] * len(times)
        _memo(alice).write_bytes(marshal.dumps((version, head, then, shas, times, clocks, off)))
    found = _times(alice)
    assert not found[old].clock
    assert found == _scratch(alice)


def test_counting_and_check_agree_with_a_reading_from_scratch(pair: Pair) -> None:
    """Through the commands: after Bob's off-clock commits are merged with plain git,
    `log` marks and `check` say what they say with nothing remembered."""
    alice = pair.alice
    invoke(["check"], vault=alice, as_partner="alice")
    _merged(pair)
    runs = [invoke(["log", "--json"], vault=alice, as_partner="alice") for _ in range(2)]
    _memo(alice).unlink()
    scratch = invoke(["log", "--json"], vault=alice, as_partner="alice")
    assert runs[0].stdout == runs[1].stdout == scratch.stdout
    assert '"clock"' in scratch.stdout
