"""The calendar's VTIMEZONE: the zone's changes as they were up to this year, then its
current rules as yearly recurrences, so that a client that trusts the file (not its own
copy of the zone database) keeps the weekly meeting at the right hour for as long as it
recurs.

The rules are read off the zone itself: each change of next year, written as "the n-th
(or last) weekday of the month at this wall-clock time", and kept only if it matches the
zone's changes for the forty years after. A zone whose changes follow no such rule gets
its changes listed one by one for those forty years instead.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

CHECKED_YEARS = 40  # how far ahead a rule must match the zone (and the listed fallback)
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
SECOND = dt.timedelta(seconds=1)


def vtimezone(tz: ZoneInfo, first: dt.date, today: dt.date) -> Timezone:
    """The VTIMEZONE of `tz` for a calendar whose events start on `first` and recur."""
    rule_year = today.year + 1
    rules = yearly_rules(tz, rule_year)
    if rules is None:
        last = dt.date(rule_year + CHECKED_YEARS, 1, 1)
        return Timezone.from_tzinfo(tz, tzid=tz.key, first_date=first, last_date=last)
    zone = Timezone.from_tzinfo(
        tz, tzid=tz.key, first_date=first, last_date=dt.date(rule_year, 1, 1)
    )
    for part in rules:
        zone.add_component(part)
    return zone


def offset(tz: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    value = instant.astimezone(tz).utcoffset()
    assert value is not None  # a ZoneInfo always knows its offset
    return value


def changes(tz: ZoneInfo, year: int) -> list[dt.datetime]:
    """The instants (UTC) at which `tz` changes its offset during `year`."""
    found = []
    day = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    while day.year == year:
        after = day + dt.timedelta(days=1)
        if offset(tz, day) != offset(tz, after):
            low, high = day, after  # the offset of `low` is the old one, of `high` the new
            while high - low > SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if offset(tz, middle) == offset(tz, low):
                    low = middle
                else:
                    high = middle
            found.append(high)
        day = after
    return found


def weekday_in_month(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The `nth` (1..4, or -1 for the last) `weekday` of the month."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def holds(tz: ZoneInfo, wall: dt.datetime, nth: int, before: dt.timedelta, years: range) -> bool:
    """Whether the zone changes from `before` at `wall`'s time on the `nth` weekday of
    `wall`'s month in every one of `years`."""
    for year in years:
        day = weekday_in_month(year, wall.month, wall.weekday(), nth)
        instant = dt.datetime.combine(day, wall.time(), tzinfo=dt.UTC) - before
        if offset(tz, instant - SECOND) != before or offset(tz, instant) == before:
            return False
    return True


def yearly_rules(tz: ZoneInfo, year: int) -> list[TimezoneStandard | TimezoneDaylight] | None:
    """The zone's changes from `year` on as yearly recurring observances, or None when one
    of them does not recur as "the n-th (or last) weekday of a month"."""
    parts: list[TimezoneStandard | TimezoneDaylight] = []
    for instant in changes(tz, year):
        before, after = offset(tz, instant - SECOND), offset(tz, instant)
        wall = (instant + before).replace(tzinfo=None)
        candidates = [(wall.day - 1) // 7 + 1] if wall.day <= 28 else []
        if wall.day > calendar.monthrange(year, wall.month)[1] - 7:
            candidates.insert(0, -1)  # "last" first: it is how most zones say it
        later = range(year + 1, year + 1 + CHECKED_YEARS)
        nth = next((n for n in candidates if holds(tz, wall, n, before, later)), None)
        if nth is None:
            return None
        local = instant.astimezone(tz)
        part: TimezoneStandard | TimezoneDaylight = (
            TimezoneDaylight() if local.dst() else TimezoneStandard()
        )
        part.add("tzname", local.tzname())
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("dtstart", wall)
        part.add(
            "rrule",
            {"freq": "yearly", "bymonth": wall.month, "byday": f"{nth}{BYDAY[wall.weekday()]}"},
        )
        parts.append(part)
    return parts
