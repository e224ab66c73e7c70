"""The acting partner's calendar as iCalendar (RFC 5545), built with the `icalendar` library.

What is in it (SPEC section 8): the weekly meeting as one recurring event, the monthly
review (the last meeting of each month), the partner's own check-in deadline as a
recurring event, each active agreement's next review, and a to-do with a due time for
each question they owe an answer to. Times are in the vault's zone, with its VTIMEZONE.

Nothing about the other partner's check-ins or answers is in it. Summaries name ids,
never what a note says. UIDs are derived from the vault's first commit and the item, so
importing the file again updates the events instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Todo

from openbook.check.result import check_vault
from openbook.config import CheckinSchedule, Config
from openbook.notes.parse import Note
from openbook.outside.origin import Origin, vault_origin
from openbook.outside.zone import vtimezone
from openbook.ritual.calendar import (
    WEEKDAY_NAMES,
    fmt_dt,
    hhmm,
    last_meeting_of_month,
    next_meeting_day,
    next_review,
)
from openbook.ritual.counting import Counting, question_clock
from openbook.ritual.facts import Notes
from openbook.ritual.history import counting_model
from openbook.vault import Vault

PRODID = "-//openbook//openbook calendar//EN"
CHECKIN_BLOCK = dt.timedelta(minutes=30)  # the check-in event ends at its deadline
RECENT_ANSWERS = dt.timedelta(days=60)  # answered questions kept as completed to-dos
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass(frozen=True)
class Titles:
    meeting: str
    review: str
    checkin: str
    agreement: str
    answer: str
    describe: bool  # descriptions and the calendar's name, or nothing beyond the title


PLAIN = Titles(
    meeting="Our weekly meeting",
    review="Our monthly review",
    checkin="Check-in due",
    agreement="Review agreement",
    answer="Answer question",
    describe=True,
)
DISCREET = Titles(
    meeting="Time together",
    review="Time together",
    checkin="Note to write",
    agreement="Time together",
    answer="Reply due",
    describe=False,
)


def stable_uid(origin: Origin, *parts: str) -> str:
    """The same text for the same vault and item on every run and in both clones. It is a
    digest, so a calendar others can see learns nothing from it."""
    digest = hashlib.sha256("\0".join((origin.identity, *parts)).encode("utf-8")).hexdigest()
    return f"{digest[:32]}@openbook"


def _event(uid: str, summary: str, start: dt.date, end: dt.date, stamp: dt.datetime) -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", summary)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    return ev


def _describe(component: Any, titles: Titles, text: str) -> None:
    if titles.describe:
        component.add("description", text)


# ---------------------------------------------------------------------- the events


def meeting_event(cfg: Config, origin: Origin, titles: Titles, stamp: dt.datetime) -> Event:
    """The weekly meeting from the first meeting day of the vault on, every week."""
    tz = cfg.tz
    first = next_meeting_day(origin.created, cfg.meeting_on)
    start = dt.datetime.combine(first, cfg.meeting_at, tzinfo=tz)
    end = start + dt.timedelta(minutes=cfg.meeting_minutes)
    ev = _event(stable_uid(origin, "meeting"), titles.meeting, start, end, stamp)
    ev.add("rrule", {"freq": "weekly", "byday": BYDAY[cfg.meeting_on]})
    _describe(
        ev,
        titles,
        f"About {cfg.meeting_minutes} minutes. 'openbook agenda' shows the agenda; "
        "appreciations first, one topic only.",
    )
    return ev


def review_event(cfg: Config, origin: Origin, titles: Titles, stamp: dt.datetime) -> Event:
    """The monthly review: the last meeting of every month."""
    tz = cfg.tz
    day = last_meeting_of_month(origin.created.year, origin.created.month, cfg.meeting_on)
    if day < origin.created:
        year, month = origin.created.year, origin.created.month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = last_meeting_of_month(year, month, cfg.meeting_on)
    start = dt.datetime.combine(day, cfg.meeting_at, tzinfo=tz)
    end = start + dt.timedelta(minutes=cfg.meeting_minutes)
    ev = _event(stable_uid(origin, "review"), titles.review, start, end, stamp)
    ev.add("rrule", {"freq": "monthly", "byday": f"-1{BYDAY[cfg.meeting_on]}"})
    _describe(
        ev,
        titles,
        "The last meeting of the month is also the monthly review; "
        "'openbook review' prefills its note.",
    )
    return ev


def checkin_event(
    cfg: Config, me: str, sched: CheckinSchedule, origin: Origin, titles: Titles, stamp: dt.datetime
) -> Event:
    """The partner's own check-in deadline, every day or every week: a half hour that ends
    at the deadline, with a reminder at its start; all day when there is no `by`."""
    weekday = sched.on if sched.on is not None else 6
    first = origin.created
    rule: dict[str, Any] = {"freq": "daily"}
    if sched.every == "week":
        first = next_meeting_day(origin.created, weekday)
        rule = {"freq": "weekly", "byday": BYDAY[weekday]}
    uid = stable_uid(origin, "checkin", me)
    if sched.by is None:
        ev = _event(uid, titles.checkin, first, first + dt.timedelta(days=1), stamp)
    else:
        deadline = dt.datetime.combine(first, sched.by, tzinfo=cfg.tz)
        ev = _event(uid, titles.checkin, deadline - CHECKIN_BLOCK, deadline, stamp)
        if titles.describe:
            ev["summary"] = f"{titles.checkin} by {hhmm(sched.by)}"
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", titles.checkin)
        alarm.add("trigger", dt.timedelta(0))
        ev.add_component(alarm)
    ev.add("rrule", rule)
    ev.add("transp", "TRANSPARENT")
    when = "every day" if sched.every == "day" else f"every {WEEKDAY_NAMES[weekday]}"
    by = f"by {hhmm(sched.by)}" if sched.by else "during the day"
    _describe(ev, titles, f"Your check-in, {when} {by}: 'openbook new checkin'.")
    return ev


def agreement_events(
    notes: list[Note], origin: Origin, titles: Titles, stamp: dt.datetime
) -> list[Event]:
    """Each active agreement's next review, as an all-day event."""
    out = []
    for n in notes:
        m = n.meta
        aid = m.get("id")
        if n.type != "agreement" or m.get("status") != "active" or not isinstance(aid, str):
            continue
        day = next_review(m)
        if day is None:
            continue
        summary = f"{titles.agreement} {aid}" if titles.describe else titles.agreement
        ev = _event(
            stable_uid(origin, "agreement", aid), summary, day, day + dt.timedelta(days=1), stamp
        )
        ev.add("transp", "TRANSPARENT")
        _describe(ev, titles, f"{aid}: {m.get('title', '')}. Keep, revise, relax or retire it.")
        out.append(ev)
    return out


def answer_todos(
    notes: list[Note],
    cfg: Config,
    me: str,
    origin: Origin,
    titles: Titles,
    now: dt.datetime,
    model: Counting | None = None,
) -> list[Todo]:
    """A to-do with a due time for each question `me` owes an answer to. Questions to `me`
    answered (or closed) lately are written as completed (or cancelled), so importing
    the file again ticks them off."""
    out = []
    stamp = now.astimezone(dt.UTC)
    for n in sorted(notes, key=lambda n: n.path):
        m = n.meta
        qid = m.get("id")
        if n.type != "question" or m.get("to") != me or not isinstance(qid, str):
            continue
        clock = question_clock(m, cfg, now, model, n.path)
        if clock is None or not clock.asked_yet:
            continue
        if not clock.is_open and now - clock.asked > RECENT_ANSWERS:
            continue
        todo = Todo()
        todo.add("uid", stable_uid(origin, "answer", qid))
        todo.add("dtstamp", stamp)
        todo.add("summary", f"{titles.answer} {qid}" if titles.describe else titles.answer)
        todo.add("due", clock.answer_by.astimezone(cfg.tz))
        if clock.is_open:
            todo.add("status", "NEEDS-ACTION")
        elif clock.status == "answered":
            todo.add("status", "COMPLETED")
            todo.add("completed", (clock.answered or now).astimezone(dt.UTC))
        else:
            todo.add("status", "CANCELLED")
        asker = cfg.partners.get(str(m.get("asked_by")))
        who = f" by {asker.name}" if asker else ""
        _describe(todo, titles, f"{qid}, asked{who} on {fmt_dt(clock.asked, cfg.tz)}.")
        out.append(todo)
    return out


# ---------------------------------------------------------------------- the calendar


def build_calendar(vault: Vault, me: str, *, discreet: bool = False) -> Calendar:
    """The acting partner's calendar (see the module's docstring)."""
    cfg = vault.require_config()
    now = vault.now()
    stamp = now.astimezone(dt.UTC)
    origin = vault_origin(vault)
    titles = DISCREET if discreet else PLAIN
    result = check_vault(vault)
    notes = result.valid_notes()

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if titles.describe:
        cal.add("x-wr-calname", "openbook")
    if cfg.agreed:  # before the joining partner accepted, no meeting is agreed
        cal.add_component(meeting_event(cfg, origin, titles, stamp))
        cal.add_component(review_event(cfg, origin, titles, stamp))
    model = counting_model(vault, notes=Notes.of(result))
    sched = model.schedules.agreed(now).get(me)  # as both accepted it, not a proposal
    if sched is not None:
        ev = checkin_event(cfg, me, sched, origin, titles, stamp)
        if model.schedules.in_force(me, now) is None:
            # paused, or its agreement is not active: the same event, cancelled, so that
            # importing this file again silences the reminder of an earlier import
            ev.subcomponents.clear()
            ev.add("status", "CANCELLED")
        cal.add_component(ev)
    for ev in agreement_events(notes, origin, titles, stamp):
        cal.add_component(ev)
    for todo in answer_todos(notes, cfg, me, origin, titles, now, model):
        cal.add_component(todo)
    if isinstance(cfg.tz, ZoneInfo) and cfg.tz.key != "UTC":
        first = min(origin.created, now.date()) - dt.timedelta(days=7)
        cal.subcomponents.insert(0, vtimezone(cfg.tz, first, max(origin.created, now.date())))
    return cal


def calendar_bytes(vault: Vault, me: str, *, discreet: bool = False) -> bytes:
    """The .ics file's bytes (CRLF line ends, folded lines, as RFC 5545 asks)."""
    data: bytes = build_calendar(vault, me, discreet=discreet).to_ical()
    return data
