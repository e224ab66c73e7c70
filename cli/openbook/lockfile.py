"""The vault's lock file (.git/openbook.lock) taken and let go: one place for the full
command line (`Vault.lock`) and for the sync with nothing to do (sync/quickfs.py), kept
light so that the second loads nothing more."""

from __future__ import annotations

import fcntl
import os
import time

from openbook.errors import Busy


def default_wait() -> float:
    """How long to wait for the lock: $OPENBOOK_LOCK_WAIT seconds, 5 by default."""
    return float(os.environ.get("OPENBOOK_LOCK_WAIT", "5"))


def take(path: str, wait: float) -> int:
    """Hold `path` locked (its file descriptor, with this process id written in it),
    waiting at most `wait` seconds for another openbook to let go; Busy after that."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(
                        "Another openbook is working on this vault right now "
                        f"(lock {path}); wait a moment and try again."
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except BaseException:
        os.close(fd)
        raise
    return fd


def let_go(fd: int) -> None:
    """Release and close what `take` returned."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
