"""YAML 1.2 core scalars on libyaml, with positions, and a safe writer.

`no`, `yes`, `on`, `off` are strings; `21:05` is a string; `2026-11-24` is a date and
`2026-11-24 21:05` a local datetime. The forms phone and desktop editors write
(`2026-11-24T21:05`, `2026-11-24T21:05:00`, with or without an offset such as `+01:00`
or `Z`) are the same datetime. Anchors and aliases are refused by the reader.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

try:
    _BaseLoader: type = yaml.CSafeLoader
    _BaseDumper: type = yaml.CSafeDumper
    HAVE_LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader
    _BaseDumper = yaml.SafeDumper
    HAVE_LIBYAML = False

TAG_NULL = "tag:yaml.org,2002:null"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_STR = "tag:yaml.org,2002:str"
TAG_TIMESTAMP = "tag:yaml.org,2002:timestamp"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_SEQ = "tag:yaml.org,2002:seq"

_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    (TAG_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (TAG_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    (TAG_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    (
        TAG_FLOAT,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+0123456789.",
    ),
    (
        TAG_TIMESTAMP,
        re.compile(
            r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]*)?)?"
            r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?)$"
        ),
        "0123456789",
    ),
]


class CoreLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml's parser and composer. Plain scalars are tagged '?' here and resolved by
    `resolve_plain` (YAML 1.2 core rules) where they are built, which is much faster
    than PyYAML's per-node resolver."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return TAG_PLAIN if implicit[0] else TAG_STR
        return TAG_SEQ if kind is yaml.SequenceNode else TAG_MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class NoteDumper(_BaseDumper):  # type: ignore[misc]
    """safe_dump with the same implicit types, so what we write reads back equal."""


TAG_PLAIN = "?"
_NUMERIC_START = frozenset("-+0123456789.")


def resolve_plain(value: str) -> str:
    """The YAML 1.2 core tag of a plain scalar (plus dates and local datetimes)."""
    if not value:
        return TAG_NULL
    first = value[0]
    if first in _NUMERIC_START:
        for tag, regexp, firsts in _RESOLVERS:
            if first in firsts and regexp.match(value):
                return tag
        return TAG_STR
    if first in "tTfF" and _RESOLVERS[0][1].match(value):
        return TAG_BOOL
    if first in "~nN" and _RESOLVERS[1][1].match(value):
        return TAG_NULL
    return TAG_STR


for _cls in (NoteDumper,):
    _cls.yaml_implicit_resolvers = {}
    for _tag, _regexp, _first in _RESOLVERS:
        _cls.add_implicit_resolver(_tag, _regexp, list(_first))
    # the empty plain scalar is null
    _cls.yaml_implicit_resolvers.setdefault("", []).append((TAG_NULL, re.compile(r"^$")))


def _represent_datetime(dumper: Any, data: dt.datetime) -> Any:
    if data.tzinfo is None and data.second == 0 and data.microsecond == 0:
        text = data.strftime("%Y-%m-%d %H:%M")
    elif data.tzinfo is None:
        text = data.isoformat(sep=" ")
    else:
        text = data.isoformat()
    return dumper.represent_scalar(TAG_TIMESTAMP, text)


def _represent_none(dumper: Any, data: None) -> Any:
    return dumper.represent_scalar(TAG_NULL, "")


NoteDumper.add_representer(dt.datetime, _represent_datetime)
NoteDumper.add_representer(type(None), _represent_none)


class _Top(dict):  # type: ignore[type-arg]
    """The frontmatter mapping itself: always written one key per line."""


def _simple(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" not in value and len(value) <= 60
    return isinstance(value, int | float | bool | dt.date)


def _represent_top(dumper: Any, data: _Top) -> Any:
    return dumper.represent_mapping(TAG_MAP, dict(data), flow_style=False)


def _represent_dict(dumper: Any, data: dict[Any, Any]) -> Any:
    flow = bool(data) and all(_simple(v) for v in data.values()) and len(data) <= 6
    return dumper.represent_mapping(TAG_MAP, data, flow_style=flow)


def _represent_list(dumper: Any, data: list[Any]) -> Any:
    flow = all(_simple(v) for v in data) and sum(len(str(v)) for v in data) <= 60
    return dumper.represent_sequence(TAG_SEQ, data, flow_style=flow)


_YAML11 = yaml.resolver.Resolver()


def _represent_str(dumper: Any, data: str) -> Any:
    # quote anything YAML 1.1 tools (or 1.2 ones) would read as something other than text
    style = None
    for resolver in (_YAML11, dumper):
        if resolver.resolve(yaml.ScalarNode, data, (True, False)) != TAG_STR:
            style = "'"
    return dumper.represent_scalar(TAG_STR, data, style=style)


NoteDumper.add_representer(_Top, _represent_top)
NoteDumper.add_representer(dict, _represent_dict)
NoteDumper.add_representer(list, _represent_list)
NoteDumper.add_representer(str, _represent_str)


def dump_mapping(data: dict[str, Any]) -> str:
    """YAML text for a frontmatter mapping, keys in the given order."""
    text: str = yaml.dump(
        _Top(data),
        Dumper=NoteDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    return text


def dump_value(value: Any) -> str:
    """One value as inline YAML (for editing a single key in place)."""
    text: str = yaml.dump(
        value,
        Dumper=NoteDumper,
        default_flow_style=True,
        allow_unicode=True,
        width=100000,
        explicit_end=False,
    )
    text = text.strip()
    if text.endswith("\n...") or text.endswith("..."):
        text = text[: -len("...")].rstrip()
    return text


_TS = re.compile(
    r"^(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]*))?)?"
    r"(?:[ \t]*(?P<tz>Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$"
)


def parse_timestamp(text: str) -> dt.date | dt.datetime:
    """Parse the timestamp forms the resolver accepts. Raises ValueError."""
    m = _TS.match(text.strip())
    if not m:
        raise ValueError(f"not a date: {text!r}")
    y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    if m["h"] is None:
        return dt.date(y, mo, d)
    frac = (m["f"] or "0")[:6].ljust(6, "0")
    tz: dt.tzinfo | None = None
    if m["tz"]:
        if m["tz"] == "Z":
            tz = dt.UTC
        else:
            sign = -1 if m["tz"][0] == "-" else 1
            digits = m["tz"][1:].replace(":", "")
            hours = int(digits[:-2] if len(digits) > 2 else digits)
            minutes = int(digits[-2:]) if len(digits) > 2 else 0
            tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    return dt.datetime(y, mo, d, int(m["h"]), int(m["mi"]), int(m["s"] or 0), int(frac), tzinfo=tz)
