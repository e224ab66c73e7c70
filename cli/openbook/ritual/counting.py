"""The one model of what is due: check-ins against the schedule, answers, reviews.

`agenda`, `review` and `status` all count here, so they never disagree (SPEC section 6,
"Counting"). A check-in slot is a day (`every: day`) or the agreed weekday (`every:
week`), which covers the seven days up to it; its deadline is `by` on the slot's day, or
the end of that day. A question is overdue when it is not answered and now is past its
`answer_by`, or, without one, past `asked` + `questions.answer_within`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openbook.config import CheckinSchedule, Config, parse_duration, parse_hhmm
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_date, as_datetime
from openbook.ritual.calendar import at, days, local_day, utc

OPEN_QUESTION = ("open", "acknowledged", "follow-up")
DEFAULT_REVIEW_EVERY = dt.timedelta(days=30)

Dated = list[tuple[dt.date, Note]]


# ----------------------------------------------------------------------- check-ins


def checkins_by_author(checkins: Iterable[Note]) -> dict[str, Dated]:
    """Each partner's check-ins with their dates, in the order they count."""
    out: dict[str, Dated] = {}
    for n in checkins:
        day = as_date(n.meta.get("date"))
        author = n.meta.get("author")
        if day is not None and isinstance(author, str):
            out.setdefault(author, []).append((day, n))
    for items in out.values():
        items.sort(key=lambda x: (x[0], str(x[1].meta.get("time") or ""), x[1].path))
    return out


def _weekday(sched: CheckinSchedule) -> int:
    return sched.on if sched.on is not None else 6


def slot_span(sched: CheckinSchedule) -> int:
    """How many days before its slot a check-in still counts for it."""
    return 6 if sched.every == "week" else 0


def slot_of(sched: CheckinSchedule, day: dt.date) -> dt.date:
    """The slot a check-in written on `day` counts for."""
    if sched.every == "week":
        return day + dt.timedelta(days=(_weekday(sched) - day.weekday()) % 7)
    return day


def slots_between(sched: CheckinSchedule, start: dt.date, end: dt.date) -> list[dt.date]:
    if sched.every == "week":
        return [d for d in days(start, end) if d.weekday() == _weekday(sched)]
    return list(days(start, end))


def slot_deadline(sched: CheckinSchedule, slot: dt.date, tz: dt.tzinfo) -> dt.datetime:
    if sched.by:
        return at(slot, sched.by, tz)
    return at(slot + dt.timedelta(days=1), dt.time(0, 0), tz)


@dataclass
class CheckinCount:
    expected: int | None  # None: no schedule in openbook.yml
    received: int
    late: int
    late_paths: list[str] = field(default_factory=list)

    @property
    def on_time(self) -> int:
        return self.received - self.late


def _by_day(items: Dated, first: dt.date, end: dt.date) -> dict[dt.date, list[Note]]:
    by_day: dict[dt.date, list[Note]] = {}
    lo = bisect.bisect_left(items, first, key=lambda x: x[0])
    for d, n in items[lo:]:
        if d > end:
            break
        by_day.setdefault(d, []).append(n)
    return by_day


def _match(
    by_day: dict[dt.date, list[Note]], slot: dt.date, span: int, used: set[str]
) -> tuple[Note | None, dt.date]:
    """The earliest unused check-in within the slot's days, and its day."""
    for back in range(span, -1, -1):
        day = slot - dt.timedelta(days=back)
        for n in by_day.get(day, []):
            if n.path not in used:
                return n, day
    return None, slot


def count_checkins(
    cfg: Config, pid: str, items: Dated, start: dt.date, end: dt.date, as_of: dt.datetime
) -> CheckinCount:
    """Check-ins received against the schedule in openbook.yml, for the slots in [start, end].

    A slot counts as expected once its deadline has passed, or as soon as it has a
    check-in. A check-in is late when its `time` is after `by`, in the vault's timezone
    (times in notes are local).
    """
    sched = cfg.checkins.get(pid)
    if sched is None:
        return CheckinCount(None, sum(1 for d, _ in items if start <= d <= end), 0)
    by_day = _by_day(items, start - dt.timedelta(days=7), end)
    span = slot_span(sched)
    used: set[str] = set()
    count = CheckinCount(0, 0, 0)
    for slot in slots_between(sched, start, end):
        match, match_day = _match(by_day, slot, span, used)
        if match is None and utc(slot_deadline(sched, slot, cfg.tz)) > utc(as_of):
            continue  # not due yet
        count.expected = (count.expected or 0) + 1
        if match is None:
            continue
        used.add(match.path)
        count.received += 1
        written = parse_hhmm(match.meta.get("time"))
        if sched.by and written and match_day == slot and written > sched.by:
            count.late += 1
            count.late_paths.append(match.path)
    return count


@dataclass
class CheckinDue:
    """A partner's current check-in slot: due on `due_on`, counting from `since`."""

    partner: str
    every: str
    due_on: dt.date
    by: dt.time | None
    written: bool
    since: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "every": self.every,
            "due_on": self.due_on.isoformat(),
            "by": self.by.strftime("%H:%M") if self.by else None,
            "written": self.written,
        }


def checkin_due(cfg: Config, pid: str, items: Dated, now: dt.datetime) -> CheckinDue | None:
    """The slot that holds today, and whether a check-in counts for it yet."""
    sched = cfg.checkins.get(pid)
    if sched is None:
        return None
    slot = slot_of(sched, local_day(now, cfg.tz))
    written = count_checkins(cfg, pid, items, slot, slot, now).received > 0
    since = slot - dt.timedelta(days=slot_span(sched))
    return CheckinDue(pid, sched.every, slot, sched.by, written, since)


# ----------------------------------------------------------------------- questions


@dataclass(frozen=True)
class QuestionClock:
    """When a question was asked, when its answer is due, and where it stood at `as_of`."""

    asked: dt.datetime
    answer_by: dt.datetime  # its own answer_by, else asked + questions.answer_within
    answered: dt.datetime | None
    status: Any  # as it stood at `as_of`: answered later means still open then
    as_of: dt.datetime

    @property
    def asked_yet(self) -> bool:
        """False for a question asked after `as_of`: at that moment it did not exist."""
        return utc(self.asked) <= utc(self.as_of)

    @property
    def is_open(self) -> bool:
        """Asked and not answered (nor withdrawn, nor with the therapist) at `as_of`."""
        return self.asked_yet and self.status in OPEN_QUESTION

    @property
    def overdue(self) -> bool:
        return self.is_open and utc(self.as_of) > utc(self.answer_by)

    def age_days(self, tz: dt.tzinfo) -> int:
        return max(0, (local_day(self.as_of, tz) - local_day(self.asked, tz)).days)


def question_clock(
    meta: Mapping[str, Any], cfg: Config, as_of: dt.datetime
) -> QuestionClock | None:
    """None when the question has no readable `asked`."""
    tz = cfg.tz
    asked = as_datetime(meta.get("asked"), tz)
    if asked is None:
        return None
    answer_by = as_datetime(meta.get("answer_by"), tz) or asked + cfg.answer_within
    answered = as_datetime(meta.get("answered"), tz)
    status = meta.get("status")
    if status == "answered" and answered is not None and utc(answered) > utc(as_of):
        status = "open"  # a view of a past moment shows the question as it was then
    return QuestionClock(asked, answer_by, answered, status, as_of)


# ---------------------------------------------------------------------- agreements


def next_review(meta: Mapping[str, Any]) -> dt.date | None:
    """An agreement's `next_review`, else `since` + `review_every` (default 30 days)."""
    nr = as_date(meta.get("next_review"))
    if nr is not None:
        return nr
    since = as_date(meta.get("since"))
    if since is None:
        return None
    return since + (parse_duration(meta.get("review_every") or "30d") or DEFAULT_REVIEW_EVERY)
