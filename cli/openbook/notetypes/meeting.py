"""meeting: the weekly ritual's agenda and minutes, one note per ISO week."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openbook.fsutil import slugify
from openbook.notetypes.base import WEEK, F, Meta, NameFields, NewNote, NoteType, iso_week

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
    "date": F("date", req=True),
    "week": F("week", req=True),
    "participants": F("partners", req=True),
    "facilitator": F("partner"),
    "format": F("enum", "full", "short", "postponed"),
    "decisions": F("strs"),
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "meeting",
        "date": new.today,
        "week": iso_week(new.today),
        "participants": list(new.partners),
        "facilitator": new.partner,
        "format": "full",
        "decisions": [],
    }


def file_name(v: NameFields) -> tuple[str, str]:
    week = v.text("week")
    return week[:4], slugify(week).upper()


def consistency(note: Note, cfg: Config, report: Report) -> None:
    d, w = note.meta.get("date"), note.meta.get("week")
    if isinstance(d, dt.date) and isinstance(w, str) and WEEK.match(w) and iso_week(d) != w:
        report(
            note.pos("week"),
            "field-value",
            f"week {w} does not contain the meeting date {d}; use {iso_week(d)}",
        )


TYPE = NoteType(
    name="meeting",
    about="the weekly meeting: its agenda and minutes",
    folder="meetings",
    fields=FIELDS,
    date_field="date",
    defaults=defaults,
    file_name=file_name,
    name_check="exact",
    consistency=consistency,
)
