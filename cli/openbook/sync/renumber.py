"""Two notes added on both sides at one path or with one id are two notes (SPEC 5).

Both partners asked a question offline and both got Q-0005, or both wrote a note at the
same dated path: before merging, sync gives the LOCAL note, the one not yet shared, the
next free id (Q-0006, its file renamed with it) or a `-2` suffix (`-3`, ...) for a dated
file name, rewrites the references to it in local notes (`repeat_of`, `supersedes`,
`kept:` keys, `agreements:`), and commits that as `Openbook-Action: renumber`. The merge
then holds both notes and no conflict copy.

Everything is built as git objects (blobs, a tree, a commit) without touching the work
tree; the caller moves the work tree once, to the final merge.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.git import plumbing
from openbook.git.ledger import identity, message
from openbook.notes.parse import parse_bytes, update_fields
from openbook.notetypes.registry import FOLDER_TYPES, TYPES, id_type, is_conflict_copy
from openbook.trust.signing import commit_tree_sign_args
from openbook.vault import Vault

ZERO = "0" * 40
_ID_FOLDERS = tuple(t.folder for t in TYPES.values() if t.ids is not None and t.folder)


@dataclass(frozen=True)
class Renamed:
    """One local note moved out of the way of the partner's note."""

    old: str
    new: str
    note_type: str
    old_id: str | None = None
    new_id: str | None = None
    theirs: str = ""  # the partner's note it collided with

    def phrase(self) -> str:
        if self.old_id and self.new_id:
            return f"your {self.note_type} {self.old_id} is now {self.new_id} ({self.new})"
        return f"your {self.old} is now {self.new}"


def _note_type(path: str) -> str | None:
    if not path.endswith(".md") or is_conflict_copy(path) or "/" not in path:
        return None
    return FOLDER_TYPES.get(path.split("/", 1)[0])


def _id_of(path: str, data: bytes | None) -> str | None:
    if data is None:
        return None
    value = parse_bytes(path, data, positions=False).meta.get("id")
    return value if isinstance(value, str) and id_type(value) is not None else None


def _used_ids(root: Path, revs: tuple[str, ...]) -> set[str]:
    """Every Q-/A- id in the id folders of the trees of `revs` (names and notes)."""
    oids: dict[str, str] = {}
    names: set[str] = set()
    for rev in revs:
        for e in plumbing.tree_listing(root, rev):
            if e.path.split("/", 1)[0] in _ID_FOLDERS and e.path.endswith(".md"):
                oids[e.oid] = e.path
                names.add(e.path.rsplit("/", 1)[-1].removesuffix(".md"))
    found = {m.group(0) for n in names if (m := re.match(r"^(Q-\d{4}|A-\d{3})", n))}
    for oid, data in plumbing.read_blobs(root, oids).items():
        nid = _id_of(oids[oid], data)
        if nid:
            found.add(nid)
    return found


def _next_id(old: str, used: set[str]) -> str:
    t = id_type(old)
    assert t is not None and t.ids is not None
    numbers = [int(i.split("-", 1)[1]) for i in used if id_type(i) is t]
    new = t.ids.make(max(numbers, default=0) + 1)
    used.add(new)
    return new


def _suffixed(path: str, taken: set[str]) -> str:
    stem = path.removesuffix(".md")
    n = 2
    while f"{stem}-{n}.md" in taken:
        n += 1
    return f"{stem}-{n}.md"


def plan(root: Path, base: str, head: str, incoming: str) -> list[Renamed]:
    """The local notes (added since `base` in `head`) that collide with notes the partner
    added (in `incoming`): the same path with other content, or the same id."""
    ours = {p: v for p, v in plumbing.added_paths(root, base, head).items() if _note_type(p)}
    theirs = {p: v for p, v in plumbing.added_paths(root, base, incoming).items() if _note_type(p)}
    if not ours or not theirs:
        return []
    blobs = plumbing.read_blobs(root, [oid for _, oid in (*ours.values(), *theirs.values())])
    their_ids = {
        nid: (p, oid) for p, (_, oid) in theirs.items() if (nid := _id_of(p, blobs.get(oid)))
    }
    colliding: list[tuple[str, str | None, str]] = []
    for path, (_, oid) in sorted(ours.items()):
        nid = _id_of(path, blobs.get(oid))
        if path in theirs and theirs[path][1] != oid:
            colliding.append((path, nid, path))
        elif nid is not None and nid in their_ids and their_ids[nid][1] != oid:
            colliding.append((path, nid, their_ids[nid][0]))
    if not colliding:
        return []
    taken = {e.path for rev in (head, incoming) for e in plumbing.tree_listing(root, rev)}
    used = _used_ids(root, (head, incoming)) if any(c[1] for c in colliding) else set()
    renames = []
    for path, nid, other in colliding:
        note_type = _note_type(path) or "note"
        new_id = _next_id(nid, used) if nid else None
        folder, _, name = path.rpartition("/")
        stem = name.removesuffix(".md")
        new = path
        if nid and new_id and (stem == nid or stem.startswith(nid + "-")):
            new = f"{folder}/{new_id}{stem[len(nid) :]}.md"
        if new in taken:
            new = _suffixed(new, taken)
        taken.add(new)
        renames.append(Renamed(path, new, note_type, nid if new_id else None, new_id, other))
    return renames


def _swap(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_swap(v, ids) for v in value]
    if isinstance(value, dict):
        return {(ids.get(k, k) if isinstance(k, str) else k): v for k, v in value.items()}
    return value


def rewrite(path: str, data: bytes, ids: dict[str, str], own: str | None) -> bytes:
    """The note with its own id set to `own` (if given) and its references to the ids in
    `ids` rewritten; unchanged when there is nothing to change or it cannot be read."""
    note = parse_bytes(path, data, positions=False)
    kind = note.meta.get("type")
    t = TYPES.get(kind) if isinstance(kind, str) else None
    updates: dict[str, Any] = {"id": own} if own else {}
    for ref, where in t.references(note.meta) if t else []:
        top = str(where[0])
        if ref in ids and top not in updates:
            updates[top] = _swap(note.meta.get(top), ids)
    if not updates:
        return data
    try:
        return update_fields(data.decode("utf-8"), updates).encode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return data


def commit(vault: Vault, partner: str, base: str, head: str, renames: list[Renamed]) -> str:
    """A commit on `head` that moves the renamed notes and rewrites references to their
    old ids in local notes (those added or changed since `base`). No ref moves."""
    root = vault.root
    ids = {r.old_id: r.new_id for r in renames if r.old_id and r.new_id}
    moved = {r.old: r for r in renames}
    local = [p for p in plumbing.changed_paths(root, base, head) if _note_type(p)]
    listing = {e.path: e for e in plumbing.tree_listing(root, head)}
    present = [p for p in local if p in listing]
    blobs = plumbing.read_blobs(root, [listing[p].oid for p in present])
    entries: list[tuple[str, str, str]] = []
    for path in present:
        entry = listing[path]
        data = blobs.get(entry.oid)
        if data is None:
            continue
        r = moved.get(path)
        new_data = rewrite(path, data, ids, r.new_id if r else None)
        if r is not None:
            entries += [("0", ZERO, path), (entry.mode, plumbing.write_blob(root, new_data), r.new)]
        elif new_data != data:
            entries.append((entry.mode, plumbing.write_blob(root, new_data), path))
    state = vault.state_dir()
    assert state is not None
    state.mkdir(parents=True, exist_ok=True)
    tree = plumbing.tree_with(root, head, entries, state / f"renumber-index-{os.getpid()}")
    kinds = {r.note_type for r in renames}
    target = f"{renames[0].old} to {renames[0].new}"
    if len(renames) > 1:
        target += f" and {len(renames) - 1} more"
    body = "\n".join(f"{r.old} -> {r.new}" for r in renames)
    msg = message(kinds.pop() if len(kinds) == 1 else "vault", "renumber", target, partner, body)
    sign = commit_tree_sign_args(root)
    return plumbing.commit_tree(root, tree, [head], msg, identity(vault, partner), sign)


def sentence(renames: list[Renamed], name: str | None) -> str:
    """The one sentence that tells what was renamed; `name` is the partner who added the
    other notes, None when it was this partner, from another copy of the vault."""
    one = renames[0]
    who = f"{name} also added" if name else "You also added, in another copy of the vault,"
    if len(renames) > 1:
        what = "; ".join(r.phrase() for r in renames)
        return f"{who} notes with the same names or ids as your new ones, so both are kept: {what}."
    if one.old_id:
        return f"{who} {one.old_id}, so both are kept: {one.phrase()}."
    return f"{who} {one.old}, so both are kept: yours is now {one.new}."
