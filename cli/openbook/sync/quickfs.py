"""The vault's lock and an atomic write, with os alone: what quick.py's answer to a sync
with nothing to do needs of the disk, before anything heavy is loaded."""

from __future__ import annotations

import contextlib
import os

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Iterator

PRIVATE_PREFIX = "index-"  # openbook's private indexes (openbook.git.index)


def atomic_write(path: str, data: bytes) -> None:
    """Write `data` to `path` through a new file beside it, fsync and rename, as
    openbook.fsutil.atomic_write does (without loading tempfile)."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def locked(git_dir: str) -> Iterator[bool]:
    """The vault's lock (.git/openbook.lock), taken as openbook.vault's `Vault.lock`
    takes it; yields False (and holds it only as long as it looks) when a lock file a
    killed program left is there, which the full sync clears under the same lock."""
    from openbook import lockfile

    fd = lockfile.take(os.path.join(git_dir, "openbook.lock"), lockfile.default_wait())
    try:
        yield not _left_over(git_dir)
    finally:
        lockfile.let_go(fd)


def _left_over(git_dir: str) -> bool:
    """A lock file under refs/, HEAD.lock, packed-refs.lock or a private index is there
    (what `Vault.lock` clears when no git is working)."""
    if any(os.path.lexists(os.path.join(git_dir, n)) for n in ("HEAD.lock", "packed-refs.lock")):
        return True
    for _, _, files in os.walk(os.path.join(git_dir, "refs")):
        if any(name.endswith(".lock") for name in files):
            return True
    try:
        names = os.listdir(os.path.join(git_dir, "openbook"))
    except OSError:
        return False
    return any(name.startswith(PRIVATE_PREFIX) for name in names)
