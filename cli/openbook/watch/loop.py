"""Watch mode: watchdog events -> debounce -> git status -> check -> commit -> sync.

Events only restart a note's wait (debounce.py). What changed is always decided from
`git status` (reconcile.py), never from the events, so an event lost by the OS or during
a sync costs nothing: the full reconcile at start, every minute and after every sync
commits it anyway. The events do spare the checks a walk of every note file between two
walks (listing.py): what git lists is looked at again whatever they said.

The vault lock is held only while asking git for the status and while committing,
never while waiting, so `openbook new` and friends work while watch runs.

While nothing is due, watch brings what a check remembers up to the vault as it is
(`warm`): at start, after each commit and sync (history moved on: it is read while no
note waits), and after a note's first save event since the last commit (it is read
while the quiet period runs), so the check of a save's commit reads no history. A
remembered answer is the answer recomputing gives, so this changes nothing that is
committed, only when the work is done.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time

from watchdog.observers.api import BaseObserver

from openbook.check.result import check_vault
from openbook.errors import EXIT_INTEGRITY, EXIT_OK, Busy, IntegrityAlert, OpenbookError
from openbook.git.ahead import forget_ahead
from openbook.git.repo import config_read_once
from openbook.sync.run import sync
from openbook.vault import Vault
from openbook.watch.debounce import Clock, Debouncer
from openbook.watch.listing import TELLS_LOSSES, Listing
from openbook.watch.observer import VaultObserver, ensure_local_excludes, native_observer
from openbook.watch.reconcile import LOCK_WAIT, Emit, Event, Reconciler, ReconcileResult

DEFAULT_QUIET = 3.0
RECONCILE_EVERY = 60.0
ONCE_ROUNDS = 20  # looks at git by `watch --once` while notes are still being written


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
        clock: Clock = time.monotonic,
    ) -> None:
        self.vault = vault
        self.partner = partner
        quiet = max(0.0, quiet)
        self.sync_every = sync_every if sync_every and sync_every > 0 else None
        self.poll = poll
        self._emit = emit or (lambda _event: None)
        self.settle = min(0.1, max(0.02, quiet / 3))
        self.sync_stopped = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._mu = threading.Lock()  # guards the debouncer: events come from another thread
        self._debounce = Debouncer(quiet, self.settle, clock=clock)
        self._last_notice: str | None = None
        self._stale = True  # what a check remembers may lag the vault: warm when idle
        self._warmed_for: set[str] = set()  # notes whose events asked for a warm
        self.warm_cost = 0.0  # seconds the last warm took
        self._root = str(vault.root)
        # the note files as the events keep them, for the checks of commits and warms
        self._listing = Listing(self._root)
        self._observer = VaultObserver(
            self._root,
            self.changed,
            poll=poll,
            interval=self.poll_interval(),
            native=self.native_observer,
            on_any=self._listing.saw,
        )
        self._reconciler = Reconciler(vault, partner, self.emit, lambda: self._stop.is_set())

    @property
    def quiet(self) -> float:
        return self._debounce.quiet

    @quiet.setter
    def quiet(self, value: float) -> None:
        with self._mu:
            self._debounce.quiet = max(0.0, value)

    @property
    def observer_kind(self) -> str:
        return self._observer.kind

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

    def changed(self, rel: str, folder: bool = False) -> None:
        """A note (or a folder of notes) changed. The observer calls this from its thread."""
        with self._mu:
            if folder:
                self._debounce.touch_folder(rel)
            else:
                self._debounce.touch(rel)
            # one warm for a note's first event since the last commit: a note saved again
            # and again (autosave) is not checked again and again before its commit
            if folder or rel not in self._warmed_for:
                self._warmed_for.add(rel)
                self._stale = True
        self._wake.set()

    def native_observer(self) -> BaseObserver:
        """The platform's observer (inotify on Linux). Overridable for tests."""
        return native_observer()

    def poll_interval(self) -> float:
        return min(1.0, max(0.1, self.quiet / 2))

    # ----------------------------------------------------------------- reconcile

    def reconcile(self, *, full: bool = False) -> ReconcileResult:
        """Ask git what changed; commit the notes that stayed still long enough.

        `full` also checks again the notes already reported as invalid (another note's
        change can make them valid).
        """
        result = ReconcileResult()
        try:
            self._reconcile(result, full)
        except Busy:
            result.settled = False
            self._postpone()
            self.notice("another openbook is working on the vault; watch tries again shortly.")
        except OpenbookError as exc:
            result.settled = False
            self._postpone()
            self.notice(f"{exc} Watch tries again shortly.")
        return result

    def _reconcile(self, result: ReconcileResult, full: bool) -> None:
        taken_at = self._debounce.now()
        with contextlib.ExitStack() as hold:
            # one hold of the vault lock for the look and the first commit: the commit
            # takes what git listed from the look, with no second `git status`
            hold.enter_context(self.vault.lock(wait=LOCK_WAIT))
            if full:  # a look at every note: their files are walked again too
                self._listing.doubt()
            pending = self._reconciler.pending()
            with self._mu:
                self._debounce.observe(pending, taken_at)
                ready = self._debounce.ready(again=full)
            self._reconciler.forget(pending)
            if not pending:
                self._last_notice = None
            self._reconciler.commit(ready, result, held=hold.close)
        with self._mu:
            self._debounce.done(ready)
            waiting = bool(self._debounce.waiting())
        result.settled = result.settled and not waiting
        if result.committed:
            self._last_notice = None
            with self._mu:
                self._stale = True
                self._warmed_for.clear()

    def _postpone(self) -> None:
        with self._mu:
            self._debounce.postpone(max(self.quiet, self.settle))

    def next_due(self) -> float | None:
        """When, on watch's clock, git is next worth asking; None when nothing waits."""
        with self._mu:
            return self._debounce.next_due()

    def warm(self) -> None:
        """Run a check of the vault as it is now, without the lock, as `openbook check`
        does: what it remembers (the notes read, history read up to HEAD) spares the
        check of the next commit that work. Whatever goes wrong is the commit's to say."""
        with self._mu:
            self._stale = False
        started = self._debounce.now()
        # only ever a head start: what fails here, the commit's own check says
        listing = self._reconciler.listing
        serving = listing.serving(self.vault) if listing else contextlib.nullcontext()
        with contextlib.suppress(Exception), config_read_once(), serving:
            check_vault(self.vault)
        self.warm_cost = max(0.0, self._debounce.now() - started)
        # what stays alive between saves (the watcher, the modules, their caches) is set
        # aside from the garbage collector, so a save's check is not slowed by scanning it
        # again and again. Only the young generations are collected first: quick however
        # large the process; what was set aside last time is let go and looked at again
        # by the collector's own full passes.
        gc.unfreeze()
        gc.collect(1)
        gc.freeze()

    def _warm_fits(self, deadline: float, now: float) -> bool:
        """Whether a warm is worth starting: something changed since the last one, and it
        ends before watch has something else to do, or that is more than `settle` away.
        (A warm that ends late only does first the work the commit's check would do: it
        never lies between the two looks that find a note still.)"""
        with self._mu:
            stale = self._stale
        return stale and deadline - now > min(self.warm_cost, self.settle)

    # ---------------------------------------------------------------------- sync

    def sync_now(self) -> int | None:
        """Run one sync; report its outcome calmly. Returns its exit code (None: skipped)."""
        if self.sync_every is None or self.sync_stopped:
            return None
        arrivals: list[str] = []
        try:
            outcome = sync(self.vault, self.partner, remote="origin")
            code, lines = int(outcome.exit_code), [str(x) for x in outcome.lines]
            arrivals = [str(x) for x in outcome.arrivals]
        except IntegrityAlert as exc:
            code, lines = 4, [str(exc)]
        except OpenbookError as exc:
            code, lines = exc.exit_code, [str(exc)]
        finally:
            forget_ahead()  # a read started ahead that the sync did not ask for ends with it
            self._listing.doubt()  # what the sync wrote is walked again
        message = _sync_message(code)
        if arrivals and code == EXIT_OK:
            # what came in, in the same words as `openbook sync`
            message = " ".join([message, *arrivals])
        self.emit(
            {
                "event": "sync",
                "exit_code": code,
                "lines": lines,
                "arrivals": arrivals,
                "message": message,
            }
        )
        if code == EXIT_INTEGRITY:
            self.sync_stopped = True
        if code == EXIT_OK:
            self._last_notice = None
        with self._mu:
            self._stale = True
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
        self._observer.interval = self.poll_interval()
        message = self._observer.start()
        if message:
            self.notice(message)
        # only a native observer that tells when events were lost names every change
        if self.observer_kind == "native" and TELLS_LOSSES:
            self._reconciler.listing = self._listing
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
            self._observer.stop()
            self.emit({"event": "stopped"})

    def _loop(self) -> None:
        clock = self._debounce.now
        next_full = 0.0  # a full reconcile at start
        next_sync = clock() if self.sync_every else float("inf")
        sync_soon = False
        while not self._stop.is_set():
            self._observer.rewatch_if_needed()
            now = clock()
            due = self.next_due()
            full = now >= next_full
            if full or (due is not None and now >= due):
                if self.reconcile(full=full).committed:
                    sync_soon = True
                if full:
                    next_full = clock() + self.reconcile_every
                continue
            if self.sync_every and (sync_soon or now >= next_sync):
                sync_soon = False
                self.sync_now()
                next_sync = clock() + self.sync_every
                next_full = 0.0  # reconcile after every sync
                continue
            deadline = min(next_full, next_sync, float("inf") if due is None else due)
            if self._warm_fits(deadline, now):
                self.warm()
                continue
            self._wake.wait(min(max(0.0, deadline - clock()), 1.0))
            self._wake.clear()

    def once(self) -> ReconcileResult:
        """Commit what is pending now, looking again while notes are still being written."""
        total = ReconcileResult()
        ensure_local_excludes(self.vault)
        for _ in range(ONCE_ROUNDS):
            outcome = self.reconcile(full=True)
            total.committed += outcome.committed
            total.invalid = outcome.invalid
            total.drafts = outcome.drafts
            total.held = outcome.held
            total.settled = outcome.settled
            if outcome.settled or self._stop.is_set():
                break
            due = self.next_due()
            wait = self.settle if due is None else due - self._debounce.now()
            self._stop.wait(max(0.0, wait))
        return total


def _sync_message(code: int) -> str:
    return {
        0: "synced with your partner.",
        1: "sync shared everything else; what was left out is named above. Watch keeps "
        "running and shares it once it is fixed.",
        3: "sync kept both sides of a conflict as a copy beside the note; reconcile the "
        "two together, then delete the copy. Watch keeps running.",
        4: "sync stopped: the shared history was rewritten or does not verify, so nothing "
        "was merged or pushed. See what differs and the safe ways forward with 'openbook "
        "doctor', then restart watch. Your notes are still committed here.",
        5: "the remote could not be reached; your notes are committed here and will be "
        "shared at the next sync.",
        6: "the vault was busy; sync tries again at the next interval.",
    }.get(code, "sync did not finish; watch keeps committing and tries again later.")
