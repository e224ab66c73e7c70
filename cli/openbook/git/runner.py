"""The one way openbook starts git: `execute()`.

Every git process goes through here, with an environment in which git never prompts or
opens an editor, a time limit (DEFAULT_TIMEOUT, or the caller's for network work), and
one error, `GitError`, that names the git command and git's own first line. It runs git
with `subprocess` rather than GitPython's `Git.execute`: see docs/choices.md ("One git
runner"), and with `os.posix_spawnp` for the answers that come before `subprocess` is
loaded (`spawn`, git/spawned.py). Callers put `--` before paths and `--end-of-options`
before revisions.
"""

from __future__ import annotations

import os
import time

from openbook.errors import GitError, OpenbookError
from openbook.git.processes import WHOLE as WHOLE
from openbook.git.processes import stop_all, while_working

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path
    from typing import BinaryIO

    from openbook.git.spawned import Spawned

# seconds any local git command may take ($OPENBOOK_GIT_TIMEOUT, `git_limit`); network
# commands pass their own limit ($OPENBOOK_NETWORK_TIMEOUT, sync/transport.py)
DEFAULT_TIMEOUT = 300.0
NETWORK_TIMEOUT = 60.0


def seconds_from(name: str, default: float) -> float:
    """The environment variable `name` as a number of seconds above zero; `default` when
    it is unset or empty. Anything else is an OpenbookError that names it."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):  # nan is refused here too
        raise OpenbookError(
            f"{name} is '{raw}', not a number of seconds above zero; set it to one, like "
            f"{default:g}, or unset it."
        )
    return value


def git_limit() -> float:
    """Seconds a local git command may take: $OPENBOOK_GIT_TIMEOUT, else 300."""
    return seconds_from("OPENBOOK_GIT_TIMEOUT", DEFAULT_TIMEOUT)


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment in which git never prompts and never opens an editor."""
    env = dict(os.environ)
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false" if os.path.exists("/bin/false") else "false",
            "SSH_ASKPASS": "/bin/false" if os.path.exists("/bin/false") else "false",
            "GIT_EDITOR": "true",
            "GIT_MERGE_AUTOEDIT": "no",
            # `git status` must not take .git/index.lock to refresh stat data: a crash
            # during it would leave the lock behind
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
            "LANGUAGE": "C",
        }
    )
    if "GIT_SSH_COMMAND" not in os.environ:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=15"
    if "GIT_CONFIG_COUNT" not in os.environ:
        # git keeps up to 96 MiB of inflated objects by default, and a walk over a long
        # history fills it; with 16 MiB it reads as fast, in half the memory
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="core.deltaBaseCacheLimit",
            GIT_CONFIG_VALUE_0="16m",
        )
    if extra:
        env.update(extra)
    return env


class Completed:
    """What a finished git said: exit status and both streams, as bytes. (A plain class:
    `openbook sync` with nothing to do runs git before dataclasses would be loaded.)"""

    __slots__ = ("status", "stderr", "stdout")

    def __init__(self, status: int, stdout: bytes, stderr: bytes) -> None:
        self.status = status
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"Completed(status={self.status!r}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def first_line(text: str) -> str:
    """git's first line that says something (hints and `fatal:` prefixes left out)."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return "no details"


def subcommand(args: Sequence[str]) -> str:
    """The git command in `args` (`merge-tree` in `-c x=y merge-tree ...`)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-c", "-C"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return args[0] if args else ""


def failure(args: Sequence[str], stderr: bytes | str, stdout: bytes | str = b"") -> GitError:
    """The GitError for a git command that exited with an error."""
    err = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    out = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout
    line = first_line(err or out)
    name = subcommand(args)
    return GitError(f"git {name} failed: {line}", command=("git", *args), detail=line)


def late(args: Sequence[str], seconds: float, *, still: bool = False) -> GitError:
    """The GitError for a git that was stopped for taking too long (`still`: for making no
    progress for that long)."""
    did = "made no progress for" if still else "did not finish within"
    return GitError(
        f"git {subcommand(args)} {did} {seconds:g} seconds",
        command=("git", *args),
        detail="timed out",
    )


def execute(
    root: Path | str,
    args: Sequence[str],
    *,
    input_data: bytes | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
    idle: bool = False,
    waiting: Callable[[float], None] | None = None,
) -> Completed:
    """Run `git ARGS` in `root` with `input_data` on standard input.

    Raises GitError when git exits with an error (unless `check` is False) and when it
    does not finish within `timeout` seconds (`git_limit()` when None); then git and
    the programs it started (ssh, a remote helper) are stopped. With `idle`, the limit is
    on time without progress instead: git runs on while it or what it started works or
    moves data (a long transfer over a slow link), and is stopped once all of them have
    been still for `timeout` seconds (a network that stopped answering), or after WHOLE
    times `timeout` in all; `waiting` is told the seconds git has run, about once a
    second while it runs."""
    started = start(root, args, env=env, timeout=timeout, stdin=input_data is not None)
    started.idle, started.waiting = idle, waiting
    return started.wait(input_data, check=check)


def answer(root: Path | str, args: Sequence[str]) -> str:
    """A quick read-only question to git: its output, stripped; empty when git says no."""
    return execute(root, args, check=False).stdout.decode("utf-8", "replace").strip()


def start(
    root: Path | str,
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    stdin: bool = False,
    spool: BinaryIO | None = None,
) -> Started:
    """Start `git ARGS` in `root` now and collect it later (`Started.wait`, as `execute`
    would have ended), so that git works while Python does other things. `spool`: a file
    git's standard output goes to (what `wait` returns then has none)."""
    import subprocess

    try:
        proc = subprocess.Popen(
            ["git", *args],
            cwd=root,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if spool is None else spool,
            stderr=subprocess.PIPE,
            env=git_env(env),
        )
    except FileNotFoundError:
        raise OpenbookError("git is not installed; install git and try again.") from None
    return Started(proc, args, git_limit() if timeout is None else timeout)


class Started:
    """A git that `start` started: `wait` for what it said, or `stop` it."""

    __slots__ = ("args", "idle", "limit", "proc", "waiting")

    def __init__(self, proc: subprocess.Popen[bytes], args: Sequence[str], limit: float) -> None:
        self.proc, self.args, self.limit = proc, args, limit
        self.idle = False
        self.waiting: Callable[[float], None] | None = None

    def wait(self, input_data: bytes | None = None, *, check: bool = True) -> Completed:
        """What git said (GitError as `execute` raises it: git failed, or was late)."""
        import subprocess

        proc, args = self.proc, self.args
        try:
            if self.idle:
                out, err = while_working(proc, input_data, self.limit, self.waiting)
            else:
                out, err = proc.communicate(input_data, timeout=self.limit)
        except subprocess.TimeoutExpired as exc:
            stop_all(proc)
            raise late(args, exc.timeout, still=self.idle and exc.timeout == self.limit) from None
        except BaseException:
            stop_all(proc)
            raise
        out = out or b""  # none read here when it went to a file
        if check and proc.returncode != 0:
            raise failure(args, err, out)
        return Completed(proc.returncode, out, err)

    def stop(self) -> None:
        """Stop git (and what it started) if it still runs, and collect it."""
        if self.proc.returncode is None:
            stop_all(self.proc)


def spawn(
    root: Path | str,
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Started | Quick:
    """`start`, for an answer that must not wait for `subprocess` to load: git started
    with `os.posix_spawnp` where the system has it (git/spawned.py), else as `start`
    starts it. The same environment, time limit and errors; standard input is empty."""
    from openbook.git.spawned import CAN_SPAWN, Spawned

    if not CAN_SPAWN:
        return start(root, args, env=env, timeout=timeout)
    try:
        spawned = Spawned(str(root), args, git_env(env))
    except FileNotFoundError:
        raise OpenbookError("git is not installed; install git and try again.") from None
    return Quick(spawned, args, git_limit() if timeout is None else timeout)


class Quick:
    """A git that `spawn` started: `wait` and `stop` as `Started`'s."""

    __slots__ = ("args", "limit", "spawned")

    def __init__(self, spawned: Spawned, args: Sequence[str], limit: float) -> None:
        self.spawned, self.args, self.limit = spawned, args, limit

    def wait(self, *, check: bool = True) -> Completed:
        from openbook.git.spawned import Late

        try:
            status, out, err = self.spawned.communicate(self.limit)
        except Late:
            raise late(self.args, self.limit) from None
        if check and status != 0:
            raise failure(self.args, err, out)
        return Completed(status, out, err)

    def stop(self) -> None:
        self.spawned.stop()


class Streamed:
    """`git ARGS` run in `root` with its standard output read piece by piece as git writes
    it (iterate once), so that a long output is never held whole: the same environment,
    time limit (`git_limit()`, for the whole run) and GitError as `execute`, a failure
    raised once the output is read (unless `check` is False). `status` is git's exit status
    once read. `done`: what a git run before said, given as one piece, or piece by piece
    from `spool` when its standard output went there (the file is closed once read)."""

    def __init__(
        self,
        root: Path,
        args: Sequence[str],
        *,
        check: bool = True,
        done: Completed | None = None,
        spool: BinaryIO | None = None,
    ) -> None:
        self.root, self.args, self.check, self.done = root, list(args), check, done
        self.spool = spool
        self.status: int | None = None

    def __iter__(self) -> Iterator[bytes]:
        done, self.done = self.done, None
        if done is None:
            yield from self._read()
            return
        self.status, out = done.status, done.stdout
        if self.check and done.status != 0:
            raise failure(self.args, done.stderr, out or self._spooled())
        del done
        if self.spool is None:
            yield out
            return
        with self.spool as spool:
            spool.seek(0)
            while piece := spool.read(1 << 16):
                yield piece

    def _spooled(self) -> bytes:
        if self.spool is None:
            return b""
        with self.spool as spool:
            spool.seek(0)
            return spool.read()

    def _read(self) -> Iterator[bytes]:
        import selectors
        import subprocess

        limit = git_limit()
        deadline = time.monotonic() + limit
        try:
            proc = subprocess.Popen(
                ["git", *self.args],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_env(),
            )
        except FileNotFoundError:
            raise OpenbookError("git is not installed; install git and try again.") from None
        err = bytearray()
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
                sel.register(proc.stderr, selectors.EVENT_READ)  # type: ignore[arg-type]
                while sel.get_map():
                    left = deadline - time.monotonic()
                    ready = sel.select(left) if left > 0 else []
                    if not ready:
                        raise subprocess.TimeoutExpired(self.args, limit)
                    for key, _ in ready:
                        piece = os.read(key.fd, 1 << 16)
                        if not piece:
                            sel.unregister(key.fileobj)
                        elif key.fileobj is proc.stdout:
                            yield piece
                        else:
                            err += piece
            self.status = proc.wait(max(deadline - time.monotonic(), 0.001))
        except subprocess.TimeoutExpired:
            stop_all(proc)
            raise late(self.args, limit) from None
        except BaseException:
            stop_all(proc)
            raise
        finally:
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        if self.check and self.status != 0:
            raise failure(self.args, bytes(err))
