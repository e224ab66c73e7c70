"""`runner.spawn`: git started with os.posix_spawnp for the answers that come before
`subprocess` is loaded (a sync with nothing to do). It must say what `runner.start`
says, in the same environment, under the same time limit and errors, and leave nothing
of this process open in git and nothing running behind it. Real git, real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from testing import small_repo
from testing.process import running

from openbook.errors import GitError, OpenbookError
from openbook.git import runner
from openbook.git.spawned import CAN_SPAWN

pytestmark = pytest.mark.skipif(not CAN_SPAWN, reason="no posix_spawnp here")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return small_repo(tmp_path)


def both(repo: Path, args: list[str]) -> tuple[runner.Completed, runner.Completed]:
    spawned = runner.spawn(repo, args)
    assert isinstance(spawned, runner.Quick)
    return spawned.wait(check=False), runner.start(repo, args).wait(check=False)


@pytest.mark.parametrize(
    "args",
    [
        ["rev-parse", "HEAD", "--show-toplevel"],
        ["rev-parse", "--verify", "nothing"],  # a failure: its status and its words
        ["-c", "alias.big=!yes line | head -c 300000; yes err | head -c 200000 >&2", "big"],
        ["-c", "alias.here=!pwd", "here"],
        ["-c", "alias.showenv=!env | grep -E '^(GIT_|LC_ALL)' | sort", "showenv"],
    ],
    ids=["output", "failure", "both-outputs-large", "folder", "environment"],
)
def test_spawn_says_what_start_says(repo: Path, args: list[str]) -> None:
    spawned, started = both(repo, args)
    assert (spawned.status, spawned.stdout, spawned.stderr) == (
        started.status,
        started.stdout,
        started.stderr,
    )


def test_a_failure_is_the_runners_error(repo: Path) -> None:
    with pytest.raises(GitError) as caught:
        runner.spawn(repo, ["rev-parse", "--verify", "nothing"]).wait()
    assert str(caught.value) == "git rev-parse failed: Needed a single revision"


def test_git_sees_no_other_file_of_this_process_and_default_signals(repo: Path) -> None:
    listing = ["-c", "alias.fds=!ls /proc/$$/fd; grep SigIgn /proc/$$/status", "fds"]
    kept = os.open(repo / "a.md", os.O_RDONLY)
    os.set_inheritable(kept, True)  # a caller's own, made inheritable
    try:
        spawned, started = both(repo, listing)
    finally:
        os.close(kept)
    said, told = spawned.stdout.decode().split(), started.stdout.decode().split()
    assert said[:-2] == told[:-2] and str(kept) not in said[:-2]  # the same files: 0, 1, 2
    ignored = int(said[-1], 16)
    for signal in (13, 25):  # a broken pipe, a file too large: as Popen leaves them
        assert not ignored & (1 << (signal - 1)), signal


def test_standard_input_is_empty_whatever_this_process_reads(repo: Path) -> None:
    readable, writable = os.pipe()
    os.write(writable, b"not for git\n")
    os.close(writable)
    kept = os.dup(0)
    os.dup2(readable, 0)  # this process's own standard input holds something
    try:
        said = runner.spawn(repo, ["-c", "alias.count=!wc -c", "count"]).wait().stdout
    finally:
        os.dup2(kept, 0)
        os.close(kept)
        os.close(readable)
    assert said.strip() == b"0"


def test_a_late_git_is_stopped_with_what_it_started(repo: Path) -> None:
    marker = "41.2718"
    began = time.monotonic()
    with pytest.raises(GitError) as caught:
        runner.spawn(repo, ["-c", f"alias.slow=!sleep {marker}", "slow"], timeout=0.5).wait()
    assert time.monotonic() - began < 10
    assert str(caught.value) == "git slow did not finish within 0.5 seconds"
    assert running(marker) == []


def test_stop_ends_a_git_still_running_and_what_it_started(repo: Path) -> None:
    marker = "43.1415"
    spawned = runner.spawn(repo, ["-c", f"alias.slow=!sleep {marker}", "slow"])
    time.sleep(0.3)
    assert running(marker, settle=0) != []
    spawned.stop()
    spawned.stop()  # a second stop has nothing left to do
    assert running(marker) == []


def test_no_git_on_the_path_is_said_as_the_runner_says_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(OpenbookError) as caught:
        runner.spawn(repo, ["status"])
    assert str(caught.value) == "git is not installed; install git and try again."
