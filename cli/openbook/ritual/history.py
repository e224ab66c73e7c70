"""What the vault's own git history tells counting: openbook.yml as it was committed over
time, when each note was first committed, when agreements were paused, and agreements
deleted without being retired.

One `git log -z --raw` pass and one `git cat-file --batch` for the few blobs needed,
cached under the vault's state folder keyed by HEAD; when HEAD moved forward only the
new commits are read. A folder without a history of its own (a vault inside a larger
repository, or a repository without commits) has no history here: counting then uses
the current openbook.yml for every day.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from openbook.config import CONFIG_NAME, CheckinSchedule, Config, config_from_bytes
from openbook.errors import GitError
from openbook.fsutil import atomic_write
from openbook.git import ledger
from openbook.git.plumbing import is_ancestor
from openbook.notes.parse import parse_bytes
from openbook.ritual.counting import Counting, ScheduleMap, Schedules
from openbook.trust.commits import read_objects
from openbook.vault import Vault

CACHE_FILE = "history.json"
CACHE_VERSION = 1
AGREEMENTS = "agreements/"
WATCHED_ACTIONS = ("pause",)


@dataclass
class GoneAgreement:
    """An agreement file whose last event in history is its deletion."""

    path: str
    id: str
    title: str
    status: str  # in its last version
    deleted_at: dt.datetime
    deleted_by: str  # the deleting commit's author email
    commit: str


@dataclass
class VaultHistory:
    own: bool  # False: no history of its own, counting uses the current openbook.yml
    head: str | None = None
    start: dt.datetime | None = None  # the earliest commit
    configs: list[tuple[dt.datetime, str]] = field(default_factory=list)  # oldest first
    first_commit: dict[str, dt.datetime] = field(default_factory=dict)
    # agreements/ path -> action (pause) -> the latest commit doing it
    actions: dict[str, dict[str, dt.datetime]] = field(default_factory=dict)
    deleted: dict[str, GoneAgreement] = field(default_factory=dict)


def read_history(vault: Vault) -> VaultHistory:
    """The vault's history as counting needs it, from the cache when HEAD has not moved."""
    if not vault.is_own_repo:
        return VaultHistory(own=False)
    head = ledger.head(vault)
    if head is None:
        return VaultHistory(own=False)
    cached = _load(vault)
    if cached is not None and cached.head == head:
        return cached
    if cached is not None and cached.head and _ancestor(vault, cached.head, head):
        hist = cached
        commits = ledger.read_commits(vault, exclude=cached.head)
    else:
        hist = VaultHistory(own=True)
        commits = ledger.read_commits(vault)
    _fold(vault, hist, commits)
    hist.head = head
    _save(vault, hist)
    return hist


def _ancestor(vault: Vault, older: str, newer: str) -> bool:
    try:
        return is_ancestor(vault.root, older, newer)
    except GitError:  # the cached head is gone (history was rewritten): read it all again
        return False


def _fold(vault: Vault, hist: VaultHistory, commits: list[ledger.Commit]) -> None:
    """Add `commits` (newest first, all newer in the graph than what `hist` holds)."""
    config_blobs: list[tuple[dt.datetime, str]] = []
    gone: dict[str, tuple[ledger.Commit, str]] = {}
    seen: set[str] = set()
    for c in commits:
        when = c.committed
        if hist.start is None or when < hist.start:
            hist.start = when
        action = c.action
        for ch in c.changes:
            path = ch.path
            known = hist.first_commit.get(path)
            if ch.status == "A" and (known is None or when < known):
                hist.first_commit[path] = when
            if path == CONFIG_NAME and ch.status != "D":
                config_blobs.append((when, ch.new))
            if not path.startswith(AGREEMENTS):
                continue
            if action in WATCHED_ACTIONS:
                latest = hist.actions.setdefault(path, {})
                if action not in latest or when > latest[action]:
                    latest[action] = when
            if path in seen:
                # an older event of a path whose newest one decided already; a deletion
                # that came in through a merge is told by the commit that made it
                merged = gone.get(path)
                if merged and merged[0].merge and ch.status == "D" and not c.merge:
                    gone[path] = (c, ch.old)
                continue
            seen.add(path)
            hist.deleted.pop(path, None)
            if ch.status == "D":
                gone[path] = (c, ch.old)
    wanted = {b for _, b in config_blobs} | {b for _, b in gone.values()}
    blobs = read_objects(vault.root, sorted(wanted))
    for when, blob in reversed(config_blobs):  # oldest first: equal times keep their order
        obj = blobs.get(blob)
        if obj is not None:
            hist.configs.append((when, obj[2].decode("utf-8", "replace")))
    hist.configs.sort(key=lambda v: v[0])
    for path, (c, blob) in gone.items():
        obj = blobs.get(blob)
        if obj is None:
            continue
        meta = parse_bytes(path, obj[2], positions=False).meta
        if not isinstance(meta, dict) or meta.get("type") != "agreement":
            continue
        hist.deleted[path] = GoneAgreement(
            path,
            str(meta.get("id") or path),
            str(meta.get("title") or meta.get("id") or path),
            str(meta.get("status")),
            c.committed,
            c.author_email,
            c.sha,
        )


# ------------------------------------------------------------------ for counting


def schedules_of(hist: VaultHistory, cfg: Config) -> Schedules:
    """The check-in schedules of every committed openbook.yml, oldest first. A version
    with problems keeps the schedules it could not read from the version before it."""
    if not hist.own or not hist.configs:
        return Schedules.fixed(cfg)
    versions: list[tuple[dt.datetime | None, ScheduleMap]] = []
    before: dict[str, CheckinSchedule] = {}
    for when, text in hist.configs:
        version = config_from_bytes(text.encode("utf-8"), cfg.path)
        scheds = dict(version.checkins)
        if version.problems:
            for pid, sched in before.items():
                scheds.setdefault(pid, sched)
        versions.append((when, scheds))
        before = scheds
    return Schedules(tuple(versions), cfg.tz)


def counting_model(vault: Vault, hist: VaultHistory | None = None) -> Counting:
    """The counting model of the vault now: its schedules over time and its arrivals."""
    cfg = vault.config
    now = vault.now()
    hist = hist or read_history(vault)
    if not hist.own:
        return Counting.without_history(cfg, now)
    return Counting(cfg, schedules_of(hist, cfg), now, True, hist.start, hist.first_commit)


# ---------------------------------------------------------------------------- cache


def _load(vault: Vault) -> VaultHistory | None:
    state = vault.state_dir()
    if state is None:
        return None
    try:
        data = json.loads((state / CACHE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION:
            return None
        return _from_data(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _from_data(data: dict[str, Any]) -> VaultHistory:
    when = dt.datetime.fromisoformat
    return VaultHistory(
        own=True,
        head=data["head"],
        start=when(data["start"]) if data["start"] else None,
        configs=[(when(t), text) for t, text in data["configs"]],
        first_commit={p: when(t) for p, t in data["first_commit"].items()},
        actions={p: {a: when(t) for a, t in acts.items()} for p, acts in data["actions"].items()},
        deleted={
            p: GoneAgreement(
                d["path"],
                d["id"],
                d["title"],
                d["status"],
                when(d["deleted_at"]),
                d["deleted_by"],
                d["commit"],
            )
            for p, d in data["deleted"].items()
        },
    )


def _save(vault: Vault, hist: VaultHistory) -> None:
    state = vault.state_dir()
    if state is None:
        return
    data = {
        "version": CACHE_VERSION,
        "head": hist.head,
        "start": hist.start.isoformat() if hist.start else None,
        "configs": [(t.isoformat(), text) for t, text in hist.configs],
        "first_commit": {p: t.isoformat() for p, t in hist.first_commit.items()},
        "actions": {
            p: {a: t.isoformat() for a, t in acts.items()} for p, acts in hist.actions.items()
        },
        "deleted": {
            p: {**d.__dict__, "deleted_at": d.deleted_at.isoformat()}
            for p, d in hist.deleted.items()
        },
    }
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(state / CACHE_FILE, json.dumps(data).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written is only slower next time
