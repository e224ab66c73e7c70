"""The check cache under .git/openbook/: results per file, keyed by size, mtime and code."""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any

from openbook import __version__
from openbook.check.rules import Facts
from openbook.config import Config
from openbook.fsutil import atomic_write
from openbook.notes.parse import Problem

CACHE_FORMAT = 6

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


def read_cache(path: Path, key: tuple[Any, ...]) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if isinstance(data, dict) and data.get("key") == key:
            entries: dict[str, Any] = data["entries"]
            return entries
    except (
        OSError,
        EOFError,
        pickle.UnpicklingError,
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        ImportError,
        IndexError,
    ):
        pass
    return {}


def write_cache(path: Path, key: tuple[Any, ...], entries: dict[str, Any]) -> None:
    data = pickle.dumps({"key": key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):  # a read-only vault still checks, without a cache
        atomic_write(path, data)
