"""pause: everything paused for both partners at once, no reason asked, or with `agreement`
one agreement and the check-in schedules that serve it (SPEC section 10).

While a pause holds, no schedule, deadline or count runs and nothing is counted as missed.
Only the partner who paused ends it, with `openbook resume`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType, as_datetime

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
    "by": F("partner", req=True),
    "since": F("datetime", req=True),
    "until": F("datetime"),
    "resumed": F("datetime"),
    "agreement": F("aref"),  # `pause A-ID`: only that agreement, and what serves it
}


def defaults(new: NewNote) -> Meta:
    return {"type": "pause", "by": new.partner, "since": new.at, "until": None, "resumed": None}


def file_name(v: NameFields) -> tuple[str, str]:
    stem = f"{v.stamp('since')}-{v.partner('by')}"
    agreement = v.get("agreement")
    if isinstance(agreement, str) and agreement:
        stem += f"-{agreement.lower()}"
    return str(v.day("since").year), stem


def consistency(note: Note, cfg: Config, report: Report) -> None:
    since = as_datetime(note.meta.get("since"), cfg.tz)
    for key in ("until", "resumed"):
        end = as_datetime(note.meta.get(key), cfg.tz)
        if since is not None and end is not None and end < since:
            report(note.pos(key), "field-value", f"{key} must be after since")


def holds(meta: Meta, at: dt.datetime, tz: dt.tzinfo) -> bool:
    """Whether this pause holds at `at`: begun, not resumed, not past its `until`."""
    since = as_datetime(meta.get("since"), tz)
    if since is None or at < since:
        return False
    for key in ("resumed", "until"):
        end = as_datetime(meta.get(key), tz)
        if end is not None and at >= end:
            return False
    return True


TYPE = NoteType(
    name="pause",
    about="a pause of everything, or of one agreement, no reason asked",
    fields_say_enough=True,
    folder="pauses",
    fields=FIELDS,
    date_field="since",
    defaults=defaults,
    file_name=file_name,
    consistency=consistency,
)
