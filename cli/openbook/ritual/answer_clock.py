"""When an answer is due: part of the one counting model (counting.py re-exports it).

- A question is due at `asked` + the `questions.answer_within` of the settings both
  partners had accepted when it was asked (SPEC section 10: a note is judged by the
  settings in force when it was written), never by a later change. Its own `answer_by`
  may give more time, never less: an earlier one is the asker's wish, shown as such
  ("Alice hoped for an answer by 21:00") and never used for overdue marks, reminders or
  the calendar.
- No answer clock runs while a pause holds (`openbook pause --all`). The clock stops at
  the pause and runs on after it: a deadline is moved on by every paused moment between
  the asking and the deadline, so a question asked on Monday with 48 hours to answer and a
  day of pause on Tuesday is due on Thursday. This is kinder than moving only a deadline
  that falls inside a pause (a pause that ended just before the deadline would otherwise
  leave the one answering with less time than agreed), and it is true: the time given is
  the time agreed, counted only while nothing was paused. While a pause holds, nothing is
  overdue, not even a question whose answer was due before the pause; after it ends, that
  one is overdue again (its deadline came before the pause, so the pause does not move it).
- Only pauses as known at the moment looked at count (`as_of`): a view of a past week is
  not changed by a pause that came later, and while a pause holds, `answer_by` is where
  the deadline would be if it ended now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openbook.config import Config
from openbook.notetypes.registry import as_datetime
from openbook.ritual.calendar import local_day, utc

if TYPE_CHECKING:  # counting.py imports this module: only the type is needed here
    from openbook.ritual.counting import Counting

OPEN_QUESTION = ("open", "acknowledged", "follow-up")

Span = tuple[dt.datetime | None, dt.datetime | None]  # [from, until); None: open


def paused_at(pauses: Iterable[Span], moment: dt.datetime) -> bool:
    """Whether a pause holds at `moment`."""
    return any(
        (s is None or utc(s) <= utc(moment)) and (e is None or utc(moment) < utc(e))
        for s, e in pauses
    )


def _known(
    pauses: Iterable[Span], start: dt.datetime, as_of: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The paused stretches between `start` and `as_of`, in order, overlaps joined."""
    clipped = []
    for s, e in pauses:
        lo = max(utc(s), utc(start)) if s is not None else utc(start)
        hi = min(utc(e), utc(as_of)) if e is not None else utc(as_of)
        if lo < hi:
            clipped.append((lo, hi))
    clipped.sort()
    joined: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in clipped:
        if joined and lo <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], hi))
        else:
            joined.append((lo, hi))
    return joined


def moved_on(
    asked: dt.datetime, due: dt.datetime, pauses: Iterable[Span], as_of: dt.datetime
) -> dt.datetime:
    """`due`, moved on by every paused moment between `asked` and it (the clock stops
    while a pause holds), counting the pauses as known at `as_of`."""
    out = due
    for lo, hi in _known(pauses, asked, as_of):
        if lo < utc(out):
            out = out + (hi - lo)
    return out


@dataclass(frozen=True)
class QuestionClock:
    """When a question was asked, when its answer is due, and where it stood at `as_of`."""

    asked: dt.datetime
    answer_by: dt.datetime  # the later of its own answer_by and asked + answer_within
    answered: dt.datetime | None
    status: Any  # as it stood at `as_of`: answered later means still open then
    as_of: dt.datetime
    paused: bool = False  # a pause holds at `as_of`: no answer clock runs
    wish: dt.datetime | None = None  # an answer_by earlier than the agreed time: a wish

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
        """Open and past its deadline, and no pause holds."""
        return self.is_open and not self.paused and utc(self.as_of) > utc(self.answer_by)

    def age_days(self, tz: dt.tzinfo) -> int:
        return max(0, (local_day(self.as_of, tz) - local_day(self.asked, tz)).days)


def clock_start(asked: dt.datetime, model: Counting | None, path: str | None) -> dt.datetime:
    """When a question's clock starts: the later of its `asked` and the time the log can
    stand behind for its first commit (SPEC section 6), so a backdated `asked` gains
    nothing. A question not committed yet starts at `asked`."""
    if model is None or path is None or not model.own_history:
        return asked
    first = model.first_commit.get(path)
    return first.astimezone(asked.tzinfo) if first and utc(first) > utc(asked) else asked


def question_clock(
    meta: Mapping[str, Any],
    cfg: Config,
    as_of: dt.datetime,
    model: Counting | None = None,
    path: str | None = None,
) -> QuestionClock | None:
    """The question's clock at `as_of`; None when it has no readable `asked`.

    With the vault's counting `model`, the answer time is the one in force when the
    question was asked and pauses stop the clock; without one (a quick look without
    history), openbook.yml as it is now and no pauses."""
    tz = cfg.tz
    asked = as_datetime(meta.get("asked"), tz)
    if asked is None:
        return None
    asked = clock_start(asked, model, path)
    within = model.answer_within_at(asked) if model is not None else cfg.answer_within
    agreed = asked + within
    own = as_datetime(meta.get("answer_by"), tz)
    wish = own if own is not None and utc(own) < utc(agreed) else None
    answer_by = own if own is not None and wish is None else agreed
    paused = False
    if model is not None:
        pauses = model.schedules.pauses
        answer_by = moved_on(asked, answer_by, pauses, as_of)
        paused = paused_at(pauses, as_of)
    paused = paused or not cfg.agreed  # nothing agreed yet: no answer time runs
    answered = as_datetime(meta.get("answered"), tz)
    status = meta.get("status")
    if status == "answered" and answered is not None and utc(answered) > utc(as_of):
        status = "open"  # a view of a past moment shows the question as it was then
    return QuestionClock(asked, answer_by, answered, status, as_of, paused, wish)
