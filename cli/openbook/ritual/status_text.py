"""The sentences of `status` and `log`: built here, in the core, like the agenda's and
sync's; the command layer only prints them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openbook.config import Partner
from openbook.git.ledger import LogEntry
from openbook.ritual.agreements import agreement_lines
from openbook.ritual.calendar import hhmm, short_day
from openbook.ritual.overview import Overview
from openbook.ritual.wording import ago_text, timeout_line
from openbook.words import plural


def _ago(days: int) -> str:
    return "today" if days == 0 else ("1 day old" if days == 1 else f"{days} days old")


def _why(problem: str) -> str:
    """'line 6: YAML syntax error: ...' from 'openbook.yml:6:1: error: YAML syntax error:
    ... [config]': the first line of why the settings do not load."""
    found = re.match(r"[^:]+:(\d+):\d+: \w+: (.*?)(?: \[[\w-]+\])?$", problem.splitlines()[0])
    return f"line {found.group(1)}: {found.group(2)}" if found else problem.splitlines()[0]


def _head_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    lines = [f"Vault {ov.vault}" + (f", you are {names[me].name} ({me})." if me else ".")]
    if me is None and not ov.config_problems:  # else the settings are the cause, named below
        lines.append(
            "  This clone does not know who you are: run 'git config openbook.partner ID'."
        )
    if ov.config_problems and me is None:
        lines.append(
            "  openbook.yml could not be read, so openbook cannot tell who you are "
            f"({_why(ov.config_problems[0])}). Fix that line in openbook.yml ('openbook check' "
            "shows every problem)."
        )
    elif ov.config_problems:
        lines.append(
            f"  openbook.yml has {plural(len(ov.config_problems), 'problem')}: "
            f"{ov.config_problems[0]}"
        )
        lines.append("  Fix openbook.yml first ('openbook check' lists everything).")
    if ov.paused:
        lines.append(f"  {ov.paused['text']}")
    if ov.settings_proposal:
        lines.append(f"  {ov.settings_proposal['text']}")
    for c in ov.conflict_copies:
        lines.append(
            f"  Conflict copy to reconcile: {c} (keep what you both want, then delete it)."
        )
    if ov.invalid_notes:
        lines.append(
            f"  {plural(len(ov.invalid_notes), 'note')} could not be read; run 'openbook check'."
        )
    return lines


def _checkin_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    lines = ["Check-ins:"]
    if ov.paused:
        lines.append("  Paused: nothing is expected.")
    elif ov.no_schedule:
        lines.append(f"  {ov.no_schedule['text']}")
    paused = {x.id for x in ov.agreements.paused}
    for pid, agreement in ov.schedule_waits.items():
        who = "You" if pid == me else _name(names, pid)
        state = "paused" if agreement in paused else "not active"
        lines.append(f"  {who}: no check-in is expected while {agreement} is {state}.")
    tz = ov.now.tzinfo or dt.UTC
    today = ov.now.date()
    for due in ov.checkins:
        who = "You" if due.partner == me else names[due.partner].name
        when = "today" if due.every == "day" else f"this week (since {due.since.isoformat()})"
        deadline = due.deadline.astimezone(tz)
        day = "today" if due.due_on == today else short_day(due.due_on)
        if due.written:
            lines.append(f"  {who}: the check-in for {when} is written.")
        elif due.first:
            by = f" by {hhmm(due.by)}" if due.by else ""
            lines.append(f"  {who}: the first check-in is due {day}{by}.")
        elif due.passed:
            lines.append(f"  {who}: a check-in was due {day} at {hhmm(deadline.time())}.")
        else:
            by = f" by {due.by.strftime('%H:%M')}" if due.by else ""
            lines.append(f"  {who}: a check-in is due {when}{by}.")
    return lines


def _wish(q: dict[str, Any], names: dict[str, Partner], me: str | None) -> str:
    """ "; Alice hoped for an answer by Tue 24 Nov 12:00": an answer_by sooner than the
    agreed time is the asker's wish, never a deadline (SPEC section 10)."""
    if not q.get("wish"):
        return ""
    who = q["asked_by"]
    asker = "you" if who == me else (names[who].name if who in names else str(who))
    when = dt.datetime.fromisoformat(q["wish"]).strftime("%a %d %b %H:%M")
    return f"; {asker} hoped for an answer by {when}"


def _question_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    lines = ["Open questions:"]
    if not ov.open_questions:
        lines.append("  None open.")
    for q in ov.open_questions:
        answer_by = dt.datetime.fromisoformat(q["answer_by"]).strftime("%a %d %b %H:%M")
        mark = ("answer was due " if q["overdue"] else "answer by ") + answer_by
        if q.get("paused"):
            mark = "no answer is due while everything is paused"
        to = "you" if q["to"] == me else (names[q["to"]].name if q["to"] in names else q["to"])
        lines.append(f"  {q['id']} for {to}, {_ago(q['age_days'])}, {mark}{_wish(q, names, me)}.")
    return lines


def _agreement_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    lines = ["Agreements:"]
    if not ov.agreements.anything:
        lines.append("  Nothing due for review and nothing waiting for consent.")
    said = {pid: ("you" if pid == me else p.name) for pid, p in names.items()}
    tz = ov.now.tzinfo or dt.UTC
    lines += [f"  {line}" for line in agreement_lines(ov.agreements, said, tz, ask=False)]
    return lines


def _timeout_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    if not ov.open_timeouts:
        return []
    tz = ov.now.tzinfo or dt.UTC
    lines = ["Timeouts:"]
    for t in ov.open_timeouts:
        who = "You" if t.called_by == me else _name(names, t.called_by)
        lines.append(f"  {who}: {timeout_line(t, tz, ov.now)}")
    return lines


def _name(names: dict[str, Partner], pid: object) -> str:
    return names[pid].name if isinstance(pid, str) and pid in names else str(pid)


def _tail_lines(ov: Overview) -> list[str]:
    lines = []
    if ov.uncommitted:
        lines.append(
            f"Uncommitted: {plural(len(ov.uncommitted), 'change')} (openbook commit records them)."
        )
        lines += [f"  {path}" for path in ov.uncommitted[:10]]
    else:
        lines.append("Uncommitted: nothing, everything is in the log.")
    for path in ov.drafts[:10]:
        lines.append(f"Not shared: {path}, a draft (draft: true) that stays on this machine.")
    for item in ov.not_shared[:10]:
        lines.append(f"Not shared: {item['path']}, because {item['why']}. {item['fix']}")
    if len(ov.not_shared) > 10:
        lines.append(f"  and {plural(len(ov.not_shared) - 10, 'more file')} not shared.")
    lines += [f"Set aside: {text}" for text in ov.set_aside]
    if ov.last_sync:
        lines.append(f"Last sync: {_sync_when(ov)}, {ov.last_sync.get('result', '?')}.")
    else:
        lines.append("Last sync: never (openbook sync shares your notes with your partner).")
    return lines


def _sync_when(ov: Overview) -> str:
    raw = (ov.last_sync or {}).get("time")
    try:
        when = dt.datetime.fromisoformat(str(raw))
    except ValueError:
        return str(raw)
    tz = ov.now.tzinfo or dt.UTC
    return ago_text(when if when.tzinfo else when.replace(tzinfo=tz), ov.now, tz)


def status_lines(ov: Overview, names: dict[str, Partner], me: str | None) -> list[str]:
    """What `openbook status` says, line by line."""
    return [
        *_head_lines(ov, names, me),
        *_checkin_lines(ov, names, me),
        *_question_lines(ov, names, me),
        *_agreement_lines(ov, names, me),
        *_timeout_lines(ov, names, me),
        *_tail_lines(ov),
    ]


def log_lines(entries: list[LogEntry], *, filtered: bool) -> list[str]:
    """What `openbook log` says: one line per change, newest first, with its marks."""
    if not entries:
        return ["No changes match." if filtered else "No changes in the log yet."]
    lines = []
    for e in entries:
        when = dt.datetime.fromisoformat(e.date).strftime("%Y-%m-%d %H:%M")
        marks = ["deleted, still in history" if m == "deleted" else m for m in e.marks]
        mark = f"  [{', '.join(marks)}]" if marks else ""
        target = e.subject.split(": ", 1)[-1] if ": " in e.subject else e.subject
        lines.append(f"{when}  {e.sha[:7]}  {(e.partner or e.author):<8} {target}{mark}")
    return lines
