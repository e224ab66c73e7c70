"""Git plumbing for sync and clone: ancestry and counts, merge-tree, commit-tree, reading
many refs in one call and changing many in one transaction, listing trees.

Every call goes through `openbook.git.repo.run()`; revisions follow `--end-of-options`
or arrive on standard input, so nothing here can be read as an option.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openbook.errors import GitError
from openbook.git import repo as gitrepo

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


def merge_base(root: Path, ours: str, theirs: str) -> str | None:
    """The best common ancestor, or None when the two histories share nothing."""
    res = gitrepo.run(root, ["merge-base", "--end-of-options", ours, theirs], check=False)
    return (res.stdout.strip() or None) if res.status == 0 else None


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
    raw = gitrepo.run(
        root,
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
        input_data="".join(f"{name}^{{commit}}\n" for name in names),
    ).stdout
    found: list[str | None] = []
    for line in raw.splitlines()[: len(names)]:
        oid, _, kind = line.partition(" ")
        found.append(oid if kind == "commit" else None)
    return found + [None] * (len(names) - len(found))


def read_refs(root: Path, *prefixes: str) -> tuple[str | None, dict[str, str]]:
    """(checked-out branch, {ref: commit}) for the branches and every ref under `prefixes`,
    in one `git for-each-ref`. The branch is None when HEAD names no existing branch
    (detached, or a branch without commits yet)."""
    raw = gitrepo.out(
        root,
        "for-each-ref",
        "--format=%(HEAD) %(objecttype) %(objectname) %(refname)",
        "refs/heads/",
        *prefixes,
    )
    branch: str | None = None
    refs: dict[str, str] = {}
    for line in raw.splitlines():
        kind, oid, name = line[2:].split(" ", 2)
        if kind != "commit":
            continue
        refs[name] = oid
        if line[0] == "*" and name.startswith("refs/heads/"):
            branch = name.removeprefix("refs/heads/")
    return branch, refs


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


def delete_ref(root: Path, ref: str) -> None:
    """Remove `ref` if it is there; a missing ref is not an error."""
    gitrepo.run(root, ["update-ref", "-d", ref], check=False)


# --------------------------------------------------------------------------- merging


def merge_tree(root: Path, ours: str, theirs: str) -> tuple[str, Stages]:
    """Merge without touching the work tree: (tree, {path: {stage: (mode, oid)}})."""
    res = gitrepo.run(
        root,
        ["-c", "merge.renames=false", "merge-tree", "--write-tree", "-z", ours, theirs],
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
    """`tree` with each (mode, oid, path) entry set, built in the scratch index file
    `index` (removed afterwards). Returns the new tree."""
    env = {"GIT_INDEX_FILE": str(index)}
    info = "".join(f"{mode} {oid} 0\t{path}\0" for mode, oid, path in entries)
    try:
        gitrepo.run(root, ["read-tree", tree], env=env)
        gitrepo.run(root, ["update-index", "-z", "--index-info"], env=env, input_data=info)
        return gitrepo.run(root, ["write-tree"], env=env).stdout.strip()
    finally:
        index.unlink(missing_ok=True)


def commit_tree(
    root: Path, tree: str, parents: Sequence[str], message: str, env: dict[str, str]
) -> str:
    """A commit of `tree` with `parents` and `message`, authored per `env`; no ref moves."""
    args = ["commit-tree", tree]
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


def tree_entries(root: Path, rev: str) -> list[tuple[str, str]]:
    """(mode, path) of every file in the tree of `rev`."""
    raw = gitrepo.run(
        root, ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev], strip=False
    ).stdout
    entries = []
    for item in raw.split("\0"):
        if item:
            meta, _, path = item.partition("\t")
            entries.append((meta.split()[0], path))
    return entries


def added_entries(root: Path, tip: str, exclude: str | None) -> list[tuple[str, str]]:
    """(mode, path) of every file added or changed by the commits in `tip` and not in
    `exclude`, each side of a merge included; deletions are left out."""
    args = [
        "log",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "-m",
        "--format=%x1e%H",
        "--end-of-options",
        tip,
    ]
    if exclude:
        args.append(f"^{exclude}")
    raw = gitrepo.run(root, args, strip=False).stdout
    entries: list[tuple[str, str]] = []
    tokens = iter(raw.split("\0"))
    for token in tokens:
        token = token.strip("\n")
        if not token.startswith(":"):
            continue
        meta = token[1:].split()
        path = next(tokens, "")
        if len(meta) < 5 or meta[4].startswith("D"):
            continue
        entries.append((meta[1], path))
    return entries
