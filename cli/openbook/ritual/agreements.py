"""Agreements at a meeting: waiting for consent, due for review, named in a setback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openbook.config import Config
from openbook.notes.parse import Note
from openbook.ritual.counting import next_review
from openbook.ritual.facts import Notes, Repair
from openbook.ritual.notetext import as_list


@dataclass
class ProposedAgreement:
    id: str
    title: str
    path: str
    waiting_for: list[str]


@dataclass
class DueAgreement:
    id: str
    title: str
    path: str
    next_review: dt.date


@dataclass
class UndatedAgreement:
    id: str
    title: str
    path: str


@dataclass
class SetbackAgreement:
    id: str
    title: str
    path: str
    if_crossed: str | None


@dataclass
class UpcomingAgreement:
    id: str
    title: str
    next_review: dt.date


@dataclass
class Agreements:
    proposed: list[ProposedAgreement] = field(default_factory=list)
    due: list[DueAgreement] = field(default_factory=list)
    no_review: list[UndatedAgreement] = field(default_factory=list)
    in_setback: list[SetbackAgreement] = field(default_factory=list)
    upcoming: list[UpcomingAgreement] = field(default_factory=list)


def _named_in_setbacks(setbacks: list[Repair], by_id: dict[str, Note]) -> list[SetbackAgreement]:
    named: list[str] = []
    for s in setbacks:
        for aid in s.agreements:
            if aid not in named:
                named.append(aid)
    out = []
    for aid in named:
        note = by_id.get(aid)
        if note is None:
            continue
        crossed = note.meta.get("if_crossed")
        title = str(note.meta.get("title") or aid)
        out.append(
            SetbackAgreement(aid, title, note.path, str(crossed).strip() if crossed else None)
        )
    return out


def agreement_facts(
    notes: Notes, cfg: Config, meeting: dt.date, setbacks: list[Repair]
) -> Agreements:
    out = Agreements()
    by_id: dict[str, Note] = {}
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        aid = str(m.get("id"))
        by_id[aid] = n
        title = str(m.get("title") or aid)
        status = m.get("status")
        if status == "proposed":
            accepted = as_list(m.get("accepted_by"))
            waiting = [p for p in cfg.partners if p not in accepted]
            out.proposed.append(ProposedAgreement(aid, title, n.path, waiting))
        elif status == "active":
            nr = next_review(m)
            if nr is None:
                out.no_review.append(UndatedAgreement(aid, title, n.path))
            elif nr <= meeting:
                out.due.append(DueAgreement(aid, title, n.path, nr))
            elif nr <= meeting + dt.timedelta(days=7):
                out.upcoming.append(UpcomingAgreement(aid, title, nr))
    out.in_setback = _named_in_setbacks(setbacks, by_id)
    return out
