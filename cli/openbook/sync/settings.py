"""Shared settings merge like settings, not like text.

When both partners changed openbook.yml or language.md and git's line merge could not
join them, the files are merged key by key: a key only one side changed takes that
side's value; a key both changed differently keeps ours and is listed as a conflict.
openbook.yml's `partners` and `checkins` merge one level deeper (`partners.bob`,
`checkins.alice`). language.md merges its frontmatter key by key and its text by lines.
Templates, .gitignore and READMEs have no keys: git's line merge is their merge, and
lines both changed keep ours.

The partner's whole version of openbook.yml or language.md with a conflict is written
verbatim beside it (openbook.conflict-alice-SHA.yml, merge.py); that of a template or
.gitignore as a conflict note in reviews/ (notetypes.base.SETTINGS_COPIES). check,
status and the agenda list both and the partner's sync receives them like any note.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from openbook.config import CONFIG_NAME
from openbook.notes.parse import parse_bytes, split_frontmatter, update_fields
from openbook.notes.yamlio import dump_mapping
from openbook.notetypes.registry import (
    LANGUAGE_FILE,
    SETTINGS_COPIES,
    is_conflict_copy,
    settings_stem,
)
from openbook.trust.yamledit import read_meta

NESTED = ("partners", "checkins")  # openbook.yml keys that merge one level deeper
WHOLE = "the whole file"
_MISSING: Any = object()
_KEY_START = re.compile(r"^[^\s#-]")


@dataclass
class SettingsMerge:
    """The merged file (ours where both changed a key) and the keys both changed.
    `text` is None when the file could not be merged at all: ours stays as it is."""

    text: bytes | None
    conflicts: list[str] = field(default_factory=list)


def is_setting(path: str) -> bool:
    """A shared file outside the note folders, whose conflicts become settings notes."""
    if path.startswith(".openbook/templates/"):
        return True
    return "/" not in path and path != ".gitattributes" and not is_conflict_copy(path)


def copy_path(path: str, partner: str, sha: str) -> str:
    """reviews/openbook.yml.conflict-alice-abc1234.md"""
    return f"{SETTINGS_COPIES}/{settings_stem(path)}.conflict-{partner}-{sha[:7]}.md"


def merge_setting(path: str, base: bytes | None, ours: bytes, theirs: bytes) -> SettingsMerge:
    """Merge one shared setting both sides changed and git could not join."""
    if base is not None and path == CONFIG_NAME:
        return _merge_config(base, ours, theirs)
    if base is not None and path == LANGUAGE_FILE:
        return _merge_note(base, ours, theirs)
    return SettingsMerge(None, [WHOLE])


# ------------------------------------------------------------------------- units


def _norm(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def _pick(b: Any, o: Any, t: Any) -> tuple[Any, bool]:
    """The merged value of one key, and whether both sides changed it differently."""
    if o is t or (o is not _MISSING and t is not _MISSING and _norm(o) == _norm(t)):
        return o, False
    if o is b or (o is not _MISSING and b is not _MISSING and _norm(o) == _norm(b)):
        return t, False
    if t is b or (t is not _MISSING and b is not _MISSING and _norm(t) == _norm(b)):
        return o, False
    return o, True


def merge_units(
    b: dict[str, Any], o: dict[str, Any], t: dict[str, Any], nested: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[str]]:
    """Key by key: (merged mapping in ours' order, keys both changed differently)."""
    out: dict[str, Any] = {}
    conflicts: list[str] = []
    keys = [*o, *(k for k in t if k not in o), *(k for k in b if k not in o and k not in t)]
    for key in keys:
        bv, ov, tv = b.get(key, _MISSING), o.get(key, _MISSING), t.get(key, _MISSING)
        sides = (bv, ov, tv)
        if key in nested and all(isinstance(v, dict) or v is _MISSING for v in sides):
            if ov is _MISSING and tv is _MISSING:
                continue
            subs = [v if isinstance(v, dict) else {} for v in sides]
            sub, inner = merge_units(subs[0], subs[1], subs[2])
            conflicts += [f"{key}.{c}" for c in inner]
            if sub or (ov is not _MISSING and tv is not _MISSING):
                out[key] = sub
            continue
        value, both = _pick(bv, ov, tv)
        if both:
            conflicts.append(key)
        if value is not _MISSING:
            out[key] = value
    return out, conflicts


# ------------------------------------------------------------------- openbook.yml


def _blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(leading comments, [(key, the key's line and the lines under it)]) of a block
    mapping written one key per line at column 0; keys read by YAML, '' when unreadable."""
    lines = text.splitlines(keepends=True)
    at = 0
    while at < len(lines) and not _KEY_START.match(lines[at]):
        at += 1
    head = "".join(lines[:at])
    chunks: list[str] = []
    for line in lines[at:]:
        if _KEY_START.match(line) or not chunks:
            chunks.append(line)
        else:
            chunks[-1] += line
    blocks = []
    for chunk in chunks:
        chunk = chunk if chunk.endswith("\n") else chunk + "\n"
        meta = read_meta(chunk)
        key = next(iter(meta)) if meta and len(meta) == 1 else ""
        blocks.append((str(key), chunk))
    return head, blocks


def _sub_blocks(block: str) -> tuple[str, dict[str, str]] | None:
    """('partners:\\n', {id: its lines}) of a nested block mapping, else None."""
    first, _, rest = block.partition("\n")
    if not first.rstrip().endswith(":") or not rest.strip():
        return None  # a flow mapping on the key's line: not split
    indent = re.match(r"^[ ]+", rest)
    if indent is None:
        return None
    pad = indent.group(0)
    lines = rest.splitlines(True)
    _, subs = _blocks("".join(line.removeprefix(pad) for line in lines))
    return first + "\n", {k: "".join(pad + x for x in s.splitlines(True)) for k, s in subs}


def _choose(merged: Any, mine: tuple[Any, str | None], other: tuple[Any, str | None]) -> str | None:
    for value, text in (mine, other):
        if text is not None and value is not _MISSING and _norm(value) == _norm(merged):
            return text
    return None


def _compose(
    ours: str, theirs: str, o: dict[str, Any], t: dict[str, Any], m: dict[str, Any]
) -> str | None:
    head, mine = _blocks(ours)
    _, other = _blocks(theirs)
    mine_by, other_by = dict(mine), dict(other)
    out = [head]
    for key, value in m.items():
        chosen = _choose(
            value,
            (o.get(key, _MISSING), mine_by.get(key)),
            (t.get(key, _MISSING), other_by.get(key)),
        )
        if chosen is None and key in NESTED and key in mine_by and key in other_by:
            a, b = _sub_blocks(mine_by[key]), _sub_blocks(other_by[key])
            if a is None or b is None or not isinstance(value, dict):
                return None
            parts = [a[0]]
            for sub, subvalue in value.items():
                ours_sub = o.get(key, {}).get(sub, _MISSING)
                theirs_sub = t.get(key, {}).get(sub, _MISSING)
                picked = _choose(subvalue, (ours_sub, a[1].get(sub)), (theirs_sub, b[1].get(sub)))
                if picked is None:
                    return None
                parts.append(picked)
            chosen = "".join(parts)
        if chosen is None:
            return None
        out.append(chosen)
    return "".join(out)


def _merge_config(base: bytes, ours: bytes, theirs: bytes) -> SettingsMerge:
    texts = [data.decode("utf-8", "replace") for data in (base, ours, theirs)]
    metas = [read_meta(text) for text in texts]
    b, o, t = metas
    if b is None or o is None or t is None:
        return SettingsMerge(None, [WHOLE])
    merged, conflicts = merge_units(b, o, t, NESTED)
    want = _norm(merged)
    candidates = [_compose(texts[1], texts[2], o, t, merged)]
    head, _ = _blocks(texts[1])
    candidates.append(head + dump_mapping(merged))
    for text in candidates:
        if text is not None and (got := read_meta(text)) is not None and _norm(got) == want:
            return SettingsMerge(text.encode("utf-8"), conflicts)
    return SettingsMerge(None, [WHOLE])


# --------------------------------------------------------------------- language.md


def _merge_body(base: str, ours: str, theirs: str) -> str | None:
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return None  # both rewrote the text: the partner's version goes into the note


def _merge_note(base: bytes, ours: bytes, theirs: bytes) -> SettingsMerge:
    notes = [parse_bytes(LANGUAGE_FILE, data, positions=False) for data in (base, ours, theirs)]
    if any(n.problems or not n.has_frontmatter for n in notes):
        return SettingsMerge(None, [WHOLE])
    b, o, t = notes
    merged, conflicts = merge_units(b.meta, o.meta, t.meta)
    body = _merge_body(b.body, o.body, t.body)
    if body is None:
        conflicts.append("the text")
        body = o.body
    text = ours.decode("utf-8")
    updates = {k: v for k, v in merged.items() if _norm(o.meta.get(k, _MISSING)) != _norm(v)}
    updates.update({k: None for k in o.meta if k not in merged})
    try:
        text = update_fields(text, updates) if updates else text
    except ValueError:
        return SettingsMerge(None, [WHOLE])
    parts = split_frontmatter(text.removeprefix("\ufeff"))
    if parts is None:
        return SettingsMerge(None, [WHOLE])
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = bom + text.removeprefix("\ufeff")[: parts[2]] + body
    check = parse_bytes(LANGUAGE_FILE, text.encode("utf-8"), positions=False)
    if check.problems or _norm(check.meta) != _norm(merged) or check.body != body:
        return SettingsMerge(None, [WHOLE])
    return SettingsMerge(text.encode("utf-8"), conflicts)


# ------------------------------------------------------------------ the conflict note


def conflict_note(path: str, name: str, sha: str, theirs: bytes, conflicts: list[str]) -> bytes:
    """The note that holds the partner's version of a setting: its frontmatter names the
    file and keys, its body says what to do and shows their file as an indented block
    (never a line that reads as a conflict marker or closes a fence)."""
    meta: dict[str, Any] = {"conflict_of": path, "commit": sha}
    if conflicts != [WHOLE]:
        meta["keys"] = list(conflicts)
    what = "it" if conflicts == [WHOLE] else ", ".join(f"`{k}`" for k in conflicts)
    text = theirs.decode("utf-8", "replace")
    shown_text = "".join(f"    {line}" if line.strip() else "\n" for line in text.splitlines(True))
    if shown_text and not shown_text.endswith("\n"):
        shown_text += "\n"
    body = (
        f"# {name}'s {path}\n\n"
        f"You both changed {what} in {path}. Your version stays in {path}; this is "
        f"{name}'s, from commit {sha[:7]}. Agree on one together, put it in {path}, "
        "then delete this note.\n\n"
        f"{shown_text}"
    )
    return f"---\n{dump_mapping(meta)}---\n\n{body}".encode()
