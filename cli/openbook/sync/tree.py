"""What may enter the work tree from the partner: the rules for one tree, checked on the
tree of the incoming head and of the merge result (never on every commit's tree, so a
problem the partner already removed does not block sync for ever).

- only regular files (no symbolic links, no submodules), only where a vault keeps files;
- paths at most 255 bytes, printable (no control or invisible format characters), in
  composed Unicode (NFC), and unique ignoring case and Unicode form;
- blobs at most 1 MiB;
- no `.gitattributes` but the one at the top, exactly as `init` writes it (attributes
  can choose merge drivers and rewrite notes on checkout).

Objects that broke these rules but only passed through history (added, then removed
again) are named in the sync's report and never reach the work tree.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from openbook.config import CONFIG_NAME
from openbook.errors import shown
from openbook.git import plumbing
from openbook.notetypes.registry import GITATTRIBUTES
from openbook.notetypes.registry import shared_path as allowed_path

REGULAR_MODES = ("100644", "100755")
MAX_PATH_BYTES = 255
MAX_BLOB_BYTES = 1024 * 1024
# printable: no control (Cc), format (Cf: bidi overrides, zero-width), surrogate, private
# or unassigned characters, and no line or paragraph separators
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
INIT_ATTRIBUTES_OID = hashlib.sha1(
    b"blob %d\0" % len(GITATTRIBUTES.encode()) + GITATTRIBUTES.encode()
).hexdigest()


def _mib(size: int) -> str:
    return f"{size / MAX_BLOB_BYTES:.1f} MiB"


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


def entry_problem(mode: str, oid: str, size: int, path: str) -> str | None:
    """What openbook refuses about one file of a tree, or None."""
    named = name_problem(path)
    if named:
        return named
    p = shown(path)
    if mode == "120000":
        return f"a symbolic link at {p}"
    if mode == "160000":
        return f"a submodule at {p}"
    if mode not in REGULAR_MODES:
        return f"an unusual file (mode {mode}) at {p}"
    if path.rsplit("/", 1)[-1] == ".gitattributes":
        if path != ".gitattributes":
            return f"an attributes file at {p} (only the top .gitattributes 'openbook init' writes)"
        if oid != INIT_ATTRIBUTES_OID:
            return "a changed .gitattributes (only the one 'openbook init' writes is allowed)"
        return None
    if not allowed_path(path):
        return f"{p}, outside the vault's folders"
    if size > MAX_BLOB_BYTES:
        return f"a file larger than 1 MiB at {p} ({_mib(size)})"
    return None


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


def new_problems(root: Path, rev: str, known: Iterable[str]) -> list[str]:
    """The problems of the tree of `rev` that are not among `known` (those of the tree
    already in the work tree: only what would newly enter it counts)."""
    old = set(known)
    return [p for p in tree_problems(root, rev) if p not in old]


def passed_through(root: Path, head: str | None, incoming: str) -> list[str]:
    """Refused objects that commits in `incoming` (and not in `head`) added but that are
    no longer in its tree: named in the report, never written to the work tree."""
    tip = {(e.path, e.oid) for e in plumbing.tree_listing(root, incoming)}
    gone = [
        (commit, mode, oid, path)
        for commit, mode, oid, path in plumbing.history_blobs(root, incoming, head)
        if (path, oid) not in tip
    ]
    sizes = plumbing.object_sizes(root, [oid for _, mode, oid, _ in gone if mode != "160000"])
    found: list[str] = []
    for commit, mode, oid, path in gone:
        problem = entry_problem(mode, oid, sizes.get(oid, 0), path)
        if problem:
            item = f"{problem} in {commit[:7]}"
            if item not in found:
                found.append(item)
    return found
