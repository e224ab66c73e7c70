"""`written-ahead`: a check-in is written on its day or after (SPEC section 10).

A committed check-in whose `date` is later than the day (in the vault's time zone) of
the commit that first added it, at the time the log can stand behind for that commit
(git/arrivals.py), was written ahead: `check` reports it at its `date` line, and counting
leaves it out as it leaves out every note with an error. A check-in not committed yet
and dated after today would be written ahead if committed now: `check` reports it too,
so `commit` leaves it uncommitted (a draft, never committed, is left alone).

One `git log` over the check-in folder finds the commits that added each check-in; the
result is remembered under the state folder while HEAD, today and the check-in files
stay as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path

from openbook.check.provenance import _head
from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.git.arrivals import standing_times
from openbook.git.view import own_email
from openbook.notes.locate import key_position
from openbook.notes.parse import Note, Problem
from openbook.notetypes.registry import as_date
from openbook.vault import Vault

RULE = "written-ahead"
FOLDER = "checkins/"
CACHE_FILE = "ahead.json"


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


def first_days(vault: Vault) -> dict[str, dt.date]:
    """Each check-in in HEAD's history -> the day (vault time zone) of its first commit,
    at the time the log can stand behind."""
    if not gitrepo.has_head(vault.root):
        return {}
    args = ["log", "--diff-filter=A", "--no-renames", "--format=%x1e%H", "--name-only"]
    raw = gitrepo.run(vault.root, [*args, "--end-of-options", "HEAD", "--", FOLDER], check=False)
    if raw.status != 0:
        return {}
    times = standing_times(vault.root, vault.now(), mine=own_email(vault))
    firsts: dict[str, int] = {}
    for chunk in raw.stdout.split("\x1e")[1:]:
        sha, *paths = [line for line in chunk.splitlines() if line.strip()]
        known = times.get(sha)
        if known is None:
            continue
        for path in paths:
            if path not in firsts or known.time < firsts[path]:
                firsts[path] = known.time
    tz = vault.tz
    return {p: dt.datetime.fromtimestamp(t, tz).date() for p, t in firsts.items()}


def _problems(vault: Vault, parsed: Mapping[str, Note]) -> list[Problem]:
    today = vault.today()
    firsts = first_days(vault)
    out = []
    for path, note in sorted(parsed.items()):
        if note.meta.get("type") != "checkin":
            continue
        day = as_date(note.meta.get("date"))
        first = firsts.get(path)
        if day is None or day <= (first or today):
            continue
        if first is None and note.meta.get("draft") is True:
            continue  # a draft is never committed
        line, col = key_position(vault.root, path, "date")
        out.append(Problem(path, line, col, "error", RULE, ahead_message(day, first, today)))
    return out


def check_ahead(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
) -> list[Problem]:
    """The `written-ahead` problems of the vault's check-ins."""
    if not vault.is_own_repo or vault.git_dir is None:
        return []
    watched = sorted((p, s) for p, s in stats.items() if p.startswith(FOLDER))
    if not watched:
        return []
    blob = json.dumps([_head(vault.git_dir), vault.today().isoformat(), str(vault.tz), watched])
    key = hashlib.sha1(blob.encode()).hexdigest()
    cache = state / CACHE_FILE if state else None
    if cache is not None:
        with contextlib.suppress(
            OSError, ValueError, TypeError, KeyError, AttributeError, IndexError
        ):
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                return [Problem(**p) for p in saved["problems"]]
    parsed = notes([p for p, _ in watched])
    problems = _problems(vault, parsed)
    if cache is not None:
        with contextlib.suppress(OSError):
            data = {"key": key, "problems": [asdict(p) for p in problems]}
            atomic_write(cache, json.dumps(data).encode("utf-8"))
    return problems
