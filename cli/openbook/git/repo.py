"""Git for the vault: text-level commands over the one runner (`openbook.git.runner`)."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openbook.git import runner
from openbook.git.ahead import read_ahead as read_ahead
from openbook.git.ahead import stream_bytes as stream_bytes
from openbook.git.ahead import taken_ahead
from openbook.git.gitconfig import config_bool as config_bool
from openbook.git.gitconfig import config_entries as config_entries
from openbook.git.gitconfig import config_get as config_get
from openbook.git.gitconfig import config_read_once as config_read_once
from openbook.git.gitconfig import config_set as config_set
from openbook.git.index import private_index
from openbook.git.runner import first_line as first_line
from openbook.git.runner import git_env as git_env
from openbook.git.state import git_dir_of, head_from_files
from openbook.git.urls import check_remote_url as check_remote_url

if TYPE_CHECKING:
    pass


def shared_path(path: str) -> bool:
    """notetypes.registry's `shared_path`, loaded when a commit first asks: the note types
    are not read by the commands that only look at refs (a sync with nothing to do)."""
    from openbook.notetypes.registry import shared_path as shared

    return shared(path)


@dataclass
class GitResult:
    status: int
    stdout: str
    stderr: str


def run(
    root: Path,
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    check: bool = True,
    timeout: float | None = None,
    input_data: str | None = None,
    strip: bool = True,
    idle: bool = False,
    waiting: Callable[[float], None] | None = None,
) -> GitResult:
    """Run `git ARGS` in `root` (text in and out). Raise GitError with git's own words
    when it fails or does not finish within `timeout` (the runner's default when None;
    with `idle`, a limit on time without progress, as `runner.execute` says)."""
    done = taken_ahead(root, args, check) if input_data is None and env is None else None
    if done is None:
        done = runner.execute(
            root,
            args,
            input_data=None if input_data is None else input_data.encode("utf-8"),
            env=env,
            check=check,
            timeout=timeout,
            idle=idle,
            waiting=waiting,
        )
    stdout = done.stdout.decode("utf-8", "replace")
    if strip and stdout.endswith("\n"):
        stdout = stdout[:-1]
    return GitResult(done.status, stdout, done.stderr.decode("utf-8", "replace"))


def out(root: Path, *args: str) -> str:
    return run(root, args).stdout


def init(root: Path) -> None:
    run(root, ["init", "-q", "-b", "main"])
    config_set(root, "core.fsync", "all")
    config_set(root, "core.quotepath", "off")


# git's fetch adds what it brought to the commit-graph file (a small layer on top), so
# that walks of the whole history (consent replayed in history's order, pauses, the
# trust walk) read each commit from it instead of parsing every commit object
WRITE_GRAPH = ["-c", "fetch.writeCommitGraph=true"]
# ... but the file keeps 34 bits of a commit's date: one dated past 2514 reads back with
# another date, and git would order a walk by it differently than a clone without the
# file (or git itself, as its gc writes the file too) does
GRAPH_DATES = 1 << 34


def keep_walks_exact(root: Path, dates: Iterable[int]) -> None:
    """Once a commit of this clone is dated past what commit-graph files hold, git reads
    none here again (`core.commitGraph false`): every walk orders history as the commit
    objects say, as every other clone's does."""
    if any(d >= GRAPH_DATES for d in dates) and config_get(root, "core.commitGraph") != "false":
        config_set(root, "core.commitGraph", "false")


def graph_locked(root: Path, said: str) -> bool:
    """Whether git failed (saying `said`) on a commit-graph file another git process left
    locked. A lock an hour old is a killed process's: it is taken away, and the next
    fetch writes the file again."""
    if "commit-graph" not in said or ".lock" not in said:
        return False
    gd = git_dir_of(root) or root / ".git"
    with contextlib.suppress(OSError):  # a linked worktree's objects are the common ones
        gd = gd / (gd / "commondir").read_text(encoding="utf-8").strip()
    info = gd / "objects" / "info"
    for lock in (info / "commit-graph.lock", info / "commit-graphs" / "commit-graph-chain.lock"):
        with contextlib.suppress(OSError):
            if time.time() - lock.stat().st_mtime > 3600:
                lock.unlink()
    return True


def write_commit_graph(root: Path) -> None:
    """Add every commit the refs reach to the commit-graph file (a layer on top of those
    there): after a clone or bundles applied, which do not write it themselves. Only a
    faster walk is lost when it cannot be written."""
    run(root, ["commit-graph", "write", "--reachable", "--split", "--no-progress"], check=False)


def exclude_locally(root: Path, target: Path) -> None:
    """List the file `target` in this clone's own .git/info/exclude (never shared), once."""
    top = Path(out(root, "rev-parse", "--show-toplevel").strip()).resolve()
    exclude = root / out(root, "rev-parse", "--git-path", "info/exclude").strip()
    line = "/" + target.resolve().relative_to(top).as_posix()
    try:
        text = exclude.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if line in text.splitlines():
        return
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with exclude.open("a", encoding="utf-8") as f:
        f.write(("\n" if text and not text.endswith("\n") else "") + line + "\n")


def has_head(root: Path) -> bool:
    return rev(root, "HEAD") is not None


def rev(root: Path, name: str) -> str | None:
    """The commit `name` names, None when it names none. HEAD of a vault at the top of
    its work tree is read from git's files (no git process) when they say it plainly."""
    if name == "HEAD":
        gd = git_dir_of(root) if (root / ".git").exists() else None
        found = head_from_files(gd) if gd is not None else None
        if found is not None:
            return found
    args = ["rev-parse", "-q", "--verify", "--end-of-options", f"{name}^{{commit}}"]
    return runner.answer(root, args) or None


def identity_env(name: str, email: str, date: str | None = None) -> dict[str, str]:
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    if date:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    return env


def commit_paths(
    root: Path,
    paths: Iterable[str],
    message: str,
    ident: dict[str, str],
    *,
    allow_empty: bool = False,
) -> str:
    """Stage exactly `paths` (adds, edits and deletions) and commit only them. Returns the sha.

    What a vault shares is decided by openbook, not by .gitignore: paths `shared_path`
    accepts are added with --force, so a .gitignore the partner wrote cannot hide them."""
    plist = list(paths)
    args = ["commit", "-q", "--no-verify", "--no-edit", "-F", "-"]
    if allow_empty:
        args.append("--allow-empty")
    if plist:
        args += ["--only", "--", *plist]
    elif allow_empty:
        args.append("--only")  # an empty commit never takes what someone staged by hand
    with private_index(root) as index:
        forced = [p for p in plist if shared_path(p)]
        plain = [p for p in plist if not shared_path(p)]
        if forced:
            run(root, ["add", "-A", "--force", "--", *forced], env=index.env)
        if plain:
            run(root, ["add", "-A", "--", *plain], env=index.env)
        done = run(root, args, env={**ident, **index.env}, input_data=message, check=False)
        same = ["diff", "--cached", "--quiet", "--no-renames", "HEAD", "--", *plist]
        if done.status and (
            allow_empty or not plist or run(root, same, check=False, env=index.env).status
        ):
            raise runner.failure(args, done.stderr, done.stdout)
        # a commit refused with nothing to commit: HEAD already holds exactly this (a commit
        # whose index was never installed because the process was killed), and installing
        # the index is all that is left to do
        gd = git_dir_of(root)
        sha = (head_from_files(gd) if gd else None) or out(root, "rev-parse", "HEAD")
    if not index.installed and plist:
        run(root, ["reset", "-q", "--", *plist])  # someone staged meanwhile: refresh only ours
    return sha


@dataclass(frozen=True)
class Change:
    code: str  # porcelain XY
    path: str

    @property
    def deleted(self) -> bool:
        return "D" in self.code

    @property
    def added(self) -> bool:
        return self.code in ("??", "A ", "AM")


def status(root: Path, *paths: str) -> list[Change]:
    """Pending changes (untracked included), one per file, renames split."""
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    if paths:
        args += ["--", *paths]
    raw = run(root, args, strip=False).stdout
    changes = []
    for item in raw.split("\0"):
        if len(item) > 3:
            changes.append(Change(item[:2], item[3:]))
    return changes


def current_branch(root: Path) -> str | None:
    res = run(root, ["symbolic-ref", "-q", "--short", "HEAD"], check=False)
    return res.stdout.strip() or None


_TRAILER = re.compile(r"^(Openbook-[A-Za-z-]+):\s*(.*)$", re.M)
TRAILER = _TRAILER  # openbook's trailers in a `%(trailers:only,unfold)`


@dataclass
class LogRecord:
    sha: str
    parents: list[str]
    author: str
    email: str
    date: str  # ISO 8601 strict
    subject: str
    trailers: dict[str, str]
    files: list[tuple[str, str]]  # (status letter, path)


def log_records(root: Path, extra: Sequence[str] = ()) -> list[LogRecord]:
    """Every commit reachable from HEAD, newest first, with trailers and changed files.

    One `git log -z` call; fields are separated by \\x1f and records start with \\x1e.
    """
    gd = git_dir_of(root)
    if (gd is None or head_from_files(gd) is None) and not has_head(root):
        return []  # no commits yet (git is asked only when its files do not say)
    fmt = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1f%(trailers:only,unfold)%x1f"
    args = [
        "log",
        "-z",
        "--name-status",
        "--no-renames",
        "--diff-merges=first-parent",
        f"--format={fmt}",
        *extra,
    ]
    res = run(root, args, strip=False, check=False)
    if res.status != 0:
        if not has_head(root):  # HEAD's commit is not there after all
            return []
        raise runner.failure(args, res.stderr, res.stdout)
    records = []
    for chunk in res.stdout.split("\x1e")[1:]:
        head, _, rest = chunk.rpartition("\x1f")
        parts = head.split("\x1f")
        if len(parts) < 7:
            continue
        sha, parents, an, ae, date, subject, trailers = parts[:7]
        tokens = [t for t in rest.strip("\n\0").split("\0") if t]
        files = []
        it = iter(tokens)
        for code in it:
            code = code.strip()
            path = next(it, "")
            if code and path:
                files.append((code[0], path))
        records.append(
            LogRecord(
                sha,
                parents.split(),
                an,
                ae,
                date,
                subject,
                {k: v.strip() for k, v in _TRAILER.findall(trailers)},
                files,
            )
        )
    return records


def git_bytes(
    root: Path, args: Sequence[str], input_data: bytes | None = None, *, check: bool = True
) -> bytes:
    """Run `git ARGS` in `root` and return stdout as bytes (signed payloads and note blobs
    must not be decoded and re-encoded); GitError when it fails."""
    done = taken_ahead(root, args, check) if input_data is None else None
    if done is None:
        done = runner.execute(root, args, input_data=input_data, check=check)
    return done.stdout
