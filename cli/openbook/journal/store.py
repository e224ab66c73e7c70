"""Journal entries on disk: Markdown with frontmatter, one file per entry, ids in time order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.errors import NoteError
from openbook.fsutil import atomic_write
from openbook.journal import crypt, place
from openbook.journal.place import JournalError
from openbook.notes.parse import Note, parse_bytes, render_note

ENTRY_ID = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{4})(?:-([1-9][0-9]{0,3}))?$")
PLAIN = ".md"
SEALED = ".md" + crypt.SUFFIX
MAX_PER_MINUTE = 9999


def _sort_key(entry_id: str) -> tuple[str, int]:
    m = ENTRY_ID.match(entry_id)
    return (m[1], int(m[2] or 1)) if m else (entry_id, 0)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


@dataclass
class Entry:
    id: str
    path: Path
    text: str
    encrypted: bool
    note: Note = field(repr=False)

    @property
    def meta(self) -> dict[str, Any]:
        return self.note.meta

    @property
    def body(self) -> str:
        """The entry's own words: the body, or all of it when it has no frontmatter."""
        return self.note.body if self.note.has_frontmatter and self.note.ok else self.text

    @property
    def date(self) -> str:
        value = self.meta.get("date")
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.datetime.strptime(self.id[:15], "%Y-%m-%d-%H%M").isoformat()

    def summary(self) -> dict[str, str]:
        return {"id": self.id, "date": self.date, "first_line": _first_line(self.body)}


def compose(
    body: str,
    when: dt.datetime,
    *,
    mood: int | None = None,
    tags: list[str] | None = None,
    blanks: bool = False,
) -> str:
    """An entry's text from its parts. With `blanks` (a draft for the editor) the optional
    fields are shown even when empty, and a blank line waits under the frontmatter."""
    meta: dict[str, Any] = {"date": when}
    if mood is not None or blanks:
        meta["mood"] = mood
    if tags or blanks:
        meta["tags"] = list(tags or [])
    text = render_note(meta, body.strip("\n"))
    return text + "\n" if blanks and not body.strip() else text


def is_empty(text: str) -> bool:
    """True when nothing was written: no body under the frontmatter (or no text at all)."""
    note = parse_bytes("entry", text.encode("utf-8"), positions=False)
    if note.has_frontmatter and note.ok:
        return not note.body.strip()
    return not text.strip()


@dataclass(frozen=True)
class Unopened:
    """An encrypted entry that cannot be opened here, and why in a few words."""

    id: str
    file: str
    why: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "file": self.file, "why": self.why}


def unopened_line(unopened: list[Unopened]) -> str:
    """One line naming the entries `list` could not open, by reason, and what to do."""
    groups: dict[str, list[str]] = {}
    for u in unopened:
        groups.setdefault(u.why, []).append(u.id)
    named = ", ".join(f"{', '.join(ids)} ({why})" for why, ids in groups.items())
    them = "it" if len(unopened) == 1 else "them"
    return (
        f"not listed, encrypted and not readable here: {named}; "
        f"to read {them}, {crypt.fix(len(unopened))}."
    )


class Journal:
    def __init__(self, root: Path, keys: crypt.Keys) -> None:
        self.root = root
        self.keys = keys

    @classmethod
    def open(cls) -> Journal:
        """The configured journal; refuses a shared place before anything is written."""
        return cls(place.journal_root(), crypt.configured_keys())

    @property
    def encrypts(self) -> bool:
        return self.keys.public is not None

    def _files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        if not self.root.is_dir():
            return found
        for path in self.root.iterdir():
            name = path.name
            stem = name[: -len(SEALED)] if name.endswith(SEALED) else name[: -len(PLAIN)]
            if name.endswith((PLAIN, SEALED)) and ENTRY_ID.match(stem) and path.is_file():
                found.setdefault(stem, path)
        return found

    def ids(self) -> list[str]:
        return sorted(self._files(), key=_sort_key)

    def add(self, text: str, when: dt.datetime) -> Entry:
        """Save a new entry (never over another); its id is the time it is dated."""
        if is_empty(text):
            raise JournalError("The entry is empty, so nothing was saved; write something first.")
        note = parse_bytes("entry", text.encode("utf-8"), positions=False)
        dated = note.meta.get("date")
        if isinstance(dated, dt.datetime):
            when = dated.replace(tzinfo=None)
        data = text.encode("utf-8")
        if self.keys.public is not None:
            data = crypt.encrypt(data, self.keys.public)
        place.ensure_folder(self.root)
        base = when.strftime("%Y-%m-%d-%H%M")
        taken = self._files()
        for n in range(1, MAX_PER_MINUTE + 1):
            entry_id = base if n == 1 else f"{base}-{n}"
            if entry_id in taken:
                continue
            path = self.root / (entry_id + (SEALED if self.encrypts else PLAIN))
            try:
                atomic_write(path, data, exclusive=True)
            except NoteError:  # another entry took this id a moment ago
                continue
            return Entry(entry_id, path, text, self.encrypts, note)
        raise JournalError(f"The journal already has {MAX_PER_MINUTE} entries dated {base}.")

    def read(self, entry_id: str) -> Entry:
        if not ENTRY_ID.match(entry_id):
            raise JournalError(
                f"'{entry_id}' is not a journal entry id; ids look like 2026-11-24-2105 "
                "('openbook journal list' shows them)."
            )
        path = self._files().get(entry_id)
        if path is None:
            raise JournalError(
                f"There is no journal entry {entry_id} in {self.root}; "
                "'openbook journal list' shows the ids."
            )
        data = path.read_bytes()
        sealed = path.name.endswith(SEALED)
        if sealed:
            data = crypt.decrypt(data, self.keys.identity, path.name)
        text = data.decode("utf-8", errors="replace")
        return Entry(entry_id, path, text, sealed, parse_bytes(path.name, data, positions=False))

    def entries(self) -> list[Entry]:
        return [self.read(entry_id) for entry_id in self.ids()]

    def listing(self) -> tuple[list[Entry], list[Unopened]]:
        """Every entry this computer can open, and those it cannot (encrypted to a key
        that is not here), oldest first."""
        readable, unopened = [], []
        for entry_id in self.ids():
            try:
                readable.append(self.read(entry_id))
            except crypt.CannotOpen as exc:
                unopened.append(Unopened(entry_id, self._files()[entry_id].name, exc.why))
        return readable, unopened
