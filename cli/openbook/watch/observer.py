"""Which paths watch cares about, and the watchdog observer that reports them.

The vault folder is watched on its own (not recursively) and each note folder
recursively, so `.git/` is never watched. Editor droppings (swap, backup, probe and
lock files) and anything outside the note folders never reach the debouncer. When the
platform's observer cannot start (inotify's limits), watch polls instead.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from openbook.fsutil import DROPPING_PATTERNS, atomic_write, is_dropping
from openbook.notetypes.registry import LANGUAGE_FILE, NOTE_FOLDERS
from openbook.vault import Vault

__all__ = [
    "LOCAL_EXCLUDES",
    "VaultObserver",
    "ensure_local_excludes",
    "is_dropping",
    "is_note_path",
]

# (path relative to the vault, is it a folder)
OnChange = Callable[[str, bool], None]
# (every path an event names, relative to the vault; does it leave a doubt: a folder
# that came, went or moved, or events the system lost) (watch/listing.py)
OnAny = Callable[[list[str], bool], None]

# written to .git/info/exclude (local, never shared) so that no command, sync included,
# ever sees them in a vault whose .gitignore lacks them
LOCAL_EXCLUDES = DROPPING_PATTERNS


def is_note_path(rel: str) -> bool:
    """A path watch commits: language.md or a Markdown note inside a note folder."""
    if rel == LANGUAGE_FILE:
        return True
    parts = rel.split("/")
    return (
        len(parts) > 1
        and parts[0] in NOTE_FOLDERS
        and rel.endswith(".md")
        and not any(p.startswith(".") for p in parts)
        and not is_dropping(rel)
    )


def ensure_local_excludes(vault: Vault) -> list[str]:
    """Add the editor droppings to .git/info/exclude when missing. Returns what was added."""
    gd = vault.git_dir
    if gd is None or not vault.is_own_repo:
        return []
    path = gd / "info" / "exclude"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError):
        return []
    have = {line.strip() for line in text.splitlines()}
    missing = [p for p in LOCAL_EXCLUDES if p not in have]
    if not missing:
        return []
    if text and not text.endswith("\n"):
        text += "\n"
    text += "# editor droppings, never committed (added by openbook watch; local only)\n"
    text += "".join(f"{p}\n" for p in missing)
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError:
        return []  # watch still filters them itself
    return missing


def _relevant(rel: str, is_dir: bool) -> bool:
    if is_dir:
        return rel.split("/", 1)[0] in NOTE_FOLDERS
    return is_note_path(rel)


def describe_oserror(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the system's limit of watched folders is reached"
    if exc.errno == errno.EMFILE:
        return "too many files are open"
    return exc.strerror or str(exc)


class _StopRace(logging.Filter):
    """watchdog logs an error when its inotify thread reads once more after `stop()`
    began: a race inside watchdog, harmless since watch is stopping on purpose. Without
    this filter Python prints the line on the terminal as watch exits."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_StopRace())


def native_observer() -> BaseObserver:
    """The platform's observer (inotify on Linux)."""
    return Observer()


class _Handler(FileSystemEventHandler):
    def __init__(self, observer: VaultObserver) -> None:
        self._observer = observer

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._observer.on_event(event)


class VaultObserver:
    """Watchdog on the vault root and its note folders; calls `on_change` per note path."""

    def __init__(
        self,
        root: str,
        on_change: OnChange,
        *,
        poll: bool = False,
        interval: float = 1.0,
        native: Callable[[], BaseObserver] = native_observer,
        on_any: OnAny | None = None,
    ) -> None:
        self.root = root
        self.on_change = on_change
        self.on_any = on_any
        self.poll = poll
        self.interval = interval
        self.kind = "none"
        self.rewatch = False  # a note folder itself appeared or went away
        self._native = native
        self._observer: BaseObserver | None = None
        self._watches: dict[str, ObservedWatch] = {}

    def on_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return  # reads, including our own
        if event.is_directory and kind == "modified":
            return  # always comes with an event for the file itself
        rels = []
        for raw in (event.src_path, getattr(event, "dest_path", "") or ""):
            if not raw:
                continue
            p = os.fsdecode(raw)
            if p.startswith(self.root + os.sep):
                rels.append(p[len(self.root) + 1 :].replace(os.sep, "/"))
        if self.on_any is not None:
            self.on_any(rels, event.is_directory or kind == "events_lost")
        hits = [rel for rel in rels if _relevant(rel, event.is_directory)]
        if not hits:
            return
        if event.is_directory and any("/" not in rel for rel in rels):
            self.rewatch = True
        for rel in hits:
            self.on_change(rel, event.is_directory)

    def start(self) -> str | None:
        """Start watching. Returns a notice for the people when it had to fall back."""
        if self.poll:
            self._start_polling()
            return None
        try:
            self._observer = self._native()
            self._schedule()
            self._observer.start()
            self.kind = "native"
            return None
        except OSError as exc:
            self.stop()
            message = (
                f"cannot watch for changes the fast way ({describe_oserror(exc)}); "
                f"checking the folders every {self.interval:g}s instead."
            )
        self._start_polling()
        return message

    def _start_polling(self) -> None:
        self._observer = PollingObserver(timeout=self.interval)
        self._schedule()
        self._observer.start()
        self.kind = "polling"

    def _schedule(self) -> None:
        """The vault folder itself (not recursive) and each note folder (recursive).

        `.git/` is never watched: the recursive watches start below the note folders.
        """
        obs = self._observer
        if obs is None:
            return
        if "" not in self._watches:
            self._watches[""] = obs.schedule(_Handler(self), self.root, recursive=False)
        for folder in NOTE_FOLDERS:
            path = os.path.join(self.root, folder)
            present = os.path.isdir(path) and not os.path.islink(path)
            if present and folder not in self._watches:
                self._watches[folder] = obs.schedule(_Handler(self), path, recursive=True)
            elif not present and folder in self._watches:
                watch = self._watches.pop(folder)
                with contextlib.suppress(KeyError, OSError):
                    obs.unschedule(watch)

    def rewatch_if_needed(self) -> None:
        """Follow note folders that appeared or went away since the last call."""
        if self.rewatch and self._observer is not None:
            self.rewatch = False
            with contextlib.suppress(OSError):
                self._schedule()  # else the minute's full reconcile still catches all

    def stop(self) -> None:
        obs, self._observer = self._observer, None
        self._watches.clear()
        if obs is None:
            return
        try:
            obs.stop()
            if obs.is_alive():
                obs.join(timeout=2)
        except (OSError, RuntimeError):
            pass
