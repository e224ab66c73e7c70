"""timeout: a pause called in a hard talk, with the time to come back by.

A timeout is always 20 minutes to 24 hours (what `check` holds every note to). The
narrower range openbook.yml may agree on applies when openbook writes a new one
(`to_agreed`, with the settings in force: a time outside it is moved to the nearest
bound and the person is told), so a one-sided edit of openbook.yml never turns past
timeouts into errors, and calling a timeout is never refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openbook.notetypes.base import F, Meta, NameFields, NewNote, NoteType, as_datetime

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note
    from openbook.notetypes.base import Report

TIMEOUT_FLOOR = dt.timedelta(minutes=20)  # GUIDE: a timeout is 20 minutes to 24 hours, always
TIMEOUT_CEILING = dt.timedelta(hours=24)

FIELDS = {
    "called_by": F("partner", req=True),
    "called": F("datetime", req=True),
    "return_by": F("datetime", req=True),
    "returned": F("datetime"),
    "topic": F("text"),
}


def defaults(new: NewNote) -> Meta:
    cfg = new.config
    back = max(cfg.timeout_min, min(dt.timedelta(hours=1), cfg.timeout_max))
    return {
        "type": "timeout",
        "called_by": new.partner,
        "called": new.at,
        "return_by": new.at + back,
        "returned": None,
        "topic": None,
    }


def file_name(v: NameFields) -> tuple[str, str]:
    return str(v.day("called").year), f"{v.stamp('called')}-{v.partner('called_by')}"


def _span(td: dt.timedelta) -> str:
    """'20m', '24h', '2d', '1h 30m', '3d 4h' (a span of more than a day to the hour)."""
    mins = int(td.total_seconds() // 60)
    if mins < 0:
        return f"{-mins}m before it is called"
    if mins > 60 * 24:
        days, hours = divmod(mins // 60, 24)
        return f"{days}d {hours}h" if hours else f"{days}d"
    if mins % 60 == 0 and mins:
        return f"{mins // 60}h"
    if mins > 60:
        return f"{mins // 60}h {mins % 60}m"
    return f"{mins}m"


def _gap(meta: Meta, tz: dt.tzinfo) -> dt.timedelta | None:
    called, back = meta.get("called"), meta.get("return_by")
    if not isinstance(called, dt.datetime) or not isinstance(back, dt.datetime):
        return None
    start, end = as_datetime(called, tz), as_datetime(back, tz)
    if start is None or end is None:
        return None
    return end - start


def consistency(note: Note, cfg: Config, report: Report) -> None:
    gap = _gap(note.meta, cfg.tz)
    if gap is not None and not TIMEOUT_FLOOR <= gap <= TIMEOUT_CEILING:
        report(
            note.pos("return_by"),
            "field-value",
            f"return_by must be {_span(TIMEOUT_FLOOR)} to "
            f"{_span(TIMEOUT_CEILING)} after called; it is {_span(gap)}",
        )


def to_agreed(meta: Meta, cfg: Config) -> tuple[dt.datetime, str] | None:
    """A new timeout's return_by moved to the nearest bound of the range in force
    (`cfg`), with the sentence that says so; None when it is inside. Calling a timeout
    is never refused (SPEC section 10)."""
    gap = _gap(meta, cfg.tz)
    if gap is None or cfg.timeout_min <= gap <= cfg.timeout_max:
        return None
    bound = cfg.timeout_min if gap < cfg.timeout_min else cfg.timeout_max
    back = meta["called"] + bound  # a datetime (_gap read it), naive as it was written
    asked = _span(gap) if gap >= dt.timedelta(0) else "before it was called"
    return back, (
        f"The timeout is recorded to end at {back:%H:%M} ({_span(bound)}), the "
        f"{'shortest' if bound == cfg.timeout_min else 'longest'} time you both agreed "
        f"({_span(cfg.timeout_min)} to {_span(cfg.timeout_max)}); you asked for {asked}."
    )


TYPE = NoteType(
    name="timeout",
    about="a timeout called in a hard talk, and when you come back",
    fields_say_enough=True,
    folder="timeouts",
    fields=FIELDS,
    date_field="called",
    defaults=defaults,
    file_name=file_name,
    consistency=consistency,
)
