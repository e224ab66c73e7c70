"""Gits started ahead (git/ahead.py) write to an unnamed file under .git/openbook/, not
into memory: what is read back, whole or piece by piece, is exactly what git says when run
then, and what nobody asked for is stopped and closed at the end of a command. Real git."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from testing import checkin_path, checkin_text, git, invoke, make_vault, write
from testing.plain import commit

from openbook.errors import GitError
from openbook.git import ahead, runner
from openbook.git.repo import git_bytes


def _open_files() -> set[str]:
    """What this process has open (the targets of /proc/self/fd)."""
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue  # the listing's own descriptor, gone already
    return out


def _vault(tmp_path: Path) -> Path:
    root = make_vault(tmp_path / "v")
    for n, who in enumerate(["alice", "bob", "alice", "bob"]):
        write(root, checkin_path(who, f"2026-11-{20 + n}"), checkin_text(who, f"2026-11-{20 + n}"))
        commit(root, who, f"check-in {n}")
    return root


def test_what_is_read_ahead_is_what_git_says(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    args = ["log", "-z", "--raw", "--no-abbrev", "--format=%x1e%H%x1f%ae", head]
    plain = runner.execute(root, args).stdout
    assert plain.count(b"\x1e") == int(git(root, "rev-list", "--count", head)) > 4
    ahead.read_ahead(root, args)
    assert git_bytes(root, args) == plain  # whole
    ahead.read_ahead(root, args)
    pieces = list(ahead.stream_bytes(root, args))
    assert b"".join(pieces) == plain  # piece by piece, from the file
    wrong = ["log", "--end-of-options", "no-such-revision"]
    ahead.read_ahead(root, wrong)  # a git that fails hands nothing over: it is run again
    assert ahead.taken_ahead(root, wrong, check=True) is None
    with pytest.raises(GitError, match="git log failed"):
        git_bytes(root, wrong)
    ahead.read_ahead(root, wrong)
    bad = ahead.stream_bytes(root, wrong, check=False)
    assert b"".join(bad) == b"" and bad.status not in (None, 0)


def test_a_read_ahead_nobody_asks_for_is_stopped_and_closed(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    ahead.forget_ahead()  # what earlier tests in this process left, as a command's end does
    before = _open_files()
    head = git(root, "rev-parse", "HEAD")
    for n in range(3):
        ahead.read_ahead(root, ["log", f"-n{n + 1}", "--raw", head])
    ahead.forget_ahead()
    assert _open_files() == before
    assert ahead.taken_ahead(root, ["log", "-n1", "--raw", head], check=True) is None


def test_a_first_check_leaves_no_git_file_open(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    shutil.rmtree(root / ".git" / "openbook", ignore_errors=True)
    (root / ".git" / "openbook").mkdir()
    before = _open_files()
    first = invoke(["check"], vault=root)
    assert first.exit_code == 0, first.output
    assert _open_files() == before
    assert not [p for p in (root / ".git" / "openbook").iterdir() if p.name.startswith("tmp")]


def test_what_is_read_ahead_gives_way_to_what_the_command_waits_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git started ahead runs at a lower priority than the command's own: on two cores
    a cold check starts nine, and the one it waits for must not queue behind them."""
    root = _vault(tmp_path)
    head = git(root, "rev-parse", "HEAD")
    want = git(root, "log", "--format=%H").split()
    real = shutil.which("git")
    assert real is not None
    folder = tmp_path / "bin"
    folder.mkdir()
    log = folder / "log"
    script = folder / "git"
    # each git notes its niceness once it has been started (`nice` alone prints it)
    script.write_text(f'#!/bin/sh\nsleep 0.2\necho "$(nice) $1" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    base = os.getpriority(os.PRIO_PROCESS, 0)
    args = ["log", "--format=%H", head]
    ahead.read_ahead(root, args)
    assert git_bytes(root, args).decode().split() == want
    runner.execute(root, ["rev-parse", "HEAD"])
    said = [line.split() for line in log.read_text().splitlines()]
    assert said == [[str(base + ahead.AHEAD_NICENESS), "log"], [str(base), "rev-parse"]]
