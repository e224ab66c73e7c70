"""The weekly agenda: the period's facts as sentences and plain data, one function per
section, rendered as Markdown, a printable HTML page or JSON.

The same plain data (dicts of strings, numbers and lists) feeds both templates and
`--format json`. Sentences shared with the review and `status` are in wording.py,
counting is in counting.py, reading the notes in facts.py and events.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.check.result import CheckResult
from openbook.errors import OpenbookError
from openbook.notetypes.registry import is_conflict_copy, iso_week
from openbook.ritual.agenda_facts import (  # noqa: F401 (importable from here too)
    MAX_PERIOD_DAYS,
    AgendaFacts,
    gather_week,
    good_time_lines,
    period_start,
    unconfirmed_notices,
    with_marks,
)
from openbook.ritual.agenda_short import POSTPONE, SHORT_SECTIONS, cannot_wait
from openbook.ritual.agreements import agreement_lines
from openbook.ritual.aside import set_aside_texts
from openbook.ritual.calendar import (
    fmt_day,
    fmt_dt,
    hhmm,
    local_day,
    next_review_meeting,
    short_day,
)
from openbook.ritual.chart import chart_rows, checkin_weeks
from openbook.ritual.events import Repair, review_choices
from openbook.ritual.facts import (
    Topic,
    appreciations,
    discuss_topics,
    language_facts,
    to_data,
)
from openbook.ritual.remembered import fingerprint_digits
from openbook.ritual.wording import (
    checkins_line,
    kept_line,
    landed_text,
    plan_changes_line,
    relaxed_line,
    review_choice_line,
    schedule_text,
    timeout_line,
    written_later_lines,
)
from openbook.vault import Vault
from openbook.words import plural

SHORT_MINUTES = 20
CLOSE_QUESTION = "What can I do to make you feel loved this week?"
FORMATS = ("md", "html", "json")
SECTIONS = [
    "opening",
    "appreciations",
    "went_right",
    "transparency",
    "open_questions",
    "agreements",
    "week_ahead",
    "one_topic",
    "close",
]


def build_agenda(
    vault: Vault,
    *,
    day: dt.date | None = None,
    short: bool = False,
    result: CheckResult | None = None,
) -> dict[str, Any]:
    """The period's facts as plain data: what the templates receive and `--json` prints.
    The short form's page shows only its four sections: no counts, no topic, no repairs."""
    f = gather_week(vault, day, short, result)
    topics = _topics(f)
    ag = f.agreements
    data = {
        **_opening(f, set_aside_texts(vault)),
        "sections": SECTIONS,
        "appreciations": with_marks(f, to_data(appreciations(f.notes, f.win))),
        "went_right": _went_right(f),
        "checkins": _checkin_counts(f),
        "transparency": [_transparency(f, pid) for pid in f.cfg.partners],
        "plan_changes": [p.path for p in f.plan_changes],
        "plan_change_details": to_data(f.plan_changes),
        "setbacks": to_data(f.repairs.setbacks),
        "timeouts": to_data(f.timeouts),
        "open_timeouts": to_data(f.open_timeouts),
        "open_questions": to_data(f.questions.open),
        "questions_with_therapist": [q.id for q in f.questions.therapist],
        "with_therapist": [
            f"{q.id} (moved by {f.name(q.moved_by)})" if q.moved_by else str(q.id)
            for q in f.questions.therapist
        ],
        "questions_answered": to_data(f.questions.answered),
        "agreements_due": [a.id for a in ag.due],
        "agreements_proposed": [a.id for a in ag.proposed],
        "agreements_paused": [a.id for a in ag.paused],
        "agreements_retiring": [a.id for a in ag.retiring],
        "agreements_deleted": [a.id for a in ag.deleted],
        "agreement_details": to_data(ag),
        "agreement_lines": agreement_lines(ag, f.names, f.cfg.tz)
        + [review_choice_line(c) for c in review_choices(f.notes)],
        "week_ahead": _week_ahead(f),
        "topic": topics[0] if topics else None,
        "queued_topics": topics[1:],
        "close": _close(f),
        "fingerprint": _fingerprint(vault),
        "checkin_weeks": checkin_weeks(f.model, f.checkins_by, f.meeting, f.win.as_of),
    }
    if short:
        data.update(_short(f))
    return data


def _short(f: AgendaFacts) -> dict[str, Any]:
    """What the short form shows: its four sections. The data keeps every key of the full
    form (SPEC section 6: at least these keys), but the page shows no count, no topic and
    no repair."""
    return {
        "sections": SHORT_SECTIONS,
        "cannot_wait": cannot_wait(
            f.questions.open,
            f.open_timeouts,
            f.landed,
            f.cfg.tz,
            f.win.as_of,
            paused=bool(f.consent.get("paused")),
        ),
        "postpone": POSTPONE,
    }


# --------------------------------------------------------------------- sections


def _opening(f: AgendaFacts, set_aside: list[str]) -> dict[str, Any]:
    failed = sorted(f.result.failed_paths())
    notices: list[str] = []
    if failed:
        notices.append(
            f"{plural(len(failed), 'note')} could not be read and "
            f"{'is' if len(failed) == 1 else 'are'} left out; run openbook check."
        )
    notices += [o.message for o in f.questions.odd]
    notices += [c["text"] for c in f.consent.values() if c]
    notices += _unverified(f)
    notices += unconfirmed_notices(f)
    notices += set_aside  # what the last sync merged but set aside (SPEC 5)
    copies = sorted(p for p in f.paths if is_conflict_copy(p))
    return {
        "date": f.meeting.isoformat(),
        "date_text": fmt_day(f.meeting),
        "time": hhmm(f.cfg.meeting_at),
        "week": iso_week(f.meeting),
        "period": {"start": f.win.start.isoformat(), "end": f.win.end.isoformat()},
        "period_text": f"{short_day(f.win.start)} to {short_day(f.win.end)}",
        "as_of": f.win.as_of.isoformat(),
        "last_meeting": f.last.isoformat() if f.last else None,
        "welcome_back": f.welcome,
        "format": "short" if f.short else "full",
        "minutes": SHORT_MINUTES if f.short else f.cfg.meeting_minutes,
        "partners": f.names,
        "language": to_data(language_facts(f.notes)),
        "conflict_copies": copies,
        "invalid_notes": failed,
        "notices": notices,
        **f.consent,
    }


def _unverified(f: AgendaFacts) -> list[str]:
    """Notes written by commits taken in without proof (`sync --accept-unverified`)."""
    return [
        f"{path} was written by {plural(len(shas), 'commit')} taken in without proof "
        f"({', '.join(s[:7] for s in shas)}): unverified, nothing it claims counts."
        for path, shas in sorted(f.unverified.items())
        if path in f.paths
    ]


def _checkin_counts(f: AgendaFacts) -> dict[str, dict[str, Any]]:
    return {
        pid: {
            "expected": c.expected,
            "received": c.received,
            "late": c.late,
            "written_later": c.written_later,
            "schedule": schedule_text(f.model.schedules.in_force(pid, f.model.now)),
            "late_paths": c.late_paths,
        }
        for pid, c in f.counts.items()
    }


def _transparency(f: AgendaFacts, pid: str) -> dict[str, Any]:
    """One partner's check-ins against their own schedule, plan changes, setbacks and
    timeouts still waiting for a return: plain facts."""
    tz = f.cfg.tz
    count = f.counts[pid]
    yet = f.win.end >= local_day(f.model.now, tz)
    scheduled = f.model.schedules.in_force(pid, f.model.now) is not None
    lines = [
        checkins_line(count, tz, yet=yet, scheduled=scheduled),
        *written_later_lines(count, tz),
    ]
    for p in f.plan_changes:
        if p.author != pid:
            continue
        when = fmt_dt(p.plan_at, tz)
        if p.ahead:
            lines.append(f"Plan change for {when}, announced {p.notice} ahead ({p.path}).")
        else:
            lines.append(f"Plan change for {when}, told after the plan time ({p.path}).")
    for s in f.repairs.setbacks:
        if s.author == pid:
            how = "self-reported" if s.self_reported else "not self-reported"
            lines.append(f"Setback on {s.date.isoformat()}, {how}, {s.status} ({s.path}).")
    for t in f.open_timeouts:
        if t.called_by == pid:
            lines.append(timeout_line(t, tz, f.win.as_of))
    return {"partner": pid, "name": f.name(pid), "lines": lines}


def sentence(text: str) -> str:
    """`text` as written, ending in a full stop unless it already ends a sentence."""
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _went_right(f: AgendaFacts) -> list[str]:
    """Only what went right: first what the couple did together, then commitments kept,
    as plain counts of the period. A partner with none kept is simply not listed."""
    lines = []
    if f.last is not None and f.welcome is None:
        lines.append(f"We held our weekly meeting on {short_day(f.last)}.")
    lines += good_time_lines(f)
    back = [t for t in f.timeouts if t.returned is not None]
    if back:
        on_time = sum(1 for t in back if t.on_time)
        how = "on time" if on_time == len(back) else f"{on_time} on time" if on_time else ""
        came = f"Came back from {plural(len(back), 'timeout')}"
        lines.append(came + (f", {how}." if how else "."))
    lines += [f"Repair processed together: {r.title}." for r in f.repairs.processed]
    lines += [relaxed_line(r) for r in f.relaxed if f.win.holds(r.day)]
    lines += [f"{q.id}: the answer helped." for q in f.questions.answered if q.landed == "helped"]
    for pid, c in f.counts.items():
        kept = kept_line(f.name(pid), c)
        if kept:
            lines.append(kept)
    ahead = plan_changes_line(f.plan_changes)
    if ahead:
        lines.append(ahead)
    for q in f.questions.answered:
        if q.on_time:
            took = f" after {q.took}" if q.took else ""
            lines.append(f"{q.id} was answered{took}, within the agreed time.")
    return lines


def _repair_title(f: AgendaFacts, r: Repair) -> str:
    """A repair one partner has said is processed names who is still to say so."""
    said = [f.name(p) for p in f.cfg.partners if p not in r.waiting_for]
    if not r.waiting_for:
        return r.title
    if not said:  # marked processed, but by no one's own word yet (or from before)
        return (
            f"{r.title} (marked {r.status}; it is, once each of you adds your id to processed_by)"
        )
    waiting = ", ".join(f.name(p) for p in r.waiting_for)
    return f"{r.title} ({' and '.join(said)} said it is processed; not yet {waiting})"


def _topics(f: AgendaFacts) -> list[dict[str, Any]]:
    """One topic and the queue: open setbacks, open repairs, answers after which there is
    something to talk about, `discuss` items, then answers that landed hard (offered,
    never pressed: only if both want to)."""
    open_repairs = f.repairs.open
    ordered = [r for r in open_repairs if r.kind == "setback"]
    ordered += [r for r in open_repairs if r.kind != "setback"]
    candidates = [
        Topic(
            "setback" if r.kind == "setback" else "repair",
            _repair_title(f, r),
            r.path,
            r.date,
            r.author,
        )
        for r in ordered
    ]

    def answers(landed: str) -> list[Topic]:
        return [
            Topic("answer", landed_text(a), a.path, local_day(a.answered, f.cfg.tz), None)
            for a in f.landed
            if a.landed == landed
        ]

    candidates += answers("need-to-talk")
    candidates += discuss_topics(f.notes, f.win)
    candidates += answers("hurt-more")
    return with_marks(f, [to_data(t) for t in candidates])


def _week_ahead(f: AgendaFacts) -> list[str]:
    tz = f.cfg.tz
    week_end = f.meeting + dt.timedelta(days=7)
    lines = []
    for pid in f.cfg.partners:
        sched_text = schedule_text(f.model.schedules.in_force(pid, f.model.now))
        if sched_text:
            lines.append(f"{f.name(pid)} checks in {sched_text}.")
    for a in f.agreements.upcoming:
        lines.append(f"{a.id} {a.title} is due for review on {a.next_review.isoformat()}.")
    for q in f.questions.open:
        if not q.overdue and not q.paused and local_day(q.answer_by, tz) <= week_end:
            lines.append(f"{q.id}: answer due {fmt_dt(q.answer_by, tz)}.")
    return lines


def _close(f: AgendaFacts) -> dict[str, Any]:
    review_day = next_review_meeting(f.meeting, f.cfg.meeting_on)
    next_meeting = f.meeting + dt.timedelta(days=7)
    at_time = hhmm(f.cfg.meeting_at)
    return {
        "question": CLOSE_QUESTION,
        "next_meeting": f"{next_meeting.isoformat()} {at_time}",
        "next_meeting_text": f"{fmt_day(next_meeting)} at {at_time}",
        "next_review": review_day.isoformat(),
        "next_review_text": fmt_day(review_day),
        "is_review": review_day == f.meeting,
    }


def _fingerprint(vault: Vault) -> str | None:
    """The digits of the shared log to read out at the Close (section 7)."""
    return fingerprint_digits(vault)


# -------------------------------------------------------------------- rendering


def render_agenda(vault: Vault, data: dict[str, Any], fmt: str = "md") -> str:
    """The agenda as Markdown, a printable HTML page or JSON."""
    if fmt == "json":
        import json

        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from openbook.render import render

    if fmt == "html":
        return render(
            # never a vault's override: the page's head and Content-Security-Policy are
            # openbook's own, so a template from the partner can never add a script
            None,
            "agenda.html.j2",
            {"a": data, "chart": chart_rows(data)},
            autoescape=True,
        )
    if fmt == "md":
        return render(vault.root, "agenda.md.j2", {"a": data}, overrides=vault.terms().templates)
    raise OpenbookError(f"unknown agenda format '{fmt}'; use md, html or json.")
