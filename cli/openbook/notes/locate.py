"""Where a problem that history found sits in a note on disk."""

from __future__ import annotations

from pathlib import Path

from openbook.notes.note import Note, Pos
from openbook.notes.parse import parse_bytes


def key_position(root: Path, path: str, key: str) -> Pos:
    """Line and column of `key` in the note `path` as it is on disk under `root` (1, 1
    when it cannot be read): where a problem that history found is reported."""
    try:
        return parse_bytes(path, (root / path).read_bytes()).keypos(key)
    except OSError:
        return Note(path).keypos(key)
