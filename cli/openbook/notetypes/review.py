"""review: the monthly review of the agreements (keep, revise, relax, retire)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openbook.fsutil import slugify
from openbook.notetypes.base import PERIOD, F, Meta, NameFields, NewNote, NoteType, Ref

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
    "period": F("period", req=True),
    "date": F("date", req=True),
    "participants": F("partners", req=True),
    "agreements": F("amap", "keep", "revise", "relax", "retire"),
    "wins": F("any"),
    "challenges": F("any"),
    "commitments": F("any"),
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "review",
        "period": new.today.strftime("%Y-%m"),
        "date": new.today,
        "participants": list(new.partners),
        "agreements": {},
        "wins": [],
        "challenges": [],
        "commitments": [],
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return "", slugify(v.text("period"))


def consistency(note: Note, cfg: Config, report: Report) -> None:
    p = note.meta.get("period")
    if isinstance(p, str) and PERIOD.match(p) and not 1 <= int(p[5:]) <= 12:
        report(note.pos("period"), "field-value", f"period {p} is not a month; use e.g. 2026-11")


def references(meta: Meta) -> list[Ref]:
    decided = meta.get("agreements")
    if not isinstance(decided, dict):
        return []
    return [(k, ("agreements", k)) for k in decided if isinstance(k, str)]


TYPE = NoteType(
    name="review",
    about="the monthly review of your agreements",
    folder="reviews",
    fields=FIELDS,
    date_field="date",
    defaults=defaults,
    file_name=file_name,
    name_check="exact",
    consistency=consistency,
    references=references,
)
