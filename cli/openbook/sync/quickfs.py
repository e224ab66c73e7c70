"""The vault's lock and an atomic write, with os alone: what quick.py's answer to a sync
with nothing to do needs of the disk, before anything heavy (even contextlib) is loaded."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from types import TracebackType

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
        try:  # noqa: SIM105 - contextlib is not loaded for this
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class locked:  # used as a function: `with locked(git_dir) as free`
    """The vault's lock (.git/openbook.lock), taken as openbook.vault's `Vault.lock`
    takes it; gives False (and holds it only as long as it looks) when a lock file a
    killed program left is there, which the full sync clears under the same lock."""

    def __init__(self, git_dir: str) -> None:
        self.git_dir = git_dir
        self.fd: int | None = None

    def __enter__(self) -> bool:
        from openbook.git import vaultlock

        path = os.path.join(self.git_dir, "openbook.lock")
        self.fd = vaultlock.take(path, vaultlock.default_wait())
        try:
            return not _left_over(self.git_dir)
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        from openbook.git import vaultlock

        if self.fd is not None:
            fd, self.fd = self.fd, None
            vaultlock.let_go(fd)


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
