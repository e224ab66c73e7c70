"""What in this clone itself could stop a sync, for `openbook doctor`: a last sync that
stopped, and files set aside from the partner that were edited here since (git hides
them). Git's index is refreshed first, as sync does, so a file saved again with the same
bytes never counts as a change."""

from __future__ import annotations

from dataclasses import dataclass, field

from openbook.errors import shown
from openbook.git import worktree
from openbook.ritual.overview import read_last_sync
from openbook.sync.aside import edited_aside
from openbook.vault import Vault
from openbook.words import plural


@dataclass
class Blocker:
    what: str
    next_step: str
    kind: str
    commands: list[str] = field(default_factory=list)


def sync_blockers(vault: Vault) -> list[Blocker]:
    """Each local reason a sync could not proceed, with the step that ends it."""
    if vault.git_dir is None:
        return []
    worktree.refresh_index(vault.root)
    found = []
    edited = edited_aside(vault.root)
    if edited:
        names = ", ".join(shown(p) for p in edited)
        found.append(
            Blocker(
                f"{plural(len(edited), 'file')} set aside from your partner's changes "
                f"({names}) {'was' if len(edited) == 1 else 'were'} edited here since; git "
                "does not show those edits, and a sync will not overwrite them.",
                "Copy your edits somewhere safe, ask your partner to fix what was set aside "
                "with a new commit, then run 'openbook sync'.",
                "set-aside-edited",
                ["openbook sync"],
            )
        )
    last = read_last_sync(vault) or {}
    # exit 1 (a failure sync explained, such as commits the partner would refuse, which
    # doctor names itself) and the alerts doctor reads from the remote are not repeated
    if last.get("exit_code") not in (None, 0, 1, 3, 4, 5):
        found.append(
            Blocker(
                f"The last sync stopped before it finished ({last.get('result', 'failed')}); "
                "your notes are safe in your copy.",
                "Run 'openbook sync' again: it says what stops it and what to do.",
                "sync-stopped",
                ["openbook sync"],
            )
        )
    return found
