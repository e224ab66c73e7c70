"""One check per kind of field (`CHECKS`), and the context they report into."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openbook.config import Config, parse_duration, parse_hhmm
from openbook.notes.parse import Note, Problem
from openbook.notes.yamlio import parse_timestamp
from openbook.notetypes.registry import AGREEMENT_ID, PERIOD, QUESTION_ID, WEEK, Field


def show(value: Any) -> str:
    """A value as a message quotes it: booleans as YAML writes them, long text cut."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class NoteCheck:
    """The note under check, its vault's configuration, and where problems go."""

    def __init__(self, note: Note, cfg: Config) -> None:
        self.note = note
        self.cfg = cfg
        self.meta = note.meta

    def add(self, pos: tuple[int, int], rule: str, message: str, severity: str = "error") -> None:
        self.note.problems.append(Problem(self.note.path, pos[0], pos[1], severity, rule, message))

    def partner(self, key: str, value: Any, where: tuple[str | int, ...]) -> None:
        if not self.cfg.partners:
            return  # openbook.yml itself is broken; `check` reports that once, not per note
        if not isinstance(value, str) or value not in self.cfg.partners:
            names = ", ".join(sorted(self.cfg.partners)) or "none configured"
            self.add(
                self.note.pos(*where),
                "partner-unknown",
                f"{key} '{show(value)}' is not a partner in openbook.yml; use one of: {names}",
            )

    def coerce_time(self, key: str, value: Any) -> Any:
        """Text an editor wrote for a date or time (2026-11-24T21:05) read as one."""
        if isinstance(value, str):
            try:
                value = parse_timestamp(value)
            except ValueError:
                return value
            self.meta[key] = value
        return value


# A check reports what it finds through `c` and returns what the value must be when
# its type is wrong (the caller words that as one field-type problem), else None.
FieldCheck = Callable[[NoteCheck, str, Field, Any], str | None]


def check_field(c: NoteCheck, key: str, f: Field, value: Any) -> None:
    wanted = CHECKS[f.kind](c, key, f, value)
    if wanted:
        c.add(c.note.pos(key), "field-type", f"{key} must be {wanted}; got '{show(value)}'")


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _text(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return "text"
    if not isinstance(value, str):
        c.meta[key] = str(value)
    return None


def _int(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"a whole number from {f.low} to {f.high}"
    if (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
        c.add(
            c.note.pos(key),
            "field-value",
            f"{key} must be between {f.low} and {f.high}, got {value}",
        )
    return None


def _bool(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _date(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    value = c.coerce_time(key, value)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return "a date like 2026-11-24"
    return None


def _datetime(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    value = c.coerce_time(key, value)
    return None if isinstance(value, dt.datetime) else "a date and time like 2026-11-24 17:30"


def _time(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    return None if parse_hhmm(value) is not None else 'a time like "21:05"'


def _duration(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    return None if parse_duration(value) is not None else "a duration like 30d"


def _enum(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    if not isinstance(value, str) or value not in f.choices:
        shown = str(value).lower() if isinstance(value, bool) else value
        c.add(
            c.note.pos(key),
            "field-value",
            f"{key} must be one of {', '.join(f.choices)}; got '{shown}'",
        )
    return None


def _partner(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    c.partner(key, value, (key,))
    return None


def _partners(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    items = _as_list(value)
    if not isinstance(items, list):
        return "a list of partner ids like [alice, bob]"
    for i, item in enumerate(items):
        c.partner(key, item, (key, i) if not isinstance(value, str) else (key,))
    return None


def _strs(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    items = _as_list(value)
    if not isinstance(items, list) or not all(
        isinstance(x, str | int | float) and not isinstance(x, bool) for x in items
    ):
        return "a list of short texts"
    return None


def _ident(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    question = f.kind in ("qid", "qref")
    pattern, example = (QUESTION_ID, "Q-0007") if question else (AGREEMENT_ID, "A-003")
    if not isinstance(value, str) or not pattern.match(value):
        c.add(c.note.pos(key), "id-format", f"{key} '{value}' is not an id like {example}")
    return None


def _arefs(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    items = _as_list(value)
    if not isinstance(items, list):
        return "a list of agreement ids like [A-001]"
    for i, item in enumerate(items):
        if not isinstance(item, str) or not AGREEMENT_ID.match(item):
            c.add(
                c.note.pos(key, i) if not isinstance(value, str) else c.note.pos(key),
                "id-format",
                f"{key} entry '{item}' is not an agreement id like A-003",
            )
    return None


def _amap(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    if not isinstance(value, dict):
        return "a mapping of agreement id to " + "/".join(f.choices)
    for aid, v in value.items():
        if not isinstance(aid, str) or not AGREEMENT_ID.match(aid):
            c.add(
                c.note.entry_pos(key, str(aid)),
                "id-format",
                f"{key} key '{aid}' is not an agreement id like A-003",
            )
        if v is not None and v not in f.choices:
            c.add(
                c.note.pos(key, str(aid)),
                "field-value",
                f"{key}.{aid} must be one of {', '.join(f.choices)}; got '{v}'",
            )
    return None


def _week(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    ok = isinstance(value, str) and WEEK.match(value)
    return None if ok else "an ISO week like 2026-W48"


def _period(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    ok = isinstance(value, str) and PERIOD.match(value)
    return None if ok else "a month like 2026-11"


def _phrases(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    if not isinstance(value, dict):
        return "a mapping of partner id to a list of phrases"
    for pid in value:
        c.partner(key, pid, (key, str(pid)))
    return None


def _anything(c: NoteCheck, key: str, f: Field, value: Any) -> str | None:
    return None


CHECKS: dict[str, FieldCheck] = {
    "str": _text,
    "text": _text,
    "int": _int,
    "bool": _bool,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "duration": _duration,
    "enum": _enum,
    "partner": _partner,
    "partners": _partners,
    "strs": _strs,
    "qid": _ident,
    "aid": _ident,
    "qref": _ident,
    "aref": _ident,
    "arefs": _arefs,
    "amap": _amap,
    "week": _week,
    "period": _period,
    "phrases": _phrases,
    "any": _anything,
}
