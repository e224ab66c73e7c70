"""Validate, then commit every pending change: the one path by which edits enter the log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from openbook.check.result import check_vault
from openbook.errors import OpenbookError
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import shared_path
from openbook.vault import Vault


@dataclass
class Committed:
    path: str
    action: str
    sha: str


@dataclass
class CommitOutcome:
    committed: list[Committed] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # invalid notes left uncommitted
    outside: list[str] = field(default_factory=list)  # files the vault does not share


def commit_pending(
    vault: Vault,
    partner: str,
    *,
    note_message: str | None = None,
    only: Iterable[str] | None = None,
) -> CommitOutcome:
    """Validate, then commit every pending change under the vault: one commit per file.

    Notes with errors are left uncommitted (listed in `refused`), and so are files outside
    what a vault shares (`outside`: the partner's sync would refuse them); everything else
    is committed as `new`, `edit` or `delete`.
    """
    vault.require_writable()
    outcome = CommitOutcome()
    with vault.lock():
        op = gitrepo.operation_in_progress(vault.root)
        if op:
            raise OpenbookError(
                f"git is in the middle of a {op} in {vault.root}; finish or abort it first.",
                exit_code=6,
            )
        changes = gitrepo.status(vault.root, *(list(only) if only else []))
        if not changes:
            return outcome
        result = check_vault(vault)
        bad = result.failed_paths()
        for change in sorted(changes, key=lambda c: c.path):
            path = change.path
            if path.endswith("/"):
                continue
            if not shared_path(path):
                outcome.outside.append(path)
                continue
            if not change.deleted and path in bad:
                outcome.refused.append(path)
                continue
            action = "delete" if change.deleted else ("new" if change.added else "edit")
            sha = ledger.record(
                vault, partner, action, ledger.type_of_path(path), [path], path, body=note_message
            )
            outcome.committed.append(Committed(path, action, sha))
    return outcome
