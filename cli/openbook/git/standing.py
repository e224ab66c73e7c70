"""The time the log can stand behind for each commit (SPEC section 10), remembered.

A commit's time for counting is its committer date kept within [the latest of its
parents' times, the time this clone first saw it] (`standing_time`, git/arrivals.py).
It depends on its own date, its parents' times and its arrival alone. The arrivals file
is only ever appended to and never notes a commit twice, so once a commit is noted its
time never changes. The times of the whole history last read are remembered
(`.git/openbook/standing.marshal`, with the commit read up to and the arrivals file as it
was then). The next reading of the whole history lists only the commits since that one,
whatever their shape: a merge's too. Anything else reads everything again: a rewound or
unrelated HEAD, an arrivals file that is not the one read then grown by whole lines, a
commit remembered that the file noted again, or a commit it could not note.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.git.arrivals import (
    LIST,
    SKEW,
    append_arrivals,
    arrivals,
    arrivals_of,
    is_oid,
    mark,
    now,
    seconds,
    store_bytes,
    tail_shas,
)
from openbook.git.arrivals import store_path as arrivals_path

MEMO = "standing.marshal"
VERSION = 3  # 3: every commit's date read once more (repo.keep_walks_exact)

# (each commit -> its time for counting and whether it is off the clock; the commits off
# the clock only for when they arrived -> their committer email: were such a commit one's
# own, made here, it would not be): a commit's own, whoever reads them
Facts = tuple[dict[str, "Standing"], dict[str, str]]


def standing_time(commit_date: int, parent_dates: Iterable[int], arrival: int | None) -> int:
    """A commit's time for counting (unix seconds): its committer date, no earlier than
    the latest of its parents' (times for counting); dated more than 10 minutes after
    this clone first saw it, the time it arrived. Where the two bounds cross, the arrival
    wins: nothing counts from later than it was here."""
    t = max([commit_date, *parent_dates])
    if arrival is not None and t > arrival + SKEW:
        t = arrival
    return t


def off_clock(commit_date: int, parent_dates: Iterable[int], arrival: int | None) -> bool:
    """Dated more than 10 minutes before a parent, or after it arrived here (`clock`)."""
    before = any(commit_date < p - SKEW for p in parent_dates)
    return before or (arrival is not None and commit_date > arrival + SKEW)


@dataclass(frozen=True, slots=True)
class Standing:
    time: int  # unix seconds
    clock: bool

    def at(self, tz: dt.tzinfo) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.time, tz)


def standing_times(
    root: Path,
    when: dt.datetime | int | None = None,
    rev: str = "HEAD",
    *,
    mine: str | None,
    exclude: str | None = None,
    known: dict[str, Standing] | None = None,
) -> dict[str, Standing]:
    """Every commit reachable from `rev` (and not from `exclude`) -> its time for counting
    and whether it is off the clock. Commits this clone never noted arrive `when` (default:
    now), in one `git log` pass read as git writes it (only the times are kept); `mine` is
    this clone's own partner's email (git.view.own_email). `known`: the times of the
    parents the range leaves out. The whole history's are remembered (module docstring)."""
    stamp = seconds(now() if when is None else when)
    if exclude is None and known is None:
        return _as_standing(_whole(root, rev, stamp) or ({}, {}), mine)
    revs = [rev, f"^{exclude}"] if exclude else [rev]
    facts, _ = _read(root, revs, stamp, (dict(known or {}), {}))
    if facts is None:
        return dict(known or {})
    out = _as_standing(facts, mine)
    out.update(known or {})  # the times given stand as given
    return out


def _as_standing(facts: Facts, mine: str | None) -> dict[str, Standing]:
    """The times as `mine` reads them (its own commits are not off the clock for when they
    arrived); `facts` are taken, not copied."""
    times, arrived_off = facts
    for sha, email in arrived_off.items():
        if mine is not None and email == mine and sha in times:
            times[sha] = Standing(times[sha].time, False)
    return times


def _read(
    root: Path, revs: list[str], stamp: int, given: Facts, seen: dict[str, int] | None = None
) -> tuple[Facts | None, bool]:
    """(`given` and the facts of the commits `git log REVS` lists, parents first; None when
    git could not list them), and whether every one of them is noted as arrived (those it
    could not note count by their dates). `seen`: their arrivals, when already known."""
    args = ["log", LIST, "--topo-order", "--reverse", "--end-of-options", *revs]
    seen = arrivals(root) if seen is None else seen
    facts, fresh = _facts(root, args, seen, stamp, given)
    if facts is None or not fresh:
        return facts, True
    append_arrivals(root, dict.fromkeys(fresh, stamp), seen)
    if all(sha in seen for sha in fresh):
        return facts, True
    facts, _ = _facts(root, args, seen, None, given)  # not noted: they count by their dates
    return facts, False


def _facts(
    root: Path, args: list[str], seen: dict[str, int], stamp: int | None, given: Facts
) -> tuple[Facts | None, list[str]]:
    """`given` and the facts of the commits `git ARGS` lists, parents first, those `seen`
    does not hold arriving at `stamp`; and those commits. None when git fails."""
    out, arrived_off = dict(given[0]), dict(given[1])
    fresh: list[str] = []
    listed = gitrepo.stream_bytes(root, args, check=False)
    latest = 0
    for sha, dated, email, parents in _rows(listed):
        latest = max(latest, dated)
        before = [out[p].time for p in parents if p in out]
        arrival = seen.get(sha)
        if arrival is None:
            fresh.append(sha)
            arrival = stamp
        clock = off_clock(dated, before, arrival)
        out[sha] = Standing(standing_time(dated, before, arrival), clock)
        # one's own commit, made here, is not marked for its arrival: with the clock
        # openbook is told to show ($OPENBOOK_NOW) it is dated by the real one
        if clock and not off_clock(dated, before, None):
            arrived_off[sha] = email
    gitrepo.keep_walks_exact(root, (latest,))
    if listed.status != 0:
        return None, []
    return (out, arrived_off), fresh


# ------------------------------------------------------------------ the whole history


def _whole(root: Path, rev: str, stamp: int) -> Facts | None:
    """The facts of every commit of `rev`'s history, from what is remembered and the
    commits since it; None when git cannot list `rev`'s history."""
    head = rev if is_oid(rev) else gitrepo.rev(root, rev)
    if head is None:
        return None
    data = store_bytes(root)
    memo = _recall(root, data)
    if memo is not None and memo[0] == head:
        return memo[1]
    found = _since(root, memo, head, stamp, data) if memo is not None else None
    if found is None:
        found, noted = _read(root, [head], stamp, ({}, {}))
        if found is not None and noted:
            _remember(root, head, found)
    return found


def _since(root: Path, memo: tuple[str, Facts], head: str, stamp: int, data: bytes) -> Facts | None:
    """The remembered facts and those of the commits since (`data`: the arrivals file);
    None unless the remembered commit is an ancestor of `head` (a parent of one of them)."""
    old, known = memo
    args = ["log", "--format=%H %P", "--end-of-options", head, f"^{old}"]
    listing = gitrepo.run(root, args, check=False)
    rows = [line.split() for line in listing.stdout.splitlines()]
    if listing.status != 0 or not any(old in row[1:] for row in rows):
        return None
    shas = [row[0] for row in rows if row]
    seen = arrivals_of(data, shas) if len(shas) <= 64 else None
    facts, noted = _read(root, [head, f"^{old}"], stamp, known, seen)
    if facts is not None and noted:
        _remember(root, head, facts)
    return facts


def _memo_path(root: Path) -> Path | None:
    path = arrivals_path(root)
    return path.with_name(MEMO) if path is not None else None


def _recall(root: Path, data: bytes) -> tuple[str, Facts] | None:
    """(the commit read up to, the facts of its history) as remembered, when the arrivals
    file (its bytes now, `data`) is the one read then grown by whole lines that note none
    of those commits again."""
    path = _memo_path(root)
    try:
        raw: Any = marshal.loads(path.read_bytes()) if path is not None else None
        version, head, then, shas, times, clocks, arrived_off = raw
        tail = tail_shas(data, (int(then[0]), str(then[1])))
        if version != (VERSION, SKEW) or not isinstance(head, str) or tail is None:
            return None
        if not (len(shas) == len(times) == len(clocks) and isinstance(arrived_off, dict)):
            return None
        if not (all(type(t) is int for t in times) and all(type(x) is str for x in shas)):
            return None  # not what `_remember` writes: read everything again
        facts = {sha: Standing(t, c == 1) for sha, t, c in zip(shas, times, clocks, strict=True)}
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        return None
    if any(sha in facts for sha in tail):
        return None
    return head, (facts, arrived_off)


def _remember(root: Path, head: str, facts: Facts) -> None:
    """Remember `facts` as those of `head`'s history (parallel lists: a table of tuples
    would take more memory than the times themselves)."""
    path = _memo_path(root)
    data = store_bytes(root)
    if path is None or not data.endswith(b"\n"):
        return
    times = facts[0]
    clocks = bytes(1 if s.clock else 0 for s in times.values())
    table = (list(times), [s.time for s in times.values()], clocks, facts[1])
    with contextlib.suppress(OSError, ValueError):
        atomic_write(
            path, marshal.dumps(((VERSION, SKEW), head, mark(data), *table)), durable=False
        )


# ------------------------------------------------------------------ git's listing


def _rows(pieces: Iterable[bytes]) -> Iterator[tuple[str, int, str, list[str]]]:
    """`git log LIST`'s rows, one line at a time as the pieces of git's output bring them."""
    tail = b""
    for piece in pieces:
        data = tail + piece
        end = data.rfind(b"\n") + 1
        tail = data[end:]
        yield from _parsed(data[:end])
    yield from _parsed(tail)


def _parsed(data: bytes) -> Iterator[tuple[str, int, str, list[str]]]:
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split("\x1f")
        if len(parts) == 4 and parts[1].isdigit():
            yield parts[0], int(parts[1]), sys.intern(parts[2].lower()), parts[3].split()
