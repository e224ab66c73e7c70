"""Sentences the agenda, the review and `status` share: schedules, check-in counts, plan
changes, moments in time.

Numbers are plain counts of what happened (GUIDE.md, "Numbers that help, numbers that
harm"): never a percentage, a score, a streak or one partner beside the other. A count
that found nothing says so in words ("none received yet"), never as "0 of N".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.config import CheckinSchedule, Config
from openbook.ritual.answer_clock import question_clock
from openbook.ritual.calendar import (
    WEEKDAY_NAMES,
    fmt_day,
    fmt_dt,
    hhmm,
    human_span,
    local_day,
    short_day,
    utc,
)
from openbook.ritual.counting import CheckinCount
from openbook.ritual.events import Relaxed, ReviewChoice, Timeout
from openbook.ritual.facts import LandedAnswer, PlanChange
from openbook.words import plural


def schedule_text(sched: CheckinSchedule | None) -> str | None:
    """'every Sunday by 20:00', 'every day by 21:00'; None without a schedule."""
    if sched is None:
        return None
    by = f" by {hhmm(sched.by)}" if sched.by else ""
    if sched.every == "week":
        return f"every {WEEKDAY_NAMES[sched.on if sched.on is not None else 6]}{by}"
    return f"every day{by}"


def schedules_text(schedules: list[tuple[dt.date, CheckinSchedule]]) -> str | None:
    """The schedules of a period: 'every day by 21:00', or when it changed on the way,
    'every day by 21:00; every day by 07:00 from Wed 18 Nov'."""
    if not schedules:
        return None
    parts = [schedule_text(schedules[0][1]) or ""]
    for day, sched in schedules[1:]:
        parts.append(f"{schedule_text(sched)} from {short_day(day)}")
    return "; ".join(parts)


def _after(count: CheckinCount, tz: dt.tzinfo) -> str:
    """'after 21:00' when every late check-in missed the same time of day."""
    times = {li.deadline.astimezone(tz).time() for li in count.late_items}
    if len(times) == 1:
        only = times.pop()
        return "after the end of the day" if only == dt.time(0, 0) else f"after {hhmm(only)}"
    return "after the agreed time"


def checkins_line(count: CheckinCount, tz: dt.tzinfo, *, yet: bool, scheduled: bool) -> str:
    """Check-ins received against the schedule, as plain facts (Transparency, the month
    at a glance): '6 of 7 check-ins, 1 after 21:00 (every day by 21:00).' `scheduled`
    says whether the partner has a schedule now (a period before it began has none)."""
    if count.expected is None:
        why = "No check-in schedule yet" if scheduled else "No check-in schedule agreed yet"
        written = plural(count.received, "check-in")
        return f"{why}; {written} written." if count.received else f"{why}."
    label = f" ({schedules_text(count.schedules)})" if count.schedules else ""
    if count.expected == 0:
        return f"No check-ins due yet{label}."
    if count.received == 0:
        due = plural(count.expected, "check-in")
        return f"{due} due, none received{' yet' if yet else ''}{label}."
    text = f"{count.received} of {plural(count.expected, 'check-in')}"
    if count.late:
        text += f", {count.late} {_after(count, tz)}"
    if count.written_later:
        text += f" ({count.written_later} written later)"
    return text + f"{label}."


def written_later_lines(count: CheckinCount, tz: dt.tzinfo) -> list[str]:
    """One line per check-in written later: its date, when it arrived, what it says."""
    out = []
    for li in count.late_items:
        if not li.written_later:
            continue
        arrived = li.arrived.astimezone(tz)
        says = f"; the note says {li.time}" if li.time else ""
        out.append(
            f"The check-in for {short_day(li.date)} was written later: first committed "
            f"{short_day(arrived.date())} {hhmm(arrived.time())}{says} ({li.path})."
        )
    return out


def kept_line(name: str, count: CheckinCount) -> str | None:
    """What went right, without the denominator (that belongs in Transparency): 'Bob
    checked in as agreed on 6 days'; None when none did."""
    if not count.expected or count.on_time <= 0:
        return None
    n = count.on_time
    weekly = bool(count.schedules) and count.schedules[-1][1].every == "week"
    if not weekly:
        return f"{name} checked in as agreed on {plural(n, 'day')}."
    if n == 1:
        return f"{name}'s weekly check-in came as agreed."
    return f"{name}'s weekly check-ins came as agreed {n} times."


def plan_changes_line(changes: list[PlanChange]) -> str | None:
    """The plan changes announced ahead, as a plain count; None when none was."""
    ahead = sum(1 for p in changes if p.ahead)
    if not ahead:
        return None
    if ahead == len(changes):
        return (
            "1 plan change, announced ahead."
            if ahead == 1
            else f"{ahead} plan changes, all announced ahead."
        )
    return f"{plural(ahead, 'plan change')} announced ahead."


def ago_text(moment: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    """'today 08:00', 'yesterday 21:10', '3 days ago', 'on Sun 1 Nov'."""
    local = moment.astimezone(tz)
    days = (local_day(now, tz) - local.date()).days
    if days <= 0:
        return f"today {hhmm(local.time())}"
    if days == 1:
        return f"yesterday {hhmm(local.time())}"
    if days < 7:
        return f"{days} days ago"
    return f"on {short_day(local.date())}"


def welcome_back(last: dt.date, meeting: dt.date) -> str:
    """The Opening's kind line after a long gap: 'Your last meeting was 6 weeks ago;
    welcome back.'"""
    gap = (meeting - last).days
    if gap < 63:
        when = f"{gap // 7} weeks ago"
    else:
        months = max(2, round(gap / 30.4))
        when = f"about {months} months ago"
    return f"Your last meeting was {when}; welcome back. This agenda covers the last 7 days."


def timeout_line(t: Timeout, tz: dt.tzinfo, as_of: dt.datetime) -> str:
    """'Timeout called Tue 24 Nov 19:40; back by 20:40.' for one with no return recorded."""
    back = fmt_dt(t.return_by, tz)
    if local_day(t.return_by, tz) == local_day(t.called, tz):
        back = hhmm(t.return_by.astimezone(tz).time())
    if utc(as_of) <= utc(t.return_by):
        return f"Timeout called {fmt_dt(t.called, tz)}; back by {back}."
    return f"Timeout called {fmt_dt(t.called, tz)}, back by {back}; no return recorded yet."


def landed_text(a: LandedAnswer) -> str:
    """An answer that landed badly, offered as a topic: calm, no blame, never a count."""
    if a.landed == "need-to-talk":
        return f"After the answer to {a.id}, there is something to talk about together."
    return (
        f"The answer to {a.id} landed hard. Talk about it together if you both want to, "
        "here or with your therapist."
    )


def relaxed_line(r: Relaxed) -> str:
    """A safeguard relaxed together, as a step taken: never a count or a score."""
    when = f" on {fmt_day(r.day)}" if r.day else ""
    if r.how == "replaced":
        return f"{r.id} {r.title} gave way to {r.by}{', from ' + fmt_day(r.day) if r.day else ''}."
    if r.how == "relax":
        return f"{r.id} {r.title}: we chose to relax it at our monthly review{when}."
    return f"{r.id} {r.title}: we retired it together{when}."


def review_choice_line(c: ReviewChoice) -> str:
    """A review's choice, and the commands that carry it out: the note itself changes
    nothing (SPEC section 10)."""
    said = f"{c.id} {c.title}: at the {c.period} review you chose to {c.choice} it."
    if c.choice == "retire":
        return f"{said} It ends once each of you runs `openbook retire {c.id}`."
    return (
        f"{said} It changes once one of you writes the new version (`openbook new agreement "
        f"--set supersedes={c.id}`) and the other accepts it with `openbook accept`."
    )


ASKING_AGAIN = "Asking again is never counted against anyone."


def asked_lines(meta: dict[str, Any], cfg: Config, now: dt.datetime) -> list[str]:
    """What `ask` says once the question is committed: whom it asked, when an answer is
    due within the agreed time (an earlier `answer_by` is named as a wish), and openbook's
    safety line."""
    to = meta.get("to")
    who = cfg.partners[to].name if isinstance(to, str) and to in cfg.partners else str(to)
    asked = f"You asked {who} ({meta.get('id')})"
    clock = question_clock(meta, cfg, now)
    if clock is None or not cfg.agreed:
        return [f"{asked}; no answer time is agreed yet, so nothing is due.", ASKING_AGAIN]
    due = fmt_dt(clock.answer_by, cfg.tz)
    hoped = f"; you hoped for one by {fmt_dt(clock.wish, cfg.tz)}" if clock.wish else ""
    return [
        f"{asked}; an answer is due by {due}, within the {human_span(cfg.answer_within)} "
        f"you both agreed{hoped}.",
        ASKING_AGAIN,
    ]
