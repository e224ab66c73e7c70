"""The index and the work tree around a merge: refreshing git's index, and keeping files
of the merged tree out of the work tree with git's skip-worktree bit (a file set aside
stays in HEAD and the index, so nothing is deleted, and never reaches the disk)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openbook.git import repo as gitrepo

ZERO = "0" * 40
Entry = tuple[str, str]  # (mode, oid)


def refresh_index(root: Path) -> None:
    """`git update-index -q --refresh`: a file saved again with the same bytes (new inode,
    new mtime) counts as unchanged again, so it never blocks a merge."""
    gitrepo.run(root, ["update-index", "-q", "--refresh"], check=False)


def skipped_paths(root: Path) -> list[str]:
    """Paths of the index that carry the skip-worktree bit."""
    raw = gitrepo.run(root, ["ls-files", "-v", "-z"], strip=False).stdout
    return sorted(item[2:] for item in raw.split("\0") if item.startswith("S "))


def file_entry(root: Path, path: str) -> Entry | None:
    """(mode, blob) of the regular file at `path` in the work tree, or None."""
    full = root / path
    if full.is_symlink() or not full.is_file():
        return None
    oid = gitrepo.run(root, ["hash-object", "-w", "--", path]).stdout.strip()
    return ("100755" if full.stat().st_mode & 0o100 else "100644"), oid


def tree_entries(root: Path, tree: str, paths: Iterable[str]) -> dict[str, Entry]:
    """{path: (mode, oid)} of `paths` in `tree` (those it holds)."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    args = ["ls-tree", "-z", "--full-tree", "--end-of-options", tree, "--", *wanted]
    raw = gitrepo.run(root, args, strip=False).stdout
    found: dict[str, Entry] = {}
    for item in raw.split("\0"):
        if item:
            meta, _, path = item.partition("\t")
            mode, _kind, oid = meta.split()
            if path in wanted:
                found[path] = (mode, oid)
    return found


def set_index(root: Path, entries: dict[str, Entry | None], *, skip: bool) -> None:
    """Set each path of git's index to (mode, oid), or remove it (None); `skip`: with the
    skip-worktree bit, else without."""
    if not entries:
        return
    info = "".join(
        f"{e[0] if e else '0'} {e[1] if e else ZERO}\t{path}\0" for path, e in entries.items()
    )
    gitrepo.run(root, ["update-index", "-z", "--index-info"], input_data=info)
    kept = [path for path, e in entries.items() if e is not None]
    if kept:
        flag = "--skip-worktree" if skip else "--no-skip-worktree"
        gitrepo.run(root, ["update-index", flag, "-z", "--stdin"], input_data="\0".join(kept))


def move_tree(root: Path, old: str, new: str) -> str | None:
    """`read-tree -m -u old new`: index and work tree from tree `old` to tree `new`,
    refusing to overwrite local changes; git's reason when it refused."""
    res = gitrepo.run(root, ["read-tree", "-m", "-u", old, new], check=False)
    return None if res.status == 0 else gitrepo.first_line(res.stderr)


def move_head(root: Path, old: str, new: str, message: str) -> None:
    gitrepo.run(root, ["update-ref", "-m", message, "HEAD", new, old])


def changed_entries(root: Path, old: str, new: str) -> dict[str, Entry | None]:
    """{path: (mode, oid) in `new`, or None when gone} of the files that differ between the
    trees `old` and `new` (no rename detection)."""
    args = ["diff-tree", "-r", "-z", "--no-renames", "--end-of-options", old, new]
    raw = gitrepo.run(root, args, strip=False).stdout
    found: dict[str, Entry | None] = {}
    tokens = iter(raw.split("\0"))
    for token in tokens:
        if token.startswith(":"):
            meta = token[1:].split()
            path = next(tokens, "")
            found[path] = None if meta[4].startswith("D") else (meta[1], meta[3])
    return found


def local_changes(root: Path) -> list[str]:
    """Paths with a change not committed (staged, unstaged or untracked)."""
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    raw = gitrepo.run(root, args, strip=False).stdout
    return [item[3:] for item in raw.split("\0") if len(item) > 3]
