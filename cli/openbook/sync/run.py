"""Sync between partners: fetch, integrity check, merge with conflict copies, push.

The flow of one sync, under the vault lock:

1. refuse unsafe states (mid-merge, mid-rebase, detached HEAD): Busy, nothing changed;
2. commit pending changes (validated, one commit per file, as `openbook commit` does);
   notes with errors and deleted binding agreements stay out (exit 1, named as `check`
   names them), everything else goes on;
3. record `refs/openbook/backup/<UTC timestamp>` at HEAD (refs.py);
4. fetch the remote branch into a fresh ref (`refs/openbook/incoming/...`) with a refspec
   that cannot force-update anything (transport.py);
5. integrity: the fetched head must contain `refs/openbook/seen/<remote>/<branch>`, the
   last remote head this clone saw; else IntegrityAlert, nothing merged; this partner's
   own new commits go to `openbook/hold-<partner>` (hold.py), as they do when incoming
   commits fail verification (step 6);
6. check the tree of the fetched head, which is what would enter the work tree (tree.py:
   links, submodules, unsafe names, big files, attributes files): IntegrityAlert before
   anything is touched; what only passed through history is named in the report;
7. this partner's own outgoing commits must pass the checks the partner's clone applies
   (exit 1, nothing pushed: hold.py); then fast-forward, or merge (merge.py): local
   notes that collide with the partner's new ones are renumbered first (renumber.py);
   `git merge-tree --write-tree` computes the merge without touching anything;
   conflicted notes keep ours at the path and theirs verbatim as a conflict copy beside
   it, shared settings merge key by key (settings.py); the merged tree is checked again;
   the merge commit is built with `commit-tree` and the work tree moved with
   `read-tree -m -u` (which refuses to overwrite local changes);
8. merge the other partner's hold branch like the main one (hold.py), then push without
   force; a rejected push is retried by fetching and merging again;
9. record the new seen head, say what arrived (arrivals.py) and verify the end state.

No rebase, no force, no `-X ours/theirs`, no conflict markers and no half-done merge.
`sync --check` is preview.py, `clone` is clone.py, `sync --accept-unverified` accept.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict

from openbook.check.result import check_vault
from openbook.check.terms import read_walk_ahead
from openbook.errors import (
    EXIT_INTEGRITY,
    EXIT_UNREACHABLE,
    Busy,
    IntegrityAlert,
    OpenbookError,
    RemoteUnreachable,
)
from openbook.fsutil import atomic_write
from openbook.git import plumbing
from openbook.git.arrivals import see as see_arrivals
from openbook.git.state import head_from_files, ref_from_files, require_safe_state
from openbook.record.pending import commit_pending, held_lines
from openbook.sync import fold as folding
from openbook.sync import hold as holding
from openbook.sync import quiet, renumber
from openbook.sync import refs as syncrefs
from openbook.sync.accept import acknowledge
from openbook.sync.arrivals import Arrivals
from openbook.sync.integrity import check_integrity, refuse_unverified
from openbook.sync.merge import Integration, integrate, partner_name
from openbook.sync.named import name_changed_words, name_proposal
from openbook.sync.preview import preview
from openbook.sync.quick import LAST_SYNC_FILE
from openbook.sync.refs import INCOMING, SEEN, TRACKING, SyncRefs
from openbook.sync.remotes import RemoteSetup, remote_setup
from openbook.sync.report import finish_lines, offline_lines, set_aside_lines
from openbook.sync.result import SyncResult
from openbook.sync.transport import fetch, push, remote_url
from openbook.sync.tree import passed_through
from openbook.trust import allowed
from openbook.vault import Vault
from openbook.words import plural

MAX_RETRIES = 3  # a rejected push is retried at most this many times
MANY = 200  # incoming commits from which a terminal is told what is under way


def sync(
    vault: Vault,
    partner: str,
    *,
    remote: str = "origin",
    check_only: bool = False,
    fold: bool = True,
    accept: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    setup: RemoteSetup | None = None,
) -> SyncResult:
    """Share this clone's work and receive the partner's (see the module docstring);
    `fold`: fold runs of local saves of one note first (fold.py); `accept`: first record
    that the incoming commits that do not verify up to these are admitted (accept.py);
    `setup`: the remotes as the caller read them (else read here, once)."""
    vault.require_writable()
    vault.require_config()
    with vault.lock():
        refs = _preflight(vault, remote)
        setup = setup or remote_setup(vault.root)
        remote_url(vault.root, remote, setup)
        refs.crypt = setup.encrypted(remote)
        if check_only:
            return preview(vault, refs, fold=fold)
        try:
            done = acknowledge(vault, partner, refs, accept) if accept else []
            result = _sync(vault, partner, refs, fold, progress)
            result.lines[:0] = done
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
            f"{root} is not on a branch (an older commit is checked out); run 'git switch "
            "main' (or your branch), then sync again. Nothing was changed."
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
    result.protected = dict(outcome.protected)
    result.drafts = sorted(outcome.drafts)
    result.held = sorted([*outcome.drafts, *outcome.blank, *outcome.not_yours])
    result.lines += [
        line if line.endswith(".") else line + "." for line in held_lines(outcome, partner)
    ]
    if result.refused:
        result.problems = [
            p.format()
            for p in check_vault(vault).problems
            if p.path in result.refused and p.severity == "error"
        ]
    for path in outcome.outside:
        result.lines.append(
            f"{path} was not shared: it is outside the vault's note folders. Move it into a "
            "note folder or keep it outside the vault."
        )
    # each commit returns the new HEAD
    head = outcome.committed[-1].sha if outcome.committed else refs.head
    if head is None:
        raise OpenbookError(
            f"{vault.root} has no commits yet; write a note first ('openbook new checkin'), "
            "then sync."
        )
    return head


def _sync(
    vault: Vault,
    partner: str,
    refs: SyncRefs,
    fold: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SyncResult:
    root, remote, branch = vault.root, refs.remote, refs.branch
    assert branch is not None
    result = SyncResult(remote=remote, branch=branch)
    head = _commit_pending(vault, partner, result, refs)
    # the backup, and a fetched ref a crashed sync left behind, in one transaction
    result.backup = syncrefs.backup(root, refs, head, drop=(INCOMING,))
    arrivals, into = Arrivals(), refs.name(INCOMING)
    commits = attempts = 0
    try:
        while True:
            try:
                incoming = fetch(root, remote, branch, into, crypt=refs.crypt, progress=progress)
            except RemoteUnreachable as exc:
                return _offline(vault, result, refs, head, str(exc))
            refs.fetched(INCOMING, incoming)
            see_arrivals(root, vault.now(), incoming or head)  # what came in arrives now
            try:
                check_integrity(root, remote, branch, refs.seen, incoming)
            except IntegrityAlert as exc:
                raise holding.hold(vault, refs, partner, head, incoming, exc) from None
            if fold and attempts == 0 and head not in (incoming, refs.seen):
                # local saves of one note go as one commit (nothing to fold when the
                # remote already holds this very head)
                head, folded = folding.fold(vault, refs, head)
                result.lines += folded
            counts = (0, 0)
            if incoming is None:
                counts = (plumbing.count(root, head), 0)
                result.ahead = counts[0]
            elif incoming != head:
                _verified(vault, refs, partner, head, incoming)
                counts = plumbing.ahead_behind(root, head, incoming)
                if progress is not None and counts[1] >= MANY:
                    progress(f"Receiving {counts[1]:,} changes from {remote}; checking them...")
                if counts[1]:
                    _incoming(vault, result, arrivals, head, incoming)
            if incoming is not None and attempts == 0:
                result.ahead, result.behind = counts
            if incoming != head:
                holding.refuse_outgoing(vault, head, incoming, partner)
            done = integrate(vault, partner, head, incoming, counts, remote, branch)
            if all(counts) and done.head != head:  # a merge: its replay's walk read meanwhile
                read_walk_ahead(vault, done.head)
            head = done.head
            set_aside_lines(vault, result, done.set_aside, done.received > 0)
            commits += done.received
            head, got, refused = _take_hold(vault, partner, refs, head, result, arrivals)
            commits += got
            result.conflicts.extend(done.conflicts)
            _renamed(vault, partner, result, done)
            seen = {SEEN: incoming, TRACKING: incoming} if incoming is not None else {}
            refs.apply(root, update=seen, delete=(INCOMING,))
            if head == incoming:
                break
            try:
                pushed = push(root, remote, branch, crypt=refs.crypt, progress=progress)
            except RemoteUnreachable as exc:
                return _offline(vault, result, refs, head, str(exc))
            if pushed:
                # what HEAD has that the remote had not: ours, a renumbering, the merge
                result.pushed = plumbing.count(root, head, *([f"^{incoming}"] if incoming else []))
                refs.apply(root, update={SEEN: head, TRACKING: head})
                break
            attempts += 1
            if attempts > MAX_RETRIES:
                raise _kept_changing(remote, attempts)
    finally:
        refs.discard(root, INCOMING)  # still there after an integrity alert or a failed merge
    result.arrivals = arrivals.lines()
    result.received = arrivals.count or commits
    result.head = head
    return _close(vault, result, refs, refused)


def _renamed(vault: Vault, partner: str, result: SyncResult, done: Integration) -> None:
    """Notes renumbered by this merge, in one sentence naming who renumbered them."""
    if done.renamed:
        by = None if done.renamed_by == partner else partner_name(vault, done.renamed_by)
        result.lines.append(renumber.sentence(done.renamed, by))
        result.renamed += [asdict(r) for r in done.renamed]


def _kept_changing(remote: str, attempts: int) -> OpenbookError:
    return OpenbookError(
        f"{remote} kept changing while this sync ran ({plural(attempts, 'try', 'tries')}); "
        "your work is committed and merged locally. Sync again in a moment."
    )


def _close(vault: Vault, result: SyncResult, refs: SyncRefs, refused: str) -> SyncResult:
    root = vault.root
    result.remote_head, now = _ends(vault, refs)
    allowed.write(root)  # the keys as history now lists them, for plain git
    finish_lines(vault, result, now)
    if refused:  # our own work went out; what the partner held back did not come in
        result.lines.append(refused)
        result.exit_code, result.outcome = EXIT_INTEGRITY, "integrity alert, hold not merged"
    said = len(result.lines)
    name_proposal(vault, result)
    name_changed_words(vault, result)
    quiet.remember(vault, result, len(result.lines) == said and not refused)
    return result


def _ends(vault: Vault, refs: SyncRefs) -> tuple[str | None, str | None]:
    """Where the remote-tracking branch and HEAD are now: from git's files, else git."""
    gd = vault.git_dir
    if gd is not None:
        tracking, head = ref_from_files(gd, refs.name(TRACKING)), head_from_files(gd)
        if tracking is not None and head is not None:
            return tracking, head
    found = plumbing.resolve(vault.root, refs.name(TRACKING), "HEAD")
    return found[0], found[1]


def _take_hold(
    vault: Vault,
    partner: str,
    refs: SyncRefs,
    head: str,
    result: SyncResult,
    arrivals: Arrivals,
) -> tuple[str, int, str]:
    """Merge the other partner's hold branch (hold.py): (new head, commits received,
    why it was not merged)."""
    held = holding.take_hold(vault, partner, refs, head)
    if held is None or held.done is None:
        return head, 0, held.refused if held is not None else ""
    _incoming(vault, result, arrivals, head, held.fetched)
    result.conflicts.extend(held.done.conflicts)
    return held.done.head, held.done.received, ""


def _verified(vault: Vault, refs: SyncRefs, partner: str, head: str, incoming: str) -> None:
    """Incoming commits must verify; else our own go to the hold branch (hold.py)."""
    try:
        refuse_unverified(vault, head, incoming, refs.remote)
    except IntegrityAlert as exc:
        tip = holding.unverified_tip(vault, head, incoming)
        raise holding.hold(vault, refs, partner, head, incoming, exc, tip) from None


def _incoming(
    vault: Vault, result: SyncResult, arrivals: Arrivals, head: str, incoming: str
) -> None:
    """Note what is coming in: by kind, and what only passed through its history."""
    came = plumbing.arrived(vault.root, incoming, head)  # one pass over what came in
    arrivals.add(vault.root, vault.config, head, incoming, came.records)
    for item in passed_through(vault.root, head, incoming, came.blobs):
        if item not in result.history:
            result.history.append(item)


def _offline(
    vault: Vault, result: SyncResult, refs: SyncRefs, head: str, reason: str
) -> SyncResult:
    result.exit_code = EXIT_UNREACHABLE
    result.head = head
    offline_lines(vault, result, syncrefs.waiting(vault.root, refs, head), reason)
    return result
