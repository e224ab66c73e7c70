"""The weekly agenda's facts, typed: the period it covers (since the last meeting, at
most 14 days, else the last seven) and everything true in it at the meeting's start or
now, whichever is earlier. agenda.py turns them into sentences and plain data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from openbook.check.authorship import marks
from openbook.check.claims import movers
from openbook.check.result import CheckResult, check_vault
from openbook.config import Config
from openbook.ritual.agreements import Agreements, agreement_facts
from openbook.ritual.binding import consent_now
from openbook.ritual.calendar import at, local_day, next_meeting_day, short_day, utc
from openbook.ritual.chart import CHART_WEEKS
from openbook.ritual.counting import (
    CheckinCount,
    Counting,
    Dated,
    checkins_by_author,
    count_checkins,
)
from openbook.ritual.events import (
    Relaxed,
    Repairs,
    Timeout,
    open_timeouts,
    relaxed_agreements,
    repair_facts,
    timeout_facts,
)
from openbook.ritual.facts import (
    LandedAnswer,
    Notes,
    PlanChange,
    Questions,
    Window,
    good_time_notes,
    landed_badly,
    last_meeting,
    plan_change_facts,
    question_facts,
)
from openbook.ritual.history import counting_model
from openbook.ritual.recent import vault_notes
from openbook.ritual.remembered import admitted, history
from openbook.ritual.wording import welcome_back
from openbook.vault import Vault

MAX_PERIOD_DAYS = 14
# how far back before the meeting a check-in or a settled question can matter: the chart's
# weeks, a weekly slot's six days before it, and a day either side for time zones
READS_BACK = dt.timedelta(days=CHART_WEEKS * 7 + 6 + 2)


@dataclass
class AgendaFacts:
    """Everything the agenda says, typed, before it becomes sentences and plain data."""

    cfg: Config
    result: CheckResult
    notes: Notes
    model: Counting
    meeting: dt.date
    last: dt.date | None
    welcome: str | None
    win: Window
    short: bool
    checkins_by: dict[str, Dated]
    counts: dict[str, CheckinCount]
    plan_changes: list[PlanChange]
    questions: Questions
    timeouts: list[Timeout]
    open_timeouts: list[Timeout]
    repairs: Repairs
    agreements: Agreements
    landed: list[LandedAnswer]  # answers marked hurt-more or need-to-talk, still offered
    relaxed: list[Relaxed]  # safeguards relaxed so far
    consent: dict[str, Any] = field(default_factory=dict)  # binding.consent_now
    unverified: dict[str, list[str]] = field(default_factory=dict)  # path: admitted commits
    paths: set[str] = field(default_factory=set)  # every note file, also those left out

    @property
    def names(self) -> dict[str, str]:
        return {pid: p.name for pid, p in self.cfg.partners.items()}

    def name(self, pid: Any) -> str:
        return self.names.get(str(pid), str(pid))


def period_start(
    meeting: dt.date, last: dt.date | None, first_day: dt.date | None
) -> tuple[dt.date, str | None]:
    """The first day the agenda covers, and the Opening's welcome back after a long gap:
    the day after the last meeting when that is at most 14 days back, else the last seven
    days; never before the vault's first day."""
    if last is not None and (meeting - last).days <= MAX_PERIOD_DAYS:
        start, welcome = last + dt.timedelta(days=1), None
    else:
        start = meeting - dt.timedelta(days=6)
        welcome = welcome_back(last, meeting) if last is not None else None
    if first_day is not None and start < first_day <= meeting:
        start = first_day
    return start, welcome


def _name_movers(vault: Vault, questions: Questions) -> None:
    """Who moved each question to the therapist: the author of the commit that did (either
    partner may, SPEC 10); one not yet committed so is this copy's partner's."""
    if not questions.therapist:
        return
    cfg = vault.require_config()
    by_email = {p.email.lower(): pid for pid, p in cfg.partners.items()}
    paths = [q.path for q in questions.therapist]
    moved = movers(vault.root, paths) if vault.is_own_repo else {}
    for q in questions.therapist:
        email = moved.get(q.path)
        q.moved_by = by_email.get(email) if email else vault.own_partner()


def gather_week(
    vault: Vault, day: dt.date | None, short: bool, result: CheckResult | None
) -> AgendaFacts:
    """The facts of the days since the last meeting note (at most 14, else the last seven)
    up to the meeting, true at the meeting's start or now, whichever is earlier."""
    cfg = vault.require_config()
    result = result or check_vault(vault)
    hist = history(vault)
    meeting = day or next_meeting_day(local_day(vault.now(), cfg.tz), cfg.meeting_on)
    known = vault_notes(vault, result, meeting - READS_BACK, hist.own)
    notes = known.notes
    model = counting_model(vault, hist, notes)
    now = model.now
    meeting_dt = at(meeting, cfg.meeting_at, cfg.tz)
    as_of = now if utc(now) <= utc(meeting_dt) else meeting_dt
    last = last_meeting(notes, meeting)
    start, welcome = period_start(meeting, last, model.first_day)
    win = Window(start, meeting, as_of)
    checkins_by = checkins_by_author(notes.get("checkin"))
    counts = {
        pid: count_checkins(model, pid, checkins_by.get(pid, []), win.start, win.end, as_of)
        for pid in cfg.partners
    }
    repairs = repair_facts(notes, win, list(cfg.partners))
    questions = question_facts(notes, win, cfg, model)
    _name_movers(vault, questions)
    return AgendaFacts(
        cfg,
        result,
        notes,
        model,
        meeting,
        last,
        welcome,
        win,
        short,
        checkins_by,
        counts,
        plan_change_facts(notes, win, cfg, model),
        questions,
        timeout_facts(notes, win, cfg),
        open_timeouts(notes, cfg, as_of),
        repairs,
        agreement_facts(notes, cfg, meeting, repairs.setbacks, hist),
        landed_badly(notes, win, cfg),
        relaxed_agreements(notes, hist.actions, cfg.tz),
        consent_now(notes, cfg, hist, model, as_of),
        admitted(vault) if vault.is_own_repo else {},
        known.paths,
    )


def whose_words(f: AgendaFacts, path: str) -> str:
    """How a note's words are marked where the agenda shows them: "edited by Bob
    Example", "by Bob Example for Alice Example, not yet confirmed"; "" when its own."""
    return marks(f.result.authorship, path, f.names)


def with_marks(f: AgendaFacts, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item (an appreciation, a topic) with `marked`: whose words they are, when
    they are not only the words of the partner it is from."""
    return [{**item, "marked": whose_words(f, str(item.get("path") or ""))} for item in items]


def good_time_lines(f: AgendaFacts) -> list[str]:
    """The good moments together, each marked when someone else's edit changed it."""
    out = []
    for day, who, text, path in good_time_notes(f.notes, f.win):
        marked = whose_words(f, path)
        said = f"{f.name(who)}, {marked}" if marked else f.name(who)
        end = "" if text.endswith((".", "!", "?", "…")) else "."
        out.append(f"A good time together on {short_day(day)} ({said}): {text}{end}")
    return out


def unconfirmed_notices(f: AgendaFacts) -> list[str]:
    """Notes one partner wrote under the other's name, not counted until confirmed."""
    return [
        f"{path} is {whose_words(f, path)}: it counts for {f.name(named)} once "
        f"{f.name(named)} runs openbook confirm {path}."
        for path, (_, named) in sorted(f.result.authorship.unconfirmed.items())
        if path in f.paths
    ]
