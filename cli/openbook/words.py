"""Small wording helpers every layer shares, and the words people write for time: one
duration grammar (`watch --quiet 2s`, `review_every: 14d`, `answer_within: 48h`) and
$OPENBOOK_NOW."""

from __future__ import annotations

import datetime as dt
import re

from openbook.errors import OpenbookError

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 note', '3 notes', '2 check-ins'; `many` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def article(word: str) -> str:
    """'an agreement', 'a check-in'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


MAX_DURATION = dt.timedelta(days=3650)  # ten years: anything longer is a typo, never a plan
_DURATION = r"^\s*(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|m|h|d|w)\s*$"  # compiled when first used
_UNIT = {
    "ms": dt.timedelta(milliseconds=1),
    "s": dt.timedelta(seconds=1),
    "m": dt.timedelta(minutes=1),
    "h": dt.timedelta(hours=1),
    "d": dt.timedelta(days=1),
    "w": dt.timedelta(weeks=1),
}
DURATION_FORMS = "a number and a unit (ms, s, m, h, d or w), like 3s, 20m, 48h or 7d"


def parse_duration(value: Any) -> dt.timedelta | None:
    """The one duration grammar: '500ms', '3s', '0.5s', '20m', '48h', '7d', '2w' ->
    timedelta; None for anything else (a bare number, another unit, over ten years)."""
    if not isinstance(value, str) or len(value) > 24:
        return None
    m = re.match(_DURATION, value)
    if not m:
        return None
    span = float(m[1]) * _UNIT[m[2]]
    return span if span <= MAX_DURATION else None


def duration_problem(value: str) -> str:
    """The one sentence for a duration that does not read."""
    return f"'{value}' is not a duration; write {DURATION_FORMS}, at most 3650d."


_HHMM = r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$"  # compiled when first used


def parse_hhmm(value: Any) -> dt.time | None:
    """A time of day as people write it in openbook.yml and notes: "21:00" -> 21:00."""
    if isinstance(value, int) and not isinstance(value, bool):
        # `by: 2100` is ambiguous; refuse rather than guess
        return None
    if not isinstance(value, str):
        return None
    m = re.match(_HHMM, value.strip())
    return dt.time(int(m[1]), int(m[2])) if m else None


def zone(name: str) -> dt.tzinfo:
    """The time zone an IANA name names; UTC for a name no zone answers to."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


STEADY_SPAN = 31 * 86400  # how far ahead `steady_offset` answers for the zone


def steady_offset(tz: dt.tzinfo, at: dt.datetime) -> tuple[int, int, int]:
    """(UTC offset in seconds, since, until): `tz`'s offset at `at`, and the POSIX
    seconds [since, until) over which the zone keeps it: from `at` to its next change
    (found to the second), at most STEADY_SPAN later. Changes are looked for hour by hour:
    no zone changes its offset twice within an hour."""
    since = int(at.timestamp())

    def offset(t: int) -> int:
        found = dt.datetime.fromtimestamp(t, tz).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    first, end = offset(since), since + STEADY_SPAN
    low = since
    while low < end:
        high = min(low + 3600, end)
        if offset(high) != first:
            while high - low > 1:  # the last second with the first offset is `low`
                mid = (low + high) // 2
                low, high = (mid, high) if offset(mid) == first else (low, mid)
            return first, since, high
        low = high
    return first, since, end


def parse_now(value: str | None, tz: dt.tzinfo) -> dt.datetime:
    """$OPENBOOK_NOW (ISO 8601) or the system clock, as an aware datetime in `tz`."""
    if value:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise OpenbookError(
                f"OPENBOOK_NOW='{value}' is not an ISO 8601 time; use e.g. 2026-11-24T21:00."
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(tz)
    return dt.datetime.now(tz)
