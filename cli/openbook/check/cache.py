"""The check cache under .git/openbook/: results per file, keyed by size, mtime and code,
in JSON files that carry their format; a missing, old or damaged file is made again."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from openbook import __version__
from openbook.check.rules import Facts
from openbook.config import Config
from openbook.fsutil import atomic_write
from openbook.notes.parse import Problem

CACHE_FORMAT = 7  # JSON since 7; an older file is ignored and made again

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


# a note's frontmatter as JSON: lists stay lists; dates, datetimes and mappings (whose
# keys YAML may make numbers or dates) become one-key objects tagged d, t and m
def _encode(value: Any) -> Any:
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


def _problems(raw: list[list[Any]]) -> tuple[Problem, ...]:
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
        data = json.loads(path.read_bytes())
        if isinstance(data, dict) and data.get("key") == json.loads(json.dumps(key)):
            entries = data["entries"]
            if isinstance(entries, dict):
                return entries
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        pass
    return {}


def _write(path: Path, key: tuple[Any, ...], entries: dict[str, Any]) -> None:
    try:
        data = json.dumps({"key": key, "entries": entries}, separators=(",", ":"))
    except (TypeError, ValueError):  # something JSON cannot hold: check without a cache
        return
    with contextlib.suppress(OSError):  # a read-only vault still checks, without a cache
        atomic_write(path, data.encode("utf-8"))
        path.with_suffix(".pickle").unlink(missing_ok=True)  # the cache before JSON


def read_checks(path: Path, key: tuple[Any, ...]) -> dict[str, Entry]:
    """{path: (size, mtime_ns, problems, facts)} as the last check left them."""
    try:
        return {
            rel: (int(size), int(mtime), _problems(problems), _facts(facts))
            for rel, (size, mtime, problems, facts) in _read(path, key).items()
        }
    except (ValueError, TypeError, KeyError, IndexError):
        return {}


def write_checks(path: Path, key: tuple[Any, ...], entries: dict[str, Entry]) -> None:
    _write(
        path,
        key,
        {
            rel: [
                size,
                mtime,
                [[p.path, p.line, p.column, p.severity, p.rule, p.message] for p in problems],
                facts,
            ]
            for rel, (size, mtime, problems, facts) in entries.items()
        },
    )


NoteEntry = tuple[int, int, dict[str, Any], str]  # size, mtime_ns, frontmatter, body


def _tagged(value: dict[str, Any]) -> Any:
    """What `_encode` wrote, decoded as the JSON parser meets each object (the inside of
    an object is decoded before the object itself)."""
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "t" and isinstance(inner, str):
            return dt.datetime.fromisoformat(inner)
        if tag == "d" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
        if tag == "m" and isinstance(inner, list):
            return {k: v for k, v in inner}
    return value


def read_notes(path: Path, key: tuple[Any, ...]) -> dict[str, NoteEntry]:
    """{path: (size, mtime_ns, frontmatter, body)} as the last reading left them."""
    try:
        data = json.loads(path.read_bytes(), object_hook=_tagged)
        if not isinstance(data, dict) or data.get("key") != json.loads(
            json.dumps(key), object_hook=_tagged
        ):
            return {}
        out: dict[str, NoteEntry] = {}
        for rel, (size, mtime, meta, body) in data["entries"].items():
            if not isinstance(meta, dict) or not isinstance(body, str):
                return {}
            out[rel] = (int(size), int(mtime), meta, body)
        return out
    except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError):
        return {}


def write_notes(path: Path, key: tuple[Any, ...], entries: dict[str, NoteEntry]) -> None:
    try:
        raw = {
            rel: [size, mtime, _encode(meta), body]
            for rel, (size, mtime, meta, body) in entries.items()
        }
    except (TypeError, RecursionError):
        return
    _write(path, key, raw)
