"""`openbook sync --check`: what a sync would do. Nothing changes but a temporary ref."""

from __future__ import annotations

from openbook.errors import IntegrityAlert, RemoteUnreachable
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.sync import aside as setaside
from openbook.sync import fold as folding
from openbook.sync import renumber
from openbook.sync.integrity import check_integrity
from openbook.sync.refs import PROBE, SyncRefs, waiting
from openbook.sync.result import SyncResult
from openbook.sync.transport import fetch
from openbook.vault import Vault
from openbook.words import plural


def preview(vault: Vault, refs: SyncRefs, *, fold: bool = True) -> SyncResult:
    """What a sync would do; changes nothing but a temporary ref."""
    root = vault.root
    remote, branch = refs.remote, refs.branch
    assert branch is not None
    result = SyncResult(remote=remote, branch=branch, check_only=True)
    result.pending = len(gitrepo.status(root))
    head = refs.head
    probe = refs.name(PROBE)
    refs.apply(root, delete=(PROBE,))
    try:
        try:
            incoming = fetch(root, remote, branch, probe, crypt=refs.crypt)
        except RemoteUnreachable as exc:
            result.exit_code = 5
            result.outcome = "remote unreachable"
            result.lines.append(
                f"Could not reach {remote} ({exc}); "
                f"{plural(waiting(root, refs, head), 'change')} would wait locally."
            )
            return result
        refs.fetched(PROBE, incoming)
        try:
            check_integrity(root, remote, branch, refs.seen, incoming)
        except IntegrityAlert as exc:
            raise IntegrityAlert(f"Rewrite detected, a sync would stop. {exc}") from None
        result.remote_head = incoming
        result.head = head
        if fold and head:
            result.lines += folding.plan(vault, head).lines(None, preview=True)
        _describe(vault, result, head, incoming)
        if incoming is not None and head is not None and incoming != head:
            _set_aside(vault, result, head, incoming)
        return result
    finally:
        refs.discard(root, PROBE)


def _describe(vault: Vault, result: SyncResult, head: str | None, incoming: str | None) -> None:
    root, remote, branch = vault.root, result.remote, result.branch
    if result.pending:
        result.lines.append(
            f"{plural(result.pending, 'uncommitted change')} would be checked and committed first."
        )
    if incoming is None:
        result.ahead = plumbing.count(root, head) if head else 0
        result.outcome = "remote empty"
        result.lines.append(
            f"{remote} has no {branch} yet; a sync would share {plural(result.ahead, 'change')}."
        )
        return
    if head is None:
        result.behind = plumbing.count(root, incoming)
        result.outcome = "behind"
        return
    if head != incoming:
        result.ahead, result.behind = plumbing.ahead_behind(root, head, incoming)
    if result.ahead and result.behind:
        _, conflicts = plumbing.merge_tree(root, head, incoming)
        base = plumbing.merge_base(root, head, incoming)
        renames = renumber.plan(root, base, head, incoming) if base else []
        moved = {r.old for r in renames}
        result.conflicts_expected = sorted(p for p in conflicts if p not in moved)
        if renames:
            what = "; ".join(r.phrase() for r in renames).replace(" is now ", " would become ")
            result.lines.append(f"Both of you added notes under one name or id: {what}.")
        conflicts = {p: v for p, v in conflicts.items() if p not in moved}
        result.outcome = "diverged"
        line = (
            f"Diverged from {remote}: {plural(result.ahead, 'change')} here, "
            f"{plural(result.behind, 'change')} there; a sync would merge them"
        )
        if conflicts:
            line += (
                f", with conflicts expected in {', '.join(sorted(conflicts))} "
                "(both versions would be kept)."
            )
        else:
            line += ", without conflicts."
        result.lines.append(line)
    elif result.ahead:
        result.outcome = "ahead"
        result.lines.append(
            f"Ahead of {remote}: a sync would share {plural(result.ahead, 'change')}."
        )
    elif result.behind:
        result.outcome = "behind"
        result.lines.append(
            f"Behind {remote}: a sync would receive {plural(result.behind, 'change')}."
        )
    else:
        result.outcome = "up to date"
        result.lines.append(f"Up to date with {remote}.")


def _set_aside(vault: Vault, result: SyncResult, head: str, incoming: str) -> None:
    """What a sync would merge but set aside (aside.py): named, exit 1."""
    items = setaside.tree_items(vault, head, incoming, result.remote)
    items += setaside.consent_items(vault, head, incoming)
    if not items:
        return
    result.set_aside = [{"key": i.key, "rule": i.rule, "text": i.text} for i in items]
    result.lines += [f"A sync would merge and set aside: {i.text}" for i in items]
    result.exit_code = 1
