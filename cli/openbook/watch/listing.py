"""The note files as watch knows them between two walks of the vault's folders.

Every check lists the note files with their size and time, to read again only those
that changed: in a large vault that walk (a `stat` of every note) is most of what
checking a save costs. Watch hears of every change to the note folders (inotify), so
between two walks it looks again only at the paths an event named, and at every path
`git status` listed (git, not the events, decides what is committed: a note about to
be committed is always looked at again). Anything that leaves a doubt walks all again:
a folder that appeared, went or moved, events the system lost, a look at every note
(the minute's full reconcile) and a sync; a watchdog that cannot say it lost events, or
a watch that polls, walks every time.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator

from watchdog import events as watchdog_events

from openbook.vault import Listed, Vault, note_file

# a watchdog that tells when the system lost events (EventsLostEvent): only then are
# the events trusted to name every change
TELLS_LOSSES = hasattr(watchdog_events, "EventsLostEvent")


class Listing:
    """The note files of the last walk, kept up to date by the paths named since."""

    def __init__(self, root: str) -> None:
        self._root = root
        self._mu = threading.Lock()  # events come from the observer's thread
        self._known: dict[str, Listed] | None = None
        self._touched: set[str] = set()
        self._doubt = True

    def saw(self, rels: Iterable[str], doubt: bool) -> None:
        """Paths an event named (relative to the vault); `doubt`: walk all again."""
        with self._mu:
            if doubt:
                self._doubt = True
            else:
                self._touched.update(rels)

    def doubt(self) -> None:
        """The next listing walks every folder again."""
        with self._mu:
            self._doubt = True

    def files(self, walk: Callable[[], Iterator[Listed]]) -> list[Listed]:
        """The note files as `walk` would list them now (`Vault.files_provider`)."""
        with self._mu:
            touched, self._touched = self._touched, set()
            whole = self._doubt or self._known is None
            self._doubt = False
        if whole:
            try:
                found = list(walk())  # what changes meanwhile is named again: looked at next
            except BaseException:
                self.doubt()
                raise
            self._known = {rel: (rel, st) for rel, st in found}
            return found
        known = self._known
        assert known is not None
        for rel in touched:
            st = note_file(self._root, rel)
            if st is None:
                known.pop(rel, None)
            else:
                known[rel] = (rel, st)
        return list(known.values())

    @contextlib.contextmanager
    def serving(self, vault: Vault, changed: Iterable[str] = ()) -> Iterator[None]:
        """The vault's checks list its files from here for a while; `changed` (what git
        status listed) is looked at again whatever the events said."""
        self.saw(changed, False)
        vault.files_provider = self.files
        try:
            yield
        finally:
            vault.files_provider = None
