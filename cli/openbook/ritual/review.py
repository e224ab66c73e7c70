"""The monthly review: gather the month's facts and create its note, prefilled.

Every active (or paused) agreement gets a blank for keep / revise / relax / retire and
its "what would let us relax this"; the month at a glance is plain counts of what
happened. No scores, no comparisons between the partners.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.errors import NoteError, OpenbookError
from openbook.notetypes.registry import as_date
from openbook.ritual.agenda import (
    Notes,
    Window,
    _at,
    _checkins_of,
    _plural,
    _utc,
    count_checkins,
    last_meeting_of_month,
    plan_change_facts,
    question_facts,
    repair_facts,
    timeout_facts,
)
from openbook.vault import Vault

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> tuple[int, int]:
    m = MONTH.match(text.strip())
    if not m:
        raise OpenbookError(
            f"--month '{text}' is not a month like 2026-11; write the year, a dash and the month.",
            exit_code=2,
        )
    return int(m[1]), int(m[2])


def review_facts(
    vault: Vault, year: int, month: int, result: CheckResult | None = None
) -> dict[str, Any]:
    """The month at a glance and the agreements to review, as plain data."""
    cfg = vault.require_config()
    tz = cfg.tz
    result = result or check_vault(vault)
    notes = Notes.of(result)
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    end_dt = _at(end + dt.timedelta(days=1), dt.time(0, 0), tz)
    now = vault.now()
    as_of = now if _utc(now) < _utc(end_dt) else end_dt
    win = Window(start, end, as_of)
    names = {pid: p.name for pid, p in cfg.partners.items()}

    glance: list[str] = []
    by = _checkins_of(notes, tz)
    for pid in cfg.partners:
        c = count_checkins(cfg, pid, by.get(pid, []), start, end, as_of)
        sched = cfg.checkins.get(pid)
        if c.expected is None:
            glance.append(
                f"{names[pid]}: {_plural(c.received, 'check-in')} written "
                "(no schedule in openbook.yml)."
            )
        elif c.expected == 0:
            glance.append(f"{names[pid]}: no check-ins were due yet.")
        else:
            line = (
                f"{names[pid]}: {c.on_time} of {_plural(c.expected, 'check-in')} happened as agreed"
            )
            if c.late and sched and sched.by:
                line += f"; {c.late} more came after {sched.by.strftime('%H:%M')}"
            glance.append(line + ".")
    changes = plan_change_facts(notes, win, cfg)
    if changes:
        ahead = sum(1 for p in changes if p["ahead"])
        if ahead == len(changes):
            glance.append(
                "1 plan change, announced ahead."
                if ahead == 1
                else f"{ahead} plan changes, all announced ahead."
            )
        else:
            glance.append(f"{ahead} of {_plural(len(changes), 'plan change')} announced ahead.")
    questions = question_facts(notes, win, cfg)
    answered = questions["answered"]
    if answered:
        on_time = sum(1 for q in answered if q["on_time"])
        glance.append(
            f"{_plural(len(answered), 'answer')} given, {on_time} within the agreed time."
        )
    if questions["open"]:
        ids = ", ".join(str(q["id"]) for q in questions["open"])
        glance.append(f"Still open at the end of the month: {ids}.")
    timeouts = timeout_facts(notes, win, cfg)
    if timeouts:
        back = sum(1 for t in timeouts if t["on_time"])
        glance.append(f"{back} of {_plural(len(timeouts), 'timeout')} returned on time.")
    repairs = repair_facts(notes, win)
    setbacks = [s for s in repairs["setbacks"] if win.holds(as_date(s["date"]))]
    if setbacks:
        own = sum(1 for s in setbacks if s["self_reported"])
        glance.append(f"{_plural(len(setbacks), 'setback')}, {own} self-reported.")
    if repairs["processed"]:
        glance.append(f"{_plural(len(repairs['processed']), 'repair')} processed together.")
    meetings = [n for n in notes.get("meeting") if win.holds(as_date(n.meta.get("date")))]
    glance.append(f"{_plural(len(meetings), 'weekly meeting')} held.")

    agreements = []
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        if m.get("status") not in ("active", "paused"):
            continue
        relax = m.get("relax_when")
        nr = as_date(m.get("next_review"))
        agreements.append(
            {
                "id": str(m.get("id")),
                "title": str(m.get("title") or m.get("id")),
                "status": m.get("status"),
                "path": n.path,
                "relax_when": str(relax).strip() if relax else None,
                "next_review": nr.isoformat() if nr else None,
            }
        )
    challenges = [r["title"] for r in repairs["open"]]
    return {
        "period": f"{year:04d}-{month:02d}",
        "month_text": f"{calendar.month_name[month]} {year}",
        "date": last_meeting_of_month(year, month, cfg.meeting_on).isoformat(),
        "partners": names,
        "glance": glance,
        "agreements": agreements,
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
