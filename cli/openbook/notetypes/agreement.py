"""agreement: what both partners agreed to; active only once both have accepted it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openbook.fsutil import slugify
from openbook.notetypes.base import AGREEMENT_IDS, F, Meta, NameFields, NewNote, NoteType, Ref

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
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
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "agreement",
        "id": new.next_id(),
        "title": None,
        "status": "proposed",
        "kind": None,
        "proposed_by": new.partner,
        "accepted_by": [new.partner],
        "owners": list(new.partners),
        "since": new.today,
        "review_every": "30d",
        "next_review": new.today + dt.timedelta(days=30),
        "measures": [],
        "if_crossed": None,
        "relax_when": None,
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return "", f"{v.ident('id', AGREEMENT_IDS)}-{slugify(str(v.get('title') or 'agreement'))}"


def consistency(note: Note, cfg: Config, report: Report) -> None:
    m = note.meta
    accepted = m.get("accepted_by") or []
    if isinstance(accepted, str):
        accepted = [accepted]
    if m.get("status") == "active" and isinstance(accepted, list):
        missing = [p for p in sorted(cfg.partners) if p not in accepted]
        if missing:
            report(
                note.pos("status"),
                "status-consistency",
                f"agreement is active but not accepted by {', '.join(missing)}; "
                "set status: proposed until both have run 'openbook accept'",
            )


def references(meta: Meta) -> list[Ref]:
    ref = meta.get("supersedes")
    return [(ref, ("supersedes",))] if isinstance(ref, str) else []


TYPE = NoteType(
    name="agreement",
    folder="agreements",
    fields=FIELDS,
    date_field="since",
    defaults=defaults,
    file_name=file_name,
    name_check="id",
    ids=AGREEMENT_IDS,
    consistency=consistency,
    references=references,
    set_examples={"title": '"Changed plans are announced ahead"'},
)
