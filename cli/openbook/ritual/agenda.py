"""The weekly ritual: gather the week's facts into plain data, render it, save it.

Everything here is plain data (dicts of strings, numbers and lists) so that the same
facts feed the Markdown and HTML templates and `--format json`. Numbers are counts of
what happened, phrased as facts: never percentages, scores, streaks or comparisons
between the partners (GUIDE.md, "Numbers that help, numbers that harm").
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.config import Config, parse_duration, parse_hhmm
from openbook.errors import NoteError, OpenbookError
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_date, as_datetime, is_conflict_copy, iso_week
from openbook.vault import Vault

OPEN_QUESTION = ("open", "acknowledged", "follow-up")
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CHART_WEEKS = 8
SHORT_MINUTES = 20
CLOSE_QUESTION = "What can I do to make you feel loved this week?"


# ------------------------------------------------------------------------ small helpers


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware -> UTC, so that differences are right across a daylight-saving change."""
    return value.astimezone(dt.UTC)


def _between(later: dt.datetime, earlier: dt.datetime) -> dt.timedelta:
    return _utc(later) - _utc(earlier)


def _at(day: dt.date, when: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, when, tzinfo=tz)


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def human_span(delta: dt.timedelta) -> str:
    """'2 days', '3 hours', '1 day 4 hours', '45 minutes' (never negative)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins and not days:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts[:2]) or "less than a minute"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _fmt_day(day: dt.date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {calendar.month_name[day.month]} {day.year}"


def _short_day(day: dt.date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {calendar.month_abbr[day.month]}"


def _fmt_dt(value: dt.datetime, tz: dt.tzinfo) -> str:
    local = value.astimezone(tz)
    return f"{_short_day(local.date())} {local.strftime('%H:%M')}"


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


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_PLACEHOLDER = re.compile(r"^\*[^*].*\*$")


def section_text(body: str, heading: str) -> str:
    """The text under `## heading` up to the next heading of the same or a higher level,
    without the template's italic prompts."""
    lines = body.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    level = 0
    for line in lines:
        m = _HEADING.match(line)
        if level:
            if m and len(m[1]) <= level:
                break
            out.append(line)
        elif m and m[2].strip().lower() == heading.lower():
            level = len(m[1])
    kept = [ln.rstrip() for ln in out if not _PLACEHOLDER.match(ln.strip())]
    return "\n".join(kept).strip()


def _first_line(text: str, limit: int = 120) -> str:
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if not line or line.startswith((">", "#")) or _PLACEHOLDER.match(line):
            continue
        return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else []


# --------------------------------------------------------------------------- the facts


@dataclass
class Notes:
    """The valid notes of the vault, sorted into their types."""

    by_type: dict[str, list[Note]] = field(default_factory=dict)

    @classmethod
    def of(cls, result: CheckResult) -> Notes:
        out = cls()
        bad = result.failed_paths()
        for path, note in result.parsed.items():  # order does not matter: callers sort
            t = note.type
            if not t or path in bad or is_conflict_copy(path):
                continue
            out.by_type.setdefault(t, []).append(note)
        return out

    def get(self, t: str) -> list[Note]:
        return self.by_type.get(t, [])


@dataclass
class CheckinCount:
    expected: int | None
    received: int
    late: int
    late_paths: list[str] = field(default_factory=list)

    @property
    def on_time(self) -> int:
        return self.received - self.late


def _checkins_of(notes: Notes, tz: dt.tzinfo) -> dict[str, list[tuple[dt.date, Note]]]:
    out: dict[str, list[tuple[dt.date, Note]]] = {}
    for n in notes.get("checkin"):
        day = as_date(n.meta.get("date"))
        author = n.meta.get("author")
        if day is not None and isinstance(author, str):
            out.setdefault(author, []).append((day, n))
    for items in out.values():
        items.sort(key=lambda x: (x[0], str(x[1].meta.get("time") or ""), x[1].path))
    return out


def count_checkins(
    cfg: Config,
    pid: str,
    items: list[tuple[dt.date, Note]],
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime,
) -> CheckinCount:
    """Check-ins received against the schedule in openbook.yml, for [start, end].

    A slot is a day (every: day) or the agreed weekday (every: week, covering the seven
    days up to it). A slot counts as expected once its deadline has passed, or as soon as
    it has a check-in. A check-in is late when its `time` is after `by`, in the vault's
    timezone (times in notes are local).
    """
    tz = cfg.tz
    sched = cfg.checkins.get(pid)
    if sched is None:
        return CheckinCount(None, sum(1 for d, _ in items if start <= d <= end), 0)
    by_day: dict[dt.date, list[Note]] = {}
    first = start - dt.timedelta(days=7)
    lo = bisect.bisect_left(items, first, key=lambda x: x[0])
    for d, n in items[lo:]:
        if d > end:
            break
        by_day.setdefault(d, []).append(n)
    if sched.every == "week":
        slots = [d for d in _days(start, end) if d.weekday() == sched.on]
        span = 6
    else:
        slots = list(_days(start, end))
        span = 0
    used: set[str] = set()
    count = CheckinCount(0, 0, 0)
    for slot in slots:
        deadline = (
            _at(slot, sched.by, tz)
            if sched.by
            else _at(slot + dt.timedelta(days=1), dt.time(0, 0), tz)
        )
        match: Note | None = None
        match_day = slot
        for back in range(span, -1, -1):
            day = slot - dt.timedelta(days=back)
            for n in by_day.get(day, []):
                if n.path not in used:
                    match, match_day = n, day
                    break
            if match is not None:
                break
        if match is None and _utc(deadline) > _utc(as_of):
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
class Window:
    """The days the facts cover and the moment they are true at."""

    start: dt.date
    end: dt.date
    as_of: dt.datetime

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def plan_change_facts(notes: Notes, win: Window, cfg: Config) -> list[dict[str, Any]]:
    tz = cfg.tz
    out = []
    for n in notes.get("plan-change"):
        m = n.meta
        sent = as_datetime(m.get("sent"), tz)
        plan_at = as_datetime(m.get("plan_at"), tz)
        if sent is None or plan_at is None or not win.holds(sent.astimezone(tz).date()):
            continue
        notice = _between(plan_at, sent)
        ahead = notice > dt.timedelta(0)
        out.append(
            {
                "path": n.path,
                "author": m.get("author"),
                "sent": sent.isoformat(),
                "plan_at": plan_at.isoformat(),
                "notice_minutes": int(notice.total_seconds() // 60),
                "ahead": ahead,
                "notice": human_span(notice) if ahead else None,
            }
        )
    out.sort(key=lambda p: (p["sent"], p["path"]))
    return out


def question_facts(notes: Notes, win: Window, cfg: Config) -> dict[str, list[dict[str, Any]]]:
    """Open questions (oldest first), with-therapist ones (id only), answered ones."""
    tz = cfg.tz
    as_of = win.as_of
    open_q: list[dict[str, Any]] = []
    therapist: list[dict[str, Any]] = []
    answered: list[dict[str, Any]] = []
    odd: list[dict[str, Any]] = []
    for n in notes.get("question"):
        m = n.meta
        if m.get("status") in ("answered", "withdrawn"):
            done = as_date(m.get("answered"))
            if done is not None and done < win.start:
                continue  # answered before this window: nothing to show (the common case)
        asked = as_datetime(m.get("asked"), tz)
        if asked is None or _utc(asked) > _utc(as_of):
            continue
        status = m.get("status")
        answered_at = as_datetime(m.get("answered"), tz)
        if status == "answered" and answered_at is not None and _utc(answered_at) > _utc(as_of):
            status = "open"  # an agenda of a past week shows the question as it was then
        answer_by = as_datetime(m.get("answer_by"), tz) or asked + cfg.answer_within
        qid = m.get("id")
        if status == "with-therapist":
            therapist.append({"id": qid, "asked": asked.isoformat()})
            continue
        if status in OPEN_QUESTION:
            age = _between(as_of, asked)
            past_due = _utc(as_of) > _utc(answer_by)
            open_q.append(
                {
                    "id": qid,
                    "path": n.path,
                    "asked_by": m.get("asked_by"),
                    "to": m.get("to"),
                    "asked": asked.isoformat(),
                    "answer_by": answer_by.isoformat(),
                    "age_days": max(
                        0, (as_of.astimezone(tz).date() - asked.astimezone(tz).date()).days
                    ),
                    "overdue": age > cfg.answer_within or past_due,
                    "past_answer_by": past_due,
                    "status": status,
                    "summary": _first_line(n.body),
                }
            )
        elif status == "answered" and answered_at is not None:
            took = _between(answered_at, asked)
            entry = {
                "id": qid,
                "path": n.path,
                "to": m.get("to"),
                "asked": asked.isoformat(),
                "answered": answered_at.isoformat(),
                "on_time": _utc(answered_at) <= _utc(answer_by),
                "took": human_span(took) if took >= dt.timedelta(0) else None,
            }
            if took < dt.timedelta(0):
                odd.append(
                    {
                        "path": n.path,
                        "message": f"{qid} was answered before it was asked; check 'asked' and "
                        f"'answered' in {n.path}",
                    }
                )
            if win.holds(answered_at.astimezone(tz).date()):
                answered.append(entry)
    open_q.sort(key=lambda q: (q["asked"], str(q["id"])))
    therapist.sort(key=lambda q: (q["asked"], str(q["id"])))
    answered.sort(key=lambda q: (q["answered"], str(q["id"])))
    return {"open": open_q, "therapist": therapist, "answered": answered, "odd": odd}


def timeout_facts(notes: Notes, win: Window, cfg: Config) -> list[dict[str, Any]]:
    tz = cfg.tz
    out = []
    for n in notes.get("timeout"):
        m = n.meta
        called = as_datetime(m.get("called"), tz)
        return_by = as_datetime(m.get("return_by"), tz)
        if called is None or return_by is None or not win.holds(called.astimezone(tz).date()):
            continue
        returned = as_datetime(m.get("returned"), tz)
        out.append(
            {
                "path": n.path,
                "called_by": m.get("called_by"),
                "called": called.isoformat(),
                "returned": returned.isoformat() if returned else None,
                "on_time": returned is not None and _utc(returned) <= _utc(return_by),
            }
        )
    out.sort(key=lambda t: (t["called"], t["path"]))
    return out


def _repair_label(n: Note) -> str:
    title = n.meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for line in n.body.replace("\r\n", "\n").split("\n"):
        m = _HEADING.match(line)
        if m and len(m[1]) == 1 and m[2].strip():
            return m[2].strip()
    day = as_date(n.meta.get("date"))
    kind = n.meta.get("kind") or "repair"
    return f"{kind} of {day.isoformat()}" if day else str(kind)


def repair_facts(notes: Notes, win: Window) -> dict[str, list[dict[str, Any]]]:
    setbacks, processed, open_repairs = [], [], []
    for n in sorted(notes.get("repair"), key=lambda x: (str(x.meta.get("date")), x.path)):
        m = n.meta
        day = as_date(m.get("date"))
        if day is None or day > win.end:
            continue
        entry = {
            "path": n.path,
            "title": _repair_label(n),
            "date": day.isoformat(),
            "author": m.get("author"),
            "kind": m.get("kind"),
            "status": m.get("status"),
            "self_reported": bool(m.get("self_reported")),
            "agreements": [a for a in _as_list(m.get("agreements")) if isinstance(a, str)],
        }
        if m.get("kind") == "setback" and (win.holds(day) or m.get("status") == "open"):
            setbacks.append(entry)
        if m.get("status") == "open":
            open_repairs.append(entry)
        if win.holds(as_date(m.get("processed"))):
            processed.append(entry)
    return {"setbacks": setbacks, "processed": processed, "open": open_repairs}


def agreement_facts(
    notes: Notes, cfg: Config, meeting: dt.date, setbacks: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    proposed, due, no_review, in_setback, upcoming = [], [], [], [], []
    by_id: dict[str, Note] = {}
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        aid = str(m.get("id"))
        by_id[aid] = n
        title = str(m.get("title") or aid)
        status = m.get("status")
        if status == "proposed":
            accepted = _as_list(m.get("accepted_by"))
            proposed.append(
                {
                    "id": aid,
                    "title": title,
                    "path": n.path,
                    "waiting_for": [p for p in cfg.partners if p not in accepted],
                }
            )
        elif status == "active":
            nr = as_date(m.get("next_review"))
            if nr is None:
                since = as_date(m.get("since"))
                every = parse_duration(m.get("review_every") or "30d") or dt.timedelta(days=30)
                nr = since + every if since else None
            if nr is None:
                no_review.append({"id": aid, "title": title, "path": n.path})
            elif nr <= meeting:
                due.append(
                    {"id": aid, "title": title, "path": n.path, "next_review": nr.isoformat()}
                )
            elif nr <= meeting + dt.timedelta(days=7):
                upcoming.append({"id": aid, "title": title, "next_review": nr.isoformat()})
    named: list[str] = []
    for s in setbacks:
        for aid in s["agreements"]:
            if aid not in named:
                named.append(aid)
    for aid in named:
        note = by_id.get(aid)
        if note is None:
            continue
        crossed = note.meta.get("if_crossed")
        in_setback.append(
            {
                "id": aid,
                "title": str(note.meta.get("title") or aid),
                "path": note.path,
                "if_crossed": str(crossed).strip() if crossed else None,
            }
        )
    return {
        "proposed": proposed,
        "due": due,
        "no_review": no_review,
        "in_setback": in_setback,
        "upcoming": upcoming,
    }


def discuss_topics(notes: Notes, win: Window) -> list[dict[str, Any]]:
    out: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
    for n in notes.get("checkin"):
        day = as_date(n.meta.get("date"))
        if not win.holds(day):
            continue
        for item in _as_list(n.meta.get("discuss")):
            text = str(item).strip()
            if text:
                order = (str(day), str(n.meta.get("time") or ""), n.path)
                out.append(
                    (
                        order,
                        {
                            "kind": "discuss",
                            "text": text,
                            "path": n.path,
                            "date": day.isoformat() if day else None,
                            "from": n.meta.get("author"),
                        },
                    )
                )
    out.sort(key=lambda t: t[0])
    return [t[1] for t in out]


def appreciations(notes: Notes, win: Window) -> list[dict[str, Any]]:
    out = []
    for n in sorted(
        notes.get("checkin"),
        key=lambda x: (str(x.meta.get("date")), str(x.meta.get("time") or ""), x.path),
    ):
        day = as_date(n.meta.get("date"))
        if not win.holds(day):
            continue
        text = section_text(n.body, "Appreciation")
        if text:
            out.append(
                {
                    "from": n.meta.get("author"),
                    "date": day.isoformat() if day else None,
                    "text": text,
                    "path": n.path,
                }
            )
    return out


# ----------------------------------------------------------------------------- agenda


def _language(notes: Notes) -> dict[str, Any]:
    for n in notes.get("language"):
        word = n.meta.get("timeout_word")
        signal = n.meta.get("hurt_signal")
        return {
            "timeout_word": str(word).strip() if word else None,
            "hurt_signal": str(signal).strip() if signal else None,
        }
    return {"timeout_word": None, "hurt_signal": None}


def _last_meeting(notes: Notes, before: dt.date) -> dt.date | None:
    days = [
        d
        for n in notes.get("meeting")
        if (d := as_date(n.meta.get("date"))) is not None and d < before
    ]
    return max(days) if days else None


def _schedule_text(cfg: Config, pid: str) -> str | None:
    sched = cfg.checkins.get(pid)
    if sched is None:
        return None
    by = f" by {sched.by.strftime('%H:%M')}" if sched.by else ""
    if sched.every == "week":
        return f"every {WEEKDAY_NAMES[sched.on or 0]}{by}"
    return f"every day{by}"


def build_agenda(
    vault: Vault,
    *,
    day: dt.date | None = None,
    short: bool = False,
    result: CheckResult | None = None,
) -> dict[str, Any]:
    """The week's facts as plain data: what the templates receive and `--json` prints."""
    cfg = vault.require_config()
    tz = cfg.tz
    result = result or check_vault(vault)
    notes = Notes.of(result)
    now = vault.now()
    meeting = day or next_meeting_day(now.date(), cfg.meeting_on)
    meeting_dt = _at(meeting, cfg.meeting_at, tz)
    as_of = now if _utc(now) <= _utc(meeting_dt) else meeting_dt
    last = _last_meeting(notes, meeting)
    start = last + dt.timedelta(days=1) if last else meeting - dt.timedelta(days=6)
    win = Window(start, meeting, as_of)
    names = {pid: p.name for pid, p in cfg.partners.items()}

    def name(pid: Any) -> str:
        return names.get(str(pid), str(pid))

    checkins_by = _checkins_of(notes, tz)
    plan_changes = plan_change_facts(notes, win, cfg)
    questions = question_facts(notes, win, cfg)
    timeouts = timeout_facts(notes, win, cfg)
    repairs = repair_facts(notes, win)
    agreements = agreement_facts(notes, cfg, meeting, repairs["setbacks"])
    topics = discuss_topics(notes, win)

    # -- transparency, per partner, each against their own schedule ----------------
    checkins: dict[str, dict[str, Any]] = {}
    transparency: list[dict[str, Any]] = []
    went_right: list[str] = []
    for pid in cfg.partners:
        c = count_checkins(cfg, pid, checkins_by.get(pid, []), win.start, win.end, as_of)
        sched = cfg.checkins.get(pid)
        checkins[pid] = {
            "expected": c.expected,
            "received": c.received,
            "late": c.late,
            "schedule": _schedule_text(cfg, pid),
            "late_paths": c.late_paths,
        }
        lines: list[str] = []
        if c.expected is None:
            lines.append(
                f"No check-in schedule in openbook.yml; {_plural(c.received, 'check-in')} written."
            )
        elif c.expected == 0:
            lines.append(f"No check-ins due yet ({_schedule_text(cfg, pid)}).")
        else:
            text = f"{c.received} of {_plural(c.expected, 'check-in')}"
            if c.late and sched and sched.by:
                text += f", {c.late} after {sched.by.strftime('%H:%M')}"
            lines.append(text + f" ({_schedule_text(cfg, pid)}).")
            if c.on_time:
                went_right.append(
                    f"{name(pid)}: {c.on_time} of {_plural(c.expected, 'check-in')} "
                    "happened as agreed."
                )
        mine = [p for p in plan_changes if p["author"] == pid]
        for p in mine:
            when = _fmt_dt(dt.datetime.fromisoformat(p["plan_at"]), tz)
            if p["ahead"]:
                lines.append(
                    f"Plan change for {when}, announced {p['notice']} ahead ({p['path']})."
                )
            else:
                lines.append(f"Plan change for {when}, told after the plan time ({p['path']}).")
        for s in repairs["setbacks"]:
            if s["author"] == pid:
                how = "self-reported" if s["self_reported"] else "not self-reported"
                lines.append(f"Setback on {s['date']}, {how}, {s['status']} ({s['path']}).")
        for t in timeouts:
            if (
                t["called_by"] == pid
                and t["returned"] is None
                and _utc(dt.datetime.fromisoformat(t["called"])) < _utc(as_of)
            ):
                lines.append(
                    f"Timeout called {_fmt_dt(dt.datetime.fromisoformat(t['called']), tz)}"
                    " has no return recorded yet."
                )
        transparency.append({"partner": pid, "name": name(pid), "lines": lines})

    ahead = [p for p in plan_changes if p["ahead"]]
    if ahead:
        if len(ahead) == len(plan_changes):
            went_right.append(
                "1 plan change, announced ahead."
                if len(ahead) == 1
                else f"{len(ahead)} plan changes, all announced ahead."
            )
        else:
            went_right.append(
                f"{len(ahead)} of {_plural(len(plan_changes), 'plan change')} announced ahead."
            )
    for q in questions["answered"]:
        took = f" after {q['took']}" if q["took"] else ""
        went_right.append(
            f"{q['id']} was answered{took}" + (", within the agreed time." if q["on_time"] else ".")
        )
    back = [t for t in timeouts if t["on_time"]]
    if back:
        went_right.append(
            "1 timeout, returned on time."
            if len(timeouts) == 1
            else f"{len(back)} of {_plural(len(timeouts), 'timeout')} returned on time."
        )
    for r in repairs["processed"]:
        went_right.append(f"Repair processed together: {r['title']}.")

    # -- one topic --------------------------------------------------------------------
    candidates: list[dict[str, Any]] = []
    for r in repairs["open"]:
        if r["kind"] == "setback":
            candidates.append(
                {
                    "kind": "setback",
                    "text": r["title"],
                    "path": r["path"],
                    "date": r["date"],
                    "from": r["author"],
                }
            )
    for r in repairs["open"]:
        if r["kind"] != "setback":
            candidates.append(
                {
                    "kind": "repair",
                    "text": r["title"],
                    "path": r["path"],
                    "date": r["date"],
                    "from": r["author"],
                }
            )
    candidates += topics
    topic = candidates[0] if candidates else None
    queued = candidates[1:]

    # -- the week ahead -----------------------------------------------------------------
    week_end = meeting + dt.timedelta(days=7)
    ahead_lines: list[str] = []
    for pid in cfg.partners:
        sched_text = _schedule_text(cfg, pid)
        if sched_text:
            ahead_lines.append(f"{name(pid)} checks in {sched_text}.")
    for a in agreements["upcoming"]:
        ahead_lines.append(f"{a['id']} {a['title']} is due for review on {a['next_review']}.")
    for q in questions["open"]:
        due = dt.datetime.fromisoformat(q["answer_by"])
        if not q["past_answer_by"] and due.astimezone(tz).date() <= week_end:
            ahead_lines.append(f"{q['id']}: answer due {_fmt_dt(due, tz)}.")

    # -- close ---------------------------------------------------------------------------
    review_day = next_review_meeting(meeting, cfg.meeting_on)
    next_meeting = meeting + dt.timedelta(days=7)

    notices: list[str] = []
    failed = sorted(result.failed_paths())
    if failed:
        notices.append(
            f"{_plural(len(failed), 'note')} could not be read and "
            f"{'is' if len(failed) == 1 else 'are'} left out; run openbook check."
        )
    notices += [o["message"] for o in questions["odd"]]
    conflict_copies = sorted(p for p in result.parsed if is_conflict_copy(p))

    return {
        "date": meeting.isoformat(),
        "date_text": _fmt_day(meeting),
        "time": cfg.meeting_at.strftime("%H:%M"),
        "week": iso_week(meeting),
        "period": {"start": win.start.isoformat(), "end": win.end.isoformat()},
        "period_text": f"{_short_day(win.start)} to {_short_day(win.end)}",
        "as_of": as_of.isoformat(),
        "last_meeting": last.isoformat() if last else None,
        "format": "short" if short else "full",
        "minutes": SHORT_MINUTES if short else cfg.meeting_minutes,
        "partners": names,
        "language": _language(notes),
        "conflict_copies": conflict_copies,
        "invalid_notes": failed,
        "notices": notices,
        "appreciations": appreciations(notes, win),
        "went_right": went_right,
        "checkins": checkins,
        "transparency": transparency,
        "plan_changes": [p["path"] for p in plan_changes],
        "plan_change_details": plan_changes,
        "setbacks": repairs["setbacks"],
        "timeouts": timeouts,
        "open_questions": questions["open"],
        "questions_with_therapist": [q["id"] for q in questions["therapist"]],
        "questions_answered": questions["answered"],
        "agreements_due": [a["id"] for a in agreements["due"]],
        "agreements_proposed": [a["id"] for a in agreements["proposed"]],
        "agreement_details": agreements,
        "week_ahead": ahead_lines,
        "topic": topic,
        "queued_topics": queued,
        "close": {
            "question": CLOSE_QUESTION,
            "next_meeting": f"{next_meeting.isoformat()} {cfg.meeting_at.strftime('%H:%M')}",
            "next_meeting_text": f"{_fmt_day(next_meeting)} at {cfg.meeting_at.strftime('%H:%M')}",
            "next_review": review_day.isoformat(),
            "next_review_text": _fmt_day(review_day),
            "is_review": review_day == meeting,
        },
        "checkin_weeks": checkin_weeks(cfg, checkins_by, meeting, as_of),
    }


def checkin_weeks(
    cfg: Config,
    checkins_by: dict[str, list[tuple[dt.date, Note]]],
    meeting: dt.date,
    as_of: dt.datetime,
) -> list[dict[str, Any]]:
    """Check-ins kept per ISO week over the last eight weeks, each partner against their
    own schedule (for the small chart of the printable page)."""
    monday = meeting - dt.timedelta(days=meeting.weekday())
    out = []
    for back in range(CHART_WEEKS - 1, -1, -1):
        start = monday - dt.timedelta(weeks=back)
        end = start + dt.timedelta(days=6)
        row: dict[str, Any] = {"week": iso_week(start), "start": start.isoformat(), "checkins": {}}
        for pid in cfg.partners:
            c = count_checkins(cfg, pid, checkins_by.get(pid, []), start, end, as_of)
            row["checkins"][pid] = {"expected": c.expected, "received": c.received}
        out.append(row)
    return out


# --------------------------------------------------------------------------- rendering

FORMATS = ("md", "html", "json")


def render_agenda(vault: Vault, data: dict[str, Any], fmt: str = "md") -> str:
    """The agenda as Markdown, a printable HTML page or JSON."""
    if fmt == "json":
        import json

        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from openbook.render import render

    if fmt == "html":
        return render(
            vault.root, "agenda.html.j2", {"a": data, "chart": _chart(data)}, autoescape=True
        )
    if fmt == "md":
        return render(vault.root, "agenda.md.j2", {"a": data})
    raise OpenbookError(f"unknown agenda format '{fmt}'; use md, html or json.")


def _chart(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Bar geometry for the HTML chart: one row per partner, each bar the week's count
    drawn inside an outline of what their own schedule asked for."""
    rows = []
    weeks = data["checkin_weeks"]
    for pid, pname in data["partners"].items():
        cells = [w["checkins"].get(pid, {"expected": None, "received": 0}) for w in weeks]
        top = max([max(c["expected"] or 0, c["received"]) for c in cells] + [1])
        bars = []
        for i, (w, c) in enumerate(zip(weeks, cells, strict=True)):
            expected = c["expected"]
            bars.append(
                {
                    "x": 8 + i * 68,
                    "h": round(c["received"] / top * 60, 1),
                    "outline": round((expected or 0) / top * 60, 1),
                    "label": (
                        f"{c['received']} of {expected}"
                        if expected is not None
                        else str(c["received"])
                    ),
                    "week": w["week"][-3:],
                }
            )
        rows.append(
            {
                "partner": pid,
                "name": pname,
                "schedule": data["checkins"].get(pid, {}).get("schedule"),
                "bars": bars,
            }
        )
    return rows


# ------------------------------------------------------------------------------- saving


def meeting_path(week: str) -> str:
    return f"meetings/{week[:4]}/{week}.md"


MINUTES_BLANKS = """
## Minutes

*What did we talk about, and where did we land? A few lines are enough.*

## Decisions

*One line each; they also go in `decisions` above.*
"""


def save_meeting(
    vault: Vault, partner: str, data: dict[str, Any], markdown: str
) -> tuple[str, str]:
    """Write the agenda as the week's meeting note and commit it. Never overwrites."""
    from openbook.check.note import validate_note
    from openbook.fsutil import atomic_write, safe_relpath
    from openbook.git import ledger
    from openbook.notes.parse import parse_bytes, render_note

    vault.require_writable()
    cfg = vault.require_config()
    rel = meeting_path(data["week"])
    meta = {
        "type": "meeting",
        "date": dt.date.fromisoformat(data["date"]),
        "week": data["week"],
        "participants": sorted(cfg.partners),
        "facilitator": partner,
        "format": data["format"],
        "decisions": [],
    }
    body = markdown.rstrip("\n") + "\n" + MINUTES_BLANKS
    text = render_note(meta, body)
    note = validate_note(parse_bytes(rel, text.encode("utf-8")), cfg)
    errors = [p for p in note.problems if p.severity == "error"]
    if errors:
        raise NoteError(f"{rel} was not written: {errors[0].message}.")
    full = safe_relpath(vault.root, rel)
    with vault.lock():
        if full.exists() or full.is_symlink():
            raise NoteError(
                f"{rel} already exists, so this week's meeting note is already saved; "
                "openbook never overwrites it. Open it to add the minutes."
            )
        atomic_write(full, text.encode("utf-8"), exclusive=True)
        sha = ledger.record(vault, partner, "new", "meeting", [rel], rel)
    return rel, sha
