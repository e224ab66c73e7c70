"""`written-ahead`: a check-in is written on its day or after (SPEC section 10).

A committed check-in whose `date` is later than the day (in the vault's time zone) of
the commit that first added it, at the time the log can stand behind for that commit
(git/arrivals.py), was written ahead: `check` reports it at its `date` line, and counting
leaves it out as it leaves out every note with an error. A check-in not committed yet
and dated after today would be written ahead if committed now: `check` reports it too,
so `commit` leaves it uncommitted (a draft, never committed, is left alone).

One `git log` over the check-in folder finds the commits that added each check-in
(check/firsts.py, remembered by commit and brought up to date with only the commits
since); each check-in's date is remembered by the file's size and mtime, so only the
check-ins changed since are read; the problems are remembered while HEAD, today and the
check-in files stay as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
from collections.abc import Callable, Mapping
from dataclasses import astuple
from pathlib import Path
from typing import Any

from openbook.check.cache import by_stat, cache_key, digest_of, in_folders
from openbook.check.firsts import Firsts, first_times
from openbook.check.provenance import _head
from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.notes.locate import key_position
from openbook.notes.parse import Note, Problem
from openbook.notetypes.registry import as_date
from openbook.vault import Vault

RULE = "written-ahead"
FOLDER = "checkins/"
CACHE_FILE = "ahead.marshal"  # plain values, as the check cache (check/cache.py)
MAGIC = b"openbook-ahead 2\n"  # a file of another shape (the one of before) is made again


def ahead_message(day: dt.date, first: dt.date | None, today: dt.date) -> str:
    """Why a check-in written ahead does not count (first: the day it was committed)."""
    if first is None:
        return (
            f"a check-in is written on its day or after; this one is dated {day} and today "
            f"is {today}, so commit it on {day} or change its date"
        )
    return (
        f"a check-in is written on its day or after; this one is dated {day} but was first "
        f"committed on {first}, so it does not count"
    )


# what a check-in's file says that counts here: its date (as a day number,
# date.toordinal, or None) and whether it is a draft; None for a note not a check-in
Dated = tuple[int | None, bool] | None
MAX_DAY = dt.date.max.toordinal()
EPOCH_DAY = dt.date(1970, 1, 1).toordinal()
WIDEST = 14 * 3600  # seconds: no time zone is further from UTC


def _head_commit(vault: Vault) -> str:
    """HEAD's commit id, '' when there is none."""
    head = _head(vault.git_dir) if vault.git_dir is not None else ""
    if len(head) in (40, 64):
        return head
    return gitrepo.rev(vault.root, "HEAD") or ""


def first_days(vault: Vault, old: Firsts | None = None) -> dict[str, dt.date]:
    """Each check-in in HEAD's history -> the day (vault time zone) of its first commit,
    at the time the log can stand behind (`old`: what was read before, if anything)."""
    return _days(vault, _firsts(vault, old))


def _firsts(vault: Vault, old: Firsts | None) -> Firsts:
    return first_times(vault.root, _head_commit(vault), old, vault.now())


def _days(vault: Vault, found: Firsts) -> dict[str, dt.date]:
    tz = vault.tz
    return {p: dt.datetime.fromtimestamp(t, tz).date() for p, t in found.firsts.items()}


def _dated(note: Note | None) -> Dated:
    if note is None or note.meta.get("type") != "checkin":
        return None
    day = as_date(note.meta.get("date"))
    return (day.toordinal() if day else None, note.meta.get("draft") is True)


def _problems(vault: Vault, dated: Mapping[str, Dated], times: Mapping[str, int]) -> list[Problem]:
    """`dated`: each check-in's date facts; `times`: its first commit's time for counting."""
    today, tz = vault.today(), vault.tz
    out = []
    for path, facts in dated.items():
        if facts is None or facts[0] is None:
            continue
        t = times.get(path)
        if t is not None and facts[0] <= (t - WIDEST) // 86400 + EPOCH_DAY:
            continue  # dated no later than the earliest day its commit could fall on
        day = dt.date.fromordinal(facts[0])
        first = dt.datetime.fromtimestamp(t, tz).date() if t is not None else None
        if day <= (first or today):
            continue
        if first is None and facts[1]:
            continue  # a draft is never committed
        line, col = key_position(vault.root, path, "date")
        out.append(Problem(path, line, col, "error", RULE, ahead_message(day, first, today)))
    return sorted(out, key=lambda p: p.path)


def _saved(cache: Path | None, key: str) -> dict[str, Any]:
    """What the cache file holds; {} when it is missing, damaged or not ours. Its key and
    problems come first, so a file of the same key is decoded no further. The file is read
    whole and decoded from memory: `marshal.load` of an open file asks it for each value
    in turn, ten times slower (65 ms against 6 for a 10,000-note vault's)."""
    if cache is None:
        return {}
    with contextlib.suppress(OSError, ValueError, TypeError, EOFError):
        data = cache.read_bytes()
        if not data.startswith(MAGIC):
            return {}
        start = len(MAGIC) + 8
        end = start + int.from_bytes(data[len(MAGIC) : start], "little")
        first = marshal.loads(data[start:end])
        if isinstance(first, dict) and first.get("key") == key:
            return first
        rest = marshal.loads(data[end:])
        if isinstance(first, dict) and isinstance(rest, dict):
            return {**rest, **first}
    return {}


def packed(first: dict[str, Any], rest: dict[str, Any]) -> bytes:
    """The cache file's bytes: MAGIC, the length of `first`, then `first` and `rest`."""
    head = marshal.dumps(first)
    return MAGIC + len(head).to_bytes(8, "little") + head + marshal.dumps(rest)


def _sound(facts: Any) -> bool:
    """Whether remembered date facts have the shape `Dated` has."""
    if facts is None:
        return True
    if type(facts) is not tuple or len(facts) != 2 or type(facts[1]) is not bool:
        return False
    day = facts[0]
    return day is None or (type(day) is int and 1 <= day <= MAX_DAY)


def check_ahead(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
) -> list[Problem]:
    """The `written-ahead` problems of the vault's check-ins."""
    if not vault.is_own_repo or vault.git_dir is None:
        return []
    watched = in_folders(stats, (FOLDER,))
    if not watched:
        return []
    today = vault.today().isoformat()
    key = digest_of(_head(vault.git_dir), today, str(vault.tz), watched)
    cache = state / CACHE_FILE if state else None
    saved = _saved(cache, key)
    if saved.get("key") == key:
        with contextlib.suppress(TypeError, ValueError):
            return [Problem(*p) for p in saved["problems"]]
    code = cache_key(vault.config)
    remembered = saved.get("dates") if saved.get("code") == code else None
    dated, keep = by_stat(watched, notes, remembered, _dated, _sound)
    found = _firsts(vault, Firsts.from_plain(saved.get("history")))
    problems = _problems(vault, dated, found.firsts)
    if cache is not None:
        first = {"key": key, "problems": [astuple(p) for p in problems]}
        rest = {"code": code, "dates": keep, "history": found.as_plain()}
        with contextlib.suppress(OSError, ValueError):
            atomic_write(cache, packed(first, rest))
            cache.with_suffix(".json").unlink(missing_ok=True)  # the file of before
    return problems
