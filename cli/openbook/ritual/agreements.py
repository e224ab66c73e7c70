"""Agreements as the agenda and `status` show them: waiting for consent, due for review,
paused (by whom, since when), retirements waiting for the other partner, deleted without
being retired (from history), named in a setback. Nothing about an agreement is hidden."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openbook.check.words import WordsChange
from openbook.config import Config
from openbook.git.ledger import partner_of
from openbook.notes.parse import Note
from openbook.ritual.calendar import fmt_dt, next_review
from openbook.ritual.events import Repair
from openbook.ritual.facts import Notes
from openbook.ritual.history import VaultHistory
from openbook.ritual.notetext import as_list

LIVE = ("proposed", "active", "paused")


@dataclass
class ProposedAgreement:
    id: str
    title: str
    path: str
    waiting_for: list[str]


@dataclass
class ChangedAgreement:
    """Words that changed after a partner accepted: the acceptance waits again."""

    id: str
    title: str  # the title in force (the words both accepted), or the proposed one
    path: str
    changed_after: list[str]
    waiting_for: list[str]
    in_force: bool  # the words both accepted stay in force meanwhile


@dataclass
class DeclinedAgreement:
    id: str
    title: str
    path: str
    declined_by: list[str]
    proposed_by: str
    in_force: bool = False  # new words were declined; the words both accepted stay


@dataclass
class DueAgreement:
    id: str
    title: str
    path: str
    next_review: dt.date
    # a transparency or safeguard agreement with neither relax_when nor sunset: its review
    # asks first what would let the couple relax it
    relax_unsaid: bool = False


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
class PausedAgreement:
    id: str
    title: str
    path: str
    paused_by: list[str]
    since: dt.datetime | None  # the pause's commit, when history shows it


@dataclass
class RetiringAgreement:
    id: str
    title: str
    path: str
    requested_by: list[str]
    waiting_for: list[str]


@dataclass
class DeletedAgreement:
    id: str
    title: str
    path: str
    status: str  # in its last version: proposed, active or paused
    deleted_by: str | None  # the partner whose commit deleted it
    deleted_at: dt.datetime
    commit: str


@dataclass
class Agreements:
    proposed: list[ProposedAgreement] = field(default_factory=list)
    changed: list[ChangedAgreement] = field(default_factory=list)
    declined: list[DeclinedAgreement] = field(default_factory=list)
    due: list[DueAgreement] = field(default_factory=list)
    paused: list[PausedAgreement] = field(default_factory=list)
    retiring: list[RetiringAgreement] = field(default_factory=list)
    deleted: list[DeletedAgreement] = field(default_factory=list)
    no_review: list[UndatedAgreement] = field(default_factory=list)
    in_setback: list[SetbackAgreement] = field(default_factory=list)
    upcoming: list[UpcomingAgreement] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        """Whether there is anything to say beyond what is coming up."""
        return bool(
            self.proposed
            or self.changed
            or self.due
            or self.paused
            or self.retiring
            or self.deleted
            or self.no_review
            or self.in_setback
        )


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


def deleted_agreements(
    hist: VaultHistory, cfg: Config, present: set[str]
) -> list[DeletedAgreement]:
    """Agreements whose file was deleted while proposed, active or paused (never retired)
    and that no current note carries on under the same id."""
    out = []
    for d in sorted(hist.deleted.values(), key=lambda x: (x.id, x.path)):
        if d.status not in LIVE or d.id in present:
            continue
        who = partner_of(cfg.partners, d.deleted_by)
        out.append(DeletedAgreement(d.id, d.title, d.path, d.status, who, d.deleted_at, d.commit))
    return out


def _standing(out: Agreements, n: Note, cfg: Config, hist: VaultHistory) -> None:
    """Paused ones and retirements one partner asked for."""
    m = n.meta
    aid = str(m.get("id"))
    title = str(m.get("title") or aid)
    status = m.get("status")
    if status == "paused":
        since = m.get("paused_since") or hist.actions.get(n.path, {}).get("pause")
        by = [str(p) for p in as_list(m.get("paused_by"))]
        out.paused.append(PausedAgreement(aid, title, n.path, by, since))
    requested = [str(p) for p in as_list(m.get("retire_requested_by"))]
    if status != "retired" and requested:
        waiting = [p for p in cfg.partners if p not in requested]
        out.retiring.append(RetiringAgreement(aid, title, n.path, requested, waiting))


def _words_wait(out: Agreements, n: Note, w: WordsChange | None) -> bool:
    """An agreement whose words changed after a partner accepted, or that a partner
    declined as it is written: said so instead of as a proposal."""
    if w is None or n.meta.get("status") == "retired":
        return False
    title = str(n.meta.get("title") or w.id)
    by = str(n.meta.get("proposed_by") or "")
    in_force = w.in_force is not None
    if w.declined_by and (in_force or n.meta.get("status") == "proposed"):
        out.declined.append(DeclinedAgreement(w.id, title, n.path, w.declined_by, by, in_force))
        return not in_force  # in force: also due, paused... as the accepted words
    if w.changed_after:
        changed = ChangedAgreement(
            w.id, title, n.path, w.changed_after, w.waiting_for, w.in_force is not None
        )
        out.changed.append(changed)
        return w.in_force is None  # in force: also due, paused... as the accepted words
    return False


def agreement_facts(
    notes: Notes, cfg: Config, day: dt.date, setbacks: list[Repair], hist: VaultHistory
) -> Agreements:
    """The agreements as they stand on `day` (due for review on or before it)."""
    out = Agreements()
    by_id: dict[str, Note] = {}
    words = {w.path: w for w in notes.words}
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        aid = str(m.get("id"))
        by_id[aid] = n
        title = str(m.get("title") or aid)
        status = m.get("status")
        if _words_wait(out, n, words.get(n.path)):
            pass
        elif status == "proposed":
            accepted = as_list(m.get("accepted_by"))
            waiting = [p for p in cfg.partners if p not in accepted]
            out.proposed.append(ProposedAgreement(aid, title, n.path, waiting))
        elif status == "active":
            nr = next_review(m)
            if nr is None:
                out.no_review.append(UndatedAgreement(aid, title, n.path))
            elif nr <= day:
                unsaid = m.get("kind") in ("transparency", "safeguard") and not (
                    m.get("relax_when") or m.get("sunset")
                )
                out.due.append(DueAgreement(aid, title, n.path, nr, bool(unsaid)))
            elif nr <= day + dt.timedelta(days=7):
                out.upcoming.append(UpcomingAgreement(aid, title, nr))
        _standing(out, n, cfg, hist)
    out.deleted = deleted_agreements(hist, cfg, set(by_id))
    out.in_setback = _named_in_setbacks(setbacks, by_id)
    return out


def agreement_lines(
    ag: Agreements, names: dict[str, str], tz: dt.tzinfo, *, ask: bool = True
) -> list[str]:
    """The agreements as sentences, nothing left out; the agenda and `status` share them.
    `ask` adds the review's question to those due for review (the agenda); without it
    (`status`) an agreement declined as it is written is named too, and nothing asked."""

    def who(ids: list[str]) -> str:
        return " and ".join(names.get(p, p) for p in ids) or "nobody"

    lines = []
    for p in ag.proposed:
        lines.append(
            f"{p.id} {p.title}: proposed, waiting for {who(p.waiting_for)} "
            f"(openbook accept {p.id})."
        )
    for c in ag.changed:
        until = (
            f"until then {c.title} stays in force in the words you both accepted"
            if c.in_force
            else "until then it is proposed"
        )
        lines.append(
            f"{c.id} changed after {who(c.changed_after)} accepted: it waits for "
            f"{who(c.waiting_for)}; {until} (openbook accept {c.id} shows the new words)."
        )
    for dx in ag.declined if not ask else []:
        if dx.in_force:
            lines.append(
                f"{dx.id} {dx.title}: {who(dx.declined_by)} declined its new words; the words "
                "you both accepted stay in force, and nothing else is asked of anyone."
            )
            continue
        lines.append(
            f"{dx.id} {dx.title}: {who(dx.declined_by)} declined it as it is written; nothing is "
            f"asked of anyone ({who([dx.proposed_by])} can change it, or withdraw it with "
            f"openbook retire {dx.id})."
        )
    for d in ag.due:
        question = " Keep, revise, relax or retire?" if ask else ""
        if ask and d.relax_unsaid:
            question = (
                " First: nothing yet says what would let you relax it; what would? Then: "
                "keep, revise, relax or retire?"
            )
        lines.append(
            f"{d.id} {d.title}: due for review since {d.next_review.isoformat()}.{question}"
        )
    for x in ag.paused:
        since = f" since {fmt_dt(x.since, tz)}" if x.since else ""
        if not ask and any(names.get(p) == "you" for p in x.paused_by):
            ends = f" (openbook resume {x.id} ends your pause)."
        else:
            ends = f"; only {who(x.paused_by)} can end it."
        lines.append(f"{x.id} {x.title}: paused by {who(x.paused_by)}{since}{ends}")
    for r in ag.retiring:
        lines.append(
            f"{r.id} {r.title}: {who(r.requested_by)} asked to retire it; waiting for "
            f"{who(r.waiting_for)} (openbook retire {r.id})."
        )
    for g in ag.deleted:
        by = f" by {names.get(g.deleted_by, g.deleted_by)}" if g.deleted_by else ""
        lines.append(
            f"{g.id} {g.title}: its file was deleted{by} on {fmt_dt(g.deleted_at, tz)} while "
            f"{g.status}, without being retired; it is still in the history "
            f"(git checkout {g.commit[:7]}^ -- {g.path} brings it back)."
        )
    for u in ag.no_review:
        lines.append(f"{u.id} {u.title}: has no review date yet; choose one together.")
    for s in ag.in_setback:
        plan = s.if_crossed or "no plan written yet; write one together"
        lines.append(f"{s.id} {s.title} was named in a setback. If crossed: {plan}")
    return lines
