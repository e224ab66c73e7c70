"""Safe file writes and paths that stay inside the vault."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Generic, TypeVar

from openbook.errors import NoteError

T = TypeVar("T")


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def file_stamp(path: Path | None) -> tuple[int, int, int] | None:
    """A file's size, mtime and inode (each `atomic_write` makes a new inode); None when
    there is no such file."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino) if st is not None else None


Stamp = tuple[int, int, int]


class FileMemo(Generic[T]):
    """What this process last read from, or wrote to, each of some files: given back only
    while the file on disk has the same stamp (`file_stamp`: every `atomic_write` makes a
    new inode) and the same `key`. A long-running process (watch) then does not read back
    what it has just written or read."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Stamp, Any, T]] = {}

    def get(self, path: Path | None, key: Any) -> T | None:
        seen = self._seen.get(str(path))
        if seen is None or seen[:2] != (file_stamp(path), key):
            return None  # never kept, or the file changed (or is gone) since
        return seen[2]

    def keep(self, path: Path, key: Any, value: T, stamp: Stamp | None) -> None:
        """Remember `value` as the file's at `stamp` (taken before it was read; None: the
        file is gone or unknown, and nothing is kept). Kept only while the file still has
        that stamp, so a file replaced while it was read is read again next time."""
        self._seen.pop(str(path), None)
        if stamp is not None and file_stamp(path) == stamp:
            self._seen[str(path)] = (stamp, key, value)


def atomic_write(
    path: Path, data: bytes | Iterable[bytes], *, exclusive: bool = False, durable: bool = True
) -> None:
    """Write `data` (bytes, or pieces written one after another) to `path` via a temp file
    in the same folder, fsync and rename.

    With `exclusive`, refuse when `path` already exists (never overwrite a note). With
    `durable=False` (a cache that is checked when read and made again when damaged),
    nothing is forced to the disk: the rename alone keeps readers from a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive and (path.exists() or path.is_symlink()):
        raise NoteError(f"{path.name} already exists; openbook never overwrites a note.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in (data,) if isinstance(data, bytes | bytearray | memoryview) else data:
                fh.write(piece)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if exclusive:
            # link() fails if the target appeared meanwhile: no race can overwrite it.
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise NoteError(
                    f"{path.name} already exists; openbook never overwrites a note."
                ) from None
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


# Editor and system files ("droppings"): never a note, never committed, never listed by
# `status`, `commit` or `watch`, whatever a vault's .gitignore says. The one list of them.
DROPPING_FOLDERS = frozenset({".obsidian", ".vscode", ".idea"})  # editors' own settings
DROPPING_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})  # vim's probe, system files
# vim's swap files (.NAME.swp, then .swo, .swx), backups (NAME~), temp files
DROPPING_SUFFIXES = (".swp", ".swo", ".swx", "~", ".tmp", ".crswap")
# the same, as .gitignore patterns (watch writes them to .git/info/exclude, local only)
DROPPING_PATTERNS = (
    "*.swp",
    "*.swo",
    "*.swx",
    "*~",
    "4913",
    ".#*",
    "\\#*#",
    "*.tmp",
    "*.crswap",
    ".DS_Store",
    "Thumbs.db",
    *(f"/{folder}/" for folder in sorted(DROPPING_FOLDERS)),
)


def is_dropping(rel: str) -> bool:
    """An editor's swap, backup, probe, lock or settings file, or a system file (`rel` is
    relative to the vault, with forward slashes)."""
    parts = rel.rstrip("/").split("/")
    name = parts[-1]
    return (
        name in DROPPING_NAMES
        or name.endswith(DROPPING_SUFFIXES)
        or name.startswith(".#")  # emacs's lock file
        or (len(name) > 1 and name.startswith("#") and name.endswith("#"))  # emacs's auto-save
        or not DROPPING_FOLDERS.isdisjoint(parts[:-1])
        or name in DROPPING_FOLDERS
    )


UTF8_BOM = b"\xef\xbb\xbf"


def drop_bom(root: Path, rels: Iterable[str]) -> list[str]:
    """Take the UTF-8 byte order mark some editors put first off these Markdown files, so
    that the repository holds plain UTF-8 that every frontmatter reader takes (a BOM
    says nothing in UTF-8). Only the three bytes go; line endings stay. Returns what
    changed."""
    changed = []
    for rel in rels:
        path = root / rel
        if not rel.endswith(".md") or path.is_symlink():
            continue
        try:
            with path.open("rb") as fh:
                if fh.read(3) != UTF8_BOM:
                    continue
                rest = fh.read()
            mode = path.stat().st_mode & 0o7777
        except OSError:
            continue
        atomic_write(path, rest)
        with contextlib.suppress(OSError):
            os.chmod(path, mode)
        changed.append(rel)
    return changed


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = 48) -> str:
    """A file-name-safe slug: lowercase ascii letters, digits and dashes only."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_DROP.sub("-", norm.lower()).strip("-")
    slug = slug[:max_len].rstrip("-")
    return slug or "note"


def inside(root: Path, candidate: Path) -> bool:
    """True when `candidate` (resolved) lies inside `root` (resolved)."""
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def safe_relpath(root: Path, rel: str) -> Path:
    """Join a vault-relative path, refusing anything that escapes the vault."""
    if rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
        raise NoteError(f"{rel} is outside the vault; use a path inside it.")
    full = root / rel
    if not inside(root, full):
        raise NoteError(f"{rel} is outside the vault; use a path inside it.")
    return full
