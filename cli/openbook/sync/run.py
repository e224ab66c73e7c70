"""Sync between partners: fetch, integrity check, merge with conflict copies, push.

The flow of one sync, under the vault lock:

1. refuse unsafe states (mid-merge, mid-rebase, detached HEAD): Busy, nothing changed;
2. commit pending changes (validated, one commit per file, as `openbook commit` does);
3. record `refs/openbook/backup/<UTC timestamp>` at HEAD (refs.py);
4. fetch the remote branch into a fresh ref (`refs/openbook/incoming/...`) with a refspec
   that cannot force-update anything (transport.py);
5. integrity: the fetched head must contain `refs/openbook/seen/<remote>/<branch>`, the
   last remote head this clone saw; else IntegrityAlert, nothing merged or pushed;
6. refuse incoming commits that add symlinks, submodules or files outside the vault's
   folders, before they touch the work tree (IntegrityAlert; integrity.py);
7. fast-forward, or merge: `git merge-tree --write-tree` computes the merge without
   touching anything; conflicted files keep ours at the path and theirs verbatim as a
   conflict copy beside it; the merge commit is built with `commit-tree` and the work
   tree moved with `read-tree -m -u` (which refuses to overwrite local changes; merge.py);
8. push without force; a rejected push is retried by fetching and merging again;
9. record the new seen head and verify the end state.

No rebase, no force, no `-X ours/theirs`, no conflict markers and no half-done merge.
`sync --check` is preview.py, `clone` is clone.py.
"""

from __future__ import annotations

import json

from openbook.errors import Busy, OpenbookError, RemoteUnreachable
from openbook.fsutil import atomic_write
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.git.state import require_safe_state
from openbook.notetypes.registry import shared_path
from openbook.record.pending import commit_pending
from openbook.ritual.overview import LAST_SYNC_FILE
from openbook.sync import refs as syncrefs
from openbook.sync.integrity import check_integrity, refuse_unsafe, unsafe_incoming
from openbook.sync.merge import conflict_line, integrate
from openbook.sync.preview import preview
from openbook.sync.refs import INCOMING, SEEN, TRACKING, SyncRefs
from openbook.sync.result import SyncResult
from openbook.sync.transport import fetch, push, remote_url
from openbook.vault import Vault
from openbook.words import plural

MAX_RETRIES = 3  # a rejected push is retried at most this many times


def sync(
    vault: Vault, partner: str, *, remote: str = "origin", check_only: bool = False
) -> SyncResult:
    """Share this clone's work and receive the partner's (see the module docstring)."""
    vault.require_writable()
    vault.require_config()
    with vault.lock():
        refs = _preflight(vault, remote)
        remote_url(vault.root, remote)
        if check_only:
            return preview(vault, refs)
        try:
            result = _sync(vault, partner, refs)
        except OpenbookError as exc:
            short = {4: "integrity alert, nothing merged", 6: "refused, git was busy"}.get(
                exc.exit_code, "failed"
            )
            _write_last_sync(vault, short, exc.exit_code)
            raise
        _write_last_sync(vault, result.outcome, result.exit_code)
        return result


def _preflight(vault: Vault, remote: str) -> SyncRefs:
    root = vault.root
    require_safe_state(root)  # again under the lock: git may have started while we waited
    refs = syncrefs.read_refs(root, remote)
    if refs.branch is None:
        raise Busy(
            f"{root} is not on a branch (detached HEAD); run 'git switch main' (or your "
            "branch), then sync again. Nothing was changed."
        )
    return refs


def _write_last_sync(vault: Vault, result: str, exit_code: int) -> None:
    state = vault.state_dir()
    if state is None:
        return
    state.mkdir(parents=True, exist_ok=True)
    data = {
        "time": vault.now().isoformat(timespec="seconds"),
        "result": result,
        "exit_code": exit_code,
    }
    atomic_write(state / LAST_SYNC_FILE, (json.dumps(data) + "\n").encode("utf-8"))


def _commit_pending(vault: Vault, partner: str, result: SyncResult, refs: SyncRefs) -> str:
    """Commit what is pending; returns HEAD."""
    outcome = commit_pending(vault, partner)
    result.committed = [c.path for c in outcome.committed]
    result.refused = list(outcome.refused)
    for path in outcome.outside:
        result.lines.append(
            f"{path} was not shared: it is outside the vault's note folders. Move it into a "
            "note folder or keep it outside the vault."
        )
    # each commit returns the new HEAD
    head = outcome.committed[-1].sha if outcome.committed else refs.head
    if head is None:
        raise OpenbookError(f"{vault.root} has no commits yet; write a note first, then sync.")
    return head


def _sync(vault: Vault, partner: str, refs: SyncRefs) -> SyncResult:
    root, remote, branch = vault.root, refs.remote, refs.branch
    assert branch is not None
    result = SyncResult(remote=remote, branch=branch)
    head = _commit_pending(vault, partner, result, refs)
    # the backup, and a fetched ref a crashed sync left behind, in one transaction
    result.backup = syncrefs.backup(root, refs, head, drop=(INCOMING,))
    attempts = 0
    try:
        while True:
            try:
                incoming = fetch(root, remote, branch, refs.name(INCOMING))
            except RemoteUnreachable as exc:
                return _offline(vault, result, refs, head, str(exc))
            refs.fetched(INCOMING, incoming)
            check_integrity(root, remote, branch, refs.seen, incoming)
            counts = (0, 0)
            if incoming is None:
                counts = (plumbing.count(root, head), 0)
                result.ahead = counts[0]
            elif incoming != head:
                refuse_unsafe(unsafe_incoming(root, head, incoming), remote)
                counts = plumbing.ahead_behind(root, head, incoming)
            if incoming is not None and attempts == 0:
                result.ahead, result.behind = counts
            done = integrate(vault, partner, head, incoming, counts, remote, branch)
            merged = done.head != head
            head = done.head
            result.received += done.received
            result.conflicts.extend(done.conflicts)
            seen = {SEEN: incoming, TRACKING: incoming} if incoming is not None else {}
            refs.apply(root, update=seen, delete=(INCOMING,))
            if head == incoming:
                break
            try:
                pushed = push(root, remote, branch)
            except RemoteUnreachable as exc:
                return _offline(vault, result, refs, head, str(exc))
            if pushed:
                # what HEAD has that the remote had not: ours, and the merge commit if any
                result.pushed = counts[0] + (1 if merged else 0)
                refs.apply(root, update={SEEN: head, TRACKING: head})
                break
            attempts += 1
            if attempts > MAX_RETRIES:
                raise OpenbookError(
                    f"{remote} kept changing while this sync ran "
                    f"({plural(attempts, 'try', 'tries')}); "
                    "your work is committed and merged locally. Sync again in a moment."
                )
    finally:
        refs.discard(root, INCOMING)  # still there after an integrity alert or a failed merge
    result.head = head
    result.remote_head, now = plumbing.resolve(root, refs.name(TRACKING), "HEAD")
    _finish(vault, result, now)
    return result


def _offline(
    vault: Vault, result: SyncResult, refs: SyncRefs, head: str, reason: str
) -> SyncResult:
    waiting = syncrefs.waiting(vault.root, refs, head)
    result.exit_code = 5
    result.head = head
    result.outcome = f"remote unreachable, {plural(waiting, 'change')} waiting"
    result.lines.append(
        f"Saved locally, {plural(waiting, 'change')} waiting: could not reach {refs.remote} "
        f"({reason}). Sync again when you are online."
    )
    result.lines[:0] = [conflict_line(c, vault) for c in result.conflicts]
    _refused_lines(result)
    return result


def _refused_lines(result: SyncResult) -> None:
    for path in result.refused:
        result.lines.append(
            f"{path} was not shared: it has errors; 'openbook check {path}' shows them. "
            "Fix it and sync again."
        )


def _finish(vault: Vault, result: SyncResult, now: str | None) -> None:
    """The closing lines; `now` is where HEAD ended up."""
    ok = result.head is not None and result.head == now and result.head == result.remote_head
    dirty = [
        c.path
        for c in gitrepo.status(vault.root)
        if c.path not in result.refused and shared_path(c.path)
    ]
    parts = []
    if result.committed:
        parts.append(f"committed {plural(len(result.committed), 'change')}")
    if result.received:
        parts.append(f"received {plural(result.received, 'change')}")
    if result.pushed:
        parts.append(f"shared {plural(result.pushed, 'change')}")
    if result.conflicts:
        result.exit_code = 3
        result.outcome = f"conflict copies to reconcile: {len(result.conflicts)}"
        for c in result.conflicts:
            result.lines.append(conflict_line(c, vault))
        result.lines.append(
            "Both versions are safe in the history; 'openbook status' lists the copies "
            "until they are deleted."
        )
    elif parts:
        result.outcome = ", ".join(parts)
        result.lines.append(f"Synced with {result.remote}: {result.outcome}.")
    else:
        result.outcome = "up to date"
        result.lines.append(f"Up to date with {result.remote}; nothing to share or receive.")
    _refused_lines(result)
    if not ok:
        result.lines.append(
            f"Note: {result.branch} moved while syncing; run 'openbook sync' again to finish."
        )
    if dirty:
        result.lines.append(
            f"{plural(len(dirty), 'change')} saved during the sync will go with the next one."
        )
