"""Rules that span notes: ids are unique, every referenced id exists.

A problem these rules find is reported on the note it is written in, but it never makes
that note unreadable: the agenda and `status` still count it (CROSS_NOTE_RULES). An id
that is gone but was in the history (a deleted or renamed note) is only a warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable

from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.notes.parse import MAX_FILE_BYTES, Note, Problem, parse_bytes
from openbook.notetypes.base import Ref
from openbook.notetypes.registry import TYPES, id_type, is_conflict_copy
from openbook.vault import Vault

# problems one note has because of another (or because of one that is gone)
CROSS_NOTE_RULES = frozenset({"id-duplicate", "ref-unknown", "consent-unproven"})
FORMER_IDS_FILE = "former-ids.json"

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


def cross_check(
    root: str, facts: dict[str, Facts], former: Callable[[], set[str]] | None = None
) -> list[Problem]:
    """ids unique, references resolve. Positions are looked up only for what is reported.

    `former` gives the ids the history knows but the vault no longer has; it is asked
    only when a reference does not resolve."""
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
    gone: set[str] | None = None
    for path, (_, refs) in known.items():
        for ref, where in refs:
            if ref in ids:
                continue
            if gone is None:
                gone = former() if former is not None else set()
            target = id_type(ref)
            kind = target.name if target is not None else "note"
            line, col = locate(path).entry_pos(*where)
            if ref in gone:
                message = (
                    f"{ref} is no longer in this vault (its {kind} was deleted or renamed; "
                    "the history keeps it); remove it here if it no longer applies"
                )
                problems.append(Problem(path, line, col, "warning", "ref-unknown", message))
            else:
                message = f"{ref} is not a {kind} in this vault; check the id"
                problems.append(Problem(path, line, col, "error", "ref-unknown", message))
    return problems


def _id_in_name(name: str) -> str | None:
    for t in TYPES.values():
        ids = t.ids
        if ids is None:
            continue
        m = re.match(rf"^({ids.prefix}-\d{{{ids.width}}})(?:-|\.md$)", name)
        if m:
            return m[1]
    return None


def former_ids(vault: Vault) -> set[str]:
    """Ids of notes the history shows deleted or renamed away (by their file names).

    One `git log` over the deletions, remembered under .git/openbook/ until HEAD moves."""
    head = gitrepo.rev(vault.root, "HEAD") if vault.git_dir is not None else None
    if head is None:
        return set()
    state = vault.state_dir()
    cache = state / FORMER_IDS_FILE if state is not None else None
    if cache is not None:
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("head") == head:
                return {str(i) for i in data.get("ids", [])}
        except (OSError, ValueError):
            pass
    folders = sorted({t.folder for t in TYPES.values() if t.ids is not None and t.folder})
    res = gitrepo.run(
        vault.root,
        [
            "log",
            "--format=",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=D",
            "--diff-merges=first-parent",
            "--end-of-options",
            head,
            "--",
            *folders,
        ],
        check=False,
        strip=False,
    )
    found = set()
    for path in res.stdout.replace("\n", "\0").split("\0"):
        nid = _id_in_name(path.rsplit("/", 1)[-1]) if path else None
        if nid is not None:
            found.add(nid)
    if cache is not None and res.status == 0:
        payload = json.dumps({"head": head, "ids": sorted(found)}) + "\n"
        with contextlib.suppress(OSError):  # a read-only vault still checks, without it
            atomic_write(cache, payload.encode("utf-8"))
    return found
