"""openbook stages and commits through a private index, so a crash never leaves git's
`.git/index.lock` behind: git's own lock is held only for the rename that installs the
result (microseconds), following git's lock protocol."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from openbook.errors import Busy
from openbook.fsutil import file_stamp, fsync_dir
from openbook.git.state import git_dir_of

PRIVATE_PREFIX = "index-"


def _take_git_lock(private: Path, lock: Path, wait: float = 2.0) -> None:
    """Take git's index.lock by hard-linking the finished private index to it: the lock
    appears with its whole content at once, and renaming it over the index both installs
    it and releases the lock, as git itself does."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.link(private, lock)
            return
        except FileExistsError:
            if time.monotonic() >= deadline:
                raise Busy(
                    f"{lock} is held by another git program; your change is committed, but "
                    "git's index could not be refreshed. Close other git programs, then run "
                    "'openbook doctor'."
                ) from None
            time.sleep(0.02)


@dataclass
class PrivateIndex:
    env: dict[str, str] = field(default_factory=dict)  # GIT_INDEX_FILE for git commands
    installed: bool = True  # False: the real index changed meanwhile and was left alone


@contextlib.contextmanager
def private_index(root: Path) -> Iterator[PrivateIndex]:
    """Stage and commit on a private copy of the index; afterwards install that copy as
    git's index, or, when someone changed the real index meanwhile, leave theirs alone
    (`installed` is then False and the caller refreshes its own paths)."""
    gd = git_dir_of(root)
    if gd is None:
        yield PrivateIndex()
        return
    folder = gd / "openbook"
    folder.mkdir(parents=True, exist_ok=True)
    real = gd / "index"
    fd, name = tempfile.mkstemp(prefix=PRIVATE_PREFIX, dir=folder)
    os.close(fd)
    private = Path(name)
    try:
        before = file_stamp(real)
        if before is not None:
            # with its times: git trusts an entry's stat data only when the file is older
            # than the index, so a fresh mtime would hide an edit made in the same second
            shutil.copy2(real, private)
        else:
            private.unlink()
        state = PrivateIndex({"GIT_INDEX_FILE": str(private)})
        yield state
        state.installed = install(real, private, before)
    finally:
        private.unlink(missing_ok=True)


def install(real: Path, private: Path, before: tuple[int, int, int] | None) -> bool:
    """Replace git's index with `private` under git's own lock; False when the real index
    changed since it was copied (then it is left as it is)."""
    if not private.exists():
        return True
    with open(private, "rb+") as fh:  # the new index is on disk before it is installed
        os.fsync(fh.fileno())
    lock = real.with_name("index.lock")
    _take_git_lock(private, lock)
    try:
        if file_stamp(real) != before:
            lock.unlink()
            return False
        os.replace(lock, real)
    except BaseException:
        lock.unlink(missing_ok=True)
        raise
    fsync_dir(real.parent)
    return True


def clear_private_leftovers(git_dir: Path) -> None:
    """Private indexes (and their locks) left by a killed openbook; call under the vault lock."""
    folder = git_dir / "openbook"
    lock = git_dir / "index.lock"
    if folder.is_dir():
        for leftover in folder.glob(f"{PRIVATE_PREFIX}*"):
            if leftover.is_file() and not leftover.is_symlink():
                with contextlib.suppress(OSError):
                    if lock.exists() and os.path.samefile(lock, leftover):
                        lock.unlink()  # openbook's own hold on git's lock, never git's
                leftover.unlink(missing_ok=True)
