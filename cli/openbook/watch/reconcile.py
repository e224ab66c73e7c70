"""What changed, from `git status`; then check it and commit what is valid.

Events never say what changed: `pending_notes` asks git, under the vault lock, and
signs each changed note with (exists, size, mtime_ns) so the debouncer can tell
whether it is still being written. `Reconciler.commit` checks the vault, commits
the valid notes a few at a time, and tells about each invalid one once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from openbook.check.result import CheckResult
from openbook.git.repo import Change
from openbook.notes.parse import Problem
from openbook.record.blank import not_yours, nothing_written
from openbook.record.pending import CommitOutcome, commit_pending, draft_line, pending_changes
from openbook.vault import Vault
from openbook.watch.listing import Listing
from openbook.watch.observer import is_note_path

Event = dict[str, Any]
Emit = Callable[[Event], None]
Signature = tuple[bool, int, int]  # exists, size, mtime_ns

COMMIT_CHUNK = 20  # paths committed per hold of the vault lock
LOCK_WAIT = 1.0  # watch never waits long for the lock: it simply tries again later


@dataclass
class ReconcileResult:
    committed: list[dict[str, str]] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # notes marked draft: true, left alone
    held: list[str] = field(default_factory=list)  # new notes commit holds back (blank...)
    settled: bool = True  # False when something was still being written, or git was busy


def pending_notes(vault: Vault) -> dict[str, Signature]:
    """Notes git reports as changed, with (exists, size, mtime_ns) right now."""
    return signatures(vault, pending_look(vault))


def pending_look(vault: Vault) -> list[Change]:
    """What `git status` lists as changed (notes a .gitignore hides are pending too)."""
    with vault.lock(wait=LOCK_WAIT):
        return pending_changes(vault)


def signatures(vault: Vault, changes: Iterable[Change]) -> dict[str, Signature]:
    """The changed notes among `changes`, with (exists, size, mtime_ns) right now."""
    root = str(vault.root)
    snap: dict[str, Signature] = {}
    for change in changes:
        if not is_note_path(change.path):
            continue
        try:
            st = os.lstat(os.path.join(root, change.path))
            snap[change.path] = (True, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            snap[change.path] = (False, 0, 0)
    return snap


class Reconciler:
    """Check and commit changed notes as one partner; tell about invalid ones once."""

    def __init__(
        self, vault: Vault, partner: str, emit: Emit, stopping: Callable[[], bool]
    ) -> None:
        self.vault = vault
        self.partner = partner
        self._emit = emit
        self._stopping = stopping
        self._root = str(vault.root)
        # path -> (size, mtime_ns, problems) last told, so a report is not repeated
        self._reported: dict[str, tuple[int, int, tuple[str, ...]]] = {}
        # drafts and held notes already named: said once, not again while they stay so
        self._drafts_told: set[str] = set()
        self.told: list[Change] | None = None  # what the last look listed (`pending`)
        # the note files as watch's events keep them (watch/listing.py); None: walked
        self.listing: Listing | None = None

    def pending(self) -> dict[str, Signature]:
        """The changed notes as git lists them now; what it listed is kept (`told`) for a
        commit made under the same hold of the vault lock."""
        self.told = pending_look(self.vault)
        return signatures(self.vault, self.told)

    def forget(self, pending: Mapping[str, Signature]) -> None:
        """Reports of notes git no longer lists (deleted or reverted) may be made again."""
        for path in list(self._reported):
            if path not in pending:
                del self._reported[path]
        self._drafts_told &= set(pending)

    def commit(
        self,
        paths: list[str],
        result: ReconcileResult,
        *,
        held: Callable[[], None] | None = None,
    ) -> None:
        """Commit the valid notes among `paths`; report the invalid ones. Each chunk is
        checked once, by the commit itself (under the vault lock), and that check says
        which notes are drafts or invalid.

        `held`: the caller still holds the vault lock it took for the last look
        (`pending`), so the first chunk is committed from what git listed then; `held()`
        lets that hold go once the first chunk is done."""
        told = self.told if held is not None else None
        try:
            self._commit(paths, result, told, held)
        finally:
            if held is not None:
                held()

    def _commit(
        self,
        paths: list[str],
        result: ReconcileResult,
        told: list[Change] | None,
        held: Callable[[], None] | None,
    ) -> None:
        if not paths:
            return
        invalid: list[str] = []
        checked: CheckResult | None = None
        for start in range(0, len(paths), COMMIT_CHUNK):
            if self._stopping():
                result.settled = False
                break
            chunk = paths[start : start + COMMIT_CHUNK]
            with self.vault.lock(wait=LOCK_WAIT), self._listed(chunk, told):
                outcome = commit_pending(self.vault, self.partner, only=chunk, changes=told)
            told = None  # the next chunks ask git again, each under its own hold
            if held is not None:
                held()
                held = None
            checked = outcome.checked or checked
            for path in sorted(outcome.drafts):
                self._draft(path, result)
            for c in outcome.committed:
                self._reported.pop(c.path, None)
                item = {"path": c.path, "action": c.action, "commit": c.sha}
                result.committed.append(item)
                self._emit({"event": "committed", **item})
            self._held(outcome, result)
            invalid.extend(p for p in outcome.refused if os.path.lexists(self._path(p)))
        if invalid and checked is not None:
            self._report_invalid(sorted(set(invalid)), checked.problems, result)

    def _listed(
        self, chunk: list[str], told: list[Change] | None
    ) -> contextlib.AbstractContextManager[None]:
        """The commit's check lists the note files from `listing`, looking again at the
        notes it commits and at whatever git listed, whatever the events said."""
        if self.listing is None:
            return contextlib.nullcontext()
        return self.listing.serving(self.vault, [*chunk, *(c.path for c in told or ())])

    def _path(self, rel: str) -> str:
        return os.path.join(self._root, rel)

    def _held(self, outcome: CommitOutcome, result: ReconcileResult) -> None:
        """New notes commit holds back (nothing written yet, or in the other partner's
        name): named once, with why, while they stay so."""
        held = {p: nothing_written(p) for p in outcome.blank}
        for path, (key, named) in outcome.not_yours.items():
            held[path] = not_yours(path, key, named, self.partner)
        for path, message in sorted(held.items()):
            result.held.append(path)
            if path not in self._drafts_told:
                self._drafts_told.add(path)
                self._emit({"event": "held", "path": path, "message": message})

    def _draft(self, path: str, result: ReconcileResult) -> bool:
        """A note marked draft: true stays uncommitted; say so once while it stays one."""
        if not os.path.lexists(os.path.join(self._root, path)):
            return False
        result.drafts.append(path)
        self._reported.pop(path, None)
        if path not in self._drafts_told:
            self._drafts_told.add(path)
            self._emit({"event": "draft", "path": path, "message": draft_line(path)})
        return True

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
            self._emit(
                {
                    "event": "invalid",
                    "path": path,
                    "problems": [asdict(p) for p in own],
                    "lines": [p.format() for p in own],
                }
            )
