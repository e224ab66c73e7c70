"""`check`, `agenda` and `status` asked again with nothing changed: the last answer, said
again without reading a note or starting git.

A run of one of these commands through the command line remembers what it printed and
its exit code, under the fingerprint of everything its answer can
depend on: every file and folder of the vault (path, kind, size, times, inode), the
repository's HEAD, index, refs, config and openbook's state, the git config files in the
home folder, openbook's own code, the whole environment, the working folder, whether
the output goes to a terminal, the command line, and the minute it ran in (its "now",
with $OPENBOOK_NOW when that is set). The next run with the same fingerprint prints the
same bytes and exits with the same code. Anything else runs the command line, which
remembers its answer again.

An answer is remembered only when it is certain to be the one recomputing would give:
- the vault's files and the repository (everything but openbook's own state) read the
  same before and after the run, so nothing changed while it ran;
- no file of the vault changed in the second before the run (a file changed twice
  within the file system's clock tick keeps its size and times: git calls this racy);
- it printed on standard output only, and nothing went around that stream (a pager, a
  binary write): a warning, an error or a progress line is never said again;
- the run ended with exit code 0 or 1 (`check` found errors), not an error or a stop.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import time
from collections.abc import Sequence

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import Any

FILE = "answers.marshal"
FORMAT = 2
KEEP = 16  # answers remembered per vault: the newest win
RACY_NS = 1_000_000_000  # a vault file changed this close to the run is not trusted
# each command's options with a value, and its flags; any other word: not remembered
_TAKES = {
    "check": ("--vault", "--as", "--format"),
    "agenda": ("--vault", "--as", "--format", "--date"),
    "status": ("--vault", "--as"),
}
_FLAGS = {"check": ("--json", "--strict"), "agenda": ("--json", "--short"), "status": ("--json",)}
_GIT_SKIP = frozenset({"objects", "logs", "hooks", "description"})
# the fingerprint `replayed` took of a command line it had no answer for, with the time
# it began: the `recording` of the same run takes it as its own, so the vault is walked
# twice per run (before and after), not three times
_BEFORE: dict[tuple[str, ...], tuple[int, tuple[bytes, bytes, int]]] = {}
_ENV_SKIP = frozenset({"_", "OLDPWD", "SHLVL"})


def plain(argv: Sequence[str]) -> tuple[str, str | None] | None:
    """(command, --vault) when `argv` is a plain `check`, `agenda` or `status` whose
    answer may be remembered; None for any other command line."""
    from openbook.commands.argv import parse

    parsed = parse(argv, _TAKES, _FLAGS)
    return None if parsed is None else (parsed[0], parsed[1].get("--vault"))


def replayed(argv: Sequence[str]) -> int | None:
    """The exit code once the remembered answer to `argv` is said again; None when there
    is none for things as they are now."""
    found = _place(argv)
    if found is None:
        return None
    root, git_dir = found
    started = time.time_ns()
    print_ = _fingerprint(root, git_dir, argv)
    if print_ is None:
        return None
    entry = _answers(git_dir).get(print_[0])
    if entry is None:
        _BEFORE[tuple(argv)] = (started, print_)
        return None
    text, code, _ = entry
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: exit 1, as click does
        return 1
    return code


def recording(argv: Sequence[str]) -> AbstractContextManager[None]:
    """Around a run of the command line: remembers its answer when `argv` is plain."""
    from contextlib import contextmanager, nullcontext

    found = _place(argv)
    if found is None:
        return nullcontext()

    @contextmanager
    def run() -> Iterator[None]:
        root, git_dir = found
        taken = _BEFORE.pop(tuple(argv), None)
        started, before = taken if taken else (time.time_ns(), _fingerprint(root, git_dir, argv))
        out, err = _Tee(sys.stdout), _Tee(sys.stderr)
        sys.stdout, sys.stderr = out, err
        code: object = None
        ended = False  # the command line finished: returned, or exited with a code
        try:
            yield
            ended = True
        except SystemExit as exc:
            code, ended = exc.code, True
            raise
        finally:  # an exception of any other kind leaves nothing remembered
            sys.stdout, sys.stderr = out.stream, err.stream
            code = 0 if code is None else code
            kept = ended and code in (0, 1) and not (out.tainted or err.tainted or err.said)
            if kept and before is not None and before[2] < started - RACY_NS:
                _remember(root, git_dir, argv, before, "".join(out.said), 1 if code else 0)

    return run()


class _Tee:
    """A text stream that passes everything on and keeps a copy; anything that could
    write around it (its binary buffer, its file descriptor) marks the copy as partial."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.said: list[str] = []
        self.tainted = False

    def write(self, text: str) -> int:
        n: int = self.stream.write(text)  # bytes raise here, as on the stream itself
        self.said.append(text)
        return n

    @property
    def buffer(self) -> Any:
        self.tainted = True
        return self.stream.buffer

    def fileno(self) -> int:
        self.tainted = True
        n: int = self.stream.fileno()
        return n

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _place(argv: Sequence[str]) -> tuple[str, str] | None:
    """(vault root, its .git folder) for a plain command line in a vault that is its own
    repository, with no pause waiting to be committed."""
    parsed = plain(argv)
    if parsed is None:
        return None
    from openbook.errors import OpenbookError
    from openbook.vault import find_vault

    chosen = parsed[1] or os.environ.get("OPENBOOK_VAULT")
    if chosen and not os.path.isdir(chosen):
        return None
    try:
        root = str(find_vault(explicit=parsed[1]))
    except (OpenbookError, OSError):
        return None  # the command line says what is wrong
    git_dir = os.path.join(root, ".git")
    if not os.path.isdir(git_dir) or os.path.exists(
        os.path.join(git_dir, "openbook", "pending-pause")
    ):
        return None
    return root, git_dir


def _fingerprint(root: str, git_dir: str, argv: Sequence[str]) -> tuple[bytes, bytes, int] | None:
    """(key of everything the answer depends on, the same without openbook's own state,
    the newest time of a vault file in ns); None when that cannot be told (a file gone
    while it was looked at, an unreadable folder of the repository): the command runs."""
    try:
        facts = Facts()
        for fact in (FORMAT, list(argv), os.getcwd(), _minute(), _streams()):
            facts.append(fact)
        facts.append(sorted((k, v) for k, v in os.environ.items() if k not in _ENV_SKIP))
        newest = _walk(root, facts, skip=".git")
        _git_state(git_dir, facts)
        _code(facts)
        for path in _home_configs():
            facts.append(_stat(path))
        outside = facts.digest()
        state = Facts()
        state.append(outside)
        _walk(os.path.join(git_dir, "openbook"), state, skip=FILE)
        return state.digest(), outside, newest
    except (OSError, ValueError):
        return None


def digest(value: object) -> bytes:
    """SHA-1 of plain values, the same for equal values: marshal's version 2, which never
    writes a reference to an object met before (later versions do, so equal values shared
    differently in memory give different bytes)."""
    return hashlib.sha1(marshal.dumps(value, 2)).digest()  # type: ignore[arg-type]


class Facts:
    """Facts hashed as they come (`digest` of each BATCH in turn), so that a large vault's
    are never all held at once: equal facts in the same order give the same digest."""

    BATCH = 4096

    def __init__(self) -> None:
        self._sha = hashlib.sha1()
        self._batch: list[object] = []

    def append(self, fact: object) -> None:
        self._batch.append(fact)
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        self._sha.update(digest(self._batch))
        self._batch.clear()

    def digest(self) -> bytes:
        self._flush()
        return self._sha.digest()


def _walk(top: str, facts: Facts, skip: str) -> int:
    """Every entry under `top` (but `skip` at its top) into `facts`; the newest time."""
    newest = 0
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            facts.append((folder, None))
            continue
        for e in entries:
            if folder == top and e.name == skip:
                continue
            st = e.stat(follow_symlinks=False)
            newest = max(newest, _entry(e.path, st, facts))
            if stat.S_ISDIR(st.st_mode):
                stack.append(e.path)
    return newest


def _entry(path: str, st: os.stat_result, facts: Facts) -> int:
    """One entry's facts (a link's with what it names and that file's too); the newest
    time among them."""
    facts.append((path, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    if not stat.S_ISLNK(st.st_mode):
        return max(st.st_mtime_ns, st.st_ctime_ns)
    try:
        named, target = os.readlink(path), os.stat(path)
    except OSError:
        facts.append((path, None))
        return max(st.st_mtime_ns, st.st_ctime_ns)
    facts.append((named, target.st_mode, target.st_size, target.st_mtime_ns, target.st_ino))
    return max(st.st_mtime_ns, st.st_ctime_ns, target.st_mtime_ns, target.st_ctime_ns)


def _git_state(git_dir: str, facts: Facts) -> None:
    """The repository as it bears on an answer: every file at the top of .git (HEAD,
    index, config, packed-refs, a merge in progress...) and everything under refs/."""
    with os.scandir(git_dir) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        if e.name in _GIT_SKIP or e.name == "openbook":
            continue
        st = e.stat(follow_symlinks=False)
        _entry(e.path, st, facts)
        if e.is_dir(follow_symlinks=False):
            _walk(e.path, facts, skip="")


def _code(facts: Facts) -> None:
    """openbook's own version and files (code, templates): another may answer otherwise."""
    from openbook import __version__

    facts.append(__version__)
    stack = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in sorted(it, key=lambda e: e.name):
                if e.name == "__pycache__":
                    continue
                if e.is_dir():
                    stack.append(e.path)
                else:
                    st = e.stat()
                    facts.append((e.path, st.st_size, st.st_mtime_ns, st.st_ino))


def _home_configs() -> list[str]:
    home = os.path.expanduser("~")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths = [os.environ.get("GIT_CONFIG_GLOBAL") or os.path.join(home, ".gitconfig")]
    paths += [os.path.join(xdg, "git", "config"), "/etc/gitconfig"]
    return paths


def _stat(path: str) -> tuple[object, ...]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _minute() -> str:
    """The minute openbook's "now" falls in: $OPENBOOK_NOW as written, else the clock."""
    given = os.environ.get("OPENBOOK_NOW")
    if given:
        return given
    return time.strftime("%Y-%m-%dT%H:%M%z", time.localtime())


def _streams() -> tuple[bool, ...]:
    out: list[bool] = []
    for stream in (sys.stdout, sys.stderr):
        try:
            out.append(stream.isatty())
        except (AttributeError, ValueError):
            out.append(False)
    return tuple(out)


def _answers(git_dir: str) -> dict[bytes, tuple[str, int, int]]:
    """The remembered answers (what was printed, exit code, when); anything unreadable
    or of another shape is none."""
    try:
        with open(os.path.join(git_dir, "openbook", FILE), "rb") as f:
            data = marshal.loads(f.read())  # whole: `marshal.load` of a file is slow
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if _shaped(key, value)}


def _shaped(key: object, value: object) -> bool:
    if not (isinstance(key, bytes) and isinstance(value, tuple) and len(value) == 3):
        return False
    text, code, when = value
    return isinstance(text, str) and code in (0, 1) and isinstance(when, int)


def _remember(
    root: str,
    git_dir: str,
    argv: Sequence[str],
    before: tuple[bytes, bytes, int],
    text: str,
    code: int,
) -> None:
    """Keep the answer under the fingerprint after the run, when all but openbook's own
    state (which the run may have written) is what it was before."""
    after = _fingerprint(root, git_dir, argv)
    if after is None or after[1] != before[1]:
        return
    from pathlib import Path

    from openbook.fsutil import atomic_write

    answers = _answers(git_dir)
    answers[after[0]] = (text, code, time.time_ns())
    newest = sorted(answers.items(), key=lambda kv: kv[1][2])[-KEEP:]
    state = Path(git_dir) / "openbook"
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(state / FILE, marshal.dumps(dict(newest)))
    except OSError:
        return  # an answer not remembered is asked again next time
