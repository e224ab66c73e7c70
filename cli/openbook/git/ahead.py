"""Gits started ahead of the call that will want their output (`read_ahead`): git reads
history in the background while Python does other work. Each one's output goes to an
unnamed file under .git/openbook/, not into memory, and is read back when it is asked for
(whole, `taken_ahead`, or piece by piece, `stream_bytes`); what nobody asked for by the end
of a command is stopped and dropped (`forget_ahead`). They run at a lower priority than
the command itself: the git it waits for now, and its own Python, go first on a machine
with fewer cores than gits (a cold `check` starts nine at once)."""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from openbook.git import runner
from openbook.git.state import git_dir_of

if TYPE_CHECKING:
    from typing import BinaryIO

AHEAD_NICENESS = 10  # above the command's; measured: 5 gains less, 19 no better


def stream_bytes(root: Path, args: Sequence[str], *, check: bool = True) -> runner.Streamed:
    """`git_bytes` piece by piece as git writes them (`runner.Streamed`): a long output is
    never held whole. What a git started ahead with these args said comes from its file."""
    ahead = _AHEAD.pop((str(root), tuple(args)), None)
    if ahead is not None:
        ahead.join()
    done = ahead.done if ahead is not None else None
    spool = ahead.spool if ahead is not None and done is not None else None
    return runner.Streamed(root, args, check=check, done=done, spool=spool)


class _Ahead(threading.Thread):
    """One git command run in the background through the runner. Its output goes to an
    unnamed file beside openbook's other state (`spool`), not into memory: whole-history
    outputs read ahead would otherwise all be held at once while the notes are read."""

    def __init__(self, root: Path, args: Sequence[str]) -> None:
        super().__init__(daemon=True)
        self.root, self.args = root, list(args)
        self.done: runner.Completed | None = None
        self.spool: BinaryIO | None = None
        self._mu = threading.Lock()
        self._git: runner.Started | None = None
        self._stopped = False

    def run(self) -> None:
        with contextlib.suppress(Exception):  # run again when asked for: its error then
            with self._mu:
                if self._stopped:
                    return
                self.spool = _spool_file(self.root)
                self._git = runner.start(self.root, self.args, spool=self.spool)
                with contextlib.suppress(OSError, AttributeError):  # where there is no such call
                    own = os.getpriority(os.PRIO_PROCESS, 0)
                    os.setpriority(os.PRIO_PROCESS, self._git.proc.pid, own + AHEAD_NICENESS)
            done = self._git.wait(check=False)
            # only a whole answer is handed over: a git that failed (a full disk under its
            # file included) is run again when asked for, and says itself what is wrong
            self.done = done if done.status == 0 else None
            if self.done is None and self.spool is not None:
                self.spool.close()
                self.spool = None

    def cancel(self) -> None:
        """Stop git if it still runs, and close its file."""
        with self._mu:
            self._stopped = True
            started = self._git
        if started is not None and started.proc.returncode is None:
            with contextlib.suppress(OSError):
                started.proc.kill()  # its own `wait` collects it
        self.join()
        if self.spool is not None:
            self.spool.close()


def _spool_file(root: Path) -> BinaryIO | None:
    """An unnamed file under .git/openbook/ (gone when closed); None where there is no such
    folder (the output is then held in memory)."""
    gd = git_dir_of(root)
    folder = gd / "openbook" if gd is not None else None
    if folder is None or not folder.is_dir():
        return None
    return tempfile.TemporaryFile(dir=folder)


# (root, args) -> git started ahead of the call that will want its output
_AHEAD: dict[tuple[str, tuple[str, ...]], _Ahead] = {}


def read_ahead(root: Path, args: Sequence[str]) -> None:
    """Start `git ARGS` in `root` in the background now, for the `run` or `git_bytes` with
    exactly these args later in this process: git reads history while Python does other
    work. Only for commands that change nothing and whose answer the args fix (commits
    named by their ids, never HEAD)."""
    key = (str(root), tuple(args))
    if key not in _AHEAD:
        _AHEAD[key] = _Ahead(root, args)
        _AHEAD[key].start()


def forget_ahead() -> None:
    """Stop the gits started ahead whose output nobody asked for (a command that ended
    early), and drop what they said: no git runs on, no file stays open, after a command."""
    while _AHEAD:
        _AHEAD.popitem()[1].cancel()


atexit.register(forget_ahead)  # no git started ahead runs on after openbook


def taken_ahead(root: Path, args: Sequence[str], check: bool) -> runner.Completed | None:
    """What the git started ahead with these args said, None when none was started (or it
    could not run: the caller runs it again)."""
    ahead = _AHEAD.pop((str(root), tuple(args)), None)
    if ahead is None:
        return None
    ahead.join()
    done = ahead.done
    if done is not None and ahead.spool is not None:
        with ahead.spool as spool:
            spool.seek(0)
            done = runner.Completed(done.status, spool.read(), done.stderr)
    if done is not None and check and done.status != 0:
        raise runner.failure(args, done.stderr, done.stdout)
    return done
