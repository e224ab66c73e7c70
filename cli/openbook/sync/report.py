"""The lines a sync ends with and its exit code: what arrived, what was renumbered, what
was shared, conflicts, what was left out and why (as `check` prints it)."""

from __future__ import annotations

from dataclasses import asdict

from openbook.errors import EXIT_CONFLICT, EXIT_FAILURE, EXIT_UNREACHABLE
from openbook.fsutil import is_dropping
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import shared_path
from openbook.record.pending import deletion_refusal
from openbook.ritual.aside import write_set_aside
from openbook.sync.aside import SetAside
from openbook.sync.merge import conflict_line
from openbook.sync.result import SyncResult
from openbook.vault import Vault
from openbook.words import plural


def history_line(remote: str, found: list[str]) -> str:
    """One line for refused objects that only passed through the partner's history."""
    shown = "; ".join(found[:5]) + ("; ..." if len(found) > 5 else "")
    return (
        f"{remote}'s history holds what openbook refuses but no longer has it in the notes "
        f"({shown}); it stays in the history and never reached your files."
    )


def set_aside_lines(
    vault: Vault, result: SyncResult, items: list[SetAside], received: bool
) -> None:
    """Keep what a merge set aside for the closing lines, status and the agenda (a sync
    that received nothing leaves the last list as it was)."""
    if not received:
        return
    for item in items:
        if asdict(item) not in result.set_aside:
            result.set_aside.append(asdict(item))
    write_set_aside(vault, result.set_aside)


def left_out_lines(result: SyncResult) -> None:
    """The notes left out with their errors, and deleted agreements not recorded; exit 1
    unless a graver code is already set."""
    if result.refused:
        result.lines += result.problems
        n = len(result.refused)
        rest = "" if result.exit_code == EXIT_UNREACHABLE else " Everything else was synced."
        result.lines.append(
            f"{plural(n, 'note')} with errors {'was' if n == 1 else 'were'} not shared "
            f"({', '.join(result.refused)}); fix {'it' if n == 1 else 'them'} as shown above "
            f"and sync again.{rest}"
        )
    for path, agreement in sorted(result.protected.items()):
        line = deletion_refusal(path, agreement)
        result.lines.append(line[:1].upper() + line[1:])
    result.lines += [item["text"] for item in result.set_aside]
    left = len(result.refused) + len(result.protected)
    if left:
        result.outcome += f", {plural(left, 'change')} left out"
    if result.set_aside:
        result.outcome += f", {plural(len(result.set_aside), 'change')} set aside"
    if (left or result.set_aside) and result.exit_code == 0:
        result.exit_code = EXIT_FAILURE


def offline_lines(vault: Vault, result: SyncResult, waiting: int, reason: str) -> None:
    result.outcome = f"remote unreachable, {plural(waiting, 'change')} waiting"
    result.lines[:0] = [conflict_line(c, vault) for c in result.conflicts]
    result.lines.append(
        f"Saved locally, {plural(waiting, 'change')} waiting: could not reach {result.remote} "
        f"({reason}). Sync again when you are online."
    )
    left_out_lines(result)


def finish_lines(vault: Vault, result: SyncResult, now: str | None) -> None:
    """The closing lines; `now` is where HEAD ended up."""
    ok = result.head is not None and result.head == now and result.head == result.remote_head
    dirty = [
        c.path
        for c in gitrepo.status(vault.root)
        if c.path not in result.refused
        and c.path not in result.protected
        and c.path not in result.held
        and shared_path(c.path)
        and (c.deleted or not is_dropping(c.path))  # an editor's swap file is nobody's note
    ]
    result.lines[:0] = result.arrivals
    received = f"received {plural(result.received, 'change')}" if result.received else ""
    committed = f"committed {plural(len(result.committed), 'change')}" if result.committed else ""
    shared = f"shared {plural(result.pushed, 'change')}" if result.pushed else ""
    # the arrival lines say what was received; the summary says the rest
    parts = [x for x in (committed, "" if result.arrivals else received, shared) if x]
    outcome = [x for x in (committed, received, shared) if x]
    if result.conflicts:
        result.exit_code = EXIT_CONFLICT
        result.outcome = f"conflict copies to reconcile: {len(result.conflicts)}"
        if parts:
            result.lines.append(f"Synced with {result.remote}: {', '.join(parts)}.")
        result.lines += [conflict_line(c, vault) for c in result.conflicts]
        result.lines.append(
            "Both versions are safe in the history; 'openbook status' lists the copies "
            "until they are deleted."
        )
    elif outcome:
        result.outcome = ", ".join(outcome)
        if parts:
            result.lines.append(f"Synced with {result.remote}: {', '.join(parts)}.")
    else:
        result.outcome = "up to date"
        result.lines.append(f"Up to date with {result.remote}; nothing to share or receive.")
    if result.history:
        result.lines.append(history_line(result.remote, result.history))
    left_out_lines(result)
    if not ok:
        result.lines.append(
            f"Note: {result.branch} moved while syncing; run 'openbook sync' again to finish."
        )
    if dirty:
        result.lines.append(
            f"{plural(len(dirty), 'change')} saved during the sync will go with the next one."
        )
