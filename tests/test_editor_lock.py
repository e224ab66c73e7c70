"""Nothing holds the vault lock while an editor is open: another openbook (a `sync`, a
`commit`, `watch`) goes on working while a person writes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from testing import bare_remote, git, invoke, subjects, trailers
from testing.editor import editor_env

CLI = [sys.executable, "-c", "from openbook.cli import main; main()"]
CHECKIN = "checkins/2026/2026-11-24-bob.md"


def _wait_for(cond: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sync_and_commit_work_while_an_editor_is_open(vault: Path, tmp_path: Path) -> None:
    git(vault, "remote", "add", "origin", str(bare_remote(tmp_path / "remote.git")))
    opened, done = tmp_path / "opened", tmp_path / "done"
    script = (
        f"touch {opened}\nwhile [ ! -e {done} ]; do sleep 0.05; done\n"
        'sed -i "s/^mood:.*/mood: 4/" "$1"'
    )
    env = editor_env(tmp_path, script)
    writer = subprocess.Popen(
        [*CLI, "--vault", str(vault), "new", "checkin", "--edit"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(opened.exists, "the editor to open")
        before = subjects(vault)
        res = invoke(["commit"], vault=vault)  # the untouched draft waits, and is named
        assert (res.exit_code, res.stdout, res.stderr) == (
            1,
            "",
            f"{CHECKIN} was not committed: nothing is written in it yet; write something "
            "first, then run 'openbook commit'.\n",
        )
        res = invoke(["sync"], vault=vault)
        assert res.exit_code == 0, res.stderr
        assert subjects(vault) == before
    finally:
        done.touch()
        out, err = writer.communicate(timeout=60)
    assert (writer.returncode, out, err) == (0, f"{CHECKIN}\n", "")
    assert trailers(vault)["Openbook-Action"] == "new"
    assert "mood: 4" in git(vault, "show", f"HEAD:{CHECKIN}")
