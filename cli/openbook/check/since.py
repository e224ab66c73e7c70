"""What came into HEAD's history since a commit some remembered facts were read up to.

The history readers (consent claims, consent to the words, pauses, commits admitted
without proof) remember their facts under the state folder with the commit they read up
to. When HEAD moved on from it, only `HEAD ^remembered` is read: for facts that are a
union over history (the admitted commits) whatever its shape; for facts replayed in
history's order only when history's order is what came before followed by what came
since: a line of single-parent commits on top of it (a commit, a fast-forward), or a
merge after which git's own walk of the whole history still lists what was replayed in
the order it was replayed and what came since after it (`after_merge`). Anything else
(a walk the commit dates reorder, a rewound or unrelated HEAD) is read again from
scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openbook.fsutil import atomic_write
from openbook.git.repo import git_bytes, rev, run
from openbook.vault import Vault

ADMITTED_FILE = "admitted.json"
Row = tuple[str, tuple[str, ...]]  # (commit, its parents)

# (root, remembered, head) -> the commits of `head ^remembered`, None when `remembered`
# is not an ancestor of `head` (commit ids name their whole history: safe to keep)
_SINCE: dict[tuple[str, str, str], list[Row] | None] = {}
_ADMITTED: dict[tuple[str, str], frozenset[str]] = {}


def read_head(git_dir: Path) -> str:
    """HEAD's commit id read from the files (no git process); '' when it cannot be read."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        loose = git_dir / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
        for line in (git_dir / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        pass
    return ""


def head_of(vault: Vault) -> str:
    """HEAD's commit id of the vault's own history; '' when there is none."""
    if not vault.is_own_repo or vault.git_dir is None:
        return ""
    # a linked worktree keeps its branches in the common folder: git says then
    return read_head(vault.git_dir) or rev(vault.root, "HEAD") or ""


def commits_since(root: Path, old: str, head: str) -> list[Row] | None:
    """The commits of `head ^old` with their parents, newest first (one `git log`); None
    when `old` is not an ancestor of `head` (a rewound or unrelated HEAD)."""
    if old == head:
        return []
    key = (str(root), old, head)
    if key not in _SINCE:
        args = ["log", "--boundary", "--format=%m%H %P", "--end-of-options", head, f"^{old}"]
        raw = git_bytes(root, args, check=False).decode("ascii", "replace")
        rows: list[Row] = []
        boundary: set[str] = set()
        for line in raw.splitlines():
            shas = line[1:].split()
            if not shas:
                continue
            if line.startswith("-"):
                boundary.add(shas[0])
            else:
                rows.append((shas[0], tuple(shas[1:])))
        # `old` is an ancestor exactly when it is the parent of a commit listed
        _SINCE[key] = rows if old in boundary else None
    return _SINCE[key]


def linear_since(root: Path, old: str, head: str) -> bool:
    """True when `old` is an ancestor of `head` with only single-parent commits between:
    what came since can be replayed on its own, after what was remembered."""
    rows = commits_since(root, old, head)
    if rows is None:
        return False
    expect = head
    for sha, parents in rows:
        if sha != expect or len(parents) != 1:
            return False
        expect = parents[0]
    return expect == old


def walk_args(walk: list[str], head: str) -> list[str]:
    """git's walk of `head`'s whole history that `after_merge` asks for (the same args
    for a read started ahead, `git.ahead.read_ahead`)."""
    return ["rev-list", *walk, "--end-of-options", head]


def after_merge(
    root: Path, head: str, walk: list[str], remembered: list[str], new: Iterable[str]
) -> list[str] | None:
    """The commits `new` (some of `head`'s history not in what was remembered) in the order
    of the whole walk `git rev-list WALK head`, when that walk lists the `remembered`
    commits in the order they were replayed and every one of `new` after all of them:
    then replaying `new` on what was remembered is replaying the whole walk. None when it
    does not (git orders a walk by the graph and the commit dates, which a merge can
    change), and everything is replayed again."""
    new = list(new)
    listed = git_bytes(root, walk_args(walk, head), check=False)
    at = {sha: i for i, sha in enumerate(listed.decode("ascii", "replace").split())}
    before = [at.get(sha, -1) for sha in remembered]
    if not at or -1 in before or any(a >= b for a, b in itertools.pairwise(before)):
        return None
    last = before[-1] if before else -1
    after = [at.get(sha, -1) for sha in new]
    if any(i <= last for i in after):
        return None
    return [sha for _, sha in sorted(zip(after, new, strict=True))]


def touched_since(
    root: Path, old: Any, head: str, merges: bool = False
) -> tuple[set[str], str] | None:
    """(the paths the commits of `head ^old` change, their messages) when `old` is an
    ancestor of `head` with only single-parent commits between (with `merges`, any
    ancestor: a merge's paths are then those of the commits it brings in, not its own);
    None otherwise."""
    if not isinstance(old, str) or not head:
        return None
    if not (
        commits_since(root, old, head) is not None if merges else linear_since(root, old, head)
    ):
        return None
    if old == head:
        return set(), ""  # nothing came since: no `git log` to ask
    args = ["log", "-z", "--no-renames", "--name-only", "--format=%x1e%B%x1f"]
    done = run(root, [*args, "--end-of-options", head, f"^{old}"], check=False, strip=False)
    if done.status != 0:
        return None  # not read: nothing can be said of what came since
    paths: set[str] = set()
    said = []
    for record in done.stdout.split("\x1e")[1:]:
        message, _, names = record.partition("\x1f")
        said.append(message)
        paths.update(p.strip("\n") for p in names.split("\0") if p.strip("\n"))
    return paths, "\n".join(said)


def load(vault: Vault, name: str) -> dict[str, Any]:
    """A remembered JSON object under the state folder; {} when there is none readable."""
    state = vault.state_dir()
    if state is None:
        return {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((state / name).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def save(vault: Vault, name: str, data: dict[str, Any]) -> None:
    """Remember `data` under the state folder (atomically; a failure is only a slower
    next run)."""
    state = vault.state_dir()
    if state is None:
        return
    with contextlib.suppress(OSError):
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(state / name, json.dumps(data).encode("utf-8"))


def digest(items: Iterable[str]) -> str:
    """A short digest of a set of strings (what a remembered replay depended on)."""
    return hashlib.sha1("\n".join(sorted(items)).encode("utf-8")).hexdigest()


def admitted(vault: Vault, head: str | None = None) -> frozenset[str]:
    """The commits of HEAD's history admitted without proof (`sync --accept-unverified`:
    the keys of `trust.acknowledge.acknowledged`), remembered by HEAD: when HEAD moved
    on, only the acknowledgments since are read."""
    from openbook.trust.acknowledge import acknowledged

    head = head if head is not None else head_of(vault)
    if not head:
        return frozenset()
    key = (str(vault.root), head)
    if key in _ADMITTED:
        return _ADMITTED[key]
    saved = load(vault, ADMITTED_FILE)
    old, known = saved.get("head"), saved.get("admitted")
    found: frozenset[str] | None = None
    if isinstance(old, str) and isinstance(known, list) and all(isinstance(s, str) for s in known):
        if old == head:
            found = frozenset(known)
        elif commits_since(vault.root, old, head) is not None:
            found = frozenset(known) | set(acknowledged(vault.root, [head, f"^{old}"]))
    if found is None:
        found = frozenset(acknowledged(vault.root, [head]))
    if saved.get("head") != head:
        save(vault, ADMITTED_FILE, {"head": head, "admitted": sorted(found)})
    _ADMITTED[key] = found
    return found
