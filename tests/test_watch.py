"""openbook watch.

The timing logic (when is a note still enough to commit) runs on a clock the tests turn
by hand: first the debouncer alone, then the Watcher on real files and real git with
reconciles called by hand. A few end-to-end tests keep real inotify and real time, with
the save patterns of real editors.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from testing import git, invoke, subjects, write

from openbook.vault import Vault
from openbook.watch.debounce import Debouncer
from openbook.watch.loop import Watcher, parse_seconds
from openbook.watch.observer import is_dropping, is_note_path

QUIET = 0.3
CLI = [sys.executable, "-c", "from openbook.cli import main; main()"]
NOTE = "checkins/2026/2026-11-24-bob.md"


def checkin(day: str = "2026-11-24", mood: int = 4, body: str = "Feeling steady.") -> str:
    return f"---\ntype: checkin\nauthor: bob\ndate: {day}\nmood: {mood}\n---\n{body}\n"


def wait_for(cond: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll until `cond` holds; a generous limit only keeps a broken build from hanging."""
    deadline = time.monotonic() + limit
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def commits_of(root: Path, rel: str) -> list[str]:
    return git(root, "log", "--format=%s", "--", rel).splitlines()


def committed_text(root: Path, rel: str) -> str:
    return git(root, "show", f"HEAD:{rel}")


def count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def settle_a_while() -> None:
    """Give watch several quiet periods in which it could (wrongly) commit more."""
    time.sleep(QUIET * 5)


@contextmanager
def watching(
    root: Path, watcher_cls: type[Watcher] = Watcher, reconcile_every: float = 60, **options: Any
) -> Iterator[tuple[Watcher, list[dict[str, Any]]]]:
    events: list[dict[str, Any]] = []
    watcher = watcher_cls(
        Vault(root), "bob", quiet=options.pop("quiet", QUIET), emit=events.append, **options
    )
    watcher.reconcile_every = reconcile_every
    stop = threading.Event()
    failure: list[BaseException] = []

    def target() -> None:
        try:
            watcher.run(stop)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    wait_for(lambda: bool(events) or bool(failure), "watch to start")
    try:
        yield watcher, events
    finally:
        stop.set()
        watcher.stop()
        thread.join(15)
        assert not thread.is_alive(), "watch did not stop"
        if failure:
            raise failure[0]
    assert events[-1]["event"] == "stopped"


def of_kind(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in list(events) if e["event"] == kind]


def bare_gitignore(root: Path) -> None:
    """A vault made by hand: its .gitignore knows nothing of editor droppings."""
    write(root, ".gitignore", "journal/\n")
    git(root, "commit", "-q", "-m", "plain gitignore", "--", ".gitignore")


class HandClock:
    """A monotonic clock the test turns by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def turn(self, seconds: float) -> None:
        self.now += seconds


# ------------------------------------------------- the debouncer alone, on a hand-turned clock

A = "checkins/2026/2026-11-24-bob.md"
B = "checkins/2026/2026-11-23-bob.md"
Q = "questions/Q-0001.md"
S1 = (True, 120, 1)
S2 = (True, 160, 2)


def debouncer() -> tuple[Debouncer, HandClock]:
    clock = HandClock()
    return Debouncer(quiet=2.0, settle=0.5, clock=clock), clock


def look(d: Debouncer, clock: HandClock, snapshot: dict[str, Any]) -> list[str]:
    """A `git status` begun now; returns what is ready after it."""
    d.observe(snapshot, clock())
    return d.ready()


def test_a_saved_note_is_ready_once_quiet_and_seen_still() -> None:
    d, clock = debouncer()
    d.touch(A)
    assert d.waiting() == [A] and d.ready() == []
    assert d.next_due() == 1001.5  # a first look half a second before the quiet ends
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == []
    clock.turn(1.0)
    assert look(d, clock, {A: S1}) == []  # still, but only 1.5s after the save
    assert d.next_due() == 1002.0
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == [A]


def test_a_note_needs_two_looks_a_settle_apart() -> None:
    d, clock = debouncer()
    d.touch(A)
    clock.turn(2.0)
    assert look(d, clock, {A: S1}) == []  # quiet long enough, but seen only once
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == []
    assert d.next_due() == 1002.5
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == [A]


def test_a_new_event_restarts_the_wait() -> None:
    """Truncate, write half, write the rest: nothing is ready until quiet after the last."""
    d, clock = debouncer()
    d.touch(A)  # truncated
    clock.turn(0.5)
    d.touch(A)  # the first half
    clock.turn(0.5)
    d.touch(A)  # the rest, at 1001.0
    assert d.next_due() == 1002.5
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == []
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == []  # 2s after the first write, 1s after the last
    clock.turn(1.0)
    assert look(d, clock, {A: S1}) == [A]


def test_an_event_between_two_looks_restarts_the_wait() -> None:
    d, clock = debouncer()
    assert look(d, clock, {A: S1}) == []
    clock.turn(0.25)
    d.touch(A)  # same size and mtime as far as git can tell: the event still counts
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == []
    clock.turn(1.75)
    assert look(d, clock, {A: S1}) == [A]


def test_paths_wait_independently() -> None:
    d, clock = debouncer()
    d.touch(A)
    clock.turn(1.0)
    d.touch(B)  # saving B must not delay A
    clock.turn(0.5)
    assert look(d, clock, {A: S1, B: S1}) == []
    clock.turn(0.5)
    assert look(d, clock, {A: S1, B: S1}) == [A]
    d.done([A])
    assert d.waiting() == [B]
    assert d.next_due() == 1003.0
    clock.turn(1.0)
    assert look(d, clock, {A: S1, B: S1}) == [B]


def test_a_note_found_by_git_alone_needs_only_the_settle() -> None:
    """At start and every minute: no event came for it, so no quiet period to wait."""
    d, clock = debouncer()
    assert look(d, clock, {A: S1}) == []
    assert d.next_due() == 1000.5
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == [A]


def test_a_new_signature_without_an_event_restarts_the_wait() -> None:
    """A write no event told of (lost, or polling): seen by git, it counts as an event."""
    d, clock = debouncer()
    look(d, clock, {A: S1})
    clock.turn(0.5)
    assert look(d, clock, {A: S2}) == []
    assert d.next_due() == 1002.5
    clock.turn(1.5)
    assert look(d, clock, {A: S2}) == []
    clock.turn(0.5)
    assert look(d, clock, {A: S2}) == [A]


def test_a_look_begun_before_the_last_event_proves_nothing() -> None:
    d, clock = debouncer()
    taken_at = clock()
    clock.turn(0.25)
    d.touch(A)  # saved while git status was running
    d.touch(B)  # created while git status was running: git did not list it
    d.observe({A: S1}, taken_at)
    assert d.waiting() == [B, A]  # B's event is not lost
    clock.turn(2.0)
    assert look(d, clock, {A: S1, B: S1}) == []  # the first look that counts
    clock.turn(0.5)
    assert look(d, clock, {A: S1, B: S1}) == [B, A]


def test_a_path_git_no_longer_lists_is_forgotten() -> None:
    d, clock = debouncer()
    d.touch(A)  # e.g. saved back to what is committed, or committed by `openbook new`
    look(d, clock, {A: S1})
    clock.turn(1.5)
    assert look(d, clock, {}) == []
    assert d.waiting() == [] and d.next_due() is None


def test_a_handled_note_waits_for_its_next_change() -> None:
    d, clock = debouncer()
    look(d, clock, {A: S1})
    clock.turn(0.5)
    assert look(d, clock, {A: S1}) == [A]
    d.done([A])  # reported as invalid, say
    clock.turn(60)
    assert look(d, clock, {A: S1}) == []
    assert d.next_due() is None and d.waiting() == []
    assert d.ready(again=True) == [A]  # the minute's full reconcile checks it again
    clock.turn(1.0)
    d.touch(A)  # fixed
    assert d.waiting() == [A] and d.next_due() == 1063.0
    clock.turn(2.0)
    look(d, clock, {A: S2})
    d.done([A])
    clock.turn(0.25)
    look(d, clock, {A: S1})  # a new signature undoes `done` too
    assert d.waiting() == [A]


def test_a_folder_event_restarts_the_notes_below_it_only() -> None:
    """A folder moved in or out: one event for the folder, none for its notes."""
    d, clock = debouncer()
    look(d, clock, {A: S1, Q: S1})
    clock.turn(0.25)
    d.touch_folder("checkins")
    clock.turn(0.25)
    assert look(d, clock, {A: S1, B: S1, Q: S1}) == [Q]  # B came with the folder
    d.done([Q])
    assert d.next_due() == 1002.25
    clock.turn(1.75)
    assert look(d, clock, {A: S1, B: S1, Q: S1}) == [B, A]


def test_a_busy_vault_postpones_the_next_look() -> None:
    d, clock = debouncer()
    d.postpone(3.0)  # git status could not run at all
    assert d.next_due() == 1003.0
    clock.turn(3.0)
    look(d, clock, {A: S1})
    assert d.next_due() == 1003.5  # a look that ran ends the postponement
    d.postpone(3.0)
    assert d.next_due() == 1006.0


def test_no_quiet_at_all_still_waits_for_the_settle() -> None:
    clock = HandClock()
    d = Debouncer(quiet=0, settle=0.5, clock=clock)
    d.touch(A)
    assert d.next_due() == 1000.0
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == []
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == []
    clock.turn(0.25)
    assert look(d, clock, {A: S1}) == [A]


# ----------------------------------- the Watcher by hand: real files and git, hand-turned clock


def by_hand(root: Path) -> tuple[Watcher, list[dict[str, Any]], HandClock]:
    """A Watcher with no observer and no thread: the test tells it of events and turns time."""
    clock = HandClock()
    events: list[dict[str, Any]] = []
    watcher = Watcher(Vault(root), "bob", quiet=2.0, emit=events.append, clock=clock)
    assert watcher.settle == 0.1
    return watcher, events, clock


def looks(watcher: Watcher, clock: HandClock, seconds: float, full: bool = False) -> list[str]:
    """Reconcile every quarter second for `seconds`; the paths committed meanwhile."""
    committed = []
    for _ in range(int(seconds / 0.25)):
        clock.turn(0.25)
        committed += [c["path"] for c in watcher.reconcile(full=full).committed]
    return committed


def test_a_note_written_in_three_goes_is_committed_once_with_the_final_text(vault: Path) -> None:
    write(vault, NOTE, checkin(body="First draft."))
    assert invoke(["commit"], vault=vault).exit_code == 0
    watcher, _, clock = by_hand(vault)
    before = count(vault)
    final = checkin(mood=5, body="Second thoughts, written slowly.")
    with open(vault / NOTE, "r+b") as fh:
        fh.truncate(0)
        fh.flush()
        watcher.changed(NOTE)
        assert looks(watcher, clock, 1.0) == []
        fh.write(final[:-15].encode())  # frontmatter and half the body: a valid note
        fh.flush()
        watcher.changed(NOTE)
        assert looks(watcher, clock, 1.5) == []
        fh.write(final[-15:].encode())
    watcher.changed(NOTE)
    assert looks(watcher, clock, 1.75) == []  # the quiet is not over yet
    assert count(vault) == before
    assert looks(watcher, clock, 0.25) == [NOTE]
    assert count(vault) == before + 1
    assert committed_text(vault, NOTE) == final.rstrip("\n")
    assert commits_of(vault, NOTE)[0] == f"checkin: edit {NOTE}"
    assert looks(watcher, clock, 10.0, full=True) == []


def test_two_notes_saved_a_second_apart_are_committed_each_in_its_time(vault: Path) -> None:
    watcher, events, clock = by_hand(vault)
    write(vault, A, checkin())
    watcher.changed(A)
    clock.turn(1.0)
    write(vault, B, checkin("2026-11-23"))
    watcher.changed(B)
    assert looks(watcher, clock, 1.25) == [A]
    assert git(vault, "status", "--porcelain", "-uall") == f"?? {B}"
    assert looks(watcher, clock, 1.0) == [B]
    assert [e["path"] for e in of_kind(events, "committed")] == [A, B]


def test_a_note_no_event_told_of_is_committed_by_the_full_reconcile(vault: Path) -> None:
    watcher, events, clock = by_hand(vault)
    write(vault, NOTE, checkin())  # saved while watch was not running
    assert watcher.reconcile(full=True).committed == []  # seen once
    clock.turn(0.1)
    assert [c["path"] for c in watcher.reconcile(full=True).committed] == [NOTE]
    assert commits_of(vault, NOTE) == [f"checkin: new {NOTE}"]
    assert [e["action"] for e in of_kind(events, "committed")] == ["new"]


def test_invalid_note_is_reported_once_and_committed_when_fixed(vault: Path) -> None:
    watcher, events, clock = by_hand(vault)
    before = count(vault)
    write(vault, NOTE, checkin(mood=9))
    watcher.changed(NOTE)
    assert looks(watcher, clock, 2.5) == []
    invalid = of_kind(events, "invalid")
    assert len(invalid) == 1
    assert invalid[0]["lines"] == [
        f"{NOTE}:5:7: error: mood must be between 1 and 5, got 9 [field-value]"
    ]
    for _ in range(5):  # the minute's full reconciles check it again, and say nothing
        clock.turn(60)
        assert watcher.reconcile(full=True).invalid == [NOTE]
    assert len(of_kind(events, "invalid")) == 1
    assert count(vault) == before
    write(vault, NOTE, checkin(mood=2))
    watcher.changed(NOTE)
    assert looks(watcher, clock, 2.5) == [NOTE]
    assert committed_text(vault, NOTE) == checkin(mood=2).rstrip("\n")
    assert len(of_kind(events, "invalid")) == 1
    assert not of_kind(events, "notice")


def test_a_busy_vault_is_a_calm_notice_and_watch_tries_again(vault: Path) -> None:
    watcher, events, clock = by_hand(vault)
    write(vault, NOTE, checkin())
    held, release = threading.Event(), threading.Event()

    def other_openbook() -> None:
        with Vault(vault).lock():
            held.set()
            release.wait(30)

    thread = threading.Thread(target=other_openbook, daemon=True)
    thread.start()
    assert held.wait(30)
    try:
        outcome = watcher.reconcile(full=True)
    finally:
        release.set()
        thread.join(30)
    assert not outcome.settled and not outcome.committed
    assert [e["message"] for e in of_kind(events, "notice")] == [
        "another openbook is working on the vault; watch tries again shortly."
    ]
    assert watcher.next_due() == clock() + 2.0  # not before the quiet period
    assert looks(watcher, clock, 2.25) == [NOTE]


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


def test_a_burst_of_200_saves_loses_nothing(vault: Path) -> None:
    bare_gitignore(vault)
    before = count(vault)
    paths = [f"questions/Q-{n:04d}.md" for n in range(1, 201)]

    def question(n: int, status: str) -> str:
        return (
            f"---\ntype: question\nid: Q-{n:04d}\nasked_by: alice\nto: bob\n"
            f"asked: 2026-11-20 10:00\nstatus: {status}\n---\nQuestion {n}?\n"
        )

    # each note waits on its own: a quiet period longer than the 400 writes take, even on
    # a loaded machine, so no note is committed between its two versions
    with watching(vault, quiet=1.0):
        for n, rel in enumerate(paths, 1):
            write(vault, rel, question(n, "open"))
        for n, rel in enumerate(paths, 1):  # the final state of each
            write(vault, rel, question(n, "acknowledged"))
        wait_for(lambda: count(vault) >= before + 200, "200 commits", limit=120)
        settle_a_while()
    assert count(vault) == before + 200
    assert git(vault, "status", "--porcelain") == ""
    for n, rel in enumerate(paths, 1):
        assert committed_text(vault, rel) == question(n, "acknowledged").rstrip("\n")


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
    assert parse_seconds("0.3s") == pytest.approx(0.3)
    assert parse_seconds("500ms") == pytest.approx(0.5)
    assert parse_seconds("10m") == 600
    assert parse_seconds("3") == 3
    assert parse_seconds("soon") is None


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


# ------------------------------------------------------------------------------ sync


def test_syncs_after_a_burst_of_commits(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
    assert [e["exit_code"] for e in of_kind(events, "sync")] == [0, 0]
    assert pair.remote_head() == pair.head("bob")
    assert NOTE in git(pair.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_an_unreachable_remote_is_calm_and_watch_keeps_committing(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the network is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.bob, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
    syncs = of_kind(events, "sync")
    assert [e["exit_code"] for e in syncs] == [5, 5]
    assert "committed here and will be shared at the next sync" in syncs[1]["message"]
    assert [e["path"] for e in of_kind(events, "committed")] == [NOTE]


def test_an_integrity_alert_stops_syncing_but_not_committing(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    with watching(pair.bob, sync_every=0.5) as (watcher, events):
        wait_for(lambda: bool(of_kind(events, "sync")), "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: bool(of_kind(events, "committed")), "the commit")
        settle_a_while()
        assert watcher.sync_stopped
    syncs = of_kind(events, "sync")
    assert len(syncs) == 1  # never again until the people have looked
    assert syncs[0]["exit_code"] == 4
    assert syncs[0]["message"].startswith("sync stopped")
    assert "restart watch" in syncs[0]["message"]
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_a_sync_conflict_keeps_both_and_watch_keeps_running(tmp_path: Path) -> None:
    from testing import AGREEMENT, agreement_text, checkin_text, make_pair

    pair = make_pair(tmp_path)
    pair.write("bob", AGREEMENT, agreement_text("First wording."))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        pair.write("alice", AGREEMENT, agreement_text("Alice's wording."))
        assert pair.sync("alice").exit_code == 0
        pair.write("bob", AGREEMENT, agreement_text("Bob's wording."))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(of_kind(events, "sync")) == 3, "a sync after the conflict")
    codes = [e["exit_code"] for e in of_kind(events, "sync")]
    assert codes[:2] == [0, 3]
    assert "reconcile the two together" in of_kind(events, "sync")[1]["message"]
    assert [e["path"] for e in of_kind(events, "committed")] == [AGREEMENT, NOTE]
    copies = Vault(pair.bob).conflict_copies()
    assert len(copies) == 1 and copies[0].startswith("agreements/A-001-no-private-contact.")
    assert git(pair.bob, "status", "--porcelain") == ""


def test_once_with_sync_reports_an_unreachable_remote_as_exit_5(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the network is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.bob, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    pair.write("bob", NOTE, checkin_text("bob"))
    res = invoke(["watch", "--once", "--sync-every", "10m"], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 5
    lines = res.stdout.splitlines()
    assert lines[0] == f"committed {NOTE}"
    assert lines[-1] == (
        "the remote could not be reached; your notes are committed here "
        "and will be shared at the next sync."
    )
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_text_lines_are_short_and_calm() -> None:
    from openbook.commands.watch import format_event

    assert format_event({"event": "committed", "path": NOTE, "action": "edit"}) == [
        f"committed {NOTE}"
    ]
    assert format_event({"event": "committed", "path": NOTE, "action": "delete"}) == [
        f"committed the deletion of {NOTE}; it stays in the shared history"
    ]
    line = f"{NOTE}:5:7: error: mood must be between 1 and 5, got 9 [field-value]"
    shown = format_event({"event": "invalid", "path": NOTE, "lines": [line]})
    assert shown == [f"not committed {NOTE}: fix this and save again, watch commits it then", line]
    assert format_event({"event": "stopped"}) == ["stopped."]
