"""One note on its own: its type, each field, where the file is, fields that go together."""

from __future__ import annotations

import difflib

from openbook.check.fields import NoteCheck, check_field
from openbook.config import Config
from openbook.notes.parse import Note
from openbook.notetypes.registry import (
    TYPES,
    NoteType,
    conflict_original,
    is_conflict_copy,
    is_draft,
)

NO_TYPE = "note has no 'type'; add e.g. 'type: checkin'"


def suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f", did you mean '{close[0]}'?" if close else ""


def validate_note(note: Note, cfg: Config) -> Note:
    """Add the single-note problems to `note.problems` (in place) and return it."""
    c = NoteCheck(note, cfg)
    if is_conflict_copy(note.path):
        c.add(
            (1, 1),
            "conflict-copy",
            f"conflict copy from sync: compare it with {conflict_original(note.path)}, keep "
            "what you both want there, then delete this file",
            "warning",
        )
        return note
    meta = note.meta
    if not note.has_frontmatter or not isinstance(meta, dict) or not meta:
        if note.has_frontmatter and not note.problems:
            c.add((1, 1), "field-required", NO_TYPE)
        return note
    name = meta.get("type")
    if name is None:
        c.add((1, 1), "field-required", NO_TYPE)
        return note
    note_type = TYPES.get(name) if isinstance(name, str) else None
    if note_type is None:
        hint = suggest(str(name), list(TYPES))
        c.add(
            note.pos("type"),
            "unknown-type",
            f"unknown type '{name}'{hint}" + ("" if hint else f"; use one of {', '.join(TYPES)}"),
        )
        return note
    _fields(c, note_type)
    _placement(c, note_type)
    note_type.consistency(note, cfg, c.add)
    return note


def _fields(c: NoteCheck, t: NoteType) -> None:
    note, meta, spec = c.note, c.meta, t.spec
    draft = is_draft(meta)  # a draft may be half filled: what it still needs is a warning
    for key, f in spec.items():
        value = meta.get(key)
        if value is None or value == "" or value == []:
            if f.required:
                where = note.keypos(key) if key in meta else (1, 1)
                if draft:
                    c.add(
                        where,
                        "field-required",
                        f"{t.name} needs '{key}' before it stops being a draft; add "
                        f"'{key}:' with a value",
                        "warning",
                    )
                else:
                    c.add(
                        where,
                        "field-required",
                        f"{t.name} needs '{key}'; add '{key}:' with a value",
                    )
            continue
        check_field(c, key, f, value)
    for key in meta:
        if key not in spec:
            hint = suggest(str(key), list(spec))
            c.add(
                note.keypos(str(key)),
                "unknown-field",
                f"unknown field '{key}'{hint}"
                + ("" if hint else f"; {t.name} notes do not use it (it is kept)"),
                "warning",
            )


def _placement(c: NoteCheck, t: NoteType) -> None:
    """The right folder (or the one fixed path) and a file name that fits the note."""
    path = c.note.path
    if t.fixed_path is not None:
        if path != t.fixed_path:
            c.add(
                (1, 1),
                "wrong-folder",
                f"the {t.title or t.name} belongs in {t.fixed_path} at the top of the vault",
                "warning",
            )
        return
    top = path.split("/", 1)[0] if "/" in path else ""
    if top != t.folder:
        where = f"{top}/" if top else "the top of the vault"
        c.add(
            c.note.pos("type"),
            "wrong-folder",
            f"a {t.name} note is in {where}; move it to {t.folder}/",
            "warning",
        )
    name = path.rsplit("/", 1)[-1]
    want = t.misnamed(c.meta, name[:-3])
    if want is not None:
        c.add(
            (1, 1),
            "filename-mismatch",
            f"file name {name} does not match the note; rename it to {want}.md",
            "warning",
        )
