"""A slow link (SPEC 5, docs/sync.md): the network limit is on time without progress.
A fetch that works on is not cut off, a terminal hears that a fetch or a clone is still
under way, and a remote that stops answering is given up on after the limit, the work
kept here."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, make_pair, subjects
from testing.slowlink import slow_ssh
from testing.terminal import in_order, run_on_a_terminal


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    made = make_pair(tmp_path)
    assert made.sync("alice").exit_code == 0
    made.write("bob", checkin_path("bob"), checkin_text("bob"))
    assert made.sync("bob").exit_code == 0
    return made


def _slow_remote(pair: Pair, seconds: float) -> None:
    """Alice's remote answers only after `seconds` of silence (its upload-pack waits)."""
    script = pair.alice.parent / "slow-upload-pack"
    script.write_text(f'#!/bin/sh\nsleep {seconds}\nexec git upload-pack "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    git(pair.alice, "config", "remote.origin.uploadpack", str(script))


def test_a_fetch_still_under_way_is_named_on_a_terminal(pair: Pair) -> None:
    _slow_remote(pair, 4)
    code, screen = run_on_a_terminal(pair.alice, ["sync"], b"", partner="alice")
    first, then = "Still receiving from origin...\n", "Received 1 change from Bob"
    assert (code, in_order(screen, first, then)) == (0, True), screen
    assert (pair.alice / checkin_path("bob")).is_file()


def test_a_quick_fetch_says_nothing_of_it(pair: Pair) -> None:
    code, screen = run_on_a_terminal(pair.alice, ["sync"], b"", partner="alice")
    assert code == 0, screen
    assert "Still" not in screen and "Received 1 change from Bob" in screen


def test_a_clone_still_under_way_is_named_on_a_terminal(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", str(slow_ssh(tmp_path, 4, first_only=True)))
    url = f"ssh://localhost{pair.remote}"
    args = ["--as", "alice", "clone", url, str(tmp_path / "again")]
    code, screen = run_on_a_terminal(tmp_path, args, b"n\n", partner="alice")
    first, then = f"Still receiving from {url}...\n", "Cloned the vault into"
    assert (code, in_order(screen, first, then)) == (0, True), screen
    assert (tmp_path / "again" / checkin_path("bob")).is_file()


def test_a_remote_that_stops_answering_is_given_up_after_the_limit(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_remote(pair, 40.5317)
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    monkeypatch.setenv("OPENBOOK_NETWORK_TIMEOUT", "1")
    start = time.monotonic()
    res = pair.sync("alice")
    assert time.monotonic() - start < 15
    assert (res.exit_code, res.stdout) == (5, "")
    assert res.stderr == (
        "Saved locally, 1 change waiting: could not reach origin (origin did not answer in "
        "time). Sync again when you are online.\n"
    )
    assert subjects(pair.alice)[0] == f"checkin: new {checkin_path('alice')}"
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state["result"] == "remote unreachable, 1 change waiting"
    leftover = []
    for entry in os.listdir("/proc"):
        try:
            if b"40.5317" in Path(f"/proc/{entry}/cmdline").read_bytes():
                leftover.append(entry)
        except OSError:
            continue
    assert leftover == []  # the waiting upload-pack was stopped with git
