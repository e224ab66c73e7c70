"""The facts of a period, typed: what happened, read once from the notes.

Facts keep real dates and datetimes; `to_data` turns them into the plain data (ISO
strings, numbers, lists) that the templates and `--format json` receive. Numbers are
counts of what happened: never percentages, scores, streaks or comparisons between the
partners (GUIDE.md, "Numbers that help, numbers that harm").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from openbook.check.result import CheckResult
from openbook.check.words import WordsChange
from openbook.config import Config
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_date, as_datetime, is_conflict_copy
from openbook.record.blank import is_blank
from openbook.ritual.answer_clock import clock_start
from openbook.ritual.calendar import between, human_span, local_day, utc
from openbook.ritual.counting import Counting, question_clock
from openbook.ritual.notetext import as_list, first_line, section_text


def to_data(value: Any) -> Any:
    """Facts -> plain data: dataclasses become dicts in field order (a trailing `_` is
    dropped from a name), dates and datetimes ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name.rstrip("_"): to_data(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    return value


def empty_checkin(result: CheckResult, note: Note) -> bool:
    """A check-in with nothing written in it and no field set is not a check-in (SPEC
    section 6): the body empty or the unchanged template, no field beyond a new one's."""
    author = note.meta.get("author")
    if not isinstance(author, str) or author not in result.vault.config.partners:
        return False
    return is_blank(result.vault, note, author)


@dataclass
class Notes:
    """The valid notes of the vault, sorted into their types."""

    by_type: dict[str, list[Note]] = field(default_factory=dict)
    words: list[WordsChange] = field(default_factory=list)  # words waiting for consent

    @classmethod
    def of(cls, result: CheckResult) -> Notes:
        out = cls(words=list(result.words))
        bad = result.failed_paths() | result.uncounted()  # drafts: docs/vault.md
        for path, note in result.parsed.items():  # order does not matter: callers sort
            t = note.type
            if not t or path in bad or is_conflict_copy(path):
                continue
            if t == "checkin" and empty_checkin(result, note):
                continue
            out.by_type.setdefault(t, []).append(note)
        return out

    def get(self, t: str) -> list[Note]:
        return self.by_type.get(t, [])


@dataclass
class Window:
    """The days the facts cover and the moment they are true at."""

    start: dt.date
    end: dt.date
    as_of: dt.datetime

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


# ------------------------------------------------------------------ plan changes


@dataclass
class PlanChange:
    path: str
    author: Any
    sent: dt.datetime
    plan_at: dt.datetime
    notice_minutes: int
    ahead: bool
    notice: str | None  # how long ahead, in words, when ahead


def plan_change_facts(
    notes: Notes, win: Window, cfg: Config, model: Counting | None = None
) -> list[PlanChange]:
    tz = cfg.tz
    out = []
    for n in notes.get("plan-change"):
        m = n.meta
        sent = as_datetime(m.get("sent"), tz)
        plan_at = as_datetime(m.get("plan_at"), tz)
        if sent is None or plan_at is None or not win.holds(local_day(sent, tz)):
            continue
        notice = between(plan_at, clock_start(sent, model, n.path))
        ahead = notice > dt.timedelta(0)
        minutes = int(notice.total_seconds() // 60)
        notice_text = human_span(notice) if ahead else None
        out.append(PlanChange(n.path, m.get("author"), sent, plan_at, minutes, ahead, notice_text))
    out.sort(key=lambda p: (p.sent.isoformat(), p.path))
    return out


# -------------------------------------------------------------------- questions


@dataclass
class OpenQuestion:
    id: Any
    path: str
    asked_by: Any
    to: Any
    asked: dt.datetime
    answer_by: dt.datetime
    age_days: int
    overdue: bool
    past_answer_by: bool  # the same as overdue (SPEC section 6); kept for the templates
    status: Any
    summary: str
    paused: bool = False  # a pause holds: no answer is due until it ends
    wish: dt.datetime | None = None  # the asker hoped for an answer sooner than agreed


@dataclass
class TherapistQuestion:
    id: Any
    asked: dt.datetime
    path: str = ""
    moved_by: str | None = None  # the partner whose commit moved it there


@dataclass
class AnsweredQuestion:
    id: Any
    path: str
    to: Any
    asked: dt.datetime
    answered: dt.datetime
    on_time: bool
    took: str | None
    landed: Any  # helped, partly, hurt-more, need-to-talk, or None


@dataclass
class OddNote:
    path: str
    message: str


@dataclass
class Questions:
    open: list[OpenQuestion] = field(default_factory=list)
    therapist: list[TherapistQuestion] = field(default_factory=list)
    answered: list[AnsweredQuestion] = field(default_factory=list)
    odd: list[OddNote] = field(default_factory=list)


def _answered(
    n: Note, q: Questions, win: Window, cfg: Config, model: Counting | None = None
) -> None:
    clock = question_clock(n.meta, cfg, win.as_of, model, n.path)
    assert clock is not None and clock.answered is not None
    qid = n.meta.get("id")
    took = between(clock.answered, clock.asked)
    if took < dt.timedelta(0):
        message = (
            f"{qid} was answered before it was asked; check 'asked' and 'answered' in {n.path}"
        )
        q.odd.append(OddNote(n.path, message))
    if win.holds(local_day(clock.answered, cfg.tz)):
        on_time = utc(clock.answered) <= utc(clock.answer_by)
        took_text = human_span(took) if took >= dt.timedelta(0) else None
        entry = AnsweredQuestion(
            qid,
            n.path,
            n.meta.get("to"),
            clock.asked,
            clock.answered,
            on_time,
            took_text,
            n.meta.get("landed"),
        )
        q.answered.append(entry)


def question_facts(
    notes: Notes, win: Window, cfg: Config, model: Counting | None = None
) -> Questions:
    """Open questions (oldest first), with-therapist ones (id only), answered ones, by
    the one answer clock (`model`: the answer time in force when asked, pauses)."""
    q = Questions()
    for n in notes.get("question"):
        m = n.meta
        if m.get("status") in ("answered", "withdrawn"):
            done = as_date(m.get("answered"))
            if done is not None and done < win.start:
                continue  # answered before this window: nothing to show (the common case)
        clock = question_clock(m, cfg, win.as_of, model, n.path)
        if clock is None or not clock.asked_yet:
            continue
        if clock.status == "with-therapist":
            q.therapist.append(TherapistQuestion(m.get("id"), clock.asked, n.path))
        elif clock.is_open:
            q.open.append(
                OpenQuestion(
                    m.get("id"),
                    n.path,
                    m.get("asked_by"),
                    m.get("to"),
                    clock.asked,
                    clock.answer_by,
                    clock.age_days(cfg.tz),
                    clock.overdue,
                    clock.overdue,
                    clock.status,
                    first_line(n.body),
                    clock.paused,
                    clock.wish,
                )
            )
        elif clock.status == "answered" and clock.answered is not None:
            _answered(n, q, win, cfg, model)
    q.open.sort(key=lambda x: (x.asked.isoformat(), str(x.id)))
    q.therapist.sort(key=lambda x: (x.asked.isoformat(), str(x.id)))
    q.answered.sort(key=lambda x: (x.answered.isoformat(), str(x.id)))
    return q


LANDED_TOPIC_DAYS = 14  # an answer that landed badly is offered at two weekly meetings
LANDED_TOPICS = ("need-to-talk", "hurt-more")


@dataclass
class LandedAnswer:
    """An answer the person who asked marked `hurt-more` or `need-to-talk`."""

    id: Any
    path: str
    landed: str
    answered: dt.datetime


def landed_badly(notes: Notes, win: Window, cfg: Config) -> list[LandedAnswer]:
    """Answers marked `hurt-more` or `need-to-talk`, answered in the 14 days up to the
    meeting (or in the agenda's period when that is longer) and by `win.as_of`; oldest
    first. After that they rest: asking again or a `discuss` item brings them back."""
    since = min(win.start, win.end - dt.timedelta(days=LANDED_TOPIC_DAYS - 1))
    out = []
    for n in notes.get("question"):
        m = n.meta
        landed = m.get("landed")
        if m.get("status") != "answered" or landed not in LANDED_TOPICS:
            continue
        answered = as_datetime(m.get("answered"), cfg.tz)
        if answered is None or utc(answered) > utc(win.as_of):
            continue
        if since <= local_day(answered, cfg.tz) <= win.end:
            out.append(LandedAnswer(m.get("id"), n.path, str(landed), answered))
    out.sort(key=lambda a: (a.answered.isoformat(), str(a.id)))
    return out


# ------------------------------------------------------------- from the check-ins


@dataclass
class Topic:
    kind: str  # setback, repair, answer or discuss
    text: str
    path: str
    date: dt.date | None
    from_: Any


@dataclass
class Appreciation:
    from_: Any
    date: dt.date | None
    text: str
    path: str


def _checkin_order(n: Note) -> tuple[str, str, str]:
    return (str(n.meta.get("date")), str(n.meta.get("time") or ""), n.path)


def discuss_topics(notes: Notes, win: Window) -> list[Topic]:
    """The `discuss` items of the period's check-ins, oldest first."""
    out: list[tuple[tuple[str, str, str], Topic]] = []
    for n in notes.get("checkin"):
        day = as_date(n.meta.get("date"))
        if not win.holds(day):
            continue
        for item in as_list(n.meta.get("discuss")):
            text = str(item).strip()
            if text:
                order = (str(day), str(n.meta.get("time") or ""), n.path)
                out.append((order, Topic("discuss", text, n.path, day, n.meta.get("author"))))
    out.sort(key=lambda t: t[0])
    return [t[1] for t in out]


def good_times(notes: Notes, win: Window) -> list[tuple[dt.date, Any, str]]:
    """The good moments together the period's check-ins name (`good_time`), oldest first:
    (day, author, text)."""
    return [(day, who, text) for day, who, text, _ in good_time_notes(notes, win)]


def good_time_notes(notes: Notes, win: Window) -> list[tuple[dt.date, Any, str, str]]:
    """`good_times`, each with the path of the check-in that names it."""
    out = []
    for n in sorted(notes.get("checkin"), key=_checkin_order):
        day = as_date(n.meta.get("date"))
        text = n.meta.get("good_time")
        if day is not None and win.holds(day) and isinstance(text, str) and text.strip():
            out.append((day, n.meta.get("author"), " ".join(text.split()), n.path))
    return out


def appreciations(notes: Notes, win: Window) -> list[Appreciation]:
    out = []
    for n in sorted(notes.get("checkin"), key=_checkin_order):
        day = as_date(n.meta.get("date"))
        if not win.holds(day):
            continue
        text = section_text(n.body, "Appreciation")
        if text:
            out.append(Appreciation(n.meta.get("author"), day, text, n.path))
    return out


@dataclass
class Language:
    timeout_word: str | None = None
    hurt_signal: str | None = None


def language_facts(notes: Notes) -> Language:
    for n in notes.get("language"):
        word = n.meta.get("timeout_word")
        signal = n.meta.get("hurt_signal")
        return Language(
            str(word).strip() if word else None, str(signal).strip() if signal else None
        )
    return Language()


def last_meeting(notes: Notes, before: dt.date) -> dt.date | None:
    found = [
        d
        for n in notes.get("meeting")
        if (d := as_date(n.meta.get("date"))) is not None and d < before
    ]
    return max(found) if found else None
