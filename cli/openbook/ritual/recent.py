"""The notes the agenda and `status` read, without every note of the vault in memory.

Both show the last weeks: check-ins of recent days, questions still open or settled
lately, and every other note (agreements, pauses, repairs, meetings...). A check-in dated
before the cutoff, or a question answered or withdrawn before it, changes nothing they
print, so it is left out. What is kept is remembered under .git/openbook/ as read from
disk, keyed by the note files' sizes and modification times, the code that reads notes
and the settings (the check cache's key); each run shows it as `CheckResult.parsed`
would: history's consents, the words in force and the pauses that hold now (SPEC 10).

Two files: `recent-notes.json`, the kept notes (read every run, small), and
`recent-stats.json`, every note's size and time and which notes are drafts (read only
when a note changed, so that only changed notes are read again).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat as statmod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.check.cache import cache_key, read_notes
from openbook.check.held_pauses import HeldPause, agreement_view, pauses_for
from openbook.check.note import validate_note
from openbook.check.provenance import effective
from openbook.check.result import CheckResult, in_head
from openbook.check.words import in_words
from openbook.config import Config
from openbook.fsutil import atomic_write
from openbook.notes.parse import MAX_FILE_BYTES, Note, parse_bytes
from openbook.notetypes.registry import as_date, is_conflict_copy, is_draft
from openbook.ritual.facts import Notes, empty_checkin
from openbook.vault import Vault

NOTES_FILE = "recent-notes.json"
STATS_FILE = "recent-stats.json"
FORMAT = 1
KEEP_DAYS = 120  # the cutoff, before today, when the kept notes are chosen afresh
# a cutoff kept from before (so only changed notes are read) for at most this much longer
KEEP_SLACK = 60
SETTLED = ("answered", "withdrawn")

Stats = Mapping[str, tuple[int, int]]
Raw = tuple[dict[str, Any], str]  # a note's frontmatter and body, as read from disk


@dataclass
class VaultNotes:
    """The notes a command counts (`notes`), which notes are drafts, and every note
    file's path (also those left out as too old to matter)."""

    notes: Notes
    drafts: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)


def full_notes(result: CheckResult) -> VaultNotes:
    """Every note, as `CheckResult.parsed` shows them."""
    return VaultNotes(Notes.of(result), result.drafts(), set(result.parsed))


def vault_notes(vault: Vault, result: CheckResult, since: dt.date, own: bool) -> VaultNotes:
    """The notes that matter from `since` on (check-ins dated then or later, questions
    not settled before it, every other note), as `Notes.of(result)` sorts them. Every
    note when the vault has no history of its own (its first day is then its first
    check-in's) or when `since` is before what is remembered."""
    stats = _stats(result)
    state = vault.state_dir()
    if not own or state is None:
        return full_notes(result)
    key = _key(vault, stats)
    kept = _load_kept(state, key, since)
    if kept is None:
        kept = _rebuild(vault, result, stats, state, key, since)
    raw, drafts = kept
    return _counted(vault, result, stats, raw, drafts)


# ---------------------------------------------------------------- what CheckResult has


def _stats(result: CheckResult) -> Stats:
    """{path: (size, mtime_ns)} of every note file the check read or took from its cache."""
    return result._stats  # the check's own walk: read, never changed


def _fresh(result: CheckResult) -> Mapping[str, Note]:
    """The notes the check read from disk this run, as read: none once `parsed` was
    asked for, which shows history's view in those same notes."""
    return result._fresh if result._parsed is None else {}


# ------------------------------------------------------------------------- the cache


def _key(vault: Vault, stats: Stats) -> list[Any]:
    """The note files' sizes and times, and what the notes cache is keyed by: the code
    that reads and checks a note (which sets some values' types) and the settings."""
    listed = repr(sorted(stats.items())).encode("utf-8", "surrogateescape")
    check = json.loads(json.dumps(cache_key(vault.config)))
    return [FORMAT, [check, _OWN], hashlib.sha256(listed).hexdigest()]


def _own_stamp() -> int:
    try:
        return os.stat(os.path.abspath(__file__)).st_mtime_ns
    except OSError:
        return 0


_OWN = _own_stamp()  # this file chooses what is kept


def _load_kept(
    state: Path, key: list[Any], since: dt.date
) -> tuple[dict[str, Raw], set[str]] | None:
    data = _read(state / NOTES_FILE)
    try:
        if data is None or data["key"] != key or dt.date.fromisoformat(data["cutoff"]) > since:
            return None
        notes = {str(rel): (meta, str(body)) for rel, (_, _, meta, body) in data["notes"].items()}
        if not all(isinstance(meta, dict) for meta, _ in notes.values()):
            return None
        return notes, {str(p) for p in data["drafts"]}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _rebuild(
    vault: Vault,
    result: CheckResult,
    stats: Stats,
    state: Path,
    key: list[Any],
    since: dt.date,
) -> tuple[dict[str, Raw], set[str]]:
    """Choose the kept notes again: a note whose size and time are as remembered keeps
    its verdict (when the cutoff is the same); every other note is read."""
    before = _read(state / STATS_FILE)
    cutoff = _cutoff(vault, before, key, since)
    known: dict[str, Any] = {}
    old: dict[str, tuple[tuple[int, int], Raw]] = {}
    if before is not None and before.get("key") == [*key[:2], cutoff.isoformat()]:
        known = before.get("stats") or {}
        old = _old_kept(state)
    changed = [rel for rel, st in stats.items() if _entry(known.get(rel)) != tuple(st)]
    raw = _read_notes(vault, result, changed)
    kept: dict[str, Raw] = {}
    drafts: set[str] = set()
    entries: dict[str, list[Any]] = {}
    for rel, (size, mtime) in stats.items():
        note = raw.get(rel)
        keep = draft = False  # a file that is no note (it has an error of its own)
        if note is None and rel in known:  # unchanged: the verdicts of last time
            was = known[rel]
            keep, draft = bool(was[2]), bool(was[3])
            if keep and old.get(rel, (None,))[0] == (size, mtime):
                kept[rel] = old[rel][1]
            elif keep:  # not remembered as it is now: read it again
                note = _read_notes(vault, result, [rel]).get(rel)
        if note is not None:
            keep, draft = _keeps(rel, note[0], cutoff), is_draft(note[0])
            if keep:
                kept[rel] = note
        entries[rel] = [size, mtime, int(keep), int(draft)]
        if draft:
            drafts.add(rel)
    stamp = [*key[:2], cutoff.isoformat()]
    _write(state / STATS_FILE, {"key": stamp, "stats": entries})
    notes = {rel: [*stats[rel], _encode(meta), body] for rel, (meta, body) in kept.items()}
    data = {"key": key, "cutoff": cutoff.isoformat(), "drafts": sorted(drafts), "notes": notes}
    _write(state / NOTES_FILE, data)
    return kept, drafts


def _cutoff(vault: Vault, before: dict[str, Any] | None, key: list[Any], since: dt.date) -> dt.date:
    """The cutoff of last time while it still serves (`since` is not before it, and it is
    at most KEEP_SLACK days older than a new one), so that only changed notes are read;
    else KEEP_DAYS before today (or `since`, when that is earlier)."""
    new = min(since, vault.today() - dt.timedelta(days=KEEP_DAYS))
    try:
        stamp = before["key"] if before is not None else None
        if stamp is None or stamp[:2] != key[:2]:
            return new
        old = dt.date.fromisoformat(stamp[2])
    except (KeyError, TypeError, ValueError, IndexError):
        return new
    serves = old <= since and old >= new - dt.timedelta(days=KEEP_SLACK)
    return old if serves else new


def _entry(value: Any) -> tuple[int, int] | None:
    try:
        return (int(value[0]), int(value[1])) if value is not None and len(value) == 4 else None
    except (TypeError, ValueError, IndexError):
        return None


def _old_kept(state: Path) -> dict[str, tuple[tuple[int, int], Raw]]:
    """The notes kept last time, each with the size and time it was read at."""
    data = _read(state / NOTES_FILE)
    try:
        notes = data["notes"] if data is not None else {}
        return {
            str(rel): ((int(size), int(mtime)), (meta, str(body)))
            for rel, (size, mtime, meta, body) in notes.items()
            if isinstance(meta, dict)
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        return {}


def _keeps(rel: str, meta: dict[str, Any], cutoff: dt.date) -> bool:
    """Whether the note can matter from `cutoff` on."""
    kind = meta.get("type")
    if not isinstance(kind, str) or is_conflict_copy(rel):
        return False  # never counted (Notes.of leaves them out)
    if kind == "checkin":
        day = as_date(meta.get("date"))
        return day is None or day >= cutoff
    if kind == "question" and meta.get("status") in SETTLED:
        day = as_date(meta.get("answered"))
        return day is None or day >= cutoff
    return True


def _read_notes(vault: Vault, result: CheckResult, paths: Iterable[str]) -> dict[str, Raw]:
    """The notes at `paths` as on disk: as the check read them this run, else from the
    notes cache when it holds them unchanged, else read now."""
    fresh, stats = _fresh(result), _stats(result)
    out: dict[str, Raw] = {}
    rest = []
    for rel in paths:
        note = fresh.get(rel)
        if note is not None:
            out[rel] = (note.meta, note.body)
        else:
            rest.append(rel)
    state = vault.state_dir()
    if len(rest) > 200 and state is not None:  # many: the notes cache, if any, at once
        cached = read_notes(state / "notes", cache_key(vault.config))
        for rel in rest:
            hit = cached.get(rel)
            if hit is not None and (hit[0], hit[1]) == stats.get(rel):
                out[rel] = (hit[2], hit[3])
        del cached
    root, cfg = str(vault.root), vault.config
    for rel in rest:
        if rel not in out:
            read = _parse(root, rel, cfg)
            if read is not None:
                out[rel] = read
    return out


def _parse(root: str, rel: str, cfg: Config) -> Raw | None:
    """One note read as the check reads it (its checks set some values' types, such as a
    time written as text); a link or an oversized file is no note."""
    path = os.path.join(root, rel)
    try:
        st = os.lstat(path)
        if statmod.S_ISLNK(st.st_mode) or st.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    note = validate_note(parse_bytes(rel, data, positions=False), cfg)
    return (note.meta, note.body) if note.has_frontmatter else None


# ------------------------------------------------------------------ as `parsed` shows


def _counted(
    vault: Vault, result: CheckResult, stats: Stats, raw: dict[str, Raw], drafts: set[str]
) -> VaultNotes:
    """The kept notes as `Notes.of` sorts `CheckResult.parsed`: history's view applied,
    notes with errors of their own, drafts not arrived, unconfirmed notes and empty
    check-ins left out."""
    notes = {rel: Note(rel, meta, body, has_frontmatter=True) for rel, (meta, body) in raw.items()}
    touched = {u.path for u in result.unproven} | {w.path for w in result.words}
    missing = [p for p in touched if p not in notes and p in stats]
    for rel, (meta, body) in _read_notes(vault, result, missing).items():
        notes[rel] = Note(rel, meta, body, has_frontmatter=True)
    cfg = vault.config
    if result.unproven:
        effective(notes, result.unproven, cfg.partners)
    if result.words:
        in_words(notes, result.words)
    agreement_view(notes, _held(vault, result, notes), vault.now())
    bad = result.failed_paths() | _uncounted(vault, result, drafts)
    out = Notes(words=list(result.words))
    for rel in stats:  # the order Notes.of meets them in
        note = notes.get(rel)
        if note is None:
            continue
        t = note.type
        if not t or rel in bad or is_conflict_copy(rel):
            continue
        if t == "checkin" and empty_checkin(result, note):
            continue
        out.by_type.setdefault(t, []).append(note)
    return VaultNotes(out, set(drafts), set(stats))


def _held(vault: Vault, result: CheckResult, notes: Mapping[str, Note]) -> list[HeldPause]:
    """The pauses `parsed` would view agreements by: the check's, once it asked."""
    known = result._held  # what `held()` remembered, if it was asked
    if known is not None:
        return known
    return pauses_for(vault, (n for n in notes.values() if n.type == "pause"))


def _uncounted(vault: Vault, result: CheckResult, drafts: set[str]) -> set[str]:
    """`CheckResult.uncounted`, from the drafts known here (not from every note)."""
    out = set(result.authorship.unconfirmed)
    if not drafts:
        return out
    half = {p.path for p in result.problems if p.rule == "field-required" and p.path in drafts}
    return out | half | (drafts - in_head(vault, drafts))


# ---------------------------------------------------------------------------- JSON


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes(), object_hook=_tagged)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        text = json.dumps(data, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return  # something JSON cannot hold: read again next time
    with contextlib.suppress(OSError):  # a read-only vault works, only slower
        atomic_write(path, text.encode("utf-8"))


def _encode(value: Any) -> Any:
    """Frontmatter as JSON: dates, datetimes and mappings become one-key objects."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _tagged(value: dict[str, Any]) -> Any:
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "t" and isinstance(inner, str):
            return dt.datetime.fromisoformat(inner)
        if tag == "d" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
        if tag == "m" and isinstance(inner, list):
            return {k: v for k, v in inner}
    return value
