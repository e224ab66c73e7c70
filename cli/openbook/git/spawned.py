"""git started with `os.posix_spawnp` and read with `poll`: the start runner.py's `spawn`
gives the answers that come before `subprocess` would even be loaded (a sync with nothing
to do, sync/quick.py). `subprocess` loads `re`, `locale`, `threading`, `signal` and
`enum` on its way, about as long again as Python's own start.

What `subprocess.Popen` does for git here is done the same way: standard input from
/dev/null, both outputs read at once to their end, git's working folder (`git -C`, as
posix_spawn has no folder of its own to give), the signals Python ignores (a broken pipe,
a file too large) back to their defaults for git, no other file of this process open in
git (Python opens every file non-inheritable; a caller's inheritable ones are closed for
it), and git and what it started stopped when
it is late or when the caller is interrupted.
"""

from __future__ import annotations

import os
import select
import time

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Sequence

if TYPE_CHECKING:
    from signal import SIGKILL, SIGPIPE, SIGXFSZ
else:
    try:  # the C module under `signal`, which would load `enum` for its names
        from _signal import SIGKILL, SIGPIPE, SIGXFSZ
    except ImportError:  # pragma: no cover - every CPython on a POSIX system has it
        from signal import SIGKILL, SIGPIPE, SIGXFSZ

CAN_SPAWN = hasattr(os, "posix_spawnp") and hasattr(select, "poll")


def _inherited() -> list[int]:
    """This process's files above the standard three that a program it starts would
    inherit (a caller's own, made inheritable): closed for git, as Popen closes them."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:  # no /proc: Python's own files are never inheritable
        return []
    found = []
    for name in names:
        fd = int(name)
        try:
            if fd > 2 and os.get_inheritable(fd):
                found.append(fd)
        except OSError:  # the listing's own, closed by now
            continue
    return found


class Late(Exception):
    """git did not finish within its time limit (it has been stopped)."""


class Spawned:
    """One git, started now; `communicate` collects it, `stop` stops it."""

    __slots__ = ("_err", "_out", "pid", "status")

    def __init__(self, root: str, args: Sequence[str], env: dict[str, str]) -> None:
        null = os.open(os.devnull, os.O_RDONLY)
        out, out_w = os.pipe()
        err, err_w = os.pipe()
        try:
            self.pid = os.posix_spawnp(
                "git",
                ["git", "-C", root, *args],
                env,
                file_actions=[
                    *((os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited()),
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, out_w, 1),
                    (os.POSIX_SPAWN_DUP2, err_w, 2),
                ],
                setsigdef=(SIGPIPE, SIGXFSZ),
            )
        except BaseException:
            os.close(out)
            os.close(err)
            raise
        finally:
            for fd in (null, out_w, err_w):
                os.close(fd)
        self._out, self._err = out, err
        self.status: int | None = None

    def communicate(self, limit: float) -> tuple[int, bytes, bytes]:
        """(exit status, standard output, standard error) once git has ended; Late, with
        git stopped, when it has not within `limit` seconds."""
        deadline = time.monotonic() + limit
        out, err = self._out, self._err
        said: dict[int, list[bytes]] = {out: [], err: []}
        poller = select.poll()
        for fd in said:
            poller.register(fd, select.POLLIN)
        reading = len(said)
        try:
            while reading:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Late
                for fd, _ in poller.poll(max(1, int(left * 1000))):
                    piece = os.read(fd, 1 << 16)
                    if piece:
                        said[fd].append(piece)
                    else:
                        poller.unregister(fd)
                        reading -= 1
            status = self._reap(deadline)
        except BaseException:
            self.stop()
            raise
        finally:
            self._close()
        return status, b"".join(said[out]), b"".join(said[err])

    def _reap(self, deadline: float) -> int:
        """git's exit status; it has closed both outputs, so it is ending now."""
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            if time.monotonic() >= deadline:
                raise Late
            time.sleep(0.0005)

    def stop(self) -> None:
        """Stop git and what it started, if it still runs, and collect it."""
        if self.status is None:
            from openbook.git.processes import kill_below

            kill_below(self.pid)
            try:  # noqa: SIM105 - contextlib is not loaded for this
                os.kill(self.pid, SIGKILL)
            except ProcessLookupError:
                pass
            _, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
        self._close()

    def _close(self) -> None:
        for name in ("_out", "_err"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)
