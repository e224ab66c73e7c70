"""Helpers of the watch tests: a Watcher run on a thread, a hand-turned clock, waiting."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openbook.vault import Vault
from openbook.watch.loop import Watcher
from testing import git, write

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
