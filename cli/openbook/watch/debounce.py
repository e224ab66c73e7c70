"""When is a changed note still enough to commit? A pure answer, path by path.

The debouncer is told two things and answers two questions:

- `touch(path)`: an event says the path (or, with `touch_folder`, anything below a
  folder) changed just now. Events only restart the wait; they never say what changed.
- `observe(snapshot, taken_at)`: what `git status` reported, each changed note with a
  signature (existence, size, mtime) taken when the snapshot began.
- `ready()`: the notes that stayed still long enough to commit.
- `next_due()`: the clock time at which asking git again could make one ready.

A note is ready when its last look at git is at least `quiet` seconds after its last
change, and two looks at least `settle` seconds apart saw the same signature with no
event in between. A note nobody has seen change (found at start or by the minute's full
reconcile) needs only the second look. Every path waits on its own: saving one note
never delays another.

No threads, no sleeps, no file system: the clock is injected and tests turn it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class _Track:
    """What is known of one changed path."""

    changed: float | None = None  # last change seen: an event, or a new signature
    signature: Hashable = None
    since: float | None = None  # first look at `signature` after the last change
    seen: float | None = None  # latest look that found the same signature
    handled: bool = False  # committed or reported; waits for the next change


class Debouncer:
    """Decide, path by path, when a changed note has been still long enough."""

    def __init__(self, quiet: float, settle: float, clock: Clock = time.monotonic) -> None:
        self.quiet = max(0.0, quiet)
        self.settle = max(0.0, settle)
        self.now: Clock = clock
        self._tracks: dict[str, _Track] = {}
        self._folders: dict[str, float] = {}  # folder -> time of its last event
        self._retry_at: float | None = None

    # ------------------------------------------------------------------ changes

    def touch(self, path: str) -> None:
        """An event for `path`: wait for quiet again, and for a look at git after it."""
        self._changed(self._tracks.setdefault(path, _Track()), self.now())

    def touch_folder(self, folder: str) -> None:
        """An event for a folder: every note below it waits for quiet again."""
        now = self.now()
        self._folders[folder.rstrip("/")] = now
        prefix = folder.rstrip("/") + "/"
        for path, track in self._tracks.items():
            if path.startswith(prefix):
                self._changed(track, now)

    @staticmethod
    def _changed(track: _Track, at: float) -> None:
        track.changed = at if track.changed is None else max(track.changed, at)
        track.since = track.seen = None
        track.handled = False

    # --------------------------------------------------------------------- looks

    def observe(self, snapshot: Mapping[str, Hashable], taken_at: float) -> None:
        """A `git status` begun at `taken_at`: every changed note with its signature.

        A path git no longer reports is forgotten (committed, reverted or deleted
        before it was ever committed), unless an event came after the snapshot began.
        """
        self._retry_at = None
        self._apply_folders(snapshot, taken_at)
        for path in [p for p in self._tracks if p not in snapshot]:
            if not self._newer(self._tracks[path], taken_at):
                del self._tracks[path]
        for path, signature in snapshot.items():
            track = self._tracks.setdefault(path, _Track())
            if self._newer(track, taken_at):
                continue  # the snapshot is older than the last event: it proves nothing
            if track.since is not None and signature == track.signature:
                track.seen = taken_at
                continue
            if track.since is not None:  # changed, and no event told: count it as one
                track.changed = taken_at
                track.handled = False
            track.signature, track.since, track.seen = signature, taken_at, taken_at

    def _apply_folders(self, snapshot: Mapping[str, Hashable], taken_at: float) -> None:
        """Turn folder events older than the snapshot into events for its notes."""
        for folder, at in list(self._folders.items()):
            if at >= taken_at:
                continue  # a later snapshot takes care of it
            del self._folders[folder]
            for path in snapshot:
                if path.startswith(folder + "/"):
                    self._changed(self._tracks.setdefault(path, _Track()), at)

    @staticmethod
    def _newer(track: _Track, taken_at: float) -> bool:
        return track.changed is not None and track.changed >= taken_at

    # ----------------------------------------------------------------- answers

    def _stable(self, track: _Track) -> bool:
        # the same sums as in `_due`, so a look at the due time decides
        if track.since is None or track.seen is None:
            return False
        if track.seen < track.since + self.settle:
            return False
        return track.changed is None or track.seen >= track.changed + self.quiet

    def ready(self, *, again: bool = False) -> list[str]:
        """Paths still long enough to commit; with `again`, also those already handled."""
        return sorted(
            path
            for path, track in self._tracks.items()
            if (again or not track.handled) and self._stable(track)
        )

    def waiting(self) -> list[str]:
        """Paths known to have changed whose commit is not decided yet."""
        return sorted(path for path, track in self._tracks.items() if not track.handled)

    def done(self, paths: Iterable[str]) -> None:
        """These paths were committed or reported: nothing is due for them until they change."""
        for path in paths:
            track = self._tracks.get(path)
            if track is not None:
                track.handled = True

    def postpone(self, delay: float) -> None:
        """Asking git failed (the vault was busy): ask again after `delay`, not before."""
        self._retry_at = self.now() + max(0.0, delay)

    def _due(self, track: _Track) -> float:
        if track.since is None:
            # look at git `settle` before the quiet ends, so one more look then decides
            assert track.changed is not None
            return track.changed + max(0.0, self.quiet - self.settle)
        due = track.since + self.settle
        if track.changed is not None:
            due = max(due, track.changed + self.quiet)
        return due

    def next_due(self) -> float | None:
        """When to ask git again; None when nothing is waiting."""
        dues = [self._due(track) for track in self._tracks.values() if not track.handled]
        dues += [at + max(0.0, self.quiet - self.settle) for at in self._folders.values()]
        due = min(dues) if dues else None
        if self._retry_at is None:
            return due
        return self._retry_at if due is None else max(due, self._retry_at)
