"""What history says about the notes under a name (check/authorship.py judges it).

One pass over history: one `git log --full-history --diff-filter=AM` for every commit
that added a note or changed one (their bodies compared through one `cat-file`), one for
the confirmations. Both are unions over the commits history holds, whatever its shape, so
they are remembered under the state folder by HEAD, and when HEAD moved on from it (a
note committed, a partner's commits fast-forwarded or merged) only `HEAD ^remembered` is
read and added to what was remembered. For a note added at one path more than once
(both partners, while apart) every addition and change of it is remembered, and who
added the note HEAD holds is found on the way its words came (check/lineage.py).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern
from typing import Any

from openbook.check.changes import FOLDERS as FOLDERS
from openbook.check.changes import NO_BLOB, Entry
from openbook.check.changes import notes as every_change
from openbook.check.lineage import lineage
from openbook.check.since import commits_since, head_of
from openbook.fsutil import FileMemo, atomic_write, file_stamp
from openbook.git.ahead import stream_bytes
from openbook.git.logtext import records, terminated
from openbook.git.objects import read_objects
from openbook.git.repo import git_bytes
from openbook.notes.parse import parse_bytes
from openbook.vault import Vault

CONFIRM_TRAILER = "Openbook-Confirms"
CACHE_FILE = "authorship.json"  # what history says, by HEAD
CACHE_VERSION = 4  # 2: every side of every merge; 3: a note's way to HEAD; 4: alike
# fields whose change is part of a note's life (an answer, a consent), not its words
LIFE_FIELDS = frozenset(
    {
        "status",
        "answered",
        "landed",
        "acknowledged_by",
        "returned",
        "processed",
        "processed_by",
        "accepted_by",
        "paused_by",
        "retire_requested_by",
        "next_review",
        "created",
        "modified",
        "updated",
        "aliases",
        "cssclasses",
        "publish",
    }
)


@dataclass
class Written:
    """History's facts, by email: who added each note (author, committer), whose commits
    changed its words since, and who confirmed it."""

    added: dict[str, tuple[str, str]] = field(default_factory=dict)
    edited: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    confirmed: dict[str, list[str]] = field(default_factory=dict)
    # a path added more than once -> every addition and change of it (check/lineage.py)
    lines: dict[str, list[Entry]] = field(default_factory=dict)
    # a note whose same bytes were added more than once -> each who added them
    alike: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


# the notes added and changed by every commit, on every side of every merge (a merge
# shows no change: the commits it brings in are read), so that what HEAD's history says
# is what its parents' said and what came since
NOTES = ["--full-history", "--no-renames", "--diff-filter=AM", "--raw", "--no-abbrev"]
NOTES.append("--format=%x1e%ae%x1f%ce")
_CONFIRMS = f"%(trailers:key={CONFIRM_TRAILER},valueonly,separator=%x1d)"


def log_args(
    args: list[str], head: str, since: str | None = None, paths: list[str] | None = None
) -> list[str]:
    """`git log -z ARGS HEAD` over the note folders or `paths` (only what is newer than
    `since`); names from history are names, never patterns (`*` in a note's name)."""
    revs = [head, f"^{since}"] if since else [head]
    top = ["--literal-pathspecs"] if paths else []
    return [*top, "log", "-z", *args, "--end-of-options", *revs, "--", *(paths or FOLDERS)]


def confirm_args(head: str, since: str | None = None) -> list[str]:
    """The `git log` of the confirmations."""
    fmt = f"--format=%x1e%ae%x1f%ce%x1f{_CONFIRMS}"
    args = ["log", "-z", "--fixed-strings", "--grep=Openbook-Action: confirm", fmt]
    return [*args, "--end-of-options", *([head, f"^{since}"] if since else [head])]


def tree_args(head: str, paths: list[str] | None = None) -> list[str]:
    """The `git ls-tree` of the notes at `head` (of `paths`, when given, as names)."""
    top = ["--literal-pathspecs"] if paths else []
    return [*top, "ls-tree", "-r", "-z", "--end-of-options", head, "--", *(paths or FOLDERS)]


def _entries(
    root: Path, head: str, since: str | None = None, paths: list[str] | None = None
) -> list[Entry]:
    """Each note added ("A") or changed ("M") by the commits of `head` (not of `since`;
    of the notes at `paths`, when given), newest first: one `git log`, read commit by
    commit as git writes it."""
    out = []
    for raw in records(stream_bytes(root, log_args(NOTES, head, since, paths), check=False)):
        record = raw.decode("utf-8", "replace")  # whole characters: \x1e is never in one
        top, _, rest = record.partition("\n")
        author, _, committer = top.strip("\0").partition("\x1f")
        # few people write a history: each email is held once, not once a change
        who = (intern(author.lower()), intern(committer.lower()))
        tokens = iter(t for t in rest.split("\0") if t.strip("\n"))
        for token in tokens:
            meta = token.strip("\n").lstrip(":").split()
            path = next(tokens, "")
            if len(meta) >= 5 and path.endswith(".md"):
                old = NO_BLOB if meta[2] == NO_BLOB else meta[2]  # an addition's: one object
                out.append((meta[4][:1], path, *who, old, meta[3]))
    return out


def _additions(entries: list[Entry], multi: set[str]) -> dict[str, tuple[str, str]]:
    """Each note path -> (author email, committer email) of the newest commit that added
    it; `multi` gathers the paths added more than once (two partners who each added a
    note at one path while apart): who added the note HEAD holds there is found on the way
    its words came (`read_written`, check/lineage.py), so HEAD is not listed here."""
    out: dict[str, tuple[str, str]] = {}
    pairs: dict[tuple[str, str], tuple[str, str]] = {}  # few: each held once
    for status, path, author, committer, _, _ in entries:  # newest first
        if status != "A":
            continue
        if path in out:
            multi.add(path)
        else:
            out[path] = pairs.setdefault((author, committer), (author, committer))
    return out


def _blobs_at_head(
    root: Path, head: str, paths: list[str] | None = None
) -> Iterator[tuple[str, str]]:
    """(note path, its blob id) of each note in `head` (of `paths`, when given), as one
    `git ls-tree` writes them."""
    if paths is not None and not paths:
        return
    for item in terminated(stream_bytes(root, tree_args(head, paths), check=False)):
        info, _, path = item.decode("utf-8", "replace").partition("\t")
        parts = info.split()
        if len(parts) == 3 and parts[1] == "blob":
            yield path, parts[2]


def words_changed(path: str, before: bytes, after: bytes) -> bool:
    """Whether a change rewrote what the note says: its body, or a field outside its life
    fields (an answer under a question's `## Answer` heading is not a rewrite)."""
    old = parse_bytes(path, before, positions=False)
    new = parse_bytes(path, after, positions=False)
    if not old.ok or not new.ok:
        return before != after
    keys = (set(old.meta) | set(new.meta)) - LIFE_FIELDS
    if any(old.meta.get(k) != new.meta.get(k) for k in keys):
        return True
    if new.type == "question":  # what is under `## Answer` is the answerer's own
        return _asked(old.body) != _asked(new.body)
    return old.body.strip() != new.body.strip()


def _asked(body: str) -> str:
    """A question's own words: its body above the `## Answer` heading."""
    return re.split(r"(?m)^##[ \t]+Answer[ \t]*$", body, maxsplit=1)[0].strip()


def _confirmations(root: Path, head: str, since: str | None = None) -> dict[str, list[str]]:
    """Each confirmed path -> the emails (author and committer alike) of its confirmers,
    newest first."""
    raw = git_bytes(root, confirm_args(head, since), check=False)
    out: dict[str, list[str]] = {}
    for record in raw.decode("utf-8", "replace").split("\x1e")[1:]:
        author, committer, paths = [*record.strip("\0\n").split("\x1f"), "", ""][:3]
        if author.lower() != committer.lower():
            continue  # a confirmation is the partner's own commit
        for path in paths.split("\x1d"):
            if path.strip():
                out.setdefault(path.strip(), []).append(author.lower())
    return out


def read_written(
    root: Path,
    since: Written | None = None,
    at: str | None = None,
    multi: set[str] | None = None,
    head: str = "HEAD",
) -> Written:
    """History's facts (two `git log` and one `cat-file`), uncached; with `since` (the
    facts at `at`, an ancestor of HEAD), only the commits after it are read and added to
    them. `multi` gathers the paths added more than once: their additions and changes
    are kept, and who added the note HEAD holds is found on its way (check/lineage.py)."""
    multi = multi if multi is not None else set()
    whole = every_change(root, head) if at is None else None  # shared with check/firsts.py
    entries = whole if whole is not None else _entries(root, head, at)
    added = _additions(entries, multi)
    lines = {p: list(v) for p, v in since.lines.items()} if since else {}
    if since is not None and at is not None:
        again = sorted(p for p in added if p in since.added and p not in lines)
        multi.update(p for p in added if p in since.added)  # added again
        added = {**since.added, **added}
        for entry in _entries(root, at, None, again) if again else []:
            lines.setdefault(entry[1], []).append(entry)  # their history before
    multi.update(lines)
    for entry in entries:
        if entry[1] in multi:
            lines.setdefault(entry[1], []).append(entry)
    lines = {p: sorted(set(v)) for p, v in lines.items()}  # the same in any order
    edited = {p: list(v) for p, v in since.edited.items() if p not in multi} if since else {}
    entries = [e for e in entries if e[1] not in multi]
    now = dict(_blobs_at_head(root, head, sorted(multi))) if multi else {}
    alike: dict[str, list[tuple[str, str]]] = {}
    for path, line in lines.items():
        found, way = lineage(line, now.get(path))
        starts = [(e[2], e[3]) for e in line if e[0] == "A"]
        if found or starts:
            added[path] = found[0] if found else min(starts)  # none on its way: always one
        if len(found) > 1:
            alike[path] = found
        entries += way
    # a change by whoever added the note, as their own commit, is theirs
    changes = [e[1:] for e in entries if e[0] == "M"]
    changes = [c for c in changes if c[0] in added and (c[1], c[1]) != added[c[0]]]
    blobs = read_objects(root, sorted({b for c in changes for b in (c[3], c[4])}))
    for path, author, committer, old, new in reversed(changes):  # oldest first
        before, after = blobs.get(old), blobs.get(new)
        if before is None or after is None or not words_changed(path, before[2], after[2]):
            continue
        if (author, committer) not in edited.setdefault(path, []):
            edited[path].append((author, committer))
    edited = {p: sorted(v) for p, v in edited.items()}  # the same whatever history's order
    confirmed = _confirmations(root, head, at)
    for path, older in (since.confirmed if since else {}).items():
        confirmed[path] = [*confirmed.get(path, []), *older]
    return Written(added, edited, confirmed, lines, alike)


# the facts this process last read from or wrote to the cache, by HEAD (watch)
_READ: FileMemo[Written] = FileMemo()


def written(vault: Vault) -> Written:
    """History's facts, remembered under the state folder by HEAD; when HEAD moved on from
    it, the facts are brought up to date with the commits since."""
    if not vault.is_own_repo or vault.git_dir is None:
        return Written()
    head = head_of(vault)
    if not head:
        return Written()
    state = vault.state_dir()
    cache = state / CACHE_FILE if state else None
    seen = _READ.get(cache, head)
    if seen is not None:
        return seen  # the same file, read before by this process (watch)
    stamp = file_stamp(cache)
    saved: dict[str, Any] = {}
    if cache is not None and head:
        with contextlib.suppress(OSError, ValueError):
            saved = json.loads(cache.read_text(encoding="utf-8"))
    fit = isinstance(saved, dict) and saved.get("version") == CACHE_VERSION
    known = _saved_written(saved) if fit else None
    old = saved.get("head") if fit else None
    if known is not None and old == head:
        if cache is not None:
            _READ.keep(cache, head, known, stamp)
        return known
    # a note added more than once: which addition counts depends on its whole line
    multi = _saved_multi(saved)
    ancestor = isinstance(old, str) and commits_since(vault.root, old, head) is not None
    if known is not None and multi is not None and isinstance(old, str) and ancestor:
        found = read_written(vault.root, known, old, multi, head)
    else:
        multi = set()
        found = read_written(vault.root, multi=multi, head=head)
    if cache is not None and head:
        data = {"version": CACHE_VERSION, "head": head, "added": found.added}
        data["edited"] = found.edited
        data.update(confirmed=found.confirmed, multi=sorted(multi), lines=found.lines)
        data["alike"] = found.alike
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cache, json.dumps(data).encode("utf-8"))
            _READ.keep(cache, head, found, file_stamp(cache))
    return found


def _saved_multi(saved: Any) -> set[str] | None:
    """The paths added more than once a cache file names; None when it names none."""
    found = saved.get("multi") if isinstance(saved, dict) else None
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        return None
    return set(found)


def _saved_written(saved: Any) -> Written | None:
    """The facts a cache file holds, None when it holds none readable."""
    try:
        return Written(
            {p: (a, c) for p, (a, c) in saved["added"].items()},
            {p: [(a, c) for a, c in v] for p, v in saved["edited"].items()},
            {p: list(v) for p, v in saved["confirmed"].items()},
            {p: [_entry(e) for e in v] for p, v in saved["lines"].items()},
            {p: [(str(a), str(c)) for a, c in v] for p, v in saved["alike"].items()},
        )
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None


def _entry(raw: Any) -> Entry:
    status, path, author, committer, old, new = (str(x) for x in raw)
    return (status, path, author, committer, old, new)
