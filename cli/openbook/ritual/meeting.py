"""Saving the agenda as the week's meeting note, through the one creation path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.record.create import save_note
from openbook.vault import Vault


def meeting_path(week: str) -> str:
    return f"meetings/{week[:4]}/{week}.md"


MINUTES_BLANKS = """
## Minutes

*What did we talk about, and where did we land? A few lines are enough.*

## Decisions

*One line each; they also go in `decisions` above.*
"""
MEETING_EXISTS = "This week's meeting note is already saved; open it to add the minutes."


def save_meeting(
    vault: Vault, partner: str, data: dict[str, Any], markdown: str
) -> tuple[str, str]:
    """Write the agenda as the week's meeting note and commit it. Never overwrites."""
    cfg = vault.require_config()
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
    created = save_note(vault, partner, meta, body, exists_hint=MEETING_EXISTS)
    return created.path, created.commit
