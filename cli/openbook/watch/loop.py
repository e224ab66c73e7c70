"""Watch mode: watchdog events -> quiet period -> git status -> check -> commit -> sync.

Events only mark the vault dirty. What changed is always decided from `git status`,
never from the events, so an event lost by the OS or during a sync costs nothing: the
full reconcile at start, every minute and after every sync commits it anyway.

The vault lock is held only while asking git for the status and while committing,
never while waiting, so `openbook new` and friends work while watch runs.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from openbook.errors import Busy, IntegrityAlert, OpenbookError
from openbook.git import repo as gitrepo
from openbook.notes.parse import Problem
from openbook.notetypes.registry import LANGUAGE_FILE, NOTE_FOLDERS
from openbook.vault import Vault

Event = dict[str, Any]
Emit = Callable[[Event], None]

DEFAULT_QUIET = 3.0
RECONCILE_EVERY = 60.0
COMMIT_CHUNK = 20  # paths committed per hold of the vault lock
LOCK_WAIT = 1.0  # watch never waits long for the lock: it simply tries again later

# editor and system droppings: never committed, and their events never delay a commit
_DROP_NAMES = {"4913", ".DS_Store", "Thumbs.db"}
_DROP_SUFFIXES = (".swp", ".swo", ".swx", "~", ".tmp", ".crswap")
# written to .git/info/exclude (local, never shared) so that no command, sync included,
# ever sees them in a vault whose .gitignore lacks them
LOCAL_EXCLUDES = (
    "*.swp",
    "*.swo",
    "*.swx",
    "*~",
    "4913",
    ".#*",
    "\\#*#",
    "*.tmp",
    ".DS_Store",
    "Thumbs.db",
    ".obsidian/workspace*",
)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_seconds(text: str) -> float | None:
    """'3s', '0.3s', '500ms', '5m', '1h', or a plain number of seconds; None if not."""
    m = _DURATION.match(text)
    if not m:
        return None
    return float(m[1]) * _UNITS[m[2] or "s"]


def is_dropping(rel: str) -> bool:
    """An editor's swap, backup, probe or lock file, or a system file."""
    name = rel.rsplit("/", 1)[-1]
    return (
        name in _DROP_NAMES
        or name.endswith(_DROP_SUFFIXES)
        or name.startswith(".#")
        or (name.startswith("#") and name.endswith("#"))
        or rel.startswith(".obsidian/workspace")
    )


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
    from openbook.fsutil import atomic_write

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


@dataclass
class ReconcileResult:
    committed: list[dict[str, str]] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    settled: bool = True  # False when something was still being written, or git was busy


def _describe_oserror(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return "the system's limit of watched folders is reached"
    if exc.errno == errno.EMFILE:
        return "too many files are open"
    return exc.strerror or str(exc)


class Watcher:
    """Watch one vault and commit what its partner saves. No click, no printing.

    `emit` receives one dict per thing worth telling: `{"event": "committed", ...}`.
    """

    reconcile_every: float = RECONCILE_EVERY

    def __init__(
        self,
        vault: Vault,
        partner: str,
        *,
        quiet: float = DEFAULT_QUIET,
        sync_every: float | None = None,
        poll: bool = False,
        emit: Emit | None = None,
    ) -> None:
        self.vault = vault
        self.partner = partner
        self.quiet = max(0.0, quiet)
        self.sync_every = sync_every if sync_every and sync_every > 0 else None
        self.poll = poll
        self._emit = emit or (lambda _event: None)
        self.settle = min(0.1, max(0.02, self.quiet / 3))
        self.observer_kind = "none"
        self.sync_stopped = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._mu = threading.Lock()
        self._generation = 0  # counts relevant events
        self._dirty_at: float | None = None
        self._rewatch = False
        self._reported: dict[str, tuple[int, int, tuple[str, ...]]] = {}
        self._last_notice: str | None = None
        self._observer: Any = None
        self._watches: dict[str, Any] = {}
        self._root = str(vault.root)

    # ------------------------------------------------------------------ events

    def emit(self, event: Event) -> None:
        event.setdefault("time", self.vault.now().isoformat(timespec="seconds"))
        self._emit(event)

    def notice(self, message: str, *, once: bool = True) -> None:
        """A calm sentence; the same one is not repeated while nothing else happened."""
        if once and message == self._last_notice:
            return
        self._last_notice = message
        self.emit({"event": "notice", "message": message})

    def mark_dirty(self) -> None:
        with self._mu:
            self._generation += 1
            self._dirty_at = time.monotonic()
        self._wake.set()

    def _on_event(self, event: Any) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return  # reads, including our own
        if event.is_directory and kind == "modified":
            return  # always comes with an event for the file itself
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        rels = []
        for raw in paths:
            if not raw:
                continue
            p = os.fsdecode(raw)
            if p.startswith(self._root + os.sep):
                rels.append(p[len(self._root) + 1 :].replace(os.sep, "/"))
        if not any(_relevant(rel, event.is_directory) for rel in rels):
            return
        if event.is_directory and any("/" not in rel for rel in rels):
            self._rewatch = True  # a note folder itself appeared or went away
        self.mark_dirty()

    # ---------------------------------------------------------------- observer

    def native_observer(self) -> Any:
        """The platform's observer (inotify on Linux). Overridable for tests."""
        from watchdog.observers import Observer

        return Observer()

    def poll_interval(self) -> float:
        return min(1.0, max(0.1, self.quiet / 2))

    def start_observer(self) -> None:
        if self.poll:
            self._start_polling()
            return
        try:
            self._observer = self.native_observer()
            self._schedule()
            self._observer.start()
            self.observer_kind = "native"
        except OSError as exc:
            self._stop_observer()
            self.notice(
                f"cannot watch for changes the fast way ({_describe_oserror(exc)}); "
                f"checking the folders every {self.poll_interval():g}s instead."
            )
            self._start_polling()

    def _start_polling(self) -> None:
        from watchdog.observers.polling import PollingObserver

        self._observer = PollingObserver(timeout=self.poll_interval())
        self._schedule()
        self._observer.start()
        self.observer_kind = "polling"

    def _handler(self) -> Any:
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher._on_event(event)

        return _Handler()

    def _schedule(self) -> None:
        """The vault folder itself (not recursive) and each note folder (recursive).

        `.git/` is never watched: the recursive watches start below the note folders.
        """
        obs = self._observer
        if "" not in self._watches:
            self._watches[""] = obs.schedule(self._handler(), self._root, recursive=False)
        for folder in NOTE_FOLDERS:
            path = os.path.join(self._root, folder)
            present = os.path.isdir(path) and not os.path.islink(path)
            if present and folder not in self._watches:
                self._watches[folder] = obs.schedule(self._handler(), path, recursive=True)
            elif not present and folder in self._watches:
                watch = self._watches.pop(folder)
                with contextlib.suppress(KeyError, OSError):
                    obs.unschedule(watch)

    def _stop_observer(self) -> None:
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

    # ----------------------------------------------------------------- reconcile

    def _pending(self) -> dict[str, tuple[bool, int, int]]:
        """Notes git reports as changed, with (exists, size, mtime_ns) right now."""
        with self.vault.lock(wait=LOCK_WAIT):
            changes = gitrepo.status(self.vault.root)
        snap: dict[str, tuple[bool, int, int]] = {}
        for change in changes:
            if not is_note_path(change.path):
                continue
            try:
                st = os.lstat(os.path.join(self._root, change.path))
                snap[change.path] = (True, st.st_size, st.st_mtime_ns)
            except FileNotFoundError:
                snap[change.path] = (False, 0, 0)
        return snap

    def reconcile(self) -> ReconcileResult:
        """One full pass: every changed note that stays still is checked and committed."""
        result = ReconcileResult()
        with self._mu:
            generation = self._generation
        try:
            first = self._pending()
            if not first:
                self._reported.clear()
                self._last_notice = None
                return result
            if self._stop.wait(self.settle):
                result.settled = False
                return result
            with self._mu:
                moved = self._generation != generation
            if moved:
                result.settled = False  # still being written: wait for quiet again
                return result
            second = self._pending()
            stable = sorted(p for p, sig in second.items() if first.get(p) == sig)
            result.settled = len(stable) == len(second)
            for path in list(self._reported):
                if path not in second:
                    del self._reported[path]  # deleted or reverted
            self._commit(stable, result)
        except Busy:
            result.settled = False
            self.notice("another openbook is working on the vault; watch tries again shortly.")
        except OpenbookError as exc:
            result.settled = False
            self.notice(f"{exc} Watch tries again shortly.")
        return result

    def _commit(self, paths: list[str], result: ReconcileResult) -> None:
        from openbook.check.result import check_vault
        from openbook.record.pending import commit_pending

        if not paths:
            return
        checked = check_vault(self.vault)
        bad = checked.failed_paths()
        exists = {p: os.path.lexists(os.path.join(self._root, p)) for p in paths}
        valid = [p for p in paths if not (exists[p] and p in bad)]
        invalid = [p for p in paths if exists[p] and p in bad]
        for start in range(0, len(valid), COMMIT_CHUNK):
            if self._stop.is_set():
                result.settled = False
                break
            chunk = valid[start : start + COMMIT_CHUNK]
            with self.vault.lock(wait=LOCK_WAIT):
                outcome = commit_pending(self.vault, self.partner, only=chunk)
            for c in outcome.committed:
                self._reported.pop(c.path, None)
                item = {"path": c.path, "action": c.action, "commit": c.sha}
                result.committed.append(item)
                self.emit({"event": "committed", **item})
            if outcome.refused:
                invalid.extend(outcome.refused)
                checked = check_vault(self.vault)
        if result.committed:
            self._last_notice = None
        self._report_invalid(sorted(set(invalid)), checked.problems, result)

    def _report_invalid(
        self, paths: list[str], problems: Iterable[Problem], result: ReconcileResult
    ) -> None:
        by_path: dict[str, list[Problem]] = {}
        for p in problems:
            by_path.setdefault(p.path, []).append(p)
        for path in paths:
            result.invalid.append(path)
            own = by_path.get(path, [])
            try:
                st = os.lstat(os.path.join(self._root, path))
                sig = (st.st_size, st.st_mtime_ns, tuple(p.format() for p in own))
            except FileNotFoundError:
                continue
            if self._reported.get(path) == sig:
                continue  # already told, and nothing changed since
            self._reported[path] = sig
            self.emit(
                {
                    "event": "invalid",
                    "path": path,
                    "problems": [asdict(p) for p in own],
                    "lines": [p.format() for p in own],
                }
            )

    # ---------------------------------------------------------------------- sync

    def sync_now(self) -> int | None:
        """Run one sync; report its outcome calmly. Returns its exit code (None: skipped)."""
        if self.sync_every is None or self.sync_stopped:
            return None
        from openbook.sync.run import sync

        try:
            outcome = sync(self.vault, self.partner, remote="origin")
            code, lines = int(outcome.exit_code), [str(x) for x in outcome.lines]
        except IntegrityAlert as exc:
            code, lines = 4, [str(exc)]
        except OpenbookError as exc:
            code, lines = exc.exit_code, [str(exc)]
        self.emit(
            {"event": "sync", "exit_code": code, "lines": lines, "message": _sync_message(code)}
        )
        if code == 4:
            self.sync_stopped = True
        if code == 0:
            self._last_notice = None
        return code

    # ---------------------------------------------------------------------- loop

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self, stop_event: threading.Event | None = None) -> None:
        """Watch until `stop_event` (or `stop()`) is set. A commit in progress finishes."""
        if stop_event is not None:
            self._stop = stop_event
        ensure_local_excludes(self.vault)
        self.start_observer()
        try:
            self.emit(
                {
                    "event": "started",
                    "vault": self._root,
                    "partner": self.partner,
                    "observer": self.observer_kind,
                    "quiet": self.quiet,
                    "sync_every": self.sync_every,
                }
            )
            self._loop()
        finally:
            self._stop_observer()
            self.emit({"event": "stopped"})

    def _loop(self) -> None:
        clock = time.monotonic
        next_full = 0.0  # a full reconcile at start
        next_sync = clock() if self.sync_every else float("inf")
        sync_soon = False
        while not self._stop.is_set():
            now = clock()
            if self._rewatch and self._observer is not None:
                self._rewatch = False
                with contextlib.suppress(OSError):
                    self._schedule()  # else the minute's full reconcile still catches all
            with self._mu:
                dirty_at = self._dirty_at
            if (dirty_at is not None and now - dirty_at >= self.quiet) or now >= next_full:
                with self._mu:
                    if self._dirty_at == dirty_at:
                        self._dirty_at = None
                outcome = self.reconcile()
                if not outcome.settled and not self._stop.is_set():
                    with self._mu:
                        if self._dirty_at is None:
                            self._dirty_at = clock()
                if now >= next_full:
                    next_full = clock() + self.reconcile_every
                if outcome.committed:
                    sync_soon = True
                continue
            if self.sync_every and (sync_soon or now >= next_sync):
                sync_soon = False
                self.sync_now()
                next_sync = clock() + self.sync_every
                next_full = 0.0  # reconcile after every sync
                continue
            deadlines = [next_full, next_sync]
            if dirty_at is not None:
                deadlines.append(dirty_at + self.quiet)
            timeout = max(0.0, min(deadlines) - clock())
            self._wake.wait(min(timeout, 1.0))
            self._wake.clear()

    def once(self) -> ReconcileResult:
        """One reconcile, retried briefly while files are still being written."""
        total = ReconcileResult()
        ensure_local_excludes(self.vault)
        for _ in range(20):
            outcome = self.reconcile()
            total.committed += outcome.committed
            total.invalid = outcome.invalid
            total.settled = outcome.settled
            if outcome.settled or self._stop.is_set():
                break
            self._stop.wait(max(self.quiet, self.settle))
        return total


def _sync_message(code: int) -> str:
    return {
        0: "synced with your partner.",
        3: "sync kept both sides of a conflict as a copy beside the note; reconcile the "
        "two together, then delete the copy. Watch keeps running.",
        4: "sync stopped: the shared history was rewritten or does not verify, so nothing "
        "was merged or pushed. Look at it together with 'openbook sync --check', then "
        "restart watch. Your notes are still committed here.",
        5: "the remote could not be reached; your notes are committed here and will be "
        "shared at the next sync.",
        6: "the vault was busy; sync tries again at the next interval.",
    }.get(code, "sync did not finish; watch keeps committing and tries again later.")
