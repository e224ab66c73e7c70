"""Git plumbing for sync and clone: ancestry and counts, merge-tree, commit-tree, reading
many refs in one call and changing many in one transaction, listing trees.

Every call goes through the one runner (`openbook.git.runner`), objects are read by the
one object reader (`openbook.git.objects`); revisions follow
`--end-of-options` or arrive on standard input, so nothing here can be read as an option.

Repository attributes (`.gitattributes`) never choose how openbook merges: `merge_tree`
runs outside the work tree, so no in-tree attributes file is read (git 2.39 has no
`--attr-source`), and `core.attributesFile` is off for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openbook.errors import GitError
from openbook.git import repo as gitrepo
from openbook.git import runner, worktree
from openbook.git.objects import object_info
from openbook.git.objects import read_blobs as read_blobs
from openbook.git.state import git_dir_of as _git_dir

# {path: {stage: (mode, oid)}} of the paths a merge left conflicted
Stages = dict[str, dict[int, tuple[str, str]]]

# --------------------------------------------------------------------------- history


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    res = gitrepo.run(
        root, ["merge-base", "--is-ancestor", "--end-of-options", older, newer], check=False
    )
    if res.status not in (0, 1):
        raise GitError(f"git merge-base failed: {gitrepo.first_line(res.stderr)}")
    return res.status == 0


_BASES: dict[tuple[str, str, str], str | None] = {}  # of commits named by their ids


def merge_base(root: Path, ours: str, theirs: str) -> str | None:
    """The best common ancestor, or None when the two histories share nothing (asked of
    git once for two commits named by their ids: their history never changes)."""
    key = (str(root), ours, theirs)
    if key in _BASES:
        return _BASES[key]
    res = gitrepo.run(root, ["merge-base", "--end-of-options", ours, theirs], check=False)
    found = (res.stdout.strip() or None) if res.status == 0 else None
    if res.status in (0, 1) and worktree.fixed(ours) and worktree.fixed(theirs):
        if len(_BASES) >= 32:
            _BASES.clear()
        _BASES[key] = found
    return found


def count(root: Path, *revs: str) -> int:
    """How many commits `git rev-list REVS` lists (`A ^B`: in A and not in B)."""
    return int(gitrepo.out(root, "rev-list", "--count", "--end-of-options", *revs) or "0")


def ahead_behind(root: Path, ours: str, theirs: str) -> tuple[int, int]:
    """(commits only in ours, commits only in theirs), in one call."""
    raw = gitrepo.out(
        root, "rev-list", "--left-right", "--count", "--end-of-options", f"{ours}...{theirs}"
    ).split()
    return int(raw[0]), int(raw[1])


# --------------------------------------------------------------------------- refs


def resolve(root: Path, *names: str) -> list[str | None]:
    """The commit each name (a ref, HEAD) points to, None where there is none; one call,
    the names on standard input."""
    found = object_info(root, [f"{name}^{{commit}}" for name in names])
    return [i.oid if i is not None and i.kind == "commit" else None for i in found]


def resolve_tree(root: Path, commit: str) -> str | None:
    """The tree of `commit` (name on standard input: never read as an option)."""
    found = object_info(root, [f"{commit}^{{tree}}"])[0]
    return found.oid if found is not None and found.kind == "tree" else None


def read_refs(root: Path, *prefixes: str) -> tuple[str | None, dict[str, str]]:
    """(checked-out branch, {ref: commit}) for the branches and every ref under `prefixes`,
    in one `git for-each-ref`. The branch is None when HEAD names no existing branch
    (detached, or a branch without commits yet)."""
    from openbook.git.reflist import REFS_FORMAT, parse_refs

    return parse_refs(gitrepo.out(root, "for-each-ref", REFS_FORMAT, "refs/heads/", *prefixes))


def update_refs(
    root: Path,
    *,
    update: Mapping[str, str] | None = None,
    create: Mapping[str, str] | None = None,
    delete: Iterable[str] = (),
    message: str | None = None,
) -> None:
    """Set (`update`), add (`create`, which must not exist yet) and remove refs in one
    `git update-ref --stdin` transaction: all or nothing. No git at all when nothing to do."""
    lines = [f"update {ref} {new}" for ref, new in (update or {}).items()]
    lines += [f"create {ref} {new}" for ref, new in (create or {}).items()]
    lines += [f"delete {ref}" for ref in delete]
    if not lines:
        return
    args = ["update-ref", "--stdin"] + (["-m", message] if message else [])
    gitrepo.run(root, args, input_data="\n".join(["start", *lines, "commit"]) + "\n")


def move_ref(root: Path, ref: str, new: str, old: str, message: str) -> None:
    """Point `ref` at `new` only if it still points at `old` (compare and swap): GitError
    when something moved it meanwhile, and then nothing changed."""
    gitrepo.run(root, ["update-ref", "-m", message, "--end-of-options", ref, new, old])


def delete_ref(root: Path, ref: str) -> None:
    """Remove `ref` if it is there; a missing ref is not an error."""
    gitrepo.run(root, ["update-ref", "-d", ref], check=False)


# refs that hold what has been shared: the remote-tracking branches, and openbook's own
# record of remote heads (seen, fetched for a sync, fetched for `sync --check`)
SHARED_REFS = (
    "--remotes",
    "--glob=refs/openbook/seen/*",
    "--glob=refs/openbook/incoming/*",
    "--glob=refs/openbook/check/*",
)


def unshared(root: Path, head: str) -> list[gitrepo.LogRecord]:
    """The commits of `head` that no remote ref reaches (never shared), oldest first, each
    with its changed files (one `git log`)."""
    records = gitrepo.log_records(
        root, ["--topo-order", "--not", *SHARED_REFS, "--not", "--end-of-options", head]
    )
    return records[::-1]


# --------------------------------------------------------------------------- merging


def merge_tree(root: Path, ours: str, theirs: str) -> tuple[str, Stages]:
    """Merge without touching the work tree: (tree, {path: {stage: (mode, oid)}}).

    Run from inside the git folder, with no index and no attributes file, so that no
    `.gitattributes` of the work tree, the index or either side picks a merge driver
    (`merge=union` would join both texts silently); only the repository's own
    `.git/info/attributes`, which the local user writes, still applies."""
    git_dir = _git_dir(root)
    if git_dir is None:
        raise GitError(f"{root} is not in a git repository.")
    args = ["-c", "core.attributesFile=/dev/null", "-c", "merge.renames=false", "merge-tree"]
    env = {"GIT_DIR": str(git_dir), "GIT_INDEX_FILE": str(git_dir / "openbook-no-index")}
    res = gitrepo.run(
        git_dir,
        [*args, "--write-tree", "-z", "--end-of-options", ours, theirs],
        env=env,
        check=False,
        strip=False,
    )
    if res.status not in (0, 1):
        raise GitError(f"git merge-tree failed: {gitrepo.first_line(res.stderr)}")
    parts = res.stdout.split("\0")
    tree = parts[0].strip()
    conflicts: Stages = {}
    if res.status == 1:
        for item in parts[1:]:
            if not item:
                break
            meta, _, path = item.partition("\t")
            mode, oid, stage = meta.split()
            conflicts.setdefault(path, {})[int(stage)] = (mode, oid)
    return tree, conflicts


def tree_with(root: Path, tree: str, entries: Sequence[tuple[str, str, str]], index: Path) -> str:
    """`tree` with each (mode, oid, path) entry set (mode "0" removes the path), built in
    the scratch index file `index` (removed afterwards). Returns the new tree."""
    env = {"GIT_INDEX_FILE": str(index)}
    info = "".join(f"{mode} {oid} 0\t{path}\0" for mode, oid, path in entries)
    try:
        gitrepo.run(root, ["read-tree", tree], env=env)
        gitrepo.run(root, ["update-index", "-z", "--index-info"], env=env, input_data=info)
        return gitrepo.run(root, ["write-tree"], env=env).stdout.strip()
    finally:
        index.unlink(missing_ok=True)


def commit_tree(
    root: Path,
    tree: str,
    parents: Sequence[str],
    message: str,
    env: dict[str, str],
    sign: Sequence[str] = (),
) -> str:
    """A commit of `tree` with `parents` and `message`, authored per `env`; no ref moves.
    `sign` goes right after `commit-tree` (it ignores commit.gpgsign: trust.signing)."""
    args = ["commit-tree", *sign, tree]
    for parent in parents:
        args += ["-p", parent]
    return gitrepo.run(root, [*args, "-F", "-"], env=env, input_data=message).stdout.strip()


def checkout_commit(root: Path, old: str, new: str, message: str) -> str | None:
    """Move index, work tree and HEAD's branch from `old` to `new` (`read-tree -m -u`,
    which refuses to overwrite local changes). Returns git's reason when it refused."""
    res = gitrepo.run(root, ["read-tree", "-m", "-u", old, new], check=False)
    if res.status != 0:
        return gitrepo.first_line(res.stderr)
    gitrepo.run(root, ["update-ref", "-m", message, "HEAD", new, old])
    return None


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    oid: str
    size: int  # bytes of a blob; -1 for a submodule
    path: str


def tree_listing(root: Path, rev: str) -> list[TreeEntry]:
    """Every file of the tree of `rev` with its mode, object and size, in one call."""
    raw = gitrepo.run(
        root, ["ls-tree", "-r", "-l", "-z", "--full-tree", "--end-of-options", rev], strip=False
    ).stdout
    entries = []
    for item in raw.split("\0"):
        if item:
            meta, _, path = item.partition("\t")
            mode, _kind, oid, size = meta.split()
            entries.append(TreeEntry(mode, oid, int(size) if size.isdigit() else -1, path))
    return entries


def history_blobs(root: Path, tip: str, exclude: str | None) -> list[tuple[str, str, str, str]]:
    """(commit, mode, oid, path) of every file added or changed by the commits in `tip`
    and not in `exclude`, each side of a merge included; deletions left out."""
    args = ["log", "--raw", "-z", "--no-renames", "--no-abbrev", "-m", "--format=%x1e%H"]
    args += ["--end-of-options", tip] + ([f"^{exclude}"] if exclude else [])
    raw = gitrepo.run(root, args, strip=False).stdout
    found: list[tuple[str, str, str, str]] = []
    commit = ""
    tokens = iter(raw.split("\0"))
    for token in tokens:
        if "\x1e" in token:  # one or more commit headers (commits without changes)
            header, _, token = token.rpartition("\x1e")[2].partition("\n")
            commit = header.strip()
        token = token.strip("\n")
        if not token.startswith(":"):
            continue
        meta = token[1:].split()
        path = next(tokens, "")
        if len(meta) < 5 or meta[4].startswith("D"):
            continue
        found.append((commit, meta[1], meta[3], path))
    return found


@dataclass
class Arrived:
    """The commits in a tip and not in another, read in one `git log`: each commit with
    the files its first parent's diff names (as `gitrepo.log_records` gives them), and
    every file any commit added or changed against any parent (as `history_blobs`)."""

    records: list[gitrepo.LogRecord]
    blobs: list[tuple[str, str, str, str]]  # (commit, mode, oid, path)


_ARRIVED = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%(trailers:only,unfold)%x1f"


def arrived(root: Path, tip: str, exclude: str | None) -> Arrived:
    """The commits in `tip` and not in `exclude`, newest first (see Arrived)."""
    args = ["log", "-z", "--raw", "--no-renames", "--no-abbrev", "-m", f"--format={_ARRIVED}"]
    args += ["--end-of-options", tip] + ([f"^{exclude}"] if exclude else [])
    raw = gitrepo.run(root, args, strip=False).stdout
    records: dict[str, gitrepo.LogRecord] = {}
    blobs: list[tuple[str, str, str, str]] = []
    for chunk in raw.split("\x1e")[1:]:
        header, _, rest = chunk.partition("\0")
        parts = header.split("\x1f")
        if len(parts) < 8:
            continue
        sha, parents, an, ae, date, subject, trailers = parts[:7]
        first = sha not in records  # a merge comes once per parent, its first parent first
        if first:
            found = {k: v.strip() for k, v in gitrepo.TRAILER.findall(trailers)}
            records[sha] = gitrepo.LogRecord(sha, parents.split(), an, ae, date, subject, found, [])
        tokens = iter(rest.split("\0"))
        for token in tokens:
            token = token.strip("\n")
            if not token.startswith(":"):
                continue
            meta, path = token[1:].split(), next(tokens, "")
            if len(meta) < 5 or not path:
                continue
            if first:
                records[sha].files.append((meta[4][0], path))
            if not meta[4].startswith("D"):
                blobs.append((sha, meta[1], meta[3], path))
    return Arrived(list(records.values()), blobs)


def object_sizes(root: Path, oids: Iterable[str]) -> dict[str, int]:
    """The size in bytes of each object, in one call."""
    wanted = list(dict.fromkeys(oids))
    return {i.oid: i.size for i in object_info(root, wanted) if i is not None}


def write_blob(root: Path, data: bytes) -> str:
    """Store `data` as a blob, unchanged (no attributes apply to standard input)."""
    done = runner.execute(root, ["hash-object", "-w", "--stdin"], input_data=data)
    return done.stdout.decode("ascii").strip()


def added_paths(root: Path, base: str, rev: str) -> dict[str, tuple[str, str]]:
    """{path: (mode, oid)} of the files `rev` has and `base` had not (renames split)."""
    return {
        path: after
        for path, (letter, _, after) in worktree.diff_rows(root, base, rev).items()
        if letter == "A" and after is not None
    }


def changed_paths(root: Path, base: str, rev: str, *paths: str) -> list[str]:
    """Paths whose content differs between `base` and `rev` (limited to `paths` if given)."""
    args = ["diff-tree", "-r", "-z", "--no-renames", "--name-only", "--end-of-options", base, rev]
    raw = gitrepo.run(root, [*args, "--", *paths] if paths else args, strip=False).stdout
    return [p for p in raw.split("\0") if p]


def name_status(root: Path, base: str, rev: str) -> list[tuple[str, str]]:
    """(A/M/D/T, path) of every file that differs between `base` and `rev`."""
    return [(letter, path) for path, (letter, _, _) in worktree.diff_rows(root, base, rev).items()]
