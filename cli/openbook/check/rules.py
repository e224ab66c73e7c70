"""Rules that span notes: ids are unique, every referenced id exists."""

from __future__ import annotations

import os

from openbook.notes.parse import MAX_FILE_BYTES, Note, Problem, parse_bytes
from openbook.notetypes.base import Ref
from openbook.notetypes.registry import TYPES, id_type, is_conflict_copy

# What the cross-note rules need of one note, small enough to cache cheaply: its id and
# the ids it refers to, each with the path of the referring value; None for most notes,
# which have neither.
Facts = tuple[str | None, tuple[Ref, ...]] | None


def facts_of(note: Note) -> Facts:
    t = TYPES.get(note.type or "")
    if t is None or is_conflict_copy(note.path):
        return None
    m = note.meta
    nid = m.get("id") if t.ids is not None and isinstance(m.get("id"), str) else None
    refs = tuple((r, w) for r, w in t.references(m) if id_type(r) is not None)
    return (nid, refs) if nid is not None or refs else None


class _Positions:
    """Notes read again, with positions, only for what is reported."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.notes: dict[str, Note] = {}

    def __call__(self, path: str) -> Note:
        if path not in self.notes:
            try:
                with open(os.path.join(self.root, path), "rb") as fh:
                    self.notes[path] = parse_bytes(path, fh.read(MAX_FILE_BYTES + 1))
            except OSError:
                self.notes[path] = Note(path)
        return self.notes[path]


def cross_check(root: str, facts: dict[str, Facts]) -> list[Problem]:
    """ids unique, references resolve. Positions are looked up only for what is reported."""
    problems: list[Problem] = []
    ids: dict[str, list[str]] = {}
    known = {path: f for path, f in facts.items() if f is not None}
    for path, (nid, _) in known.items():
        if nid is not None:
            ids.setdefault(nid, []).append(path)
    locate = _Positions(root)
    for nid, holders in ids.items():
        if len(holders) > 1:
            for path in holders:
                others = ", ".join(p for p in holders if p != path)
                line, col = locate(path).keypos("id")
                message = f"duplicate id {nid}, also in {others}; give one a new id"
                problems.append(Problem(path, line, col, "error", "id-duplicate", message))
    for path, (_, refs) in known.items():
        for ref, where in refs:
            if ref not in ids:
                target = id_type(ref)
                kind = target.name if target is not None else "note"
                line, col = locate(path).entry_pos(*where)
                message = f"{ref} is not a {kind} in this vault; check the id"
                problems.append(Problem(path, line, col, "error", "ref-unknown", message))
    return problems
