"""The processes a git started (ssh, a remote helper): which run below it, whether any of
them still works, and stopping them all. Linux's /proc tells; where it cannot, a git is
taken as still and only its own process is stopped."""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

# a git on the network that keeps moving may run this many times its limit in all: a
# remote that trickles a byte at a time cannot hold a sync (and watch's commits) forever
WHOLE = 30


def _children(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc; none where it cannot be read)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1].isdigit():
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def while_working(
    proc: subprocess.Popen[bytes],
    input_data: bytes | None,
    limit: float,
    waiting: Callable[[float], None] | None,
) -> tuple[bytes, bytes]:
    """`proc.communicate`, raising TimeoutExpired (its timeout `limit`) once git and every
    process below it have used no processor time and read or written nothing for `limit`
    seconds, or (its timeout the whole time) after WHOLE times `limit` in all."""
    import subprocess

    step = min(1.0, limit)
    last: int | None = None
    began = still_since = time.monotonic()
    while True:
        try:
            return proc.communicate(input_data, timeout=step)
        except subprocess.TimeoutExpired:
            input_data = None  # handed over already; a second call may not send it again
            now, work = time.monotonic(), _work(proc.pid)
            if waiting is not None:
                waiting(now - began)
            if now - began >= limit * WHOLE:
                raise subprocess.TimeoutExpired(proc.args, limit * WHOLE) from None
            if work is not None and work != last:
                last, still_since = work, now
            elif now - still_since >= limit:
                raise subprocess.TimeoutExpired(proc.args, limit) from None


def _work(pid: int) -> int | None:
    """The processor time (ticks) and bytes read and written so far by `pid` and every
    process below it, as one number that changes while any of them works; None where
    /proc cannot tell (then only the time limit counts)."""
    total, seen = 0, False
    for each in (pid, *_children(pid)):
        try:
            with open(f"/proc/{each}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rpartition(")")[2].split()
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            seen = True
        except (OSError, ValueError):
            continue
        try:
            with open(f"/proc/{each}/io", "rb") as fh:
                moved = (line for line in fh if line.startswith((b"rchar", b"wchar")))
                total += sum(int(line.split()[1]) for line in moved)
        except (OSError, ValueError):
            pass
    return total if seen else None


def kill_below(pid: int) -> None:
    """Stop every process below `pid` (what a git started: ssh, a remote helper)."""
    from signal import SIGKILL

    for child in _children(pid):
        try:  # noqa: SIM105 - contextlib is not loaded for this
            os.kill(child, SIGKILL)
        except OSError:
            pass


def stop_all(proc: subprocess.Popen[bytes]) -> None:
    """Stop git and what it started, then collect it."""
    kill_below(proc.pid)
    proc.kill()
    proc.communicate()
