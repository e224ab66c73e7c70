"""openbook watch, on a clock the tests turn by hand.

When is a note still enough to commit: first the debouncer alone, then the Watcher on real
files and real git with reconciles called by hand. The end-to-end tests, with real inotify,
real time and the save patterns of real editors, are in test_watch.py and test_watch_sync.py.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from testing import git, invoke, write
from testing.watching import NOTE, HandClock, checkin, commits_of, committed_text, count, of_kind

from openbook.vault import Vault
from openbook.watch.debounce import Debouncer
from openbook.watch.loop import Watcher

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
