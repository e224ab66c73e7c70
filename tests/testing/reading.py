"""What a history reader is handed by `check`: every note file's (size, mtime) and a
reader of notes, here one that notes which notes it was asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openbook.notes.parse import Note, parse_bytes
from openbook.vault import Vault

Reader = Callable[[list[str]], dict[str, Note]]


def recording_reader(vault: Vault) -> tuple[dict[str, tuple[int, int]], Reader, list[str]]:
    """(the note files' stats, a reader of notes from disk, the paths it was asked for)."""
    root: Path = vault.root
    stats = {rel: (st.st_size, st.st_mtime_ns) for rel, st in vault.note_files()}
    asked: list[str] = []

    def notes(paths: list[str]) -> dict[str, Note]:
        asked.extend(paths)
        return {p: parse_bytes(p, (root / p).read_bytes()) for p in paths}

    return stats, notes, asked
