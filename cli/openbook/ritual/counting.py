"""The one model of what is due and what happened (SPEC section 6, "Counting").

`status`, `agenda`, `review`, the chart, `remind` and the calendar all count here.

- A check-in is expected on a day only under the schedule in force at that day's
  deadline: openbook.yml as committed and accepted by both (history.py, settings.py),
  never while a pause holds or the agreement the schedule serves is not active.
- A slot is a day (`every: day`) or the agreed weekday (`every: week`, covering the seven
  days up to it); its deadline is `by` on the slot's day, or the end of that day.
- A check-in happened "as agreed" when its first commit is at or before its slot's
  deadline; later it is "received late"; first committed more than 48 hours after its own
  date it is "written later" (counted as late). Without a history of its own, the note's
  `time` says when it came; a check-in not committed yet arrives no earlier than now.
- A question is overdue when it is not answered and now is past its `answer_by`, or,
  without one, past `asked` + the `questions.answer_within` in force when it was asked;
  no answer clock runs while a pause holds (answer_clock.py, re-exported here).

Use: `history.counting_model(vault)`; `Counting.slots()`, `checkin_due()`,
`count_checkins()`, `Schedules.in_force()`, `question_clock(meta, cfg, as_of, model)`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openbook.check.held_pauses import HeldPause
from openbook.config import CheckinSchedule, Config, parse_hhmm
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_date
from openbook.ritual.answer_clock import OPEN_QUESTION as OPEN_QUESTION
from openbook.ritual.answer_clock import QuestionClock as QuestionClock
from openbook.ritual.answer_clock import paused_at
from openbook.ritual.answer_clock import question_clock as question_clock
from openbook.ritual.calendar import at, days, local_day, utc

DEFAULT_REVIEW_EVERY = dt.timedelta(days=30)
WRITTEN_LATER_AFTER = dt.timedelta(hours=48)  # after the end of the note's own day

Dated = list[tuple[dt.date, Note]]
ScheduleMap = Mapping[str, CheckinSchedule]


# ----------------------------------------------------------------------- schedules


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


def slot_deadline(sched: CheckinSchedule, slot: dt.date, tz: dt.tzinfo) -> dt.datetime:
    if sched.by:
        return at(slot, sched.by, tz)
    return at(slot + dt.timedelta(days=1), dt.time(0, 0), tz)


Window = tuple[dt.datetime | None, dt.datetime | None]  # [from, until); None: open


def _within(window: Window, moment: dt.datetime) -> bool:
    start, end = window
    return (start is None or utc(start) <= utc(moment)) and (end is None or utc(moment) < utc(end))


@dataclass(frozen=True)
class Schedules:
    """Which check-in schedule was in force when: the versions of openbook.yml in force
    (accepted by both, SPEC section 10), oldest first; `since` None means "always" (a
    folder without history). No schedule runs while a pause holds (`pauses`), nor while
    the agreement it serves is not active (`agreements`: id -> when it was active; an id
    not there was never active)."""

    versions: tuple[tuple[dt.datetime | None, ScheduleMap], ...]
    tz: dt.tzinfo
    pauses: tuple[Window, ...] = ()
    agreements: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)
    # `questions.answer_within` of the same versions, from when each came into force
    answer_within: tuple[tuple[dt.datetime | None, dt.timedelta], ...] = ()
    # agreement id -> when a pause of that agreement (`pause A-ID`) held
    agreement_pauses: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)

    @classmethod
    def fixed(cls, cfg: Config) -> Schedules:
        return cls(
            ((None, dict(cfg.checkins)),), cfg.tz, answer_within=((None, cfg.answer_within),)
        )

    def paused(self, moment: dt.datetime) -> bool:
        """Whether a pause holds at `moment`."""
        return paused_at(self.pauses, moment)

    def agreed(self, moment: dt.datetime) -> ScheduleMap:
        """The schedules of the version in force at `moment`, as agreed: whether or not a
        pause holds or their agreements are active. Empty when none is agreed."""
        for since, scheds in reversed(self.versions):
            if since is None or utc(since) <= utc(moment):
                return scheds
        return {}

    def _runs(self, sched: CheckinSchedule | None, moment: dt.datetime) -> CheckinSchedule | None:
        if sched is None or self.paused(moment):
            return None
        if sched.agreement is not None:
            windows = self.agreements.get(sched.agreement, ())
            if not any(_within(w, moment) for w in windows):
                return None
            held = self.agreement_pauses.get(sched.agreement, ())
            if any(_within(w, moment) for w in held):
                return None
        return sched

    def in_force(self, pid: str, moment: dt.datetime) -> CheckinSchedule | None:
        """The partner's schedule in force at `moment` (None while paused, or while the
        agreement it serves is not active)."""
        for since, scheds in reversed(self.versions):
            if since is None or utc(since) <= utc(moment):
                return self._runs(scheds.get(pid), moment)
        return None

    def on_day(self, pid: str, day: dt.date) -> CheckinSchedule | None:
        """The partner's schedule in force at `day`'s deadline (None: none that day)."""
        for since, scheds in reversed(self.versions):
            sched = scheds.get(pid)
            if sched is not None:
                deadline = slot_deadline(sched, day, self.tz)
            else:
                deadline = at(day + dt.timedelta(days=1), dt.time(0, 0), self.tz)
            if since is None or utc(since) <= utc(deadline):
                return self._runs(sched, deadline)
        return None

    def slot_on(self, pid: str, day: dt.date) -> CheckinSchedule | None:
        """The schedule `day` is a slot of, if it is one."""
        sched = self.on_day(pid, day)
        if sched is None or (sched.every == "week" and day.weekday() != _weekday(sched)):
            return None
        return sched


@dataclass(frozen=True)
class Slot:
    """One expected check-in: its day, the schedule it falls under and its deadline."""

    partner: str
    day: dt.date
    schedule: CheckinSchedule
    deadline: dt.datetime

    @property
    def first_day(self) -> dt.date:
        return self.day - dt.timedelta(days=slot_span(self.schedule))


# ------------------------------------------------------------------------ the model


@dataclass
class Counting:
    """The schedules in force over time and when each note arrived: everything counting
    needs beyond the notes themselves (built by history.counting_model)."""

    cfg: Config
    schedules: Schedules
    now: dt.datetime
    own_history: bool = False
    start: dt.datetime | None = None  # the vault's first commit
    first_commit: dict[str, dt.datetime] = field(default_factory=dict)
    held: tuple[HeldPause, ...] = ()  # every pause as history holds it

    @classmethod
    def without_history(cls, cfg: Config, now: dt.datetime) -> Counting:
        return cls(cfg, Schedules.fixed(cfg), now)

    @property
    def tz(self) -> dt.tzinfo:
        return self.cfg.tz

    def answer_within_at(self, asked: dt.datetime) -> dt.timedelta:
        """`questions.answer_within` as accepted when a question was asked (the first
        version's for one dated before it); openbook.yml's without a history."""
        known = self.schedules.answer_within
        for since, within in reversed(known):
            if since is None or utc(since) <= utc(asked):
                return within
        return known[0][1] if known else self.cfg.answer_within

    @property
    def first_day(self) -> dt.date | None:
        """The vault's first day, when its history says."""
        return local_day(self.start, self.tz) if self.start else None

    def slots(self, pid: str, start: dt.date, end: dt.date) -> list[Slot]:
        """Every slot of the partner's schedules in [start, end], each under the schedule
        in force at its deadline."""
        out = []
        for day in days(start, end):
            sched = self.schedules.slot_on(pid, day)
            if sched is not None:
                out.append(Slot(pid, day, sched, slot_deadline(sched, day, self.tz)))
        return out

    def scheduled(self, pid: str, start: dt.date, end: dt.date) -> bool:
        """Whether the partner had a schedule on any day of [start, end]."""
        return any(self.schedules.on_day(pid, d) is not None for d in days(start, end))

    def arrived(self, note: Note) -> dt.datetime:
        """When the note arrived in the log: its first commit; not committed yet, now."""
        if self.own_history:
            return self.first_commit.get(note.path) or self.now
        day = as_date(note.meta.get("date")) or local_day(self.now, self.tz)
        return at(day, parse_hhmm(note.meta.get("time")) or dt.time(0, 0), self.tz)

    def written_later(self, note: Note, arrived: dt.datetime) -> bool:
        """First committed more than 48 hours after the end of its own date."""
        day = as_date(note.meta.get("date"))
        if day is None:
            return False
        end_of_day = at(day + dt.timedelta(days=1), dt.time(0, 0), self.tz)
        return utc(arrived) > utc(end_of_day) + WRITTEN_LATER_AFTER


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


@dataclass
class LateCheckin:
    """A check-in that arrived after its deadline: when it came, what it says of itself."""

    path: str
    date: dt.date
    deadline: dt.datetime
    arrived: dt.datetime
    time: str | None  # the note's own `time`, as written
    written_later: bool


@dataclass
class CheckinCount:
    expected: int | None  # None: no schedule in force on any day of the period
    received: int
    late: int
    written_later: int = 0
    late_paths: list[str] = field(default_factory=list)
    late_items: list[LateCheckin] = field(default_factory=list)
    # the schedules of the counted slots, each with the first day it applied, in order
    schedules: list[tuple[dt.date, CheckinSchedule]] = field(default_factory=list)

    @property
    def on_time(self) -> int:
        return self.received - self.late


def _between(items: Dated, first: dt.date, end: dt.date) -> list[tuple[dt.date, Note]]:
    lo = bisect.bisect_left(items, first, key=lambda x: x[0])
    hi = bisect.bisect_right(items, end, key=lambda x: x[0])
    return items[lo:hi]


def count_checkins(
    model: Counting, pid: str, items: Dated, start: dt.date, end: dt.date, as_of: dt.datetime
) -> CheckinCount:
    """Check-ins received against the schedules in force, for the slots in [start, end],
    as it stood at `as_of`. A slot counts as expected once its deadline has passed, or
    as soon as a check-in for it has arrived."""
    slots = model.slots(pid, start, end)
    if not slots and not model.scheduled(pid, start, end):
        came = sum(1 for _, n in _between(items, start, end) if model.arrived(n) <= as_of)
        return CheckinCount(None, came, 0)
    used: set[str] = set()
    count = CheckinCount(0, 0, 0)
    for slot in slots:
        if not count.schedules or count.schedules[-1][1] != slot.schedule:
            count.schedules.append((slot.day, slot.schedule))
        match = None
        for _, n in _between(items, slot.first_day, slot.day):
            if n.path not in used and utc(model.arrived(n)) <= utc(as_of):
                match = n
                break
        if match is None and utc(slot.deadline) > utc(as_of):
            continue  # not due yet
        count.expected = (count.expected or 0) + 1
        if match is None:
            continue
        used.add(match.path)
        count.received += 1
        arrived = model.arrived(match)
        later = model.written_later(match, arrived)
        if later or utc(arrived) > utc(slot.deadline):
            count.late += 1
            count.written_later += int(later)
            count.late_paths.append(match.path)
            own = match.meta.get("time")
            count.late_items.append(
                LateCheckin(
                    match.path,
                    as_date(match.meta.get("date")) or slot.day,
                    slot.deadline,
                    arrived,
                    str(own) if own is not None else None,
                    later,
                )
            )
    return count


@dataclass
class CheckinDue:
    """A partner's current check-in slot: due on `due_on` at `deadline`, counting from
    `since`. `first` when it is the first slot of their schedule."""

    partner: str
    every: str
    due_on: dt.date
    by: dt.time | None
    written: bool
    since: dt.date
    deadline: dt.datetime
    passed: bool  # not written and the deadline is behind us
    first: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "every": self.every,
            "due_on": self.due_on.isoformat(),
            "by": self.by.strftime("%H:%M") if self.by else None,
            "written": self.written,
            "deadline": self.deadline.isoformat(),
            "passed": self.passed,
            "first": self.first,
        }


def checkin_due(model: Counting, pid: str, items: Dated, now: dt.datetime) -> CheckinDue | None:
    """The slot that holds today under the schedule in force now, and whether a check-in
    is written for it; when the schedule began after that slot's deadline, its first slot.
    The slot keeps the schedule in force at its own deadline: a new time accepted today
    after today's new deadline applies from the next slot on, never backwards."""
    sched = model.schedules.in_force(pid, now)
    if sched is None:
        return None
    tz = model.tz
    slot = slot_of(sched, local_day(now, tz))
    own = model.schedules.slot_on(pid, slot)
    first = own is None
    if own is None:
        slot = slot_of(sched, slot + dt.timedelta(days=1))
    else:
        sched = own
    since = slot - dt.timedelta(days=slot_span(sched))
    if model.first_day is not None:
        since = min(slot, max(since, model.first_day))
    written = bool(_between(items, since, slot))
    deadline = slot_deadline(sched, slot, tz)
    passed = not written and utc(now) > utc(deadline)
    return CheckinDue(pid, sched.every, slot, sched.by, written, since, deadline, passed, first)
