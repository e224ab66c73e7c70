"""Saving the agenda as the week's meeting note."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.errors import NoteError
from openbook.vault import Vault


def meeting_path(week: str) -> str:
    return f"meetings/{week[:4]}/{week}.md"


MINUTES_BLANKS = """
## Minutes

*What did we talk about, and where did we land? A few lines are enough.*

## Decisions

*One line each; they also go in `decisions` above.*
"""


def save_meeting(
    vault: Vault, partner: str, data: dict[str, Any], markdown: str
) -> tuple[str, str]:
    """Write the agenda as the week's meeting note and commit it. Never overwrites."""
    from openbook.check.note import validate_note
    from openbook.fsutil import atomic_write, safe_relpath
    from openbook.git import ledger
    from openbook.notes.parse import parse_bytes, render_note

    vault.require_writable()
    cfg = vault.require_config()
    rel = meeting_path(data["week"])
    meta = {
        "type": "meeting",
        "date": dt.date.fromisoformat(data["date"]),
        "week": data["week"],
        "participants": sorted(cfg.partners),
        "facilitator": partner,
        "format": data["format"],
        "decisions": [],
    }
    body = markdown.rstrip("\n") + "\n" + MINUTES_BLANKS
    text = render_note(meta, body)
    note = validate_note(parse_bytes(rel, text.encode("utf-8")), cfg)
    errors = [p for p in note.problems if p.severity == "error"]
    if errors:
        raise NoteError(f"{rel} was not written: {errors[0].message}.")
    full = safe_relpath(vault.root, rel)
    with vault.lock():
        if full.exists() or full.is_symlink():
            raise NoteError(
                f"{rel} already exists, so this week's meeting note is already saved; "
                "openbook never overwrites it. Open it to add the minutes."
            )
        atomic_write(full, text.encode("utf-8"), exclusive=True)
        sha = ledger.record(vault, partner, "new", "meeting", [rel], rel)
    return rel, sha
