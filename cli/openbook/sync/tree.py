"""What may enter the work tree from the partner: the rules for one tree, checked only
on what would enter the work tree (never on every commit's tree, so a problem the
partner already removed does not block sync for ever); `clone` checks a whole tree.

- only regular files (no symbolic links, no submodules), only where a vault keeps files;
- paths at most 255 bytes, printable (no control or invisible format characters), in
  composed Unicode (NFC), and unique ignoring case and Unicode form;
- notes and settings at most 1 MiB, other files (images, a README) at most 50 MiB;
- no `.gitattributes` but the one at the top, exactly as `init` writes it (attributes
  can choose merge drivers and rewrite notes on checkout).

Sync checks only what would newly enter the work tree (`entering`: the paths the
incoming change adds or modifies, and the ones set aside before), and sets aside what
breaks a rule (SPEC 5: rules `path-unsafe`, `blob-too-large`, `gitattributes-changed`).
Objects that broke these rules but only passed through history (added, then removed
again) are named in the sync's report and never reach the work tree.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openbook.config import CONFIG_NAME
from openbook.errors import shown
from openbook.git import plumbing, worktree
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import GITATTRIBUTES, LANGUAGE_FILE
from openbook.notetypes.registry import shared_path as allowed_path

REGULAR_MODES = ("100644", "100755")
MAX_PATH_BYTES = 255
MAX_BLOB_BYTES = 1024 * 1024  # notes and settings
MAX_FILE_BYTES = 50 * MAX_BLOB_BYTES  # other files: images, a README
_SETTINGS = (CONFIG_NAME, LANGUAGE_FILE, ".gitignore", ".gitattributes")
# printable: no control (Cc), format (Cf: bidi overrides, zero-width), surrogate, private
# or unassigned characters, and no line or paragraph separators
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
INIT_ATTRIBUTES_OID = hashlib.sha1(
    b"blob %d\0" % len(GITATTRIBUTES.encode()) + GITATTRIBUTES.encode()
).hexdigest()


def _mib(size: int) -> str:
    return f"{size / MAX_BLOB_BYTES:.1f} MiB"


def size_limit(path: str) -> int:
    """Notes and settings: 1 MiB; any other file (an image, a README): 50 MiB."""
    if path in _SETTINGS or path.startswith(".openbook/"):
        return MAX_BLOB_BYTES
    if "/" in path and path.endswith(".md"):
        return MAX_BLOB_BYTES
    return MAX_FILE_BYTES


@dataclass(frozen=True)
class Found:
    """A file of the tree that would enter the work tree and breaks a rule."""

    path: str
    rule: str  # path-unsafe, blob-too-large, gitattributes-changed
    text: str  # what is wrong, in words


def name_problem(path: str) -> str | None:
    """What is wrong with a path on its own, whatever it holds."""
    p = shown(path)
    if len(path.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        return f"a path longer than {MAX_PATH_BYTES} bytes ({p})"
    if any(unicodedata.category(ch) in _UNPRINTABLE for ch in path):
        return f"a file name with control or invisible characters ({p})"
    if not unicodedata.is_normalized("NFC", path):
        return f"a file name in decomposed Unicode, not NFC ({p})"
    return None


def entry_rule(mode: str, oid: str, size: int, path: str) -> tuple[str, str] | None:
    """(rule, what is wrong) about one file of a tree, or None."""
    named = name_problem(path)
    if named:
        return "path-unsafe", named
    p = shown(path)
    if mode == "120000":
        return "path-unsafe", f"a symbolic link at {p}"
    if mode == "160000":
        return "path-unsafe", f"a submodule at {p}"
    if mode not in REGULAR_MODES:
        return "path-unsafe", f"an unusual file (mode {mode}) at {p}"
    if path.rsplit("/", 1)[-1] == ".gitattributes":
        if path != ".gitattributes":
            return "gitattributes-changed", (
                f"an attributes file at {p} (only the top .gitattributes 'openbook init' writes)"
            )
        if oid != INIT_ATTRIBUTES_OID:
            return "gitattributes-changed", (
                "a changed .gitattributes (only the one 'openbook init' writes is allowed)"
            )
        return None
    if not allowed_path(path):
        return "path-unsafe", f"{p}, outside the vault's folders"
    limit = size_limit(path)
    if size > limit:
        return (
            "blob-too-large",
            f"a file larger than {limit // MAX_BLOB_BYTES} MiB at {p} ({_mib(size)})",
        )
    return None


def entry_problem(mode: str, oid: str, size: int, path: str) -> str | None:
    """What openbook refuses about one file of a tree, or None."""
    found = entry_rule(mode, oid, size, path)
    return found[1] if found else None


def _key(name: str) -> str:
    """Names equal ignoring case and Unicode form share a key (plain ASCII: fast path)."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFC", name).casefold()


def _siblings(root: Path, tree: str, folders: set[str]) -> dict[str, list[str]]:
    """{folder: names of its entries} in `tree` ('' is the top): one `git cat-file` for a
    tree named by its id (none when read before), else at most two `git ls-tree`."""
    worktree.learn_folders(root, [(tree, folder) for folder in folders])
    known = {folder: worktree.folder_names(root, tree, folder) for folder in folders}
    if all(names is not None for names in known.values()):
        return {folder: list(names or []) for folder, names in known.items()}
    found: dict[str, list[str]] = {folder: [] for folder in folders}
    base = ["ls-tree", "-z", "--name-only", "--full-tree", "--end-of-options", tree]
    if "" in folders:
        found[""] = [n for n in gitrepo.run(root, base, strip=False).stdout.split("\0") if n]
    inner = sorted(f + "/" for f in folders if f)
    if inner:
        raw = gitrepo.run(root, [*base, "--", *inner], strip=False).stdout
        for name in raw.split("\0"):
            folder, _, leaf = name.rpartition("/")
            if name and folder in found:
                found[folder].append(leaf)
    return found


def _entering_twins(root: Path, tree: str, paths: list[str]) -> dict[str, str]:
    """{path: what is wrong} for each entering path one of whose names differs only in
    case or Unicode form from a name already there (or entering before it, sorted)."""
    folders = {"/".join(p.split("/")[:d]) for p in paths for d in range(p.count("/") + 1)}
    listing = _siblings(root, tree, folders)
    entering = {
        ("/".join(p.split("/")[:d]), p.split("/")[d])
        for p in paths
        for d in range(p.count("/") + 1)
    }
    seen = {
        (folder, _key(name)): name
        for folder, names in listing.items()
        for name in names
        if (folder, name) not in entering
    }
    found: dict[str, str] = {}
    for path in sorted(paths):
        parts = path.split("/")
        for depth, name in enumerate(parts):
            folder = "/".join(parts[:depth])
            first = seen.setdefault((folder, _key(name)), name)
            if first != name:
                here = f"{folder}/" if folder else ""
                found[path] = (
                    "two names that differ only in case or Unicode form "
                    f"({shown(here + first)} and {shown(here + name)})"
                )
                break
    return found


def entering(root: Path, old: str, new: str, also: Iterable[str] = ()) -> list[Found]:
    """What would newly enter the work tree moving from tree `old` to tree `new` and breaks
    a rule: only the paths `new` adds or modifies, and `also` (paths kept out before)."""
    changed = {p: e for p, e in worktree.changed_entries(root, old, new).items() if e}
    kept = worktree.tree_entries(root, new, [p for p in also if p not in changed])
    changed.update(kept)
    if not changed:
        return []
    sizes = plumbing.object_sizes(root, [oid for mode, oid in changed.values() if mode != "160000"])
    found: dict[str, Found] = {}
    for path, (mode, oid) in sorted(changed.items()):
        rule = entry_rule(mode, oid, sizes.get(oid, 0), path)
        if rule:
            found[path] = Found(path, *rule)
    new_paths = [p for p in changed if p not in found]
    before = worktree.tree_entries(root, old, new_paths)
    added = {p for p in new_paths if p not in before or p in kept}
    for path, text in _entering_twins(root, new, sorted(added)).items():
        found[path] = Found(path, "path-unsafe", text)
    return [found[p] for p in sorted(found)]


def _at_tip(root: Path, head: str | None, tip: str, paths: set[str]) -> dict[str, str]:
    """{path: object} of the files at `paths` in the tree of `tip`: from what the diff
    from the shared history says of them, asking git only of the rest (all of it when
    they are many)."""
    base = plumbing.merge_base(root, head, tip) if head else None
    rows = worktree.diff_rows(root, base, tip) if base else {}
    found = {p: row[2][1] for p in paths if (row := rows.get(p)) and row[2]}
    rest = [p for p in paths if p not in rows]
    if len(rest) > worktree.FEW_PATHS:
        return {e.path: e.oid for e in plumbing.tree_listing(root, tip) if e.mode != "040000"}
    for path, (mode, oid) in worktree.tree_entries(root, tip, rest).items():
        if mode != "040000":
            found[path] = oid
    return found


def _twins(paths: Iterable[str]) -> list[str]:
    """Files and folders whose names differ only in case or Unicode form."""
    seen: dict[str, str] = {}
    found: list[str] = []
    for path in sorted(paths):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            key = unicodedata.normalize("NFC", name).casefold()
            first = seen.setdefault(key, name)
            if first != name:
                problem = (
                    f"two names that differ only in case or Unicode form "
                    f"({shown(first)} and {shown(name)})"
                )
                if problem not in found:
                    found.append(problem)
    return found


def tree_problems(root: Path, rev: str, *, vault: bool = True) -> list[str]:
    """Everything the tree of `rev` holds that openbook refuses, one sentence each;
    `vault`: it must also keep openbook.yml (a clone says on its own when it does not)."""
    entries = plumbing.tree_listing(root, rev)
    found = [p for e in entries if (p := entry_problem(e.mode, e.oid, e.size, e.path))]
    if vault and not any(e.path == CONFIG_NAME for e in entries):
        found.append(f"a tree without {CONFIG_NAME} (the vault's settings would be gone)")
    return found + _twins(e.path for e in entries)


def passed_through(
    root: Path,
    head: str | None,
    incoming: str,
    blobs: list[tuple[str, str, str, str]] | None = None,
) -> list[str]:
    """Refused objects that commits in `incoming` (and not in `head`) added but that are
    no longer in its tree: named in the report, never written to the work tree.
    `blobs`: what those commits added, when the caller read it (plumbing.arrived)."""
    if blobs is None:
        blobs = plumbing.history_blobs(root, incoming, head)
    tip = _at_tip(root, head, incoming, {path for _, _, _, path in blobs})
    gone = [(commit, mode, oid, path) for commit, mode, oid, path in blobs if tip.get(path) != oid]
    sizes = plumbing.object_sizes(root, [oid for _, mode, oid, _ in gone if mode != "160000"])
    found: list[str] = []
    for commit, mode, oid, path in gone:
        problem = entry_problem(mode, oid, sizes.get(oid, 0), path)
        if problem:
            item = f"{problem} in {commit[:7]}"
            if item not in found:
                found.append(item)
    return found
