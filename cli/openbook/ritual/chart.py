"""The small chart of the printable agenda: check-ins kept per week, each partner against
their own schedule, never on a shared scale beside the other's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.config import Config
from openbook.notetypes.registry import iso_week
from openbook.ritual.calendar import weeks_up_to
from openbook.ritual.counting import Dated, count_checkins

CHART_WEEKS = 8


def checkin_weeks(
    cfg: Config, checkins_by: dict[str, Dated], meeting: dt.date, as_of: dt.datetime
) -> list[dict[str, Any]]:
    """Check-ins kept per ISO week over the last eight weeks, each partner against their
    own schedule (the chart's data, also in `--format json`)."""
    out = []
    for start, end in weeks_up_to(meeting, CHART_WEEKS):
        row: dict[str, Any] = {"week": iso_week(start), "start": start.isoformat(), "checkins": {}}
        for pid in cfg.partners:
            c = count_checkins(cfg, pid, checkins_by.get(pid, []), start, end, as_of)
            row["checkins"][pid] = {"expected": c.expected, "received": c.received}
        out.append(row)
    return out


def _bar(i: int, week: str, cell: dict[str, Any], top: int) -> dict[str, Any]:
    expected = cell["expected"]
    return {
        "x": 8 + i * 68,
        "h": round(cell["received"] / top * 60, 1),
        "outline": round((expected or 0) / top * 60, 1),
        "label": (
            f"{cell['received']} of {expected}" if expected is not None else str(cell["received"])
        ),
        "week": week[-3:],
    }


def chart_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Bar geometry for the HTML chart: one row per partner, each bar the week's count
    drawn inside an outline of what their own schedule asked for."""
    rows = []
    weeks = data["checkin_weeks"]
    for pid, pname in data["partners"].items():
        cells = [w["checkins"].get(pid, {"expected": None, "received": 0}) for w in weeks]
        top = max([max(c["expected"] or 0, c["received"]) for c in cells] + [1])
        bars = [
            _bar(i, w["week"], c, top) for i, (w, c) in enumerate(zip(weeks, cells, strict=True))
        ]
        rows.append(
            {
                "partner": pid,
                "name": pname,
                "schedule": data["checkins"].get(pid, {}).get("schedule"),
                "bars": bars,
            }
        )
    return rows
