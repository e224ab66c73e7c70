"""The check cache under .git/openbook/: results per file, keyed by size, mtime and code,
in files that carry their format; a missing, old or damaged file is made again.

The files hold plain values only (`marshal`: text, numbers, lists, tuples, mappings,
read back an order of magnitude faster than JSON); a date in a note's frontmatter is
written as a tagged tuple, which nothing YAML reads ever gives. Every value read back is
checked for its shape before use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import zlib
from collections.abc import Callable, Collection, Container, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from openbook import __version__
from openbook.check.rules import Facts
from openbook.config import Config
from openbook.fsutil import FileMemo, atomic_write, file_stamp
from openbook.notes.parse import Note, Problem

CACHE_FORMAT = 8  # marshal since 8 (JSON 7, pickle before); an older file is made again
OLD_SUFFIXES = (".json", ".pickle")  # the caches before: removed once a new one is written

T = TypeVar("T")

# cache entry per file: (size, mtime_ns, problems, facts)
Entry = tuple[int, int, tuple[Problem, ...], Facts]


def _code_stamp() -> tuple[tuple[str, int], ...]:
    """Cached results are only as good as the code that made them: key on its files
    (the checks, the note types, the note reader and the configuration)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = [
        os.path.join(package, name) for name in ("config.py", "notes/parse.py", "notes/yamlio.py")
    ]
    for folder in ("check", "notetypes"):
        with contextlib.suppress(OSError):
            names = sorted(
                n for n in os.listdir(os.path.join(package, folder)) if n.endswith(".py")
            )
            files += [os.path.join(package, folder, n) for n in names]
    stamps = []
    for path in files:
        try:
            stamps.append((path[len(package) :], os.stat(path).st_mtime_ns))
        except OSError:
            stamps.append((path[len(package) :], 0))
    return tuple(stamps)


_CODE = _code_stamp()


def cache_key(cfg: Config) -> tuple[Any, ...]:
    return (CACHE_FORMAT, __version__, _CODE, cfg.digest)


Listed = list[tuple[str, tuple[int, int]]]


class Stats(dict[str, tuple[int, int]]):
    """(size, mtime) of each note file by path, as one check read them; the files of each
    top folder, sorted, are worked out once for all the passes that ask (`in_folders`).
    Filled once, then only read."""

    _tops: dict[str, Listed] | None = None

    def top(self, name: str) -> Listed:
        if self._tops is None:
            tops: dict[str, Listed] = {}
            for item in self.items():
                tops.setdefault(item[0].partition("/")[0], []).append(item)
            self._tops = {t: sorted(items) for t, items in tops.items()}
        return self._tops.get(name, [])


def in_folders(stats: Mapping[str, tuple[int, int]], prefixes: tuple[str, ...]) -> Listed:
    """(path, (size, mtime)) of the files under `prefixes` ("agreements/", ...), by path."""
    if isinstance(stats, Stats) and all(p.count("/") == 1 and p[-1] == "/" for p in prefixes):
        # no folder name holds "/": the folders' own order is their files' order
        out: Listed = []
        for prefix in sorted(prefixes):
            out += stats.top(prefix[:-1])
        return out
    return sorted((p, s) for p, s in stats.items() if p.startswith(prefixes))


def digest_of(*parts: Any) -> str:
    """A digest of plain values: what a remembered answer was worked out from. marshal's
    format 0 writes neither references nor interned strings, so equal values give equal
    bytes (and it is written many times faster than JSON)."""
    return hashlib.sha1(marshal.dumps(parts, 0)).hexdigest()


def code_key() -> tuple[Any, ...]:
    """The key of facts that depend on the code alone (what a commit's notes say)."""
    return (CACHE_FORMAT, __version__, _CODE)


def read_entries(path: Path, key: tuple[Any, ...]) -> dict[str, Any]:
    """A cache file's plain entries when it was made with `key`, else {}."""
    return _read(path, key)


def write_entries(path: Path, key: tuple[Any, ...], entries: dict[str, Any]) -> None:
    """Write plain `entries` under `key` (nothing when they are not plain)."""
    _write(path, key, entries)


_PLAIN = (str, int, float, bool, type(None))
_DATE, _TIME = "\0d", "\0t"  # tags of a date and a datetime (tuples: never in YAML)


def _encode(value: Any) -> Any:
    """A frontmatter value as plain values: dates and datetimes become tagged tuples."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [v if type(v) in _PLAIN else _encode(v) for v in value]
    if kind is dict:
        return {
            k if type(k) is str else _encode(k): v if type(v) in _PLAIN else _encode(v)
            for k, v in value.items()
        }
    if isinstance(value, dt.datetime):
        return (_TIME, value.isoformat())
    if isinstance(value, dt.date):
        return (_DATE, value.isoformat())
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"no plain form for {kind.__name__}")


def _decode(value: Any) -> Any:
    """What `_encode` wrote, back."""
    kind = type(value)
    if kind is tuple:
        tag, text = value
        if tag == _TIME:
            return dt.datetime.fromisoformat(text)
        if tag == _DATE:
            return dt.date.fromisoformat(text)
        raise ValueError("not a tag")
    if kind is list:
        return [v if type(v) in _PLAIN else _decode(v) for v in value]
    if kind is dict:
        return {
            k if type(k) is str else _decode(k): v if type(v) in _PLAIN else _decode(v)
            for k, v in value.items()
        }
    if kind in _PLAIN:
        return value
    raise ValueError("not a plain value")


def _problems(raw: Any) -> tuple[Problem, ...]:
    return tuple(
        Problem(str(p), int(ln), int(col), str(sv), str(r), str(m)) for p, ln, col, sv, r, m in raw
    )


def _facts(raw: Any) -> Facts:
    if raw is None:
        return None
    nid, refs = raw
    return (nid, tuple((str(r), tuple(where)) for r, where in refs))


def _read(path: Path, key: tuple[Any, ...]) -> dict[str, Any]:
    """The entries of the cache file when it was made with `key`; {} when it is missing,
    old, unreadable or damaged (it is then made again)."""
    try:
        data = marshal.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("key") == key:
            entries = data["entries"]
            if isinstance(entries, dict):
                return entries
    except (OSError, ValueError, TypeError, KeyError, EOFError, RecursionError):
        pass
    return {}


def _write(path: Path, key: tuple[Any, ...], entries: dict[str, Any]) -> None:
    try:
        data = marshal.dumps({"key": key, "entries": entries})
    except (TypeError, ValueError, RecursionError):  # not plain values: check without a cache
        return
    with contextlib.suppress(OSError):  # a read-only vault still checks, without a cache
        atomic_write(path, data, durable=False)  # checked when read, made again if damaged
        for suffix in OLD_SUFFIXES:
            path.with_suffix(suffix).unlink(missing_ok=True)


# what this process last read from or wrote to a check cache (watch checks again and again)
_LAST: FileMemo[dict[str, Entry]] = FileMemo()


def read_checks(path: Path, key: tuple[Any, ...]) -> dict[str, Entry]:
    """{path: (size, mtime_ns, problems, facts)} as the last check left them (do not
    change what is returned: it may be remembered)."""
    last = _LAST.get(path, key)
    if last is not None:
        return last
    stamp = file_stamp(path)
    try:
        out = {
            str(rel): (int(size), int(mtime), _problems(problems), _facts(facts))
            for rel, (size, mtime, problems, facts) in _read(path, key).items()
        }
    except (ValueError, TypeError, KeyError, IndexError):
        return {}
    if out:
        _LAST.keep(path, key, out, stamp)
    return out


def _plain(p: Problem) -> tuple[str, int, int, str, str, str]:
    return (p.path, p.line, p.column, p.severity, p.rule, p.message)


def write_checks(path: Path, key: tuple[Any, ...], entries: dict[str, Entry]) -> None:
    before = file_stamp(path)
    _write(
        path,
        key,
        {  # an entry without problems is written as it is: no copy of every entry
            rel: entry
            if not entry[2]
            else (*entry[:2], tuple(_plain(p) for p in entry[2]), entry[3])
            for rel, entry in entries.items()
        },
    )
    written = file_stamp(path)
    _LAST.keep(path, key, entries, written if written != before else None)  # not written: none


NoteEntry = tuple[int, int, dict[str, Any], str]  # size, mtime_ns, frontmatter, body
SHARDS = 32  # the notes' frontmatter and bodies, in this many files: one note saved
# rewrites one of them, not all


def shard_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


def _shard_path(folder: Path, shard: int) -> Path:
    return folder / f"{shard:02d}.marshal"


def _read_shard(
    path: Path, key: tuple[Any, ...], shard: int, wanted: Container[str] | None = None
) -> dict[str, NoteEntry]:
    try:
        out: dict[str, NoteEntry] = {}
        for rel, (size, mtime, meta, body) in _read(path, key).items():
            if wanted is not None and rel not in wanted:
                continue
            if type(meta) is not dict or type(body) is not str or type(rel) is not str:
                return {}
            if shard_of(rel) != shard:
                return {}
            out[rel] = (int(size), int(mtime), _decode(meta), body)
        return out
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):
        return {}


def read_notes(
    folder: Path, key: tuple[Any, ...], wanted: Collection[str] | None = None
) -> dict[str, NoteEntry]:
    """{path: (size, mtime_ns, frontmatter, body)} as the last reading left them (a
    damaged file of the folder only loses the notes it held); with `wanted`, only those
    paths are decoded, from only the files that can hold them."""
    out: dict[str, NoteEntry] = {}
    shards = range(SHARDS) if wanted is None else sorted({shard_of(rel) for rel in wanted})
    chosen = None if wanted is None else set(wanted)
    for shard in shards:
        out.update(_read_shard(_shard_path(folder, shard), key, shard, chosen))
    return out


def write_notes(
    folder: Path,
    key: tuple[Any, ...],
    entries: dict[str, NoteEntry],
    changed: Iterable[str] | None = None,
) -> None:
    """Write the notes' entries under `folder`: only the files that hold the `changed`
    paths (added, changed or gone since the last reading), or all of them; one file made
    at a time (a large vault's notes are not all copied at once)."""
    shards = set(range(SHARDS)) if changed is None else {shard_of(rel) for rel in changed}
    grouped: dict[int, list[str]] = {shard: [] for shard in shards}
    for rel in entries:
        group = grouped.get(shard_of(rel))
        if group is not None:
            group.append(rel)
    for shard, rels in sorted(grouped.items()):
        try:
            raw = {
                rel: (*entries[rel][:2], _encode(entries[rel][2]), entries[rel][3]) for rel in rels
            }
        except (TypeError, RecursionError):
            return  # not plain values: the files not made yet are made at the next reading
        _write(_shard_path(folder, shard), key, raw)
    for suffix in OLD_SUFFIXES:  # the single file of before
        with contextlib.suppress(OSError):
            folder.with_suffix(suffix).unlink(missing_ok=True)


Stat = tuple[int, int]  # a file's size and mtime_ns


def by_stat(
    watched: list[tuple[str, Stat]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    saved: Any,
    facts: Callable[[Note | None], T],
    sound: Callable[[Any], bool],
) -> tuple[dict[str, T], dict[str, tuple[int, int, T]]]:
    """Each watched file's `facts`: remembered (`saved`: path -> (size, mtime, facts))
    where its size and mtime are those remembered and the facts have a `sound` shape, the
    others read through `notes` (None for a file it does not give); and what to remember
    next time."""
    known: dict[str, Any] = saved if isinstance(saved, dict) else {}
    out: dict[str, T] = {}
    unread: list[str] = []
    for path, stat in watched:
        hit = known.get(path)
        if type(hit) is tuple and len(hit) == 3 and hit[:2] == stat and sound(hit[2]):
            out[path] = hit[2]
        else:
            unread.append(path)
    read = notes(unread) if unread else {}
    for path in unread:
        out[path] = facts(read.get(path))
    keep = {path: (size, mtime, out[path]) for path, (size, mtime) in watched}
    return out, keep
