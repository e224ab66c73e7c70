"""repair: a rupture or a setback, and how the two of you processed it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openbook.fsutil import slugify
from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType, Ref

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
    "author": F("partner", req=True),
    "date": F("date", req=True),
    "kind": F("enum", "rupture", "setback", req=True),
    "self_reported": F("bool"),
    "agreements": F("arefs"),
    "status": F("enum", "open", "processed", "with-therapist", "archived", req=True),
    "processed": F("date"),
    "processed_by": F("partners"),  # each partner's own commit adds them (SPEC 10)
    "title": F("text"),
}


DONE = ("processed", "archived")


def defaults(new: NewNote) -> Meta:
    return {
        "type": "repair",
        "author": new.partner,
        "date": new.today,
        "kind": "rupture",
        "agreements": [],
        "status": "open",
    }


def file_name(v: NameFields) -> tuple[str, str]:
    day = v.day("date")
    label = v.get("title") or v.get("kind") or "repair"
    return str(day.year), f"{day.isoformat()}-{slugify(str(label))}"


def consistency(note: Note, cfg: Config, report: Report) -> None:
    m = note.meta
    if m.get("kind") == "setback" and "self_reported" not in m:
        report(
            note.pos("kind"),
            "field-required",
            "a setback needs 'self_reported: true' or 'false'",
        )
    if m.get("status") in DONE and not m.get("processed"):
        report(
            note.pos("status"),
            "status-consistency",
            f"status is {m.get('status')} but 'processed' (date) is missing; add it",
            "warning",
        )
    waiting = waiting_for(m, list(cfg.partners)) if m.get("status") in DONE else []
    if waiting and len(waiting) < len(cfg.partners):
        who = ", ".join(cfg.partners[p].name for p in waiting)
        report(
            note.pos("status"),
            "status-consistency",
            f"a repair is {m.get('status')} once both of you say so; until {who} adds their "
            "own id to 'processed_by', it stays open",
            "warning",
        )
    elif waiting:
        report(
            note.pos("status"),
            "status-consistency",
            f"a repair is {m.get('status')} once both of you say so: each adds their own id "
            "to 'processed_by' (e.g. processed_by: [alice]), from their own copy",
            "warning",
        )


def waiting_for(meta: Meta, partners: list[str]) -> list[str]:
    """Who has not yet said this repair is processed (empty: it is, for both)."""
    said = meta.get("processed_by")
    said = said if isinstance(said, list) else [said] if isinstance(said, str) else []
    return [p for p in partners if p not in said]


def references(meta: Meta) -> list[Ref]:
    items = meta.get("agreements")
    if isinstance(items, str):
        return [(items, ("agreements",))]
    if isinstance(items, list):
        return [(x, ("agreements", i)) for i, x in enumerate(items) if isinstance(x, str)]
    return []


TYPE = NoteType(
    name="repair",
    about="a rupture or setback, and how you two processed it",
    folder="repairs",
    fields=FIELDS,
    date_field="date",
    defaults=defaults,
    file_name=file_name,
    consistency=consistency,
    references=references,
)
