"""Every note each commit added or changed, read once for the history readers that are
unions over history: who added and changed each note (check/written.py) and when each
check-in was first committed (check/firsts.py).

A whole history is read with one `git log` with no paths: git then only compares each
commit's tree with its parent's, where asking for the note folders would make it also
test every changed name against them first (twice the time on a large vault). Merges
are left out: what they bring in is read in the commits they bring, on every side. Both
readers take their part from the one reading (`take`), the other part is kept for the
other reader until it asks, or the command ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from sys import intern
from typing import Any

from openbook.git.ahead import stream_bytes
from openbook.git.logtext import records

NO_BLOB = "0" * 40
Entry = tuple[str, str, str, str, str, str]  # status, path, author, committer, old, new
Added = tuple[str, str]  # (commit, path) of a file it added
# the note folders whose notes are under a name, in git's own order (check/written.py)
FOLDERS = ("agreements", "checkins", "plan-changes", "questions", "repairs", "timeouts")
CHECKINS = "checkins/"  # the check-ins' folder (check/firsts.py)


def log_args(head: str) -> list[str]:
    """The `git log` of every commit of `head` but merges, with its changes."""
    fmt = "--format=%x1e%H%x1f%ae%x1f%ce"
    args = ["log", "-z", "--no-merges", "--raw", "--no-renames", "--no-abbrev", fmt]
    return [*args, "--end-of-options", head]


class _Parts:
    """What one reading found, each reader's part until it takes it."""

    def __init__(self, notes: list[Entry] | None, added: bytearray | None) -> None:
        self.notes: list[Entry] | None = notes
        # "commit path\0" each (no name holds a NUL): one object, not two or three an
        # addition (held while the other reader works, tens of thousands of check-ins)
        self.added: bytearray | None = added


# (root, head commit) -> the parts not taken yet
_READ: dict[tuple[str, str], _Parts] = {}
# (root, head commit) -> (written's part wanted, firsts' part wanted), as told
_WANTED: dict[tuple[str, str], tuple[bool, bool]] = {}


def expect(root: Path, head: str, notes: bool, added: bool) -> None:
    """Which readers will ask for their part at `head` (check/prefetch.py knows whose
    remembered facts are missing): a part no reader will ask for is not kept."""
    _WANTED[(str(root), head)] = (notes, added)


def _read(root: Path, head: str) -> _Parts | None:
    """`head`'s history read once: the notes (.md) of FOLDERS added ("A") or changed
    ("M"), newest first, and the files added under CHECKINS; None when git could not
    say."""
    notes: list[Entry] = []
    added = bytearray()
    keep_notes, keep_added = _WANTED.get((str(root), head), (True, True))
    listed = stream_bytes(root, log_args(head), check=False)
    for raw in records(listed):
        record = raw.decode("utf-8", "replace")  # whole characters: \x1e is never in one
        top, _, rest = record.partition("\n")
        sha, _, emails = top.strip("\0").partition("\x1f")
        author, _, committer = emails.partition("\x1f")
        # few people write a history: each email is held once, not once a change
        who = (intern(author.lower()), intern(committer.lower()))
        tokens = iter(t for t in rest.split("\0") if t.strip("\n"))
        for token in tokens:
            meta = token.strip("\n").lstrip(":").split()
            path = next(tokens, "")
            if len(meta) < 5:
                continue
            status = meta[4][:1]
            if keep_added and status == "A" and path.startswith(CHECKINS):
                added += f"{sha} {path}\0".encode("utf-8", "surrogateescape")
            if not keep_notes or status not in "AM" or not path.endswith(".md"):
                continue
            if path.split("/", 1)[0] in FOLDERS:
                old = NO_BLOB if meta[2] == NO_BLOB else meta[2]  # an addition's: one object
                notes.append((status, path, *who, old, meta[3]))
    if listed.status != 0:
        return None
    return _Parts(notes if keep_notes else None, added if keep_added else None)


def _parts(root: Path, head: str) -> _Parts | None:
    """The parts of `head`'s reading (a commit id: a name like HEAD may move), read now
    when no reader asked before."""
    if len(head) != 40 or not all(c in "0123456789abcdef" for c in head):
        return None
    key = (str(root), head)
    if key not in _READ:
        found = _read(root, head)
        if found is None:
            return None
        _READ[key] = found
    return _READ[key]


def _take(root: Path, head: str, part: str) -> Any:
    """One reader's part of `head`'s reading, handed over once (the reading is dropped
    once both are)."""
    parts = _parts(root, head)
    found = getattr(parts, part) if parts is not None else None
    if parts is None or found is None:
        return None
    setattr(parts, part, None)
    if parts.notes is None and parts.added is None:
        _READ.pop((str(root), head), None)
    return found


def notes(root: Path, head: str) -> list[Entry] | None:
    """check/written.py's part (once): the notes of FOLDERS each commit but merges
    added or changed, newest first; None when it cannot be had this way."""
    found: list[Entry] | None = _take(root, head, "notes")
    return found


def added(root: Path, head: str) -> Iterator[Added] | None:
    """check/firsts.py's part (once): (commit, path) of each file each commit but merges
    added under CHECKINS, one at a time (a long history's would be tens of thousands of
    pairs held at once); None when it cannot be had this way."""
    found: bytearray | None = _take(root, head, "added")
    return None if found is None else _pairs(found)


def _pairs(found: bytearray) -> Iterator[Added]:
    start = 0
    while (end := found.find(b"\0", start)) >= 0:
        sha, _, path = found[start:end].decode("utf-8", "surrogateescape").partition(" ")
        yield sha, path
        start = end + 1
