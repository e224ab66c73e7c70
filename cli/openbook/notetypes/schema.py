"""The nine note types: their fields, folders and file names."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

QUESTION_ID = re.compile(r"^Q-\d{4}$")
AGREEMENT_ID = re.compile(r"^A-\d{3}$")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Field:
    """kind is one of: str, text, int, bool, date, datetime, time, duration, enum, partner,
    partners, strs, qref, aref, arefs, amap, week, period, qid, aid, any, phrases."""

    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None


def F(
    kind: str, *choices: str, req: bool = False, low: int | None = None, high: int | None = None
) -> Field:
    return Field(kind, req, tuple(choices), low, high)


COMMON = {"type": F("str", req=True), "tags": F("strs")}

TYPES: dict[str, dict[str, Field]] = {
    "checkin": {
        "author": F("partner", req=True),
        "date": F("date", req=True),
        "time": F("time"),
        "mood": F("int", low=1, high=5),
        "connection": F("int", low=1, high=5),
        "on_track": F("enum", "yes", "struggling", "no"),
        "contact": F("enum", "none", "incidental", "received", "initiated"),
        "kept": F("amap", "yes", "partly", "no"),
        "discuss": F("strs"),
    },
    "plan-change": {
        "author": F("partner", req=True),
        "sent": F("datetime", req=True),
        "plan_at": F("datetime", req=True),
        "was": F("text", req=True),
        "now": F("text", req=True),
        "reason": F("text"),
        "acknowledged_by": F("partner"),
    },
    "question": {
        "id": F("qid", req=True),
        "asked_by": F("partner", req=True),
        "to": F("partner", req=True),
        "asked": F("datetime", req=True),
        "status": F(
            "enum",
            "open",
            "acknowledged",
            "answered",
            "follow-up",
            "with-therapist",
            "withdrawn",
            req=True,
        ),
        "answer_by": F("datetime"),
        "answered": F("datetime"),
        "category": F("str"),
        "repeat_of": F("qref"),
        "landed": F("enum", "helped", "partly", "hurt-more", "need-to-talk"),
    },
    "agreement": {
        "id": F("aid", req=True),
        "title": F("text", req=True),
        "status": F("enum", "proposed", "active", "paused", "retired", req=True),
        "kind": F(
            "enum",
            "boundary",
            "transparency",
            "safeguard",
            "escalation",
            "ritual",
            "change",
            "healing",
        ),
        "proposed_by": F("partner", req=True),
        "accepted_by": F("partners"),
        "owners": F("partners"),
        "since": F("date"),
        "review_every": F("duration"),
        "next_review": F("date"),
        "sunset": F("date"),
        "measures": F("strs"),
        "if_crossed": F("text"),
        "relax_when": F("text"),
        "supersedes": F("aref"),
        "paused_by": F("partner"),
        "retire_requested_by": F("partners"),
    },
    "timeout": {
        "called_by": F("partner", req=True),
        "called": F("datetime", req=True),
        "return_by": F("datetime", req=True),
        "returned": F("datetime"),
        "topic": F("text"),
    },
    "repair": {
        "author": F("partner", req=True),
        "date": F("date", req=True),
        "kind": F("enum", "rupture", "setback", req=True),
        "self_reported": F("bool"),
        "agreements": F("arefs"),
        "status": F("enum", "open", "processed", "with-therapist", "archived", req=True),
        "processed": F("date"),
        "title": F("text"),
    },
    "meeting": {
        "date": F("date", req=True),
        "week": F("week", req=True),
        "participants": F("partners", req=True),
        "facilitator": F("partner"),
        "format": F("enum", "full", "short", "postponed"),
        "decisions": F("strs"),
    },
    "review": {
        "period": F("period", req=True),
        "date": F("date", req=True),
        "participants": F("partners", req=True),
        "agreements": F("amap", "keep", "revise", "relax", "retire"),
        "wins": F("any"),
        "challenges": F("any"),
        "commitments": F("any"),
    },
    "language": {
        "timeout_word": F("text"),
        "hurt_signal": F("text"),
        "ok": F("strs"),
        "not_ok": F("strs"),
        "repair_phrases": F("phrases"),
    },
}

FOLDERS: dict[str, str] = {
    "checkin": "checkins",
    "plan-change": "plan-changes",
    "question": "questions",
    "agreement": "agreements",
    "timeout": "timeouts",
    "repair": "repairs",
    "meeting": "meetings",
    "review": "reviews",
}
FOLDER_TYPES = {folder: t for t, folder in FOLDERS.items()}
NOTE_FOLDERS = tuple(FOLDERS.values())
LANGUAGE_FILE = "language.md"

# the date a note is "about": for late-edit marking and for placing it in a year folder
DATE_FIELD = {
    "checkin": "date",
    "plan-change": "sent",
    "question": "asked",
    "agreement": "since",
    "timeout": "called",
    "repair": "date",
    "meeting": "date",
    "review": "date",
}


def shared_path(path: str) -> bool:
    """Files a vault shares: openbook.yml, language.md, READMEs, .gitignore, the note
    folders and .openbook/templates/. `commit` records nothing else and `sync` refuses
    anything else that comes in, so the two always agree."""
    if path in ("openbook.yml", LANGUAGE_FILE, ".gitignore", ".gitattributes"):
        return True
    if "/" not in path:
        return path.startswith("README")
    top = path.split("/", 1)[0]
    return top in NOTE_FOLDERS or path.startswith(".openbook/templates/")


CONFLICT_COPY = re.compile(
    r"^(?P<stem>.+)\.conflict-(?P<partner>[a-z][a-z0-9-]{0,31})-(?P<sha>[0-9a-f]{7})\.md$"
)


_FIELDS = {t: {**COMMON, **fields} for t, fields in TYPES.items()}


def fields_for(note_type: str) -> dict[str, Field]:
    return _FIELDS[note_type]


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def as_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """A note's datetime as an aware datetime; naive values are in the vault's zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    return None


def note_date(meta: dict[str, Any]) -> dt.date | None:
    t = meta.get("type")
    key = DATE_FIELD.get(t) if isinstance(t, str) else None
    return as_date(meta.get(key)) if key else None


def iso_week(day: dt.date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"
