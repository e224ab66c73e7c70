"""What the couple went through together: timeouts (and those still open), repairs and
setbacks, safeguards relaxed. Read once from the notes, as typed facts (see facts.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openbook.config import Config
from openbook.notes.parse import Note
from openbook.notetypes.registry import as_date, as_datetime
from openbook.notetypes.repair import DONE, waiting_for
from openbook.ritual.calendar import local_day, utc
from openbook.ritual.facts import Notes, Window
from openbook.ritual.notetext import as_list, first_title

OPEN_TIMEOUT_SHOWN = dt.timedelta(days=7)


@dataclass
class Timeout:
    path: str
    called_by: Any
    called: dt.datetime
    return_by: dt.datetime
    returned: dt.datetime | None
    on_time: bool


def _timeouts(notes: Notes, cfg: Config) -> list[Timeout]:
    tz = cfg.tz
    out = []
    for n in notes.get("timeout"):
        m = n.meta
        called = as_datetime(m.get("called"), tz)
        return_by = as_datetime(m.get("return_by"), tz)
        if called is None or return_by is None:
            continue
        returned = as_datetime(m.get("returned"), tz)
        on_time = returned is not None and utc(returned) <= utc(return_by)
        out.append(Timeout(n.path, m.get("called_by"), called, return_by, returned, on_time))
    out.sort(key=lambda t: (t.called.isoformat(), t.path))
    return out


def timeout_facts(notes: Notes, win: Window, cfg: Config) -> list[Timeout]:
    """The timeouts called in the window."""
    return [t for t in _timeouts(notes, cfg) if win.holds(local_day(t.called, cfg.tz))]


def open_timeouts(notes: Notes, cfg: Config, as_of: dt.datetime) -> list[Timeout]:
    """Timeouts called by `as_of` (within the last week) with no return recorded yet."""
    return [
        t
        for t in _timeouts(notes, cfg)
        if t.returned is None and t.called <= as_of and as_of - t.called <= OPEN_TIMEOUT_SHOWN
    ]


@dataclass
class Repair:
    path: str
    title: str
    date: dt.date
    author: Any
    kind: Any
    status: Any
    self_reported: bool
    agreements: list[str]
    waiting_for: list[str] = field(default_factory=list)  # marked done, not yet by these


@dataclass
class Repairs:
    setbacks: list[Repair] = field(default_factory=list)
    processed: list[Repair] = field(default_factory=list)
    open: list[Repair] = field(default_factory=list)


def _repair_label(n: Note) -> str:
    title = n.meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    heading = first_title(n.body)
    if heading:
        return heading
    day = as_date(n.meta.get("date"))
    kind = n.meta.get("kind") or "repair"
    return f"{kind} of {day.isoformat()}" if day else str(kind)


def repair_facts(notes: Notes, win: Window, partners: list[str]) -> Repairs:
    """Setbacks, open repairs and those processed in the window: processed (or archived)
    only once both partners' own commits listed them in `processed_by` (SPEC 10)."""
    out = Repairs()
    for n in sorted(notes.get("repair"), key=lambda x: (str(x.meta.get("date")), x.path)):
        m = n.meta
        day = as_date(m.get("date"))
        if day is None or day > win.end:
            continue
        agreements = [a for a in as_list(m.get("agreements")) if isinstance(a, str)]
        entry = Repair(
            n.path,
            _repair_label(n),
            day,
            m.get("author"),
            m.get("kind"),
            m.get("status"),
            bool(m.get("self_reported")),
            agreements,
        )
        done = m.get("status") in DONE
        entry.waiting_for = waiting_for(m, partners) if done else []
        still_open = m.get("status") == "open" or bool(entry.waiting_for)
        if m.get("kind") == "setback" and (win.holds(day) or still_open):
            out.setbacks.append(entry)
        if still_open:
            out.open.append(entry)
        elif done and win.holds(as_date(m.get("processed"))):
            out.processed.append(entry)
    return out


# ------------------------------------------------------------- safeguards relaxed

NOT_SAFEGUARDS = ("ritual", "change", "healing")  # agreement kinds that watch nobody


@dataclass
class Relaxed:
    """A safeguard the couple relaxed together: retired by both, given way to a newer
    agreement (`supersedes`) both accepted, or marked `relax` in a monthly review."""

    id: str
    title: str
    path: str | None
    how: str  # retired, replaced or relax
    day: dt.date | None  # when, where the notes or the history show it
    by: str | None = None  # replaced: the id and title of the agreement that followed


def _safeguard(n: Note) -> bool:
    return n.meta.get("kind") not in NOT_SAFEGUARDS


def relaxed_agreements(
    notes: Notes, actions: Mapping[str, Mapping[str, dt.datetime]], tz: dt.tzinfo
) -> list[Relaxed]:
    """Every safeguard relaxed so far, once each, oldest first (undated ones last).
    `actions` is the history's agreements/ path -> action -> its latest commit."""
    by_id = {str(n.meta.get("id")): n for n in notes.get("agreement")}
    found: dict[str, Relaxed] = {}
    for n in by_id.values():
        old = n.meta.get("supersedes")
        prior = by_id.get(str(old)) if isinstance(old, str) else None
        if n.meta.get("status") != "active" or prior is None or not _safeguard(prior):
            continue
        if prior.meta.get("status") in ("active", "proposed"):
            continue  # both still stand: nothing was relaxed yet
        title = str(n.meta.get("title") or n.meta.get("id"))
        found[str(old)] = Relaxed(
            str(old),
            _title(prior),
            prior.path,
            "replaced",
            as_date(n.meta.get("since")),
            f"{n.meta.get('id')} {title}",
        )
    for aid, n in by_id.items():
        if aid in found or n.meta.get("status") != "retired" or not _safeguard(n):
            continue
        when = actions.get(n.path, {}).get("retire")
        if when is None:
            continue  # retired only when history shows the retirement (safety invariant 7)
        found[aid] = Relaxed(aid, _title(n), n.path, "retired", local_day(when, tz))
    return sorted(found.values(), key=lambda r: (r.day is None, r.day or dt.date.min, r.id))


@dataclass(frozen=True)
class ReviewChoice:
    """What a review decided for an agreement that still stands as it was: the partners'
    own commands carry it out (a review note is minutes, SPEC section 10)."""

    id: str
    title: str
    choice: str  # revise, relax or retire
    period: str


def review_choices(notes: Notes) -> list[ReviewChoice]:
    """The newest review's choice to revise, relax or retire each agreement that is still
    active or paused and not yet replaced by a newer version."""
    by_id = {str(n.meta.get("id")): n for n in notes.get("agreement")}
    replaced = {str(n.meta.get("supersedes")) for n in by_id.values() if n.meta.get("supersedes")}
    latest: dict[str, ReviewChoice] = {}
    for review in sorted(notes.get("review"), key=lambda r: str(r.meta.get("period"))):
        decided = review.meta.get("agreements")
        for aid, choice in (decided if isinstance(decided, dict) else {}).items():
            note = by_id.get(str(aid))
            if note is None or note.meta.get("status") not in ("active", "paused"):
                continue
            period = str(review.meta.get("period"))
            latest[str(aid)] = ReviewChoice(str(aid), _title(note), str(choice), period)
    return [
        c
        for c in latest.values()
        if c.choice in ("revise", "relax", "retire") and c.id not in replaced
    ]


def _title(n: Note) -> str:
    return str(n.meta.get("title") or n.meta.get("id"))
