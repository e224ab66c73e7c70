"""The only bridge from the journal to the vault: a check-in the person writes from an entry.

The draft is edited in a private temporary folder, outside the vault, with no lock held;
it reaches the vault, and is validated and committed like `openbook new checkin --edit`,
only when the person saved a changed note. Nothing of the journal (its id, its place,
its name) is handed to the vault: only the words the person saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from openbook.errors import NoteError
from openbook.git import ledger
from openbook.git.state import require_safe_state
from openbook.journal.place import JournalError, scratch
from openbook.notes.parse import Problem
from openbook.record import create as newnote
from openbook.vault import Vault


@dataclass
class Shared:
    relpath: str
    commit: str | None  # None when the note has errors and waits, uncommitted, in the vault
    problems: list[Problem]


def share_as_checkin(
    vault: Vault, partner: str, words: str, edit: Callable[[Path], None]
) -> Shared | None:
    """Open a new check-in for `partner` with `words` as its body in `edit`; commit it if
    the person saved a change. Returns None when nothing was saved (nothing is written)."""
    require_safe_state(vault.root)
    with vault.lock():
        draft = newnote.draft(vault, "checkin", partner, body=words, blanks_ok=True)
    if (vault.root / draft.relpath).exists():
        raise NoteError(
            f"{draft.relpath} already exists, so today's check-in is written; "
            "open it and add the words you want to share there."
        )
    with scratch(draft.text, PurePosixPath(draft.relpath).name) as path:
        edit(path)
        saved = path.read_bytes() if path.is_file() else b""
    if saved == draft.text.encode("utf-8") or not saved.strip():
        return None
    try:
        text = saved.decode("utf-8")
    except UnicodeDecodeError:
        raise JournalError(
            "The check-in was not saved as UTF-8 text, so nothing was shared; "
            "save it as UTF-8 and share again."
        ) from None
    with vault.lock():
        newnote.write_draft(vault, dataclasses.replace(draft, text=text))
        problems = newnote.recheck(vault, draft.relpath)
        if problems:
            return Shared(draft.relpath, None, problems)
        sha = ledger.record(vault, partner, "new", "checkin", [draft.relpath], draft.target)
    return Shared(draft.relpath, sha, [])
