"""Safe file writes and paths that stay inside the vault."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from openbook.errors import NoteError


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


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write `data` to `path` via a temp file in the same folder, fsync and rename.

    With `exclusive`, refuse when `path` already exists (never overwrite a note).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive and (path.exists() or path.is_symlink()):
        raise NoteError(f"{path.name} already exists; openbook never overwrites a note.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
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
    fsync_dir(path.parent)


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
