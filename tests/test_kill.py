"""kill -9 at random moments: git stays sound, nothing written is lost, nothing blocks.

Each round writes a note, starts one openbook command in its own process group, kills the
whole group at a random moment, then checks `git fsck`, that every note written so far is
still on disk or in history with its words, and that the next openbook command succeeds
with no manual step. Marked slow; CI runs it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, make_pair

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("OPENBOOK_KILL_ROUNDS", "30"))
CLI = [sys.executable, "-c", "from openbook.cli import main; main()"]


def _openbook(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--vault", str(root), *args], capture_output=True, text=True, check=False
    )


def _kill_at_random(root: Path, args: list[str], rng: random.Random, longest: float) -> None:
    proc = subprocess.Popen(
        [*CLI, "--vault", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(rng.uniform(0.05, longest))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    _all_gone(proc.pid)


def _all_gone(group: int, limit: float = 10.0) -> None:
    """Wait until no process of the killed group is left. A process killed inside a
    system call finishes that call first: a git of the group may still create a file
    (a lock on the bare remote) after openbook itself is gone."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        left = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                left = left or (int(fields[2]) == group and fields[0] != "Z")
        if not left:
            return
        time.sleep(0.01)
    raise AssertionError(f"processes of the killed group {group} are still running")


def _server_cleans_up(remote: Path) -> None:
    """The bare remote here is a folder, so `git push` runs its receive-pack inside the
    process group the test kills, and a kill can leave the remote's ref lock behind. A
    real server's receive-pack is not killed with the client (it sees the connection
    close and removes its lock), so the test removes what only this set-up leaves: the
    locks of the refs, of packed-refs and of HEAD (a push to the branch HEAD names locks
    HEAD too)."""
    tops = [remote / "packed-refs.lock", remote / "HEAD.lock"]
    for lock in [*remote.joinpath("refs").rglob("*.lock"), *tops]:
        lock.unlink(missing_ok=True)


def _sound(root: Path) -> None:
    res = subprocess.run(
        ["git", "fsck", "--no-dangling", "--no-progress"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def _nothing_lost(root: Path, written: dict[str, str]) -> None:
    for rel, text in written.items():
        on_disk = (root / rel).read_text(encoding="utf-8") if (root / rel).exists() else None
        in_head = git(root, "show", f"HEAD:{rel}", check=False) + "\n"
        assert text in (on_disk, in_head), f"{rel} lost its words"


def _day(i: int) -> str:
    return f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


@pytest.mark.parametrize("command", ["new", "commit", "sync", "watch"])
def test_kill_minus_nine_never_corrupts_loses_or_blocks(pair: Pair, command: str) -> None:
    rng = random.Random(f"openbook-{command}")
    root = pair.bob
    written: dict[str, str] = {}
    for i in range(ROUNDS):
        rel = f"checkins/2026/{_day(i)}-bob.md"
        body = f"Feelings: round {i} of {command}."
        if command == "new":
            args = ["new", "checkin", "--date", _day(i), "--no-edit", "--body", body]
        else:
            text = checkin_text("bob", _day(i), body=body)
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
            written[rel] = text
            args = {"commit": ["commit"], "sync": ["sync"], "watch": ["watch"]}[command]
        _kill_at_random(root, args, rng, 1.5 if command == "watch" else 0.9)
        if command == "sync":
            _server_cleans_up(pair.remote)
        if command == "new" and (root / rel).exists():
            written[rel] = (root / rel).read_text(encoding="utf-8")
            assert body in written[rel]
        _sound(root)
        _nothing_lost(root, written)
        after = _openbook(root, "sync" if command == "sync" else "commit")
        assert after.returncode == 0, f"round {i}: {after.stderr}"
        _nothing_lost(root, written)
        assert git(root, "status", "--porcelain", "--", "checkins") == ""
    assert _openbook(root, "sync").returncode == 0
    assert pair.sync("alice").exit_code == 0
    _nothing_lost(pair.alice, written)
