"""Which addition a note came from, when its path was added more than once (both
partners added a note at one path while apart, and one of them then renumbered theirs).

The note HEAD holds is traced back through the changes history shows, from its blob to
the blob each change started from, until an addition: that addition is the note's, and
the changes on the way are its edits. An addition whose line was deleted, and the edits
on that line, are not on the way and do not count. It needs no order of history: two
readings of the same commits, in any order, say the same.
"""

from __future__ import annotations

from openbook.check.changes import Entry

Who = tuple[str, str]  # (author email, committer email)


def lineage(line: list[Entry], blob: str | None) -> tuple[list[Who], list[Entry]]:
    """(who added the note whose blob is `blob`, the changes on its way there) from every
    addition ("A") and change ("M") of its path; ([], []) when no addition is on its way
    (a version a merge made by hand). More than one when the same bytes were added more
    than once: each of them wrote that note (check/authorship.py takes the one it is
    under, so the other partner adding the same bytes cannot take it from them)."""
    added: dict[str, list[Who]] = {}
    made: dict[str, list[Entry]] = {}
    for entry in line:
        status, _, author, committer, _, new = entry
        if status == "A":
            added.setdefault(new, []).append((author, committer))
        else:
            made.setdefault(new, []).append(entry)
    found: list[Who] = []
    way: list[Entry] = []
    seen: set[str] = set()
    todo = [blob] if blob else []
    while todo:
        at = todo.pop()
        if at in seen:
            continue
        seen.add(at)
        if at in added:
            found += added[at]  # where the note began: nothing before it is its own
            continue
        for change in made.get(at, []):
            way.append(change)
            todo.append(change[4])
    if not found:
        return [], []
    return sorted(set(found)), sorted(set(way))
