"""plan-change: a plan changed, said ahead of time (what it was, what it is now)."""

from __future__ import annotations

from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType

FIELDS = {
    "author": F("partner", req=True),
    "sent": F("datetime", req=True),
    "plan_at": F("datetime", req=True),
    "was": F("text", req=True),
    "now": F("text", req=True),
    "reason": F("text"),
    "acknowledged_by": F("partner"),
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "plan-change",
        "author": new.partner,
        "sent": new.at,
        "plan_at": None,
        "was": None,
        "now": None,
        "reason": None,
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return str(v.day("sent").year), f"{v.stamp('sent')}-{v.partner('author')}"


TYPE = NoteType(
    name="plan-change",
    title="plan change",
    about="a plan that changed, said ahead of time",
    folder="plan-changes",
    fields=FIELDS,
    date_field="sent",
    defaults=defaults,
    file_name=file_name,
    set_examples={"plan_at": '"2026-11-24 18:00"', "was": '"home at 6"', "now": '"home at 7"'},
)
