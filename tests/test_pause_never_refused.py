"""A pause is never refused (SPEC section 10, GUIDE invariant 9): not by a busy lock, not
by a merge, rebase or detached HEAD left by plain git, not by broken notes elsewhere."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair, start_merge_conflict, subjects, write

NOTE = "pauses/2026/2026-11-24-2030-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _paused_for_bob(pair: Pair) -> None:
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    status = invoke(["status"], vault=pair.bob).stdout
    assert "Paused by Alice Example since" in status, status


def test_a_pause_during_a_merge_is_committed_and_the_merge_keeps_it(pair: Pair) -> None:
    start_merge_conflict(pair.alice)
    res = invoke(["pause", "--all"], vault=pair.alice)
    assert (res.exit_code, res.stderr) == (0, ""), res.stderr
    assert (pair.alice / ".git" / "MERGE_HEAD").exists()  # the merge is as it was
    assert git(pair.alice, "log", "-1", "--format=%s", "main") == f"pause: new {NOTE}"
    # the person finishes the merge with plain git: the pause stays in it
    write(pair.alice, "README.md", "both\n")
    git(pair.alice, "add", "README.md")
    git(pair.alice, "commit", "-q", "--no-edit")
    assert NOTE in git(pair.alice, "ls-tree", "-r", "--name-only", "HEAD")
    _paused_for_bob(pair)


def test_a_pause_on_a_detached_head_holds_at_once_and_is_committed_later(pair: Pair) -> None:
    git(pair.alice, "switch", "-q", "--detach", "HEAD")
    res = invoke(["pause", "--all"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "It holds in this copy now" in res.stdout
    status = invoke(["status"], vault=pair.alice).stdout
    assert "Paused by you since" in status
    git(pair.alice, "switch", "-q", "main")
    res = invoke(["status"], vault=pair.alice)
    assert "The pause made while git was busy is now committed" in res.stderr
    assert subjects(pair.alice)[0] == f"pause: new {NOTE}"
    assert git(pair.alice, "log", "-1", "--format=%aI") == "2026-11-24T20:30:00+01:00"
    _paused_for_bob(pair)


@pytest.mark.slow
def test_a_pause_waits_for_a_busy_lock(pair: Pair) -> None:
    lock = pair.alice / ".git" / "openbook.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(2)\n",
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    started = time.monotonic()
    res = invoke(["pause", "--all"], vault=pair.alice)  # OPENBOOK_LOCK_WAIT is 1 s in tests
    holder.wait()
    assert res.exit_code == 0, res.stderr
    assert time.monotonic() - started > 1
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released again
    os.close(fd)


def test_a_pause_is_committed_beside_broken_notes_drafts_and_conflict_copies(pair: Pair) -> None:
    write(pair.alice, "checkins/2026/2026-11-24-alice.md", "---\ntype: checkin\nmood: [\n---\n")
    write(pair.alice, "questions/Q-0001.conflict-bob-1234567.md", "---\ntype: question\n---\n")
    res = invoke(["pause", "--all"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert git(pair.alice, "show", "--name-only", "--format=", "HEAD") == NOTE
    assert invoke(["resume"], vault=pair.alice).exit_code == 0
    assert git(pair.alice, "show", "--name-only", "--format=", "HEAD") == NOTE


def test_resume_during_a_merge_is_committed_too(pair: Pair) -> None:
    assert invoke(["pause", "--all"], vault=pair.alice).exit_code == 0
    start_merge_conflict(pair.alice)
    res = invoke(["resume"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "resumed: 2026-11-24 20:30" in git(pair.alice, "show", f"main:{NOTE}")
