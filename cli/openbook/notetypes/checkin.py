"""checkin: one partner's check-in of one day (mood, connection, agreements kept)."""

from __future__ import annotations

from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType, Ref

FIELDS = {
    "author": F("partner", req=True),
    "date": F("date", req=True),
    "time": F("time"),
    "mood": F("int", low=1, high=5),
    "connection": F("int", low=1, high=5),
    "on_track": F("enum", "yes", "struggling", "no"),
    "contact": F("enum", "none", "incidental", "received", "initiated"),
    "kept": F("amap", "yes", "partly", "no"),
    "discuss": F("strs"),
    "good_time": F("text"),  # a good moment together, if there was one: the agenda recalls it
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "checkin",
        "author": new.partner,
        "date": new.today,
        "time": new.at.strftime("%H:%M"),
        "mood": None,
        "connection": None,
        "on_track": None,
        "kept": {a: None for a in new.active_agreements()} or None,
        "discuss": [],
    }


def file_name(v: NameFields) -> tuple[str, str]:
    day = v.day("date")
    return str(day.year), f"{day.isoformat()}-{v.partner('author')}"


def references(meta: Meta) -> list[Ref]:
    kept = meta.get("kept")
    if not isinstance(kept, dict):
        return []
    return [(k, ("kept", k)) for k in kept if isinstance(k, str)]


TYPE = NoteType(
    name="checkin",
    title="check-in",
    about="one day's check-in: mood, connection, agreements kept",
    folder="checkins",
    fields=FIELDS,
    date_field="date",
    defaults=defaults,
    file_name=file_name,
    name_check="exact",
    references=references,
)
