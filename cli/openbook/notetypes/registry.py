"""Every note type by name, loaded from its module, and what the package derives from them.

This is the one place the rest of openbook imports note-type facts from: the types,
their folders and date fields, which files a vault shares, conflict copies, dates.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from openbook.notetypes import NAMES, module_name
from openbook.notetypes.base import (
    AGREEMENT_ID,
    CONFLICT_COPY,
    DRAFT_KEY,
    LANGUAGE_FILE,
    PERIOD,
    QUESTION_ID,
    SETTINGS_COPIES,
    WEEK,
    Field,
    NoteType,
    as_date,
    as_datetime,
    conflict_original,
    is_conflict_copy,
    is_draft,
    is_top_copy,
    iso_week,
    settings_stem,
)

__all__ = [
    "AGREEMENT_ID",
    "CONFLICT_COPY",
    "DATE_FIELD",
    "DRAFT_KEY",
    "FOLDERS",
    "FOLDER_TYPES",
    "GITATTRIBUTES",
    "LANGUAGE_FILE",
    "NAMES",
    "NOTE_FOLDERS",
    "PERIOD",
    "QUESTION_ID",
    "SETTINGS_COPIES",
    "TYPES",
    "WEEK",
    "Field",
    "NoteType",
    "as_date",
    "as_datetime",
    "conflict_original",
    "id_type",
    "is_conflict_copy",
    "is_draft",
    "is_top_copy",
    "iso_week",
    "note_date",
    "settings_stem",
    "shared_path",
]


def _load(name: str) -> NoteType:
    note_type = getattr(importlib.import_module(module_name(name)), "TYPE", None)
    if not isinstance(note_type, NoteType) or note_type.name != name:
        raise TypeError(f"{module_name(name)} must define TYPE = NoteType(name={name!r}, ...)")
    return note_type


TYPES: dict[str, NoteType] = {name: _load(name) for name in NAMES}

FOLDERS: dict[str, str] = {t.name: t.folder for t in TYPES.values() if t.folder}
FOLDER_TYPES: dict[str, str] = {folder: name for name, folder in FOLDERS.items()}
NOTE_FOLDERS: tuple[str, ...] = tuple(FOLDERS.values())
# the date a note is "about": for late-edit marking and for placing it in a year folder
DATE_FIELD: dict[str, str] = {t.name: t.date_field for t in TYPES.values() if t.date_field}


def id_type(ref: str) -> NoteType | None:
    """The type whose ids look like `ref` (Q-0007: question), if any."""
    for t in TYPES.values():
        if t.ids is not None and t.ids.pattern.match(ref):
            return t
    return None


def note_date(meta: dict[str, Any]) -> dt.date | None:
    t = meta.get("type")
    key = DATE_FIELD.get(t) if isinstance(t, str) else None
    return as_date(meta.get(key)) if key else None


# the only .gitattributes a vault may hold (at its top, as `init` writes it): phones and
# Windows editors keep LF endings; any other attributes file is refused by sync
GITATTRIBUTES = "* text=auto eol=lf\n"


def shared_path(path: str) -> bool:
    """Files a vault shares: openbook.yml, language.md, READMEs, .gitignore, the top
    .gitattributes, the note folders and .openbook/templates/. `commit` records nothing
    else and `sync` refuses anything else that comes in, so the two always agree."""
    if path in ("openbook.yml", LANGUAGE_FILE, ".gitignore", ".gitattributes"):
        return True
    if path.rsplit("/", 1)[-1] == ".gitattributes":
        return False  # attributes could choose merge drivers or rewrite notes
    if "/" not in path:
        return path.startswith("README") or is_top_copy(path)
    top = path.split("/", 1)[0]
    return top in NOTE_FOLDERS or path.startswith(".openbook/templates/")
