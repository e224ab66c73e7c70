"""openbook watch, end to end: real inotify, real time, the save patterns of real editors.

The timing logic runs on a hand-turned clock in test_watch_debounce.py; watch and sync
are in test_watch_sync.py.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from testing import git, invoke, subjects, write
from testing.watching import (
    CLI,
    NOTE,
    bare_gitignore,
    checkin,
    commits_of,
    committed_text,
    count,
    of_kind,
    settle_a_while,
    wait_for,
    watching,
)

from openbook.watch.loop import Watcher
from openbook.watch.observer import is_dropping, is_note_path

# ------------------------------------------------------------------ save patterns


def test_write_in_place_is_one_commit_with_the_final_content(vault: Path) -> None:
    before = count(vault)
    with watching(vault) as (_, events):
        write(vault, NOTE, checkin())
        wait_for(lambda: count(vault) == before + 1, "the commit")
        settle_a_while()
    assert commits_of(vault, NOTE) == [f"checkin: new {NOTE}"]
    assert committed_text(vault, NOTE) == checkin().rstrip("\n")
    assert git(vault, "log", "-1", "--format=%an <%ae>") == "Bob Example <bob@example.org>"
    assert [e["path"] for e in of_kind(events, "committed")] == [NOTE]
    assert git(vault, "status", "--porcelain") == ""


def test_temp_file_renamed_over_the_note_is_one_commit(vault: Path) -> None:
    """VS Code and Obsidian: write a temporary file beside the note, then rename it."""
    write(vault, NOTE, checkin(body="Before."))
    assert invoke(["commit"], vault=vault).exit_code == 0
    bare_gitignore(vault)
    before = count(vault)
    final = checkin(body="After the rename.")
    with watching(vault):
        tmp = vault / "checkins/2026/.2026-11-24-bob.md.tmp"
        tmp.write_text(final, encoding="utf-8")
        os.replace(tmp, vault / NOTE)
        wait_for(lambda: count(vault) == before + 1, "the commit")
        settle_a_while()
    assert count(vault) == before + 1
    assert committed_text(vault, NOTE) == final.rstrip("\n")


def test_vims_save_pattern_is_one_commit_and_no_droppings(vault: Path) -> None:
    write(vault, NOTE, checkin(body="Before vim."))
    assert invoke(["commit"], vault=vault).exit_code == 0
    bare_gitignore(vault)
    before = count(vault)
    folder = vault / "checkins/2026"
    final = checkin(mood=3, body="Written in vim.")
    with watching(vault) as (_, events):
        swap = folder / ".2026-11-24-bob.md.swp"
        swap.write_bytes(b"b0VIM 9.0\0" * 50)
        probe = folder / "4913"
        probe.write_bytes(b"")
        probe.unlink()
        os.rename(folder / "2026-11-24-bob.md", folder / "2026-11-24-bob.md~")
        with open(folder / "2026-11-24-bob.md", "w", encoding="utf-8") as fh:
            fh.write(final)
            fh.flush()
            os.fsync(fh.fileno())
        swap.write_bytes(b"b0VIM 9.0\0" * 60)
        wait_for(lambda: count(vault) == before + 1, "the commit")
        settle_a_while()
    assert count(vault) == before + 1
    assert committed_text(vault, NOTE) == final.rstrip("\n")
    assert subjects(vault)[0] == f"checkin: edit {NOTE}"
    tracked = git(vault, "ls-files").splitlines()
    assert not [p for p in tracked if p.endswith(("~", ".swp")) or p.endswith("4913")]
    # the backup and the swap file are still there, left alone
    assert (folder / "2026-11-24-bob.md~").exists() and swap.exists()
    assert not of_kind(events, "invalid")


def test_a_swap_file_living_beside_the_note_is_never_committed_nor_waited_for(
    vault: Path,
) -> None:
    """vim and emacs keep a swap or lock file beside the open note and write it as you type."""
    write(vault, NOTE, checkin(body="Before."))
    assert invoke(["commit"], vault=vault).exit_code == 0
    bare_gitignore(vault)
    before = count(vault)
    folder = vault / "checkins/2026"
    swap = folder / ".2026-11-24-bob.md.swp"
    lock = folder / ".#2026-11-24-bob.md"
    final = checkin(body="Saved while the editor stayed open.")
    with watching(vault) as (_, events):
        swap.write_bytes(b"b0VIM 9.0\0")  # the note is opened
        lock.write_text("bob@host.1234")
        write(vault, NOTE, final)  # saved in place
        deadline = time.monotonic() + 30
        while count(vault) == before:  # typing on: the swap file keeps changing
            assert time.monotonic() < deadline, "the swap file's changes held the commit back"
            swap.write_bytes(b"b0VIM 9.0\0" * int(time.monotonic() % 100 + 1))
            time.sleep(0.05)
        swap.unlink()  # the editor is closed
        lock.unlink()
        settle_a_while()
    assert count(vault) == before + 1
    assert committed_text(vault, NOTE) == final.rstrip("\n")
    assert [e["path"] for e in of_kind(events, "committed")] == [NOTE]
    assert git(vault, "status", "--porcelain", "-uall") == ""
    assert not of_kind(events, "invalid") and not of_kind(events, "notice")


def test_watchdogs_stop_race_stays_off_the_terminal(caplog: pytest.LogCaptureFixture) -> None:
    """watchdog's inotify thread may read once more while watch stops; it logs an error."""
    inotify_log = logging.getLogger("watchdog.observers.inotify")
    with caplog.at_level(logging.DEBUG):
        inotify_log.error("InotifyEmitter.queue_events() called when the thread is inactive")
        inotify_log.error("another problem")
    assert [r.getMessage() for r in caplog.records] == ["another problem"]


def test_polling_observer_commits_a_save(vault: Path) -> None:
    before = count(vault)
    with watching(vault, poll=True) as (watcher, _):
        assert watcher.observer_kind == "polling"
        write(vault, NOTE, checkin())
        wait_for(lambda: count(vault) == before + 1, "the commit")
    assert commits_of(vault, NOTE) == [f"checkin: new {NOTE}"]
    assert committed_text(vault, NOTE) == checkin().rstrip("\n")


class NoInotify(Watcher):
    def native_observer(self) -> Any:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_falls_back_to_polling_when_inotify_cannot_start(vault: Path) -> None:
    before = count(vault)
    with watching(vault, watcher_cls=NoInotify) as (watcher, events):
        assert watcher.observer_kind == "polling"
        write(vault, NOTE, checkin())
        wait_for(lambda: count(vault) == before + 1, "the commit")
    notices = [e["message"] for e in of_kind(events, "notice")]
    assert len(notices) == 1
    assert "limit of watched folders" in notices[0] and "instead" in notices[0]


# ------------------------------------------------------------------- what is committed


def test_a_deletion_is_committed(vault: Path) -> None:
    write(vault, NOTE, checkin())
    assert invoke(["commit"], vault=vault).exit_code == 0
    before = count(vault)
    with watching(vault) as (_, events):
        (vault / NOTE).unlink()
        wait_for(lambda: count(vault) == before + 1, "the deletion commit")
    assert subjects(vault)[0] == f"checkin: delete {NOTE}"
    assert git(vault, "log", "-1", "--format=%(trailers:key=Openbook-Action,valueonly)") == "delete"
    assert of_kind(events, "committed")[0]["action"] == "delete"


def test_its_own_commits_trigger_no_further_commits(vault: Path) -> None:
    before = count(vault)
    with watching(vault, reconcile_every=0.3) as (_, events):
        for day in range(10, 20):
            write(vault, f"checkins/2026/2026-11-{day}-bob.md", checkin(f"2026-11-{day}"))
        wait_for(lambda: count(vault) == before + 10, "ten commits")
        settle_a_while()
    assert count(vault) == before + 10
    assert len(of_kind(events, "committed")) == 10
    assert not of_kind(events, "notice")


@pytest.mark.slow
def test_a_burst_of_200_saves_loses_nothing(vault: Path) -> None:
    bare_gitignore(vault)
    before = count(vault)
    paths = [f"questions/Q-{n:04d}.md" for n in range(1, 201)]

    def question(n: int, status: str) -> str:
        return (
            f"---\ntype: question\nid: Q-{n:04d}\nasked_by: bob\nto: alice\n"
            f"asked: 2026-11-20 10:00\nstatus: {status}\n---\nQuestion {n}?\n"
        )

    # each note waits on its own: a quiet period longer than the 400 writes take, even on
    # a loaded machine, so no note is committed between its two versions
    with watching(vault, quiet=1.0):
        for n, rel in enumerate(paths, 1):
            write(vault, rel, question(n, "open"))
        for n, rel in enumerate(paths, 1):  # the final state of each
            write(vault, rel, question(n, "withdrawn"))  # the asker's own step
        wait_for(lambda: count(vault) >= before + 200, "200 commits", limit=120)
        settle_a_while()
    assert count(vault) == before + 200
    assert git(vault, "status", "--porcelain") == ""
    for n, rel in enumerate(paths, 1):
        assert committed_text(vault, rel) == question(n, "withdrawn").rstrip("\n")


def test_droppings_are_never_committed_even_without_gitignore(vault: Path) -> None:
    bare_gitignore(vault)
    before = count(vault)
    droppings = [
        "checkins/2026/.2026-11-24-bob.md.swp",
        "checkins/2026/.x.md.swo",
        "checkins/2026/2026-11-24-bob.md~",
        "checkins/2026/4913",
        "checkins/.#2026-11-24-bob.md",
        "checkins/2026/draft.tmp",
        "checkins/.DS_Store",
        ".obsidian/workspace.json",
        ".DS_Store",
        "checkins/#2026-11-24-bob.md#",
    ]
    for rel in [*droppings, "README.md", "checkins/2026/photo.png"]:
        write(vault, rel, "editor state\n")
    res = invoke(["watch", "--once", "--quiet", "0.1s"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert count(vault) == before
    assert "Nothing to commit" in res.stdout
    # only notes are watch's business; the rest is left for the people to decide
    assert set(git(vault, "status", "--porcelain", "-uall").splitlines()) == {
        "?? README.md",
        "?? checkins/2026/photo.png",
    }
    # and the droppings are kept out of every command's sight, sync's too, locally
    exclude = (vault / ".git/info/exclude").read_text()
    assert "*.swp" in exclude and "4913" in exclude
    res = invoke(["commit"], vault=vault)
    assert set(git(vault, "ls-files").splitlines()).isdisjoint(droppings)


def test_note_paths_and_droppings() -> None:
    assert is_note_path("checkins/2026/2026-11-24-bob.md")
    assert is_note_path("language.md")
    assert not is_note_path("README.md")
    assert not is_note_path("checkins/2026/.2026-11-24-bob.md.swp")
    assert not is_note_path("checkins/2026/photo.png")
    assert not is_note_path("checkins/.hidden/x.md")
    for name in ("a.md.swp", "a.md.swo", "a.md~", "4913", ".#a.md", "a.tmp", ".DS_Store", "#a.md#"):
        assert is_dropping(f"checkins/{name}"), name
    assert is_dropping(".obsidian/workspace.json")


# ---------------------------------------------------------------- beside other commands


def test_openbook_new_works_while_watch_runs(vault: Path) -> None:
    before = count(vault)
    with watching(vault) as (_, events):
        proc = subprocess.run(
            [*CLI, "--vault", str(vault), "new", "checkin", "--set", "mood=4", "--no-edit"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == NOTE
        settle_a_while()
    assert count(vault) == before + 1
    assert commits_of(vault, NOTE) == [f"checkin: new {NOTE}"]
    assert not of_kind(events, "committed")


def test_once_commits_pending_notes_and_exits(vault: Path) -> None:
    write(vault, NOTE, checkin())
    write(vault, "checkins/2026/2026-11-23-bob.md", checkin("2026-11-23", mood=0))
    res = invoke(["watch", "--once", "--json"], vault=vault)
    assert res.exit_code == 1  # one note still has an error
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [e["event"] for e in events] == ["committed", "invalid"]
    assert events[0]["path"] == NOTE and events[0]["action"] == "new"
    assert events[1]["path"] == "checkins/2026/2026-11-23-bob.md"
    assert commits_of(vault, NOTE) == [f"checkin: new {NOTE}"]
    write(vault, "checkins/2026/2026-11-23-bob.md", checkin("2026-11-23", mood=1))
    res = invoke(["watch", "--once"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "committed checkins/2026/2026-11-23-bob.md\n"
    assert git(vault, "status", "--porcelain") == ""


def test_bad_duration_is_a_usage_error(vault: Path) -> None:
    res = invoke(["watch", "--once", "--quiet", "soon"], vault=vault)
    assert res.exit_code == 2
    assert "is not a duration" in res.stderr


def test_help_has_an_example() -> None:
    res = invoke(["watch", "--help"])
    assert res.exit_code == 0
    assert "openbook watch --sync-every 10m" in res.stdout
    for option in ("--quiet", "--sync-every", "--poll", "--once", "--json"):
        assert option in res.stdout


@pytest.mark.slow
def test_sigterm_during_a_burst_leaves_a_consistent_repository(vault: Path) -> None:
    bare_gitignore(vault)
    before = count(vault)
    proc = subprocess.Popen(
        [*CLI, "--vault", str(vault), "watch", "--quiet", "0.2s", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert json.loads(lines.get(timeout=30))["event"] == "started"
        paths = [f"checkins/2026/2026-10-{n % 28 + 1:02d}-x{n}.md" for n in range(200)]
        for rel in paths:
            write(vault, rel, checkin("2026-10-01"))
        while True:  # stop in the middle of the commits
            event = json.loads(lines.get(timeout=60))
            if event["event"] == "committed":
                break
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stderr is not None
    assert proc.stderr.read() == ""
    git(vault, "fsck", "--no-progress")
    assert not (vault / ".git/index.lock").exists()
    with open(vault / ".git/openbook.lock", "r+b") as fh:  # nobody holds the vault lock
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh, fcntl.LOCK_UN)
    partway = count(vault) - before
    assert 0 < partway < 200
    res = invoke(["watch", "--once", "--quiet", "0.1s"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert count(vault) == before + 200
    assert git(vault, "status", "--porcelain") == ""
