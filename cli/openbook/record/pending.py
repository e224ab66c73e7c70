"""Validate, then commit every pending change: the one path by which edits enter the log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from openbook.check.ahead import RULE as AHEAD_RULE
from openbook.check.result import CheckResult, check_vault
from openbook.fsutil import drop_bom, is_dropping
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.git.objects import read_blobs
from openbook.notes.parse import Note, parse_bytes
from openbook.notetypes.registry import (
    LANGUAGE_FILE,
    NOTE_FOLDERS,
    is_conflict_copy,
    is_draft,
    shared_path,
)
from openbook.record.blank import is_blank, named_writer, not_yours, nothing_written
from openbook.record.guard import require_can_sign
from openbook.vault import Vault

BINDING = ("proposed", "active", "paused")  # an agreement in one of these ends only by consent
# where a vault's shared notes and settings live: the only places openbook looks for
# files a .gitignore hides (openbook, not .gitignore, decides what a vault shares)
SHARED_SPECS = (
    *NOTE_FOLDERS,
    LANGUAGE_FILE,
    "openbook.yml",
    ".openbook/templates",
    ":(glob)README*",
)


@dataclass
class Committed:
    path: str
    action: str
    sha: str


@dataclass
class CommitOutcome:
    committed: list[Committed] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # invalid notes left uncommitted
    # refused notes whose one error says it all (a check-in written ahead): path -> why
    why: dict[str, str] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)  # files the vault does not share
    protected: dict[str, str] = field(default_factory=dict)  # deleted agreement path -> id
    blank: list[str] = field(default_factory=list)  # new notes with nothing written yet
    # new notes whose author field names another partner: path -> (field, that partner)
    not_yours: dict[str, tuple[str, str]] = field(default_factory=dict)
    # notes marked `draft: true`: path -> whether history holds an earlier version
    drafts: dict[str, bool] = field(default_factory=dict)
    checked: CheckResult | None = None  # the check the commits were decided by


def draft_line(path: str, committed_before: bool = False) -> str:
    """What is said, once, of a note left uncommitted because it is a draft."""
    line = f"{path} is a draft (draft: true); it stays on this machine until you remove that line"
    if committed_before:
        line += "; the version committed before stays in the shared history"
    return line


def _shared_note(path: str) -> bool:
    """A file a vault shares even when a .gitignore hides it: a note in a note folder,
    language.md, openbook.yml or a template (never an editor's dropping)."""
    if not shared_path(path) or path in (".gitignore", ".gitattributes"):
        return False
    parts = path.split("/")
    if path.startswith(".openbook/templates/"):
        return path.endswith(".j2") and not any(p.startswith(".") for p in parts[2:])
    if any(p.startswith(".") for p in parts):
        return False
    return path in (LANGUAGE_FILE, "openbook.yml") or path.endswith(".md")


def pending_changes(vault: Vault, *paths: str) -> list[gitrepo.Change]:
    """What `git status` lists as changed, and the notes a .gitignore hides from it: the
    vault shares those all the same, so they are pending too (as new files). One `git
    status` lists both; a second is asked only when a .gitignore hides a whole folder
    where notes live (then it lists the notes inside, one by one)."""
    if not vault.is_own_repo:
        return [c for c in gitrepo.status(vault.root, *paths) if _kept(c)]
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    spec = ["--", *paths] if paths else []
    raw = gitrepo.run(vault.root, [*args, "--ignored=matching", *spec], strip=False).stdout
    changes: list[gitrepo.Change] = []
    hidden: list[str] = []
    for item in raw.split("\0"):
        if len(item) <= 3:
            continue
        if item[:2] == "!!":
            hidden.append(item[3:])
        elif _kept(change := gitrepo.Change(item[:2], item[3:])):
            changes.append(change)
    if any(p.endswith("/") and _may_hold_notes(p) for p in hidden):
        spec = ["--", *(paths or SHARED_SPECS)]
        raw = gitrepo.run(vault.root, [*args, "--ignored", *spec], strip=False).stdout
        hidden = [item[3:] for item in raw.split("\0") if item[:2] == "!!"]
    elif not paths:
        hidden = [p for p in hidden if _in_shared_specs(p)]
    seen = {c.path for c in changes}
    for path in hidden:
        if path not in seen and _shared_note(path):
            changes.append(gitrepo.Change("??", path))
    return changes


def _kept(change: gitrepo.Change) -> bool:
    """Editor and system files are nobody's notes; a deletion of one committed before is
    kept."""
    return change.deleted or not is_dropping(change.path)


def _in_shared_specs(path: str) -> bool:
    """Whether `path` lies where SHARED_SPECS look."""
    top = path.split("/", 1)[0]
    if "/" not in path:
        return path in (LANGUAGE_FILE, "openbook.yml") or path.startswith("README")
    return top in NOTE_FOLDERS or path.startswith(".openbook/templates/")


def _may_hold_notes(folder: str) -> bool:
    """Whether a folder a .gitignore hides could hold notes the vault shares."""
    return folder.split("/", 1)[0] in NOTE_FOLDERS or folder.startswith(".openbook/")


def binding_agreement_at(vault: Vault, path: str, rev: str = "HEAD") -> str | None:
    """The id of the agreement `path` holds at `rev` while it still binds, else None."""
    if not path.startswith("agreements/") or not path.endswith(".md"):
        return None
    if is_conflict_copy(path):
        return None  # reconciling a conflict copy is deleting it
    data = read_blobs(vault.root, [f"{rev}:{path}"]).get(f"{rev}:{path}")
    if data is None:
        return None
    meta = parse_bytes(path, data, positions=False).meta
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
    changes: Iterable[gitrepo.Change] | None = None,
) -> CommitOutcome:
    """Validate, then commit every pending change under the vault: one commit per file.

    Notes with errors are left uncommitted (listed in `refused`), and so are files outside
    what a vault shares (`outside`: the partner's sync would refuse them), new notes with
    nothing written in them (`blank`) and new notes that name another partner as their
    writer (`not_yours`); everything else is committed as `new`, `edit` or `delete`.
    Notes a .gitignore hides are committed all the same (`pending_changes`). A note
    marked `draft: true` is never committed (`drafts`), whatever it holds.

    `changes`: what `pending_changes` said under the vault lock the caller still holds
    (watch asks once for its look and its commit); only those of `only` are committed.
    """
    vault.require_writable()
    outcome = CommitOutcome()
    with vault.lock(), gitrepo.config_read_once():
        vault.require_writable()  # again under the lock: git may have started a merge meanwhile
        require_can_sign(vault)
        changes = _pending(vault, only, changes)
        if drop_bom(vault.root, [c.path for c in changes if not c.deleted]):  # choices.md
            changes = pending_changes(vault, *(list(only) if only else []))
        if not changes:
            return outcome
        result = check_vault(vault)
        outcome.checked = result
        bad = result.error_paths()
        notes = _changed_notes(result, changes)
        for change in sorted(changes, key=lambda c: c.path):
            path = change.path
            if path.endswith("/"):
                continue
            if not shared_path(path):
                outcome.outside.append(path)
                continue
            if not change.deleted and is_draft(_meta(notes, path)):
                outcome.drafts[path] = not change.added
                continue
            if not change.deleted and path in bad:
                outcome.refused.append(path)
                _why(result, path, outcome)
                continue
            if change.deleted:
                binding = binding_agreement_at(vault, path)
                if binding is not None:
                    outcome.protected[path] = binding
                    continue
            elif change.added and _held(vault, partner, notes, path, outcome):
                continue
            action = "delete" if change.deleted else ("new" if change.added else "edit")
            sha = ledger.record(
                vault, partner, action, ledger.type_of_path(path), [path], path, body=note_message
            )
            outcome.committed.append(Committed(path, action, sha))
    return outcome


def _pending(
    vault: Vault, only: Iterable[str] | None, told: Iterable[gitrepo.Change] | None
) -> list[gitrepo.Change]:
    """The pending changes of `only` (every one without it): from `told`, else from git."""
    paths = list(only) if only else []
    if told is None:
        return pending_changes(vault, *paths)
    return [c for c in told if not paths or c.path in paths]


def _why(result: CheckResult, path: str, out: CommitOutcome) -> None:
    """A check-in written ahead is refused with its own sentence (SPEC section 10)."""
    errors = [p for p in result.problems if p.path == path and p.severity == "error"]
    if len(errors) == 1 and errors[0].rule == AHEAD_RULE:
        out.why[path] = errors[0].message


def held_back(
    vault: Vault, partner: str | None, result: CheckResult, changes: Iterable[gitrepo.Change]
) -> dict[str, tuple[str, str]]:
    """The new notes `commit` would hold back, without committing anything: path -> (why,
    what to do), for `status`."""
    if partner is None:
        return {}
    out = CommitOutcome()
    changes = list(changes)
    notes = _changed_notes(result, changes)
    for change in changes:
        if change.added and shared_path(change.path) and not is_draft(_meta(notes, change.path)):
            _held(vault, partner, notes, change.path, out)
    held = {
        p: ("nothing is written in it yet", "Write in it, then run 'openbook commit'.")
        for p in out.blank
    }
    for path, (key, named) in out.not_yours.items():
        held[path] = (
            f"its {key} is {named}, not you",
            f"Set '{key}: {partner}' if it is yours, or let {named} write it in their copy.",
        )
    return held


def _changed_notes(result: CheckResult, changes: Iterable[gitrepo.Change]) -> dict[str, Note]:
    """The notes of the changes still on disk, as `parsed` shows them (only these read)."""
    return result.shown(sorted({c.path for c in changes if not c.deleted}))


def _meta(notes: Mapping[str, Note], path: str) -> object:
    note = notes.get(path)
    return note.meta if note is not None else None


def _held(
    vault: Vault, partner: str, notes: Mapping[str, Note], path: str, out: CommitOutcome
) -> bool:
    """A new note that waits: nothing written in it yet, or written in another's name."""
    note = notes.get(path)
    if note is None or is_conflict_copy(path):
        return False
    other = named_writer(note, partner)
    if other is not None:
        out.not_yours[path] = other
        return True
    if is_blank(vault, note, partner):
        out.blank.append(path)
        return True
    return False


def held_lines(outcome: CommitOutcome, me: str) -> list[str]:
    """One sentence for each note that waits: a draft, a new note with nothing written
    in it, a new note in another's name."""
    lines = [draft_line(path, before) for path, before in sorted(outcome.drafts.items())]
    lines += [nothing_written(path) for path in outcome.blank]
    for path, (key, named) in sorted(outcome.not_yours.items()):
        lines.append(not_yours(path, key, named, me))
    return lines
