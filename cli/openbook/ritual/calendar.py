"""Calendar arithmetic of the ritual: meeting days, weeks, spans of time, day names.

Datetimes here are aware; differences go through UTC so that they are right across a
daylight-saving change. Nothing here reads a note.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from openbook.config import parse_duration
from openbook.notetypes.registry import as_date

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def utc(value: dt.datetime) -> dt.datetime:
    """Aware -> UTC, so that differences are right across a daylight-saving change."""
    return value.astimezone(dt.UTC)


def between(later: dt.datetime, earlier: dt.datetime) -> dt.timedelta:
    return utc(later) - utc(earlier)


def at(day: dt.date, when: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, when, tzinfo=tz)


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every day from `start` to `end`, both included."""
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def local_day(value: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return value.astimezone(tz).date()


def next_meeting_day(today: dt.date, weekday: int) -> dt.date:
    """The configured meeting day on or after `today`."""
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def last_meeting_of_month(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def next_review_meeting(day: dt.date, weekday: int) -> dt.date:
    """The monthly review: the last meeting of the month, on or after `day`."""
    this = last_meeting_of_month(day.year, day.month, weekday)
    if this >= day:
        return this
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return last_meeting_of_month(year, month, weekday)


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and the last day of a month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def weeks_up_to(day: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The `count` ISO weeks (Monday to Sunday) up to the one holding `day`, oldest first."""
    monday = day - dt.timedelta(days=day.weekday())
    out = []
    for back in range(count - 1, -1, -1):
        start = monday - dt.timedelta(weeks=back)
        out.append((start, start + dt.timedelta(days=6)))
    return out


# ------------------------------------------------------------------------- as words


def human_span(delta: dt.timedelta) -> str:
    """'2 days', '3 hours', '1 day 4 hours', '45 minutes' (never negative)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    whole_days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = []
    if whole_days:
        parts.append(f"{whole_days} day{'s' if whole_days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins and not whole_days:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts[:2]) or "less than a minute"


def month_text(year: int, month: int) -> str:
    """'November 2026'."""
    return f"{calendar.month_name[month]} {year}"


def fmt_day(day: dt.date) -> str:
    """'Sunday 22 November 2026'."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {calendar.month_name[day.month]} {day.year}"


def short_day(day: dt.date) -> str:
    """'Sun 22 Nov'."""
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {calendar.month_abbr[day.month]}"


def fmt_dt(value: dt.datetime, tz: dt.tzinfo) -> str:
    """'Sun 22 Nov 21:30', in the vault's zone."""
    local = value.astimezone(tz)
    return f"{short_day(local.date())} {local.strftime('%H:%M')}"


def hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


DEFAULT_REVIEW_EVERY = dt.timedelta(days=30)


def next_review(meta: Mapping[str, Any]) -> dt.date | None:
    """An agreement's `next_review`, else `since` + `review_every` (default 30 days)."""
    nr = as_date(meta.get("next_review"))
    if nr is not None:
        return nr
    since = as_date(meta.get("since"))
    if since is None:
        return None
    return since + (parse_duration(meta.get("review_every") or "30d") or DEFAULT_REVIEW_EVERY)
