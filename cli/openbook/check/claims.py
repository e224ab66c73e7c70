"""Which commit introduced each consent a note claims, merges included (SPEC section 10).

A claim is (field, partner): a partner listed in an agreement's `accepted_by`,
`paused_by` or `retire_requested_by`, the one asked who answered a question, or a
pause's `by`, `resumed` and `until`. An ordinary commit introduces what it says that its
first parent did not. A merge introduces what its tree says that git's own clean merge
of its parents (`git merge-tree --write-tree`) does not say: a hand-made merge that
chooses what its tree says is judged as its author's like any commit, and a merge that
only joins both sides introduces nothing (the commits it brings in are looked at). Where
git cannot merge a note cleanly, each claim is merged on its own: the clean merge says it
when either side added it since their common ancestor, or the ancestor said it and
neither side removed it.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.check.cache import Stat, by_stat
from openbook.errors import GitError
from openbook.fsutil import atomic_write
from openbook.git.ledger import Commit
from openbook.git.objects import read_blobs, read_objects
from openbook.git.plumbing import merge_tree
from openbook.git.repo import git_bytes
from openbook.notes.parse import Note, parse_bytes

CLAIM_FIELDS = ("accepted_by", "paused_by", "retire_requested_by")
ANSWERED = "answered"
# a question's own steps: acknowledged only by the one asked; withdrawn and how the
# answer landed only by the asker (SPEC section 10, "Who may change what")
ACKNOWLEDGED, WITHDRAWN, LANDED = "acknowledged", "withdrawn", "landed"
# a repair is processed once both partners' own commits list them here (SPEC 10)
PROCESSED_BY = "processed_by"
PAUSE_FIELDS = ("by", "resumed", "until")  # a pause note's claims, each the pauser's own
FOLDERS = ("agreements", "pauses", "questions", "repairs")  # sorted: see check/written.py
Claim = tuple[str, str]  # (field, partner)


def as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def claims_of(meta: Mapping[str, Any]) -> set[Claim]:
    """The consents a note's frontmatter claims, as (field, partner)."""
    kind = meta.get("type")
    if kind == "agreement":
        return {(f, p) for f in CLAIM_FIELDS for p in as_list(meta.get(f))}
    if kind == "question":
        return _question_claims(meta)
    if kind == "repair":
        return {(PROCESSED_BY, p) for p in as_list(meta.get(PROCESSED_BY))}
    if kind == "pause" and isinstance(meta.get("by"), str):
        return {(f, meta["by"]) for f in PAUSE_FIELDS if meta.get(f) not in (None, "")}
    return set()


def _question_claims(meta: Mapping[str, Any]) -> set[Claim]:
    status, asker, asked = meta.get("status"), meta.get("asked_by"), meta.get("to")
    out: set[Claim] = set()
    if isinstance(asked, str) and status in (ANSWERED, ACKNOWLEDGED):
        out.add((str(status), asked))
    if isinstance(asker, str) and status == WITHDRAWN:
        out.add((WITHDRAWN, asker))
    if isinstance(asker, str) and meta.get(LANDED) not in (None, ""):
        out.add((f"{LANDED}:{meta[LANDED]}", asker))  # each answer to "how did it land"
    return out


CLAIMED_FILE = "claimed.marshal"  # what each note of FOLDERS claims, by its file's stat


def claimed_now(
    watched: list[tuple[str, Stat]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
    code: Any,
) -> dict[str, set[Claim]]:
    """What each watched note claims now (a file `notes` does not give claims nothing and
    is left out): remembered under `state` by its file's size and mtime and the `code`
    that read it, the others read."""
    memory = state / CLAIMED_FILE if state else None
    saved: Any = None
    if memory is not None:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            saved = marshal.loads(memory.read_bytes())
    ours = isinstance(saved, dict) and saved.get("code") == code
    remembered = saved.get("claims") if ours else None
    claims, keep = by_stat(watched, notes, remembered, _claim_facts, _sound_claims)
    if memory is not None and keep != remembered:
        with contextlib.suppress(OSError, ValueError):
            atomic_write(memory, marshal.dumps({"code": code, "claims": keep}), durable=False)
    return {path: set(found) for path, found in claims.items() if found is not None}


def _claim_facts(note: Note | None) -> tuple[Claim, ...] | None:
    return None if note is None else tuple(sorted(claims_of(note.meta)))


def _sound_claims(facts: Any) -> bool:
    if facts is None:
        return True
    return type(facts) is tuple and all(
        type(c) is tuple and len(c) == 2 and all(type(x) is str for x in c) for c in facts
    )


@dataclass(frozen=True)
class Touch:
    sha: str
    parent: str | None
    author: str
    committer: str
    paths: tuple[str, ...]
    others: tuple[str, ...] = ()  # a merge's other parents

    @property
    def merge(self) -> bool:
        return bool(self.others)


def git_out(root: Path, args: list[str], data: bytes | None = None) -> bytes:
    """git's output as bytes through the git layer; empty when git refuses (no history)."""
    return git_bytes(root, args, data, check=False)


def touch_args(rev: str, paths: Iterable[str] = FOLDERS, since: str | None = None) -> list[str]:
    """The `git log` that `touches` runs."""
    revs = [rev, f"^{since}"] if since else [rev]
    return ["log", *_TOUCH, "--end-of-options", *revs, "--", *paths]


_TOUCH = ["--full-history", "--diff-merges=separate", "--no-renames", "-z"]
_TOUCH += ["--format=%x1e%H%x1f%P%x1f%ae%x1f%ce", "--name-only"]


def touches(
    root: Path, rev: str = "HEAD", paths: Iterable[str] = FOLDERS, since: str | None = None
) -> list[Touch]:
    """Commits that changed a note in the claim folders (or in `paths`), newest first, not
    reachable from `since`; a merge lists what differs from any of its parents (one
    `git log`, every side of every merge)."""
    return parse_touches(git_out(root, touch_args(rev, paths, since)))


def touches_of(root: Path, shas: list[str]) -> list[Touch]:
    """Those of the commits `shas` that changed a note in the claim folders, in the order
    given, each judged alone as `touches` judges it in the whole history (no parent of
    theirs is left out: a merge lists what differs from any of its parents)."""
    if not shas:
        return []
    args = ["log", *_TOUCH, "--no-walk=unsorted", "--stdin", "--", *FOLDERS]
    return parse_touches(git_out(root, args, "".join(f"{s}\n" for s in shas).encode("ascii")))


def parse_touches(raw: bytes) -> list[Touch]:
    """The touches `git log` with `touch_args`' format wrote, in its order."""
    out: dict[str, Touch] = {}
    for record in raw.decode("utf-8", "replace").split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, parents, author, committer = [*head.strip("\0").split("\x1f"), "", "", ""][:4]
        paths = tuple(p for p in names.strip("\n\0").split("\0") if p.endswith(".md"))
        if sha in out:  # a merge, once for each parent
            known = out[sha]
            more = tuple(p for p in paths if p not in known.paths)
            if more:
                out[sha] = _with(known, more)
            continue
        ps = parents.split()
        parent = ps[0] if ps else None
        out[sha] = Touch(sha, parent, author.lower(), committer.lower(), paths, tuple(ps[1:]))
    return list(out.values())


def _with(t: Touch, more: tuple[str, ...]) -> Touch:
    return Touch(t.sha, t.parent, t.author, t.committer, (*t.paths, *more), t.others)


def claims_at(blobs: Mapping[str, bytes], name: str) -> set[Claim]:
    data = blobs.get(name)
    if data is None:
        return set()
    return claims_of(parse_bytes(name.split(":", 1)[-1], data, positions=False).meta)


def _clean_merges(
    root: Path, merges: list[Touch], paths: set[str]
) -> dict[tuple[str, str], set[Claim]]:
    """(merge, path) -> the claims git's own clean merge of its parents says there."""
    names: list[str] = []
    plan: list[tuple[str, str, str | tuple[str, str, str]]] = []
    for t in merges:
        if len(t.others) != 1 or t.parent is None:
            continue  # an octopus: what it says beyond its first parent is its author's
        try:
            tree, conflicts = merge_tree(root, t.parent, t.others[0])
        except GitError:
            continue
        for p in sorted(paths.intersection(t.paths)):
            stages = conflicts.get(p)
            if stages is None:
                names.append(f"{tree}:{p}")
                plan.append((t.sha, p, f"{tree}:{p}"))
                continue
            oids = tuple(stages[s][1] if s in stages else "" for s in (1, 2, 3))
            names += [o for o in oids if o]
            plan.append((t.sha, p, (oids[0], oids[1], oids[2])))
    blobs = read_blobs(root, names)
    out: dict[tuple[str, str], set[Claim]] = {}
    for sha, p, source in plan:
        if isinstance(source, str):
            out[(sha, p)] = claims_at(blobs, source)
            continue
        base, ours, theirs = (claims_at(blobs, o) if o else set() for o in source)
        kept = base & ours & theirs
        out[(sha, p)] = kept | (ours - base) | (theirs - base)
    return out


def introductions(
    root: Path, wanted: Iterable[str], rev: str = "HEAD"
) -> dict[tuple[str, Claim], Touch]:
    """For each (path, claim), the newest commit that introduced it: an ordinary commit
    relative to its first parent, a merge relative to git's clean merge of its parents."""
    return claim_events(root, wanted, rev)[0]


Events = tuple[dict[tuple[str, Claim], Touch], dict[tuple[str, Claim], Touch]]


# "commit:path" -> (the claims that commit introduced at the path, those it removed): a
# commit's own, so it never changes (check/claim_history.py remembers them); one string
# a key, as the file holds it
Changed = tuple[tuple[Claim, ...], tuple[Claim, ...]]
Memo = dict[str, Changed]
NOTHING: Changed = ((), ())  # what most commits do to claims: one object for all of them


def claim_events(
    root: Path,
    wanted: Iterable[str] | None,
    rev: str = "HEAD",
    since: str | None = None,
    memo: Memo | None = None,
) -> Events:
    """(the newest commit introducing each (path, claim), the newest commit removing it),
    each judged as `introductions` says, for the notes at `wanted` (None: every note of
    the claim folders), among the commits not reachable from `since`. What each commit
    did is taken from `memo` where it holds it, and added to it."""
    return ordered_events(root, wanted, touches(root, rev, since=since), memo)[0]


def ordered_events(
    root: Path, wanted: Iterable[str] | None, listed: list[Touch], memo: Memo | None = None
) -> tuple[Events, list[str]]:
    """`claim_events` among the touches `listed` (newest first), and those of them that
    introduced or removed a claim, in that order."""
    paths = set(wanted) if wanted is not None else None

    def chosen(t: Touch) -> set[str]:
        return set(t.paths) if paths is None else paths.intersection(t.paths)

    found_touches = [t for t in listed if chosen(t)]
    known: Memo = memo if memo is not None else {}
    todo = [(t, {p for p in chosen(t) if f"{t.sha}:{p}" not in known}) for t in found_touches]
    fresh, unsure = _changes(root, [(t, ps) for t, ps in todo if ps])
    known.update(fresh)
    found: dict[tuple[str, Claim], Touch] = {}
    removed: dict[tuple[str, Claim], Touch] = {}
    changed: list[str] = []
    for t in found_touches:  # newest first: the first introduction seen is the latest
        did = [(p, known[f"{t.sha}:{p}"]) for p in chosen(t)]
        if any(change != NOTHING for _, change in did):
            changed.append(t.sha)
        for p, (introduced, gone) in did:
            for claim in introduced:
                found.setdefault((p, claim), t)
            for claim in gone:
                removed.setdefault((p, claim), t)
    for key in unsure:  # judged without git's clean merge this time: not kept
        known.pop(key, None)
    return (found, removed), changed


def _changes(root: Path, todo: list[tuple[Touch, set[str]]]) -> tuple[Memo, list[str]]:
    """What each commit introduced and removed at each of its paths: an ordinary commit
    against its first parent, a merge against git's clean merge of its parents; and the
    merges' paths judged against the first parent alone, git failing to merge them."""
    names: list[str] = []
    for t, ps in todo:
        for p in ps:
            names.append(f"{t.sha}:{p}")
            if t.parent:
                names.append(f"{t.parent}:{p}")
    blobs = read_blobs(root, names)
    merges = [(t, ps) for t, ps in todo if t.merge]
    clean = _clean_merges(root, [t for t, _ in merges], {p for _, ps in merges for p in ps})
    out: Memo = {}
    unsure: list[str] = []
    for t, ps in todo:
        for p in ps:
            if t.merge:
                if (t.sha, p) not in clean and len(t.others) == 1 and t.parent:
                    unsure.append(f"{t.sha}:{p}")
                before = clean.get((t.sha, p), claims_at(blobs, f"{t.parent}:{p}"))
            else:
                before = claims_at(blobs, f"{t.parent}:{p}") if t.parent else set()
            after = claims_at(blobs, f"{t.sha}:{p}")
            change = (tuple(sorted(after - before)), tuple(sorted(before - after)))
            out[f"{t.sha}:{p}"] = change if change != NOTHING else NOTHING
    return out, unsure


THERAPIST = "with-therapist"


def movers(root: Path, paths: Iterable[str], rev: str = "HEAD") -> dict[str, str]:
    """path -> author email of the newest commit that moved each question to the therapist
    (either partner may: SPEC 10 names who did); a path not yet committed so is absent. A
    merge moved it only when none of its parents had it there already."""
    wanted = sorted(set(paths))
    found = [t for t in touches(root, rev, wanted) if set(wanted).intersection(t.paths)]
    names = [
        f"{r}:{p}"
        for t in found
        for p in set(wanted).intersection(t.paths)
        for r in (t.sha, t.parent, *t.others)
        if r
    ]
    blobs = read_blobs(root, names)

    def status(name: str) -> object:
        data = blobs.get(name)
        if not data:
            return None
        return parse_bytes(name.split(":", 1)[-1], data, positions=False).meta.get("status")

    out: dict[str, str] = {}
    for t in found:  # newest first
        for p in sorted(set(wanted).intersection(t.paths) - set(out)):
            before = [status(f"{r}:{p}") for r in (t.parent, *t.others) if r]
            if status(f"{t.sha}:{p}") == THERAPIST and THERAPIST not in before:
                out[p] = t.author
    return out


def merges_own(root: Path, merges: list[Commit], folder: str) -> dict[str, list[tuple[str, str]]]:
    """merge -> [(path under `folder`, "deleted" or "edited")] where the merge's tree differs from
    git's own clean merge of its two parents: what the merge's author chose themselves."""
    out: dict[str, list[tuple[str, str]]] = {}
    for c in merges:
        paths = [ch for ch in c.changes if ch.path.startswith(folder + "/")]
        if len(c.parents) != 2 or not paths:
            continue
        try:
            tree, conflicts = merge_tree(root, c.parents[0], c.parents[1])
        except GitError:
            continue
        clean = read_objects(root, [f"{tree}:{ch.path}" for ch in paths])
        for ch in paths:
            if ch.path in conflicts:
                continue  # git could not merge it: whatever was chosen is judged elsewhere
            had = clean.get(f"{tree}:{ch.path}")
            if ch.status == "D" and had is not None:
                out.setdefault(c.sha, []).append((ch.path, "deleted"))
            elif ch.status != "D" and (had is None or had[0] != ch.new):
                out.setdefault(c.sha, []).append((ch.path, "edited"))
    return out
