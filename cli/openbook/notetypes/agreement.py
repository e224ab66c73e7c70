"""agreement: what both partners agreed to; active only once both have accepted it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openbook.fsutil import slugify
from openbook.notetypes.base import (
    AGREEMENT_IDS,
    F,
    Meta,
    NameFields,
    NewNote,
    NoteType,
    Ref,
    as_date,
)
from openbook.words import parse_duration

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


# What a partner consents to (SPEC section 10): these fields and the body, nothing else.
TERMS = (
    "title",
    "kind",
    "owners",
    "measures",
    "if_crossed",
    "relax_when",
    "review_every",
    "sunset",
    "supersedes",
)


def _plain(value: Any) -> Any:
    """A parsed YAML value as plain, comparable data (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def terms_of(meta: Mapping[str, Any], body: str) -> dict[str, Any]:
    """An agreement's terms: the consented fields as parsed values (an unset field and an
    empty one are the same) and the body with line endings normalised and trailing
    whitespace removed, so an editor that reformats the header changes no terms."""
    fields = {k: _plain(meta[k]) for k in TERMS if meta.get(k) not in (None, "", [])}
    lines = [ln.rstrip() for ln in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return {**fields, "body": "\n".join(lines).strip("\n")}


def terms_digest(meta: Mapping[str, Any], body: str) -> str:
    """The terms as one short digest (canonical JSON): what `accept` binds to."""
    blob = json.dumps(terms_of(meta, body), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


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


def first_review(meta: Meta) -> dt.date | None:
    """A new agreement's first review: its `since` plus its `review_every` (30 days when
    that is not a duration); None without a `since`."""
    since = as_date(meta.get("since"))
    if since is None:
        return None
    return since + (parse_duration(meta.get("review_every")) or dt.timedelta(days=30))


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
    about="what you both agree to; in force once both accept it",
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
