"""question: one partner asks, the other answers in the note's body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openbook.notetypes.base import QUESTION_IDS, F, Meta, NameFields, NewNote, NoteType, Ref

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

FIELDS = {
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
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "question",
        "id": new.next_id(),
        "asked_by": new.partner,
        "to": new.other,
        "asked": new.at,
        "status": "open",
        "answer_by": new.at + new.config.answer_within,
        "category": None,
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return "", v.ident("id", QUESTION_IDS)


def consistency(note: Note, cfg: Config, report: Report) -> None:
    m = note.meta
    if m.get("status") == "answered" and not m.get("answered"):
        report(
            note.pos("status"),
            "status-consistency",
            "status is answered but 'answered' is missing; add when it was answered",
        )
    if m.get("to") and m.get("to") == m.get("asked_by"):
        report(note.pos("to"), "field-value", "a question is asked to the other partner; fix 'to'")


def references(meta: Meta) -> list[Ref]:
    ref = meta.get("repeat_of")
    return [(ref, ("repeat_of",))] if isinstance(ref, str) else []


TYPE = NoteType(
    name="question",
    about="a question for your partner, answered in its body",
    folder="questions",
    fields=FIELDS,
    date_field="asked",
    defaults=defaults,
    file_name=file_name,
    name_check="id",
    ids=QUESTION_IDS,
    consistency=consistency,
    references=references,
)
