"""What the acting partner has due now or within the next two hours (SPEC section 8).

Four kinds: their own check-in not written yet, an answer they owe, a timeout to come
back from, and the weekly meeting. Everything is counted by `ritual.counting`, the one
model `status` and the agenda use. A reminder speaks only of the acting partner's own
things: it never names the other partner, never says how late anyone was and never
counts days in a row. When all is done there is nothing to say.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from typing import Any

from openbook.check.result import check_vault
from openbook.config import Config
from openbook.errors import shown
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_datetime
from openbook.outside.origin import vault_origin
from openbook.ritual.calendar import (
    fmt_dt,
    hhmm,
    last_meeting_of_month,
    local_day,
    next_meeting_day,
    utc,
)
from openbook.ritual.counting import (
    Counting,
    checkin_due,
    checkins_by_author,
    question_clock,
)
from openbook.ritual.facts import Notes
from openbook.ritual.history import counting_model
from openbook.vault import Vault

AHEAD = dt.timedelta(hours=2)
# an own timeout not marked `returned` is mentioned for this long after its return time
TIMEOUT_GRACE = dt.timedelta(hours=24)
NOTIFY_TIMEOUT = 10.0


@dataclass(frozen=True)
class Due:
    kind: str  # checkin, answer, timeout, meeting
    what: str
    due: dt.datetime
    until: dt.datetime | None = None  # the meeting: when it ends

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "what": self.what, "due": self.due.isoformat()}


def _soon(when: dt.datetime, now: dt.datetime) -> bool:
    return utc(when) <= utc(now + AHEAD)


def checkin_reminder(
    model: Counting, me: str, notes: list[Note], now: dt.datetime, began: dt.datetime | None = None
) -> Due | None:
    """Their own check-in for the current slot, when it is not written and its deadline is
    within two hours or already passed today; never one whose deadline came before the
    vault began (`began`, its first commit)."""
    mine = checkins_by_author(n for n in notes if n.type == "checkin").get(me, [])
    due = checkin_due(model, me, mine, now)
    if due is None or due.written:
        return None
    deadline = due.deadline
    if not _soon(deadline, now) or (began is not None and utc(deadline) < utc(began)):
        return None
    what = "your check-in for today" if due.every == "day" else "your check-in for this week"
    return Due("checkin", what, deadline)


def answer_reminders(
    cfg: Config, me: str, notes: list[Note], now: dt.datetime, model: Counting | None = None
) -> list[Due]:
    """Every question to `me`, still open, whose answer is due within two hours or was due
    before now (by the one answer clock of counting.py: none while a pause holds)."""
    out = []
    for n in notes:
        m = n.meta
        if n.type != "question" or m.get("to") != me:
            continue
        clock = question_clock(m, cfg, now, model, n.path)
        if clock is None or not clock.is_open or clock.paused or not _soon(clock.answer_by, now):
            continue
        out.append(Due("answer", f"your answer to {m.get('id')}", clock.answer_by))
    return out


def timeout_reminders(cfg: Config, me: str, notes: list[Note], now: dt.datetime) -> list[Due]:
    """Timeouts not marked returned whose return time is within two hours. For a timeout
    `me` called, also one whose return time passed in the last day (so they can write
    `returned:`); for one the other partner called, never after its return time."""
    out = []
    tz = cfg.tz
    for n in notes:
        m = n.meta
        if n.type != "timeout" or m.get("returned"):
            continue
        called = as_datetime(m.get("called"), tz)
        back = as_datetime(m.get("return_by"), tz)
        if called is None or back is None or utc(called) > utc(now) or not _soon(back, now):
            continue
        passed = utc(back) < utc(now)
        if passed and (m.get("called_by") != me or utc(now) - utc(back) > TIMEOUT_GRACE):
            continue
        what = (
            f"coming back from your timeout (write 'returned:' in {n.path})"
            if m.get("called_by") == me
            else "coming back together after the timeout"
        )
        out.append(Due("timeout", what, back))
    return out


def meeting_reminder(cfg: Config, now: dt.datetime) -> Due | None:
    """The weekly meeting, when it starts within two hours or is going on now (none before
    the joining partner first accepted settings)."""
    if not cfg.agreed:
        return None
    tz = cfg.tz
    today = local_day(now, tz)
    length = dt.timedelta(minutes=cfg.meeting_minutes)
    day = next_meeting_day(today, cfg.meeting_on)
    start = dt.datetime.combine(day, cfg.meeting_at, tzinfo=tz)
    if utc(start + length) <= utc(now):  # today's is over: the next one is a week away
        day += dt.timedelta(days=7)
        start = dt.datetime.combine(day, cfg.meeting_at, tzinfo=tz)
    if not _soon(start, now):
        return None
    review = day == last_meeting_of_month(day.year, day.month, cfg.meeting_on)
    what = "your weekly meeting" + (", with the monthly review" if review else "")
    return Due("meeting", what, start, start + length)


def due_soon(vault: Vault, me: str) -> list[Due]:
    """Everything `me` has due now or within the next two hours, soonest first."""
    cfg = vault.require_config()
    now = vault.now()
    result = check_vault(vault)
    notes = result.valid_notes()
    counted = Notes.of(result)  # an empty check-in is not one (SPEC section 6)
    model = counting_model(vault, notes=counted)
    if model.schedules.paused(now):
        return []  # while a pause holds, no schedule or deadline runs (SPEC section 10)
    items: list[Due] = []
    checkin = checkin_reminder(model, me, counted.get("checkin"), now, vault_origin(vault).began)
    if checkin:
        items.append(checkin)
    items += answer_reminders(cfg, me, notes, now, model)
    items += timeout_reminders(cfg, me, notes, now)
    meeting = meeting_reminder(cfg, now)
    if meeting:
        items.append(meeting)
    tz = cfg.tz
    local = [
        replace(d, due=d.due.astimezone(tz), until=d.until.astimezone(tz) if d.until else None)
        for d in items
    ]
    local.sort(key=lambda d: (utc(d.due), d.kind, d.what))
    return local


# ---------------------------------------------------------------------- as words


def _when(value: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    """'21:00' today, else 'Wed 25 Nov 00:30'."""
    local = value.astimezone(tz)
    return hhmm(local.time()) if local.date() == local_day(now, tz) else fmt_dt(local, tz)


def remind_lines(items: list[Due], now: dt.datetime, tz: dt.tzinfo) -> list[str]:
    """One short line per item; none at all when nothing is due."""
    lines = []
    for d in items:
        when = _when(d.due, now, tz)
        what = shown(d.what)  # ids and paths come from the vault: no control characters
        if d.until is not None and utc(d.due) <= utc(now):
            lines.append(f"Now, until {_when(d.until, now, tz)}: {what}.")
        elif utc(d.due) < utc(now):
            lines.append(f"Was due at {when}: {what}.")
        else:
            lines.append(f"Due at {when}: {what}.")
    return lines


# ---------------------------------------------------------------------- notifications


def notify_command(title: str, text: str) -> list[str] | None:
    """The command that shows a desktop notification here, or None when there is none.
    The text is always passed as an argument, never spliced into a script."""
    if sys.platform == "darwin":
        osascript = shutil.which("osascript")
        if osascript is None:
            return None
        script = [
            "on run argv",
            "display notification (item 2 of argv) with title (item 1 of argv)",
            "end run",
        ]
        return [osascript, *(arg for line in script for arg in ("-e", line)), title, text]
    send = shutil.which("notify-send")
    return [send, "--app-name=openbook", "--", title, text] if send else None


def send_notification(title: str, text: str) -> str:
    """Show a desktop notification: "sent", "missing" (no notify-send or osascript here)
    or "failed" (it is there, but no notification service answered)."""
    command = notify_command(title, text)
    if command is None:
        return "missing"
    try:
        res = subprocess.run(command, capture_output=True, timeout=NOTIFY_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "failed"
    return "sent" if res.returncode == 0 else "failed"
