"""When each check-in was first committed, at the time the log can stand behind
(git/arrivals.py): what `written-ahead` (check/ahead.py) compares a check-in's date with.

Read once over the whole history (one `git log --full-history --diff-filter=A` over the
check-in folder, every side of every merge, and one pass for the times), then remembered
with the commit read up to. A commit's time for counting depends on its own date, its
arrival and its parents' times alone, and the arrivals file is only ever appended to, so
the times of the commits read before stay as they were: when HEAD moved on from the
commit read up to, only the commits since are read for the check-ins they added (by
single-parent commits only, a note committed or a partner's commits fast-forwarded, with
their times too; after a merge, with the times of all of history). Anything else (a
rewound HEAD, an arrivals file that is not the one read before) reads everything again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.check import changes
from openbook.check.changes import CHECKINS
from openbook.check.since import commits_since
from openbook.git import repo as gitrepo
from openbook.git.ahead import stream_bytes
from openbook.git.arrivals import arrivals_of, mark, now, record_arrivals, store_bytes, tail_shas
from openbook.git.logtext import records
from openbook.git.standing import Standing, standing_time, standing_times

When = dt.datetime | int | None  # when commits this clone never noted arrive (None: now)

FOLDER = CHECKINS


@dataclass
class Firsts:
    """Each check-in path -> its first commit's time for counting (unix seconds), as read
    up to `head` (whose own time is `time`); `mark`: the arrivals file as it was read
    (its size and digest)."""

    head: str = ""
    time: int = 0
    firsts: dict[str, int] = field(default_factory=dict)
    mark: tuple[int, str] = (0, "")
    read: int = 0  # commits read to get here (0 when taken as remembered)

    def as_plain(self) -> dict[str, Any]:
        return {"head": self.head, "time": self.time, "firsts": self.firsts, "mark": self.mark}

    @classmethod
    def from_plain(cls, raw: Any) -> Firsts | None:
        """What `as_plain` gave; None when it is not that."""
        try:
            head, time, firsts = str(raw["head"]), int(raw["time"]), raw["firsts"]
            size, digest = raw["mark"]
            return cls(
                head, time, {str(p): int(t) for p, t in firsts.items()}, (int(size), str(digest))
            )
        except (TypeError, ValueError, KeyError, AttributeError):
            return None


def log_args(head: str, since: str | None = None) -> list[str]:
    """The `git log` of `read_firsts` (check/prefetch.py starts it ahead): every commit
    of `head` (not of `since`) that added a check-in, on every side of every merge."""
    args = ["log", "-z", "--full-history", "--diff-filter=A", "--no-renames", "--name-only"]
    revs = [head, f"^{since}"] if since else [head]
    return [*args, "--format=%x1e%H", "--end-of-options", *revs, "--", FOLDER]


def _add_firsts(
    root: Path, head: str, since: str | None, times: dict[str, Standing], firsts: dict[str, int]
) -> bool:
    """Each check-in the commits of `head ^since` added -> the earliest of their times,
    into `firsts`; False when git could not say."""
    whole = changes.added(root, head) if since is None else None  # shared: check/written.py
    if whole is not None:
        for sha, path in whole:
            _earliest(firsts, path, times.get(sha))
        return True
    listed = stream_bytes(root, log_args(head, since), check=False)
    for record in records(listed):  # commit by commit, as git writes them
        sha, _, rest = record.decode("utf-8", "replace").partition("\0")
        known = times.get(sha.strip())
        for path in rest.split("\0"):
            _earliest(firsts, path.strip("\n"), known)
    return listed.status == 0


def _earliest(firsts: dict[str, int], path: str, known: Standing | None) -> None:
    if known is not None and path and (path not in firsts or known.time < firsts[path]):
        firsts[path] = known.time


def read_firsts(root: Path, head: str, when: When = None) -> Firsts:
    """Everything read again: each check-in's first commit time over `head`'s history."""
    times = standing_times(root, when, head, mine=None)
    firsts: dict[str, int] = {}
    if not _add_firsts(root, head, None, times, firsts):
        return Firsts()
    top = times.get(head)
    return Firsts(head, top.time if top else 0, firsts, mark(store_bytes(root)), len(times))


def merged_on(
    root: Path, old: Firsts, head: str, tail: set[str], when: When = None
) -> Firsts | None:
    """`old` brought up to `head`, which holds it (a merge came since): the times of all of
    history, the check-ins of only the commits since; None when that cannot be done."""
    rows = commits_since(root, old.head, head)
    if not rows or tail - {sha for sha, _ in rows}:
        return None  # not an ancestor, or the arrivals file noted other commits
    times = standing_times(root, when, head, mine=None)
    firsts = dict(old.firsts)
    top = times.get(head)
    if top is None or not _add_firsts(root, head, old.head, times, firsts):
        return None
    return Firsts(head, top.time, firsts, mark(store_bytes(root)), len(rows))


def _since(root: Path, old: Firsts, head: str) -> list[tuple[str, int, list[str]]] | None:
    """The commits after `old.head` up to `head`, oldest first, each with its committer date
    and the check-ins it added, when they are single-parent commits in a line from
    `old.head` (one `git log`); None otherwise."""
    fmt = "--format=%x1e%H%x1f%ct%x1f%P"
    args = ["log", "-z", "--no-renames", "--name-status", fmt, "--end-of-options"]
    raw = gitrepo.run(root, [*args, head, f"^{old.head}"], check=False, strip=False)
    if raw.status != 0:
        return None
    rows: list[tuple[str, int, list[str]]] = []
    expect = head
    for record in raw.stdout.split("\x1e")[1:]:
        top, _, rest = record.partition("\0")
        parts = top.split("\x1f")
        if len(parts) != 3 or parts[0] != expect or not parts[1].isdigit():
            return None
        parents = parts[2].split()
        if len(parents) != 1:
            return None
        tokens = [t.strip("\n") for t in rest.split("\0")]
        added = [
            path
            for status, path in zip(tokens[0::2], tokens[1::2], strict=False)
            if status == "A" and path.startswith(FOLDER)
        ]
        rows.append((parts[0], int(parts[1]), added))
        expect = parents[0]
    if not rows or expect != old.head:
        return None
    return rows[::-1]


def moved_on(
    root: Path, old: Firsts, head: str, data: bytes, tail: set[str], when: When = None
) -> Firsts | None:
    """`old` brought up to `head` by reading only the commits since (`data`: the arrivals
    file, `tail`: what it noted since `old`); None when that cannot be done exactly."""
    rows = _since(root, old, head)
    if rows is None:
        return None
    shas = {sha for sha, _, _ in rows}
    if tail - shas:
        return None  # the arrivals file noted commits other than these
    seen = arrivals_of(data, shas)
    record_arrivals(root, [sha for sha, _, _ in rows], now() if when is None else when, seen)
    firsts = dict(old.firsts)
    time = old.time
    for sha, dated, added in rows:
        time = standing_time(dated, [time], seen.get(sha))
        for path in added:
            if path not in firsts or time < firsts[path]:
                firsts[path] = time
    return Firsts(head, time, firsts, mark(store_bytes(root)), len(rows))


def first_times(root: Path, head: str, old: Firsts | None, when: When = None) -> Firsts:
    """Each check-in's first commit time over `head`'s history (HEAD's commit): `old` when
    it was read up to `head` already, brought up to `head` when HEAD moved on from it in a
    line, else everything read again."""
    if not head:
        return Firsts()
    if old is not None and old.head:
        data = store_bytes(root)
        tail = tail_shas(data, old.mark)
        if tail is not None:
            if old.head == head and not tail:
                return Firsts(old.head, old.time, old.firsts, old.mark)
            if old.head != head:
                found = moved_on(root, old, head, data, tail, when)
                found = found or merged_on(root, old, head, tail, when)
                if found is not None:
                    return found
    return read_firsts(root, head, when)
