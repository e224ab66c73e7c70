"""The monthly review: gather the month's facts and create its note, prefilled.

Every active (or paused) agreement gets a blank for keep / revise / relax / retire and
its "what would let us relax this"; the month at a glance is plain counts of what
happened. No scores, no comparisons between the partners.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.config import Config
from openbook.errors import EXIT_USAGE, NoteError, OpenbookError
from openbook.notetypes.registry import as_date
from openbook.ritual.agenda import plan_changes_line
from openbook.ritual.calendar import (
    at,
    hhmm,
    last_meeting_of_month,
    month_days,
    month_text,
    utc,
)
from openbook.ritual.counting import checkins_by_author, count_checkins
from openbook.ritual.facts import (
    Notes,
    Window,
    plan_change_facts,
    question_facts,
    repair_facts,
    timeout_facts,
)
from openbook.vault import Vault
from openbook.words import plural

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    m = MONTH.match(text.strip())
    if not m:
        raise OpenbookError(
            f"--month '{text}' is not a month like 2026-11; write the year, a dash and the month.",
            exit_code=EXIT_USAGE,
        )
    return int(m[1]), int(m[2])


def _checkin_lines(cfg: Config, notes: Notes, win: Window) -> list[str]:
    """Each partner against their own schedule, as plain counts."""
    lines = []
    by = checkins_by_author(notes.get("checkin"))
    for pid, partner in cfg.partners.items():
        c = count_checkins(cfg, pid, by.get(pid, []), win.start, win.end, win.as_of)
        sched = cfg.checkins.get(pid)
        if c.expected is None:
            lines.append(
                f"{partner.name}: {plural(c.received, 'check-in')} written "
                "(no schedule in openbook.yml)."
            )
        elif c.expected == 0:
            lines.append(f"{partner.name}: no check-ins were due yet.")
        else:
            line = (
                f"{partner.name}: {c.on_time} of {plural(c.expected, 'check-in')} "
                "happened as agreed"
            )
            if c.late and sched and sched.by:
                line += f"; {c.late} more came after {hhmm(sched.by)}"
            lines.append(line + ".")
    return lines


def _event_lines(cfg: Config, notes: Notes, win: Window) -> tuple[list[str], list[str]]:
    """The month's plan changes, answers, timeouts, setbacks, repairs and meetings, as
    plain counts; and the titles of the repairs still open."""
    lines = []
    changes = plan_change_facts(notes, win, cfg)
    if changes:
        lines.append(plan_changes_line(changes))
    questions = question_facts(notes, win, cfg)
    if questions.answered:
        on_time = sum(1 for q in questions.answered if q.on_time)
        lines.append(
            f"{plural(len(questions.answered), 'answer')} given, {on_time} within the agreed time."
        )
    if questions.open:
        ids = ", ".join(str(q.id) for q in questions.open)
        lines.append(f"Still open at the end of the month: {ids}.")
    timeouts = timeout_facts(notes, win, cfg)
    if timeouts:
        back = sum(1 for t in timeouts if t.on_time)
        lines.append(f"{back} of {plural(len(timeouts), 'timeout')} returned on time.")
    repairs = repair_facts(notes, win)
    setbacks = [s for s in repairs.setbacks if win.holds(s.date)]
    if setbacks:
        own = sum(1 for s in setbacks if s.self_reported)
        lines.append(f"{plural(len(setbacks), 'setback')}, {own} self-reported.")
    if repairs.processed:
        lines.append(f"{plural(len(repairs.processed), 'repair')} processed together.")
    meetings = [n for n in notes.get("meeting") if win.holds(as_date(n.meta.get("date")))]
    lines.append(f"{plural(len(meetings), 'weekly meeting')} held.")
    return lines, [r.title for r in repairs.open]


def _agreements_to_review(notes: Notes) -> list[dict[str, Any]]:
    out = []
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        if m.get("status") not in ("active", "paused"):
            continue
        relax = m.get("relax_when")
        nr = as_date(m.get("next_review"))
        out.append(
            {
                "id": str(m.get("id")),
                "title": str(m.get("title") or m.get("id")),
                "status": m.get("status"),
                "path": n.path,
                "relax_when": str(relax).strip() if relax else None,
                "next_review": nr.isoformat() if nr else None,
            }
        )
    return out


def review_facts(
    vault: Vault, year: int, month: int, result: CheckResult | None = None
) -> dict[str, Any]:
    """The month at a glance and the agreements to review, as plain data."""
    cfg = vault.require_config()
    result = result or check_vault(vault)
    notes = Notes.of(result)
    start, end = month_days(year, month)
    end_dt = at(end + dt.timedelta(days=1), dt.time(0, 0), cfg.tz)
    now = vault.now()
    win = Window(start, end, now if utc(now) < utc(end_dt) else end_dt)
    events, challenges = _event_lines(cfg, notes, win)
    return {
        "period": f"{year:04d}-{month:02d}",
        "month_text": month_text(year, month),
        "date": last_meeting_of_month(year, month, cfg.meeting_on).isoformat(),
        "partners": {pid: p.name for pid, p in cfg.partners.items()},
        "glance": _checkin_lines(cfg, notes, win) + events,
        "agreements": _agreements_to_review(notes),
        "open_repairs": challenges,
    }


def review_path(period: str) -> str:
    return f"reviews/{period}.md"


def create_review(
    vault: Vault, partner: str, month: tuple[int, int] | None = None
) -> tuple[str, str]:
    """Write reviews/YYYY-MM.md prefilled from the vault and commit it. Never overwrites."""
    from openbook.check.note import validate_note
    from openbook.fsutil import atomic_write, safe_relpath
    from openbook.git import ledger
    from openbook.notes.parse import parse_bytes, render_note
    from openbook.render import render

    vault.require_writable()
    cfg = vault.require_config()
    if month is None:
        today = vault.today()
        month = (today.year, today.month)
    with vault.lock():
        facts = review_facts(vault, *month)
        rel = review_path(facts["period"])
        full = safe_relpath(vault.root, rel)
        if full.exists() or full.is_symlink():
            raise NoteError(
                f"{rel} already exists, so this month's review is already "
                "started; openbook never overwrites it. Open it to carry on."
            )
        meta: dict[str, Any] = {
            "type": "review",
            "period": facts["period"],
            "date": dt.date.fromisoformat(facts["date"]),
            "participants": sorted(cfg.partners),
            "agreements": {a["id"]: None for a in facts["agreements"]} or {},
            "wins": [],
            "challenges": [],
            "commitments": [],
        }
        body = render(vault.root, "monthly-review.md.j2", {"r": facts})
        text = render_note(meta, body)
        note = validate_note(parse_bytes(rel, text.encode("utf-8")), cfg)
        errors = [p for p in note.problems if p.severity == "error"]
        if errors:
            raise NoteError(f"{rel} was not written: {errors[0].message}.")
        atomic_write(full, text.encode("utf-8"), exclusive=True)
        sha = ledger.record(vault, partner, "new", "review", [rel], rel)
    return rel, sha
