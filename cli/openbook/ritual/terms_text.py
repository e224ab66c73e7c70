"""The vault's templates as binding terms, in plain words: what a proposal changes in them
("the check-in template: changed (3 lines added, 2 removed)") and the prompts
each adds and removes, which `accept settings` shows before asking."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from openbook.errors import shown
from openbook.render import builtin_dir
from openbook.words import plural

# template stems whose name in words is not the stem itself
STEM_WORDS = {
    "checkin": "check-in",
    "plan-change": "plan change",
    "monthly-review": "monthly review",
}


def template_title(name: str) -> str:
    """'checkin.md.j2' -> 'the check-in template'; 'agenda.html.j2' -> 'the HTML agenda
    template'; anything else by its file name."""
    parts = name.split(".")
    if "/" in name or len(parts) != 3 or parts[2] != "j2" or parts[1] not in ("md", "html"):
        return f"the template {shown(name)}"
    words = STEM_WORDS.get(parts[0], parts[0].replace("-", " ").replace("_", " "))
    return f"the {'HTML ' if parts[1] == 'html' else ''}{words} template"


def _lines(text: str) -> list[str]:
    return text.splitlines()


def template_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """One line per template that differs, in name order."""
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        title = template_title(name)
        if a is None:
            out.append(f"{title}: new")
        elif b is None:
            out.append(f"{title}: removed, openbook's own is used")
        else:
            added = removed = 0
            for line in difflib.unified_diff(_lines(a), _lines(b), lineterm="", n=0):
                if line.startswith("+") and not line.startswith("+++"):
                    added += 1
                elif line.startswith("-") and not line.startswith("---"):
                    removed += 1
            if added == removed == 0:
                out.append(f"{title}: changed (only line endings or spacing at the end)")
            else:
                out.append(f"{title}: changed ({plural(added, 'line')} added, {removed} removed)")
    return out


def _builtin(name: str) -> str:
    """openbook's own template of that name ('' when openbook has none)."""
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        return ""  # a name from the vault never reaches outside openbook's own folder
    try:
        return (builtin_dir("templates") / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def template_prompts(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """What each changed template asks, in plain words: the prompts (headings, the lines in
    italics, quoted hints) it adds and removes, from the one used now (the vault's in force,
    else openbook's own) to the one proposed."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        before = _prompts(a if a is not None else _builtin(name))
        after = _prompts(b if b is not None else _builtin(name))
        added = [p for p in after if p not in before]
        removed = [p for p in before if p not in after]
        out.append(f"{template_title(name)[0].upper()}{template_title(name)[1:]}:")
        out += [f"  adds: {p}" for p in added] + [f"  removes: {p}" for p in removed]
        if not added and not removed:
            out.append("  asks the same; only its layout changes")
    return out


def _prompts(text: str) -> list[str]:
    """The lines of a template a person reads as a prompt, without Markdown's marks or
    Jinja's tags: '## Feelings' -> 'Feelings', '*What did each of us feel?*' -> the same
    words."""
    out: list[str] = []
    for line in _lines(re.sub(r"\{#.*?#\}", "", text, flags=re.S)):
        words = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", line).strip()
        words = words.lstrip("#>").strip().strip("*_").strip()
        if words and words not in out:
            out.append(words)
    return out
