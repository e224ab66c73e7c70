"""The monthly review: gather the month's facts and create its note, prefilled.

Every active (or paused) agreement gets a blank for keep / revise / relax / retire, its
"what would let us relax this" and its sunset; the safeguards relaxed so far are listed
as steps taken together, never counted; the month at a glance is plain counts of what
happened. No scores, no comparisons between the partners.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.config import Config
from openbook.errors import EXIT_USAGE, OpenbookError
from openbook.notetypes.registry import as_date
from openbook.record.create import save_note
from openbook.ritual.calendar import (
    at,
    fmt_day,
    last_meeting_of_month,
    local_day,
    month_days,
    month_text,
    utc,
)
from openbook.ritual.counting import Counting, checkins_by_author, count_checkins
from openbook.ritual.events import relaxed_agreements, repair_facts, timeout_facts
from openbook.ritual.facts import Notes, Window, plan_change_facts, question_facts
from openbook.ritual.history import counting_model, read_history
from openbook.ritual.wording import checkins_line, relaxed_line, written_later_lines
from openbook.vault import Vault
from openbook.words import plural

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
REVIEW_EXISTS = "This month's review is already started; open it to carry on."
GLANCE = re.compile(r"^## The month at a glance[ \t]*$", re.M)
NEXT_SECTION = re.compile(r"^## ", re.M)
UP_TO = re.compile(r"^\*Written before the month is over: it counts up to [^*\n]*\.\*$", re.M)


def parse_month(text: str) -> tuple[int, int]:
    m = MONTH.match(text.strip())
    if not m:
        raise OpenbookError(
            f"--month '{text}' is not a month like 2026-11; write the year, a dash and the month.",
            exit_code=EXIT_USAGE,
        )
    return int(m[1]), int(m[2])


@dataclass
class ReviewFacts:
    cfg: Config
    notes: Notes
    model: Counting
    win: Window
    open: bool  # the month is not over yet: it counts up to today


def _checkin_lines(f: ReviewFacts) -> list[str]:
    """Each partner against their own schedule, as plain counts of the period."""
    lines = []
    by = checkins_by_author(f.notes.get("checkin"))
    for pid, partner in f.cfg.partners.items():
        c = count_checkins(f.model, pid, by.get(pid, []), f.win.start, f.win.end, f.win.as_of)
        scheduled = f.model.schedules.in_force(pid, f.model.now) is not None
        line = checkins_line(c, f.cfg.tz, yet=f.open, scheduled=scheduled)
        lines.append(f"{partner.name}: {line[0].lower() + line[1:] if line[:3] == 'No ' else line}")
        lines += written_later_lines(c, f.cfg.tz)
    return lines


def _event_lines(f: ReviewFacts) -> tuple[list[str], list[str]]:
    """The period's plan changes, answers, timeouts, setbacks, repairs and meetings, as
    plain counts of what happened; and the titles of the repairs still open."""
    cfg, notes, win = f.cfg, f.notes, f.win
    lines = []
    meetings = [n for n in notes.get("meeting") if win.holds(as_date(n.meta.get("date")))]
    if meetings:
        lines.append(f"{plural(len(meetings), 'weekly meeting')} held.")
    changes = plan_change_facts(notes, win, cfg, f.model)
    if changes:
        ahead = sum(1 for p in changes if p.ahead)
        lines.append(
            f"{plural(len(changes), 'plan change')}"
            + (f", {ahead} announced ahead." if ahead else ".")
        )
    questions = question_facts(notes, win, cfg, f.model)
    if questions.answered:
        on_time = sum(1 for q in questions.answered if q.on_time)
        lines.append(
            f"{plural(len(questions.answered), 'answer')} given"
            + (f", {on_time} within the agreed time." if on_time else ".")
        )
    if questions.open:
        ids = ", ".join(str(q.id) for q in questions.open)
        lines.append(f"Still open {'now' if f.open else 'at the end of the month'}: {ids}.")
    timeouts = timeout_facts(notes, win, cfg)
    back = [t for t in timeouts if t.returned is not None]
    if back:
        lines.append(f"Came back from {plural(len(back), 'timeout')}.")
    repairs = repair_facts(notes, win, list(cfg.partners))
    setbacks = [s for s in repairs.setbacks if win.holds(s.date)]
    if setbacks:
        own = sum(1 for s in setbacks if s.self_reported)
        lines.append(
            f"{plural(len(setbacks), 'setback')}" + (f", {own} self-reported." if own else ".")
        )
    if repairs.processed:
        lines.append(f"{plural(len(repairs.processed), 'repair')} processed together.")
    return lines, [r.title for r in repairs.open]


def _agreements_to_review(notes: Notes, end: dt.date) -> list[dict[str, Any]]:
    """Each active or paused agreement: what would let us relax it, and its sunset (the
    date the couple set to look at ending it; `sunset_reached` once the month got there)."""
    out = []
    words = {w.path: w for w in notes.words if w.changed_after}
    for n in sorted(notes.get("agreement"), key=lambda x: str(x.meta.get("id"))):
        m = n.meta
        if m.get("status") not in ("active", "paused"):
            continue
        change = words.get(n.path)  # its words in force; a change waits for consent
        relax = m.get("relax_when")
        nr = as_date(m.get("next_review"))
        sunset = as_date(m.get("sunset"))
        out.append(
            {
                "id": str(m.get("id")),
                "title": str(m.get("title") or m.get("id")),
                "status": m.get("status"),
                "path": n.path,
                "relax_when": str(relax).strip() if relax else None,
                "next_review": nr.isoformat() if nr else None,
                "sunset": sunset.isoformat() if sunset else None,
                "sunset_text": fmt_day(sunset) if sunset else None,
                "sunset_reached": sunset is not None and sunset <= end,
                "changed_after": change.changed_after if change else [],
                "waiting_for": change.waiting_for if change else [],
            }
        )
    return out


def review_window(model: Counting, year: int, month: int) -> tuple[Window, bool]:
    """The days of the month the review counts: from its first day (or the vault's) up to
    its last day, or up to today while the month is not over."""
    tz = model.tz
    start, end = month_days(year, month)
    if model.first_day is not None and start < model.first_day <= end:
        start = model.first_day
    end_dt = at(end + dt.timedelta(days=1), dt.time(0, 0), tz)
    now = model.now
    if utc(now) < utc(end_dt):
        today = local_day(now, tz)
        return Window(start, max(start, min(today, end)), now), True
    return Window(start, end, end_dt), False


def review_facts(
    vault: Vault, year: int, month: int, result: CheckResult | None = None
) -> dict[str, Any]:
    """The month at a glance and the agreements to review, as plain data."""
    cfg = vault.require_config()
    result = result or check_vault(vault)
    hist = read_history(vault)
    notes = Notes.of(result)
    model = counting_model(vault, hist, notes)
    win, is_open = review_window(model, year, month)
    f = ReviewFacts(cfg, notes, model, win, is_open)
    events, challenges = _event_lines(f)
    up_to = f"{win.end.day} {calendar.month_name[win.end.month]}" if is_open else None
    return {
        "period": f"{year:04d}-{month:02d}",
        "month_text": month_text(year, month),
        "date": last_meeting_of_month(year, month, cfg.meeting_on).isoformat(),
        "counted": {"start": win.start.isoformat(), "end": win.end.isoformat()},
        "up_to": up_to,
        "partners": {pid: p.name for pid, p in cfg.partners.items()},
        "glance": _checkin_lines(f) + events,
        "agreements": _agreements_to_review(f.notes, win.end),
        "relaxed": [
            relaxed_line(r)
            for r in relaxed_agreements(f.notes, hist.actions, cfg.tz)
            if r.day is None or r.day <= win.end
        ],
        "open_repairs": challenges,
    }


def review_path(period: str) -> str:
    return f"reviews/{period}.md"


def _glance_span(text: str) -> tuple[int, int] | None:
    """Where the month-at-a-glance section's lines sit in `text` (after its heading)."""
    head = GLANCE.search(text)
    if head is None:
        return None
    nxt = NEXT_SECTION.search(text, head.end())
    return head.end(), nxt.start() if nxt else len(text)


def refreshed_text(old: str, fresh: str) -> str | None:
    """The review `old` with the counts of `fresh` (its "up to" line and its month at a
    glance), everything the couple wrote kept; None when `old` has no such section."""
    old = old.replace("\r\n", "\n")
    mine, theirs = _glance_span(old), _glance_span(fresh)
    if mine is None or theirs is None:
        return None
    text = old[: mine[0]] + fresh[theirs[0] : theirs[1]] + old[mine[1] :]
    up_to = UP_TO.search(fresh)
    if up_to is not None:
        text = UP_TO.sub(lambda _: up_to.group(0), text, count=1)
    return text


def refresh_review(vault: Vault, partner: str, path: str, fresh: str) -> str:
    """Bring an early review's counts up to date and commit that; the commit that holds
    the review as it is when nothing changed."""
    from openbook.check.note import validate_note
    from openbook.fsutil import atomic_write, safe_relpath
    from openbook.git import ledger
    from openbook.git import repo as gitrepo
    from openbook.notes.parse import parse_bytes

    full = safe_relpath(vault.root, path)
    if full.is_symlink():
        raise OpenbookError(f"{path} is a symbolic link; openbook refuses links.")
    if gitrepo.status(vault.root, path):
        raise OpenbookError(
            f"{path} has changes not committed yet, so its counts were not refreshed; "
            f"commit them first (openbook commit), then run 'openbook review' again."
        )
    old = full.read_bytes().decode("utf-8")
    text = refreshed_text(old, fresh)
    if text is None:
        raise OpenbookError(
            f"{path} has no '## The month at a glance' section, so its counts were not "
            "refreshed; add that heading back, then run 'openbook review' again."
        )
    if text == old:
        return gitrepo.out(vault.root, "log", "-1", "--format=%H", "--", path).strip()
    checked = validate_note(parse_bytes(path, text.encode("utf-8")), vault.config)
    errors = [p for p in checked.problems if p.severity == "error"]
    if errors:
        raise OpenbookError(
            f"{path} was not refreshed: it has an error ({errors[0].message}); "
            f"run 'openbook check {path}'."
        )
    atomic_write(full, text.encode("utf-8"))
    return ledger.record(vault, partner, "edit", "review", [path], path)


def create_review(
    vault: Vault, partner: str, month: tuple[int, int] | None = None
) -> tuple[str, str]:
    """Write reviews/YYYY-MM.md prefilled from the vault and commit it. Before the month
    is over, running it again brings the existing review's counts up to date (a new
    commit); once the month is over, it never overwrites."""
    from openbook.render import render

    vault.require_writable()
    cfg = vault.require_config()
    if month is None:
        today = vault.today()
        month = (today.year, today.month)
    with vault.lock():
        facts = review_facts(vault, *month)
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
        body = render(
            vault.root, "monthly-review.md.j2", {"r": facts}, overrides=vault.terms().templates
        )
        path = review_path(facts["period"])
        if facts["up_to"] is not None and (vault.root / path).is_file():
            return path, refresh_review(vault, partner, path, body)
        created = save_note(vault, partner, meta, body, exists_hint=REVIEW_EXISTS)
    return created.path, created.commit
