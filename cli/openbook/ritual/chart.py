"""The small charts of the printable agenda: check-ins per week, one chart per partner.

Each partner's chart stands alone: its own block, its own scale, labelled with that
partner's own schedule; never two partners on a shared scale side by side. The charts
start at the vault's first week, so nothing is drawn for weeks before the couple began.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.notetypes.registry import iso_week
from openbook.ritual.calendar import weeks_up_to
from openbook.ritual.counting import Counting, Dated, count_checkins

CHART_WEEKS = 8
BAR_WIDTH = 40
BAR_STEP = 68
BAR_HEIGHT = 60


def first_day(model: Counting, checkins_by: dict[str, Dated]) -> dt.date | None:
    """The vault's first day: its first commit, else (no history of its own) the date of
    its first check-in."""
    if model.first_day is not None:
        return model.first_day
    dates = [items[0][0] for items in checkins_by.values() if items]
    return min(dates) if dates else None


def checkin_weeks(
    model: Counting, checkins_by: dict[str, Dated], meeting: dt.date, as_of: dt.datetime
) -> list[dict[str, Any]]:
    """Check-ins per ISO week over the last eight weeks, from the vault's first week on,
    each partner against their own schedule (the charts' data, also in `--format json`)."""
    first = first_day(model, checkins_by)
    out = []
    for start, end in weeks_up_to(meeting, CHART_WEEKS):
        if first is not None and end < first:
            continue
        begin = max(start, first) if first is not None else start
        row: dict[str, Any] = {"week": iso_week(start), "start": start.isoformat(), "checkins": {}}
        for pid in model.cfg.partners:
            c = count_checkins(model, pid, checkins_by.get(pid, []), begin, end, as_of)
            row["checkins"][pid] = {"expected": c.expected, "received": c.received}
        out.append(row)
    return out


def _label(received: int, expected: int | None) -> str:
    """'5 of 7'; '7 due' when none came (never '0 of 7'); nothing when nothing was due."""
    if expected is None:
        return str(received) if received else ""
    if received:
        return f"{received} of {expected}"
    return f"{expected} due" if expected else ""


def _bar(i: int, week: str, cell: dict[str, Any], top: int) -> dict[str, Any]:
    expected = cell["expected"]
    return {
        "x": 8 + i * BAR_STEP,
        "h": round(cell["received"] / top * BAR_HEIGHT, 1),
        "outline": round((expected or 0) / top * BAR_HEIGHT, 1),
        "label": _label(cell["received"], expected),
        "week": week[-3:],
    }


def chart_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per partner: each bar a week's check-ins, drawn inside an outline of what
    that partner's own schedule asked for, on that partner's own scale. The short form
    has no counts, so no charts."""
    charts: list[dict[str, Any]] = []
    if "checkin_weeks" not in data or data.get("format") == "short":
        return charts
    weeks = data["checkin_weeks"]
    for pid, pname in data["partners"].items():
        cells = [w["checkins"].get(pid, {"expected": None, "received": 0}) for w in weeks]
        top = max([max(c["expected"] or 0, c["received"]) for c in cells] + [1])
        bars = [
            _bar(i, w["week"], c, top) for i, (w, c) in enumerate(zip(weeks, cells, strict=True))
        ]
        charts.append(
            {
                "partner": pid,
                "name": pname,
                "schedule": data["checkins"].get(pid, {}).get("schedule"),
                "bars": bars,
                "width": max(BAR_STEP * len(bars) + 16, 120),
                "weeks": len(bars),
            }
        )
    return charts
