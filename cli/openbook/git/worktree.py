"""The index and the work tree around a merge: refreshing git's index, and keeping files
of the merged tree out of the work tree with git's skip-worktree bit (a file set aside
stays in HEAD and the index, so nothing is deleted, and never reaches the disk).

Trees and commits named by their full id never change, so what one `git diff-tree` or
`git ls-tree` said of them is remembered for the rest of the process (a few dozen of
them, the most recent): a sync asks git about each tree once, however many of its
steps look at it. A name like HEAD is asked every time."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar, cast

from openbook.git import repo as gitrepo
from openbook.git.objects import read_objects
from openbook.git.state import git_dir_of

ZERO = "0" * 40
Entry = tuple[str, str]  # (mode, oid)
# path -> (status letter, entry before, entry after) of one `git diff-tree`
Rows = dict[str, tuple[str, Entry | None, Entry | None]]
_HEX = frozenset("0123456789abcdef")
_KEEP = 32  # trees and diffs remembered
_V = TypeVar("_V", dict[str, "Entry | None"], dict[str, list[str]])


def fixed(rev: str) -> bool:
    """A full object id: what it names never changes."""
    return len(rev) in (40, 64) and set(rev) <= _HEX


class _Memo:
    """The last `_KEEP` answers about fixed objects, safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._diffs: dict[tuple[str, str, str], Rows] = {}
        self._trees: dict[tuple[str, str], dict[str, Entry | None]] = {}
        self._folders: dict[tuple[str, str], dict[str, list[str]]] = {}

    def diff(self, key: tuple[str, str, str]) -> Rows | None:
        with self._lock:
            return self._diffs.get(key)

    def keep_diff(self, key: tuple[str, str, str], rows: Rows) -> None:
        with self._lock:
            self._diffs[key] = rows
            while len(self._diffs) > _KEEP:
                del self._diffs[next(iter(self._diffs))]

    def tree(self, key: tuple[str, str]) -> dict[str, Entry | None]:
        """What is known of the paths of one tree (None: not there); a dict to fill."""
        return self._recent(self._trees, key)

    def folders(self, key: tuple[str, str]) -> dict[str, list[str]]:
        """The folders of one tree whose every name is known ('' is the top)."""
        return self._recent(self._folders, key)

    def _recent(self, table: dict[tuple[str, str], _V], key: tuple[str, str]) -> _V:
        with self._lock:
            found = table.pop(key, None)
            found = cast(_V, {}) if found is None else found
            table[key] = found  # the most recent last
            while len(table) > _KEEP:
                del table[next(iter(table))]
            return found


_memo = _Memo()


def refresh_index(root: Path) -> None:
    """`git update-index -q --refresh`: a file saved again with the same bytes (new inode,
    new mtime) counts as unchanged again, so it never blocks a merge."""
    gitrepo.run(root, ["update-index", "-q", "--refresh"], check=False)


def skipped_paths(root: Path) -> list[str]:
    """Paths of the index that carry the skip-worktree bit. An index git wrote in its
    version 2 holds none (the bit needs the extended flags of version 3), so git is
    asked only when the index is of another version or split."""
    if _no_extended_flags(root):
        return []
    raw = gitrepo.run(root, ["ls-files", "-v", "-z"], strip=False).stdout
    return sorted(item[2:] for item in raw.split("\0") if item.startswith("S "))


def _no_extended_flags(root: Path) -> bool:
    """The index is one version-2 file (no entry of it can carry skip-worktree)."""
    gd = git_dir_of(root) if "GIT_INDEX_FILE" not in os.environ else None
    if gd is None:
        return False
    try:
        with open(gd / "index", "rb") as fh:
            header = fh.read(8)
        split = any(name.startswith("sharedindex.") for name in os.listdir(gd))
    except OSError:
        return False
    return header == b"DIRC\0\0\0\x02" and not split


def file_entry(root: Path, path: str) -> Entry | None:
    """(mode, blob) of the regular file at `path` in the work tree, or None."""
    full = root / path
    if full.is_symlink() or not full.is_file():
        return None
    oid = gitrepo.run(root, ["hash-object", "-w", "--", path]).stdout.strip()
    return ("100755" if full.stat().st_mode & 0o100 else "100644"), oid


def tree_entries(root: Path, tree: str, paths: Iterable[str]) -> dict[str, Entry]:
    """{path: (mode, oid)} of `paths` in `tree` (those it holds); one `git ls-tree` for
    the paths not known yet of a tree named by its id."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    known = _memo.tree((str(root), tree)) if fixed(tree) else {}
    listed = _memo.folders((str(root), tree)) if fixed(tree) else {}
    missing = [p for p in wanted if p not in known and p.rpartition("/")[0] not in listed]
    if missing:
        args = ["ls-tree", "-z", "--full-tree", "--end-of-options", tree, "--", *missing]
        raw = gitrepo.run(root, args, strip=False).stdout
        found: dict[str, Entry | None] = dict.fromkeys(missing)
        for item in raw.split("\0"):
            if item:
                meta, _, path = item.partition("\t")
                mode, _kind, oid = meta.split()
                if path in found:
                    found[path] = (mode, oid)
        known.update(found)
    # as one `git ls-tree` answers: a folder asked for together with a path inside it is
    # looked into, not listed itself
    inside = {p[:i] for p in wanted for i in range(len(p)) if p[i] == "/"}
    return {
        p: e
        for p in wanted
        if (e := known.get(p)) is not None and not (e[0] == "040000" and p in inside)
    }


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
    return {path: after for path, (_, _, after) in diff_rows(root, old, new).items()}


def folder_names(root: Path, tree: str, folder: str) -> list[str] | None:
    """The names in `folder` of `tree` when `learn_folders` read it, else None."""
    return _memo.folders((str(root), tree)).get(folder) if fixed(tree) else None


def learn_folders(root: Path, wanted: Iterable[tuple[str, str]]) -> None:
    """Read each (tree, folder) pair, of trees named by their ids, in one `git cat-file
    --batch`: then `tree_entries` of paths in those folders and `folder_names` ask git
    nothing more. A folder that is not there (or is a file) holds nothing."""
    pairs = sorted(
        (t, f) for t, f in set(wanted) if fixed(t) and f not in _memo.folders((str(root), t))
    )
    if not pairs:
        return
    batch = read_objects(root, [f"{t}:{f}" for t, f in pairs])
    for tree, folder in pairs:
        found = batch.get(f"{tree}:{folder}")
        names: list[str] = []
        known = _memo.tree((str(root), tree))
        if found is not None and found[1] == "tree":
            for mode, name, oid in _tree_entries(found[2], len(found[0]) // 2):
                names.append(name)
                known[f"{folder}/{name}" if folder else name] = (mode, oid)
        _memo.folders((str(root), tree))[folder] = names


def _tree_entries(data: bytes, size: int) -> list[tuple[str, str, str]]:
    """(mode as ls-tree prints it, name, oid) of each entry of a raw tree object."""
    out = []
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        end = data.index(b"\0", space)
        mode = data[pos:space].decode("ascii").rjust(6, "0")
        name = data[space + 1 : end].decode("utf-8", "replace")
        out.append((mode, name, data[end + 1 : end + 1 + size].hex()))
        pos = end + 1 + size
    return out


def diff_rows(root: Path, old: str, new: str) -> Rows:
    """{path: (status letter, entry in `old`, entry in `new`)} of the files that differ
    between the trees `old` and `new` (no rename detection), in git's order; one `git
    diff-tree` per pair of trees named by their ids."""
    key = (str(root), old, new)
    mine = fixed(old) and fixed(new)
    rows = _memo.diff(key) if mine else None
    if rows is not None:
        return rows
    args = ["diff-tree", "-r", "-z", "--no-renames", "--end-of-options", old, new]
    raw = gitrepo.run(root, args, strip=False).stdout
    rows = {}
    tokens = iter(raw.split("\0"))
    for token in tokens:
        if token.startswith(":"):
            meta = token[1:].split()
            letter = meta[4][:1]
            before = None if letter == "A" else (meta[0], meta[2])
            after = None if letter == "D" else (meta[1], meta[3])
            rows[next(tokens, "")] = (letter, before, after)
    if mine:
        _memo.keep_diff(key, rows)
        # what the two trees hold at these paths (what is not there stays unknown: a
        # folder may stand where a file was)
        before_known, after_known = _memo.tree((str(root), old)), _memo.tree((str(root), new))
        for path, (_, before, after) in rows.items():
            if before is not None:
                before_known[path] = before
            if after is not None:
                after_known[path] = after
    return rows


FEW_PATHS = 1000  # up to this many paths, `git status` looks at them alone


def local_changes(root: Path, paths: Iterable[str] | None = None) -> list[str]:
    """Paths with a change not committed (staged, unstaged or untracked); only among
    `paths` when given (the rest of the work tree is then not even looked at, unless
    they are many)."""
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    wanted = sorted(set(paths)) if paths is not None else None
    if wanted is not None and len(wanted) <= FEW_PATHS:
        if not wanted:
            return []
        args = ["--literal-pathspecs", *args, "--", *wanted]
    raw = gitrepo.run(root, args, strip=False).stdout
    return [item[3:] for item in raw.split("\0") if len(item) > 3]
