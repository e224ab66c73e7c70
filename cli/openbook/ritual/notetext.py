"""Reading a note's Markdown body: a section's text, the first line, the first heading.

The templates' italic prompts (`*What did we ...?*`) are never taken for what someone
wrote.
"""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_PLACEHOLDER = re.compile(r"^\*[^*].*\*$")


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def section_text(body: str, heading: str) -> str:
    """The text under `## heading` up to the next heading of the same or a higher level,
    without the template's italic prompts."""
    out: list[str] = []
    level = 0
    for line in _lines(body):
        m = _HEADING.match(line)
        if level:
            if m and len(m[1]) <= level:
                break
            out.append(line)
        elif m and m[2].strip().lower() == heading.lower():
            level = len(m[1])
    kept = [ln.rstrip() for ln in out if not _PLACEHOLDER.match(ln.strip())]
    return "\n".join(kept).strip()


def first_line(text: str, limit: int = 120) -> str:
    """The first line someone wrote (no quote, heading or prompt), cut at `limit`."""
    for line in _lines(text):
        line = line.strip()
        if not line or line.startswith((">", "#")) or _PLACEHOLDER.match(line):
            continue
        return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def first_title(body: str) -> str | None:
    """The text of the first `# heading`, if any."""
    for line in _lines(body):
        m = _HEADING.match(line)
        if m and len(m[1]) == 1 and m[2].strip():
            return m[2].strip()
    return None


def as_list(value: Any) -> list[Any]:
    """A field that may hold one value or a list of them, as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else []
