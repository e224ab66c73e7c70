"""timeout: a pause called in a hard talk, with the time to come back by."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType, as_datetime

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
    "called_by": F("partner", req=True),
    "called": F("datetime", req=True),
    "return_by": F("datetime", req=True),
    "returned": F("datetime"),
    "topic": F("text"),
}


def defaults(new: NewNote) -> Meta:
    cfg = new.config
    back = max(cfg.timeout_min, min(dt.timedelta(hours=1), cfg.timeout_max))
    return {
        "type": "timeout",
        "called_by": new.partner,
        "called": new.at,
        "return_by": new.at + back,
        "returned": None,
        "topic": None,
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return str(v.day("called").year), f"{v.stamp('called')}-{v.partner('called_by')}"


def _span(td: dt.timedelta) -> str:
    mins = int(td.total_seconds() // 60)
    if mins % (60 * 24) == 0 and mins:
        return f"{mins // (60 * 24)}d"
    if mins % 60 == 0 and mins:
        return f"{mins // 60}h"
    return f"{mins}m"


def consistency(note: Note, cfg: Config, report: Report) -> None:
    called, back = note.meta.get("called"), note.meta.get("return_by")
    if not isinstance(called, dt.datetime) or not isinstance(back, dt.datetime):
        return
    start, end = as_datetime(called, cfg.tz), as_datetime(back, cfg.tz)
    if start is None or end is None:
        return
    gap = end - start
    if gap < cfg.timeout_min or gap > cfg.timeout_max:
        report(
            note.pos("return_by"),
            "field-value",
            f"return_by must be {_span(cfg.timeout_min)} to "
            f"{_span(cfg.timeout_max)} after called; it is {_span(gap)}",
        )


TYPE = NoteType(
    name="timeout",
    folder="timeouts",
    fields=FIELDS,
    date_field="called",
    defaults=defaults,
    file_name=file_name,
    consistency=consistency,
)
