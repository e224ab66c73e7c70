"""Validate, then commit every pending change: the one path by which edits enter the log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from openbook.check.result import check_vault
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notes.parse import parse_bytes
from openbook.notetypes.registry import is_conflict_copy, shared_path
from openbook.vault import Vault

BINDING = ("proposed", "active", "paused")  # an agreement in one of these ends only by consent


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
    protected: dict[str, str] = field(default_factory=dict)  # deleted agreement path -> id


def binding_agreement_at(vault: Vault, path: str, rev: str = "HEAD") -> str | None:
    """The id of the agreement `path` holds at `rev` while it still binds, else None."""
    if not path.startswith("agreements/") or not path.endswith(".md"):
        return None
    if is_conflict_copy(path):
        return None  # reconciling a conflict copy is deleting it
    res = gitrepo.run(vault.root, ["cat-file", "blob", f"{rev}:{path}"], check=False, strip=False)
    if res.status != 0:
        return None
    meta = parse_bytes(path, res.stdout.encode("utf-8"), positions=False).meta
    if meta.get("type") == "agreement" and meta.get("status") in BINDING:
        return str(meta.get("id") or path)
    return None


def deletion_refusal(path: str, agreement_id: str) -> str:
    """Why a deleted agreement was not recorded, and the two ways forward."""
    return (
        f"not committed: deleting {path} would end {agreement_id} without both of you; an "
        f"agreement ends with 'openbook retire {agreement_id}'. The file stays deleted here; "
        f"restore it with 'git checkout -- {path}'."
    )


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
        vault.require_writable()  # again under the lock: git may have started a merge meanwhile
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
            if change.deleted:
                binding = binding_agreement_at(vault, path)
                if binding is not None:
                    outcome.protected[path] = binding
                    continue
            action = "delete" if change.deleted else ("new" if change.added else "edit")
            sha = ledger.record(
                vault, partner, action, ledger.type_of_path(path), [path], path, body=note_message
            )
            outcome.committed.append(Committed(path, action, sha))
    return outcome
