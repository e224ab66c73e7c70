"""Make a new note: defaults for each type, its path, its body from a template."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.check.validate import check_vault, validate_note
from openbook.errors import NoteError, ValidationFailed
from openbook.fsutil import atomic_write, safe_relpath, slugify
from openbook.notes.parse import parse_bytes, render_note
from openbook.notetypes.schema import (
    AGREEMENT_ID,
    FOLDERS,
    LANGUAGE_FILE,
    QUESTION_ID,
    TYPES,
    iso_week,
)
from openbook.render import render
from openbook.vault import Vault

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def parse_set(items: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """--set KEY=VALUE pairs; values are YAML (so 4 is a number, [a, b] a list)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            raise NoteError(f"--set '{item}' is not KEY=VALUE; write it like --set mood=4.")
        if key == "type":
            raise NoteError("--set type=... is not allowed; the type is the first argument of new.")
        out[key] = _yaml_value(raw)
    return out


def _yaml_value(raw: str) -> Any:
    """A --set value read with the note reader's own YAML 1.2 rules; text if it is not YAML."""
    if not raw.strip():
        return None
    if "\n" in raw or "\r" in raw:
        return raw
    note = parse_bytes("--set", f"---\nvalue: {raw}\n---\n".encode())
    if note.problems or "value" not in note.meta or len(note.meta) != 1:
        return raw
    return note.meta["value"]


_EXAMPLES = {
    "title": '"Phone stays open"',
    "plan_at": '"2026-11-24 18:00"',
    "was": '"home at 6"',
    "now": '"home at 7"',
}


@dataclass
class Draft:
    relpath: str
    text: str
    note_type: str
    target: str  # what the commit subject names: the path, or the id


def _next_id(vault: Vault, prefix: str, pattern: re.Pattern[str], width: int) -> str:
    used = set()
    folder = vault.root / FOLDERS["question" if prefix == "Q" else "agreement"]
    if folder.is_dir():
        for p in folder.rglob("*.md"):
            m = re.match(rf"^({prefix}-\d{{{width}}})", p.name)
            if m:
                used.add(int(m[1][2:]))
    result = check_vault(vault)
    for note in result.parsed.values():
        nid = note.meta.get("id")
        if isinstance(nid, str) and pattern.match(nid):
            used.add(int(nid[2:]))
    return f"{prefix}-{(max(used) + 1) if used else 1:0{width}d}"


def _at(day: dt.date | None, now: dt.datetime) -> dt.datetime:
    naive = now.replace(tzinfo=None, second=0, microsecond=0)
    return naive if day is None else dt.datetime.combine(day, naive.time())


def defaults(vault: Vault, note_type: str, partner: str, day: dt.date | None) -> dict[str, Any]:
    cfg = vault.require_config()
    now = vault.now()
    today = day or now.date()
    others = [p for p in cfg.partners if p != partner]
    other = others[0] if others else partner
    at = _at(day, now)
    if note_type == "checkin":
        active = sorted(
            str(n.meta["id"])
            for n in check_vault(vault).valid_notes()
            if n.type == "agreement" and n.meta.get("status") == "active"
        )
        return {
            "type": "checkin",
            "author": partner,
            "date": today,
            "time": at.strftime("%H:%M"),
            "mood": None,
            "connection": None,
            "on_track": None,
            "contact": None,
            "kept": {a: None for a in active} or None,
            "discuss": [],
        }
    if note_type == "plan-change":
        return {
            "type": "plan-change",
            "author": partner,
            "sent": at,
            "plan_at": None,
            "was": None,
            "now": None,
            "reason": None,
        }
    if note_type == "question":
        return {
            "type": "question",
            "id": _next_id(vault, "Q", QUESTION_ID, 4),
            "asked_by": partner,
            "to": other,
            "asked": at,
            "status": "open",
            "answer_by": at + cfg.answer_within,
            "category": None,
        }
    if note_type == "agreement":
        return {
            "type": "agreement",
            "id": _next_id(vault, "A", AGREEMENT_ID, 3),
            "title": None,
            "status": "proposed",
            "kind": None,
            "proposed_by": partner,
            "accepted_by": [partner],
            "owners": sorted(cfg.partners),
            "since": today,
            "review_every": "30d",
            "next_review": today + dt.timedelta(days=30),
            "measures": [],
            "if_crossed": None,
            "relax_when": None,
        }
    if note_type == "timeout":
        back = max(cfg.timeout_min, min(dt.timedelta(hours=1), cfg.timeout_max))
        return {
            "type": "timeout",
            "called_by": partner,
            "called": at,
            "return_by": at + back,
            "returned": None,
            "topic": None,
        }
    if note_type == "repair":
        return {
            "type": "repair",
            "author": partner,
            "date": today,
            "kind": "rupture",
            "agreements": [],
            "status": "open",
        }
    if note_type == "meeting":
        return {
            "type": "meeting",
            "date": today,
            "week": iso_week(today),
            "participants": sorted(cfg.partners),
            "facilitator": partner,
            "format": "full",
            "decisions": [],
        }
    if note_type == "review":
        return {
            "type": "review",
            "period": today.strftime("%Y-%m"),
            "date": today,
            "participants": sorted(cfg.partners),
            "agreements": {},
            "wins": [],
            "challenges": [],
            "commitments": [],
        }
    if note_type == "language":
        return {
            "type": "language",
            "timeout_word": None,
            "hurt_signal": None,
            "ok": [],
            "not_ok": [],
            "repair_phrases": {},
        }
    raise NoteError(f"unknown note type '{note_type}'")


def path_for(meta: dict[str, Any], vault: Vault) -> str:
    t = meta["type"]
    if t == "language":
        return LANGUAGE_FILE
    folder = FOLDERS[t]

    def d(key: str) -> dt.date:
        v = meta.get(key)
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        raise NoteError(f"{key} must be a date like 2026-11-24 (got '{v}').")

    def stamp(key: str) -> str:
        v = meta.get(key)
        if not isinstance(v, dt.datetime):
            raise NoteError(f"{key} must be a date and time like 2026-11-24 17:30 (got '{v}').")
        return v.strftime("%Y-%m-%d-%H%M")

    def who(key: str) -> str:
        v = meta.get(key)
        if not isinstance(v, str) or v not in vault.config.partners:
            raise NoteError(f"{key} must be a partner id from openbook.yml (got '{v}').")
        return v

    if t == "checkin":
        day = d("date")
        return f"{folder}/{day.year}/{day.isoformat()}-{who('author')}.md"
    if t == "plan-change":
        return f"{folder}/{d('sent').year}/{stamp('sent')}-{who('author')}.md"
    if t == "timeout":
        return f"{folder}/{d('called').year}/{stamp('called')}-{who('called_by')}.md"
    if t == "question":
        qid = meta.get("id")
        if not isinstance(qid, str) or not QUESTION_ID.match(qid):
            raise NoteError(f"id must look like Q-0007 (got '{qid}').")
        return f"{folder}/{qid}.md"
    if t == "agreement":
        aid = meta.get("id")
        if not isinstance(aid, str) or not AGREEMENT_ID.match(aid):
            raise NoteError(f"id must look like A-003 (got '{aid}').")
        title = meta.get("title")
        return f"{folder}/{aid}-{slugify(str(title or 'agreement'))}.md"
    if t == "repair":
        day = d("date")
        label = meta.get("title") or meta.get("kind") or "repair"
        return f"{folder}/{day.year}/{day.isoformat()}-{slugify(str(label))}.md"
    if t == "meeting":
        week = str(meta.get("week"))
        return f"{folder}/{week[:4]}/{slugify(week).upper().replace('-W', '-W')}.md"
    if t == "review":
        return f"{folder}/{slugify(str(meta.get('period')))}.md"
    raise NoteError(f"unknown note type '{t}'")


def draft(
    vault: Vault,
    note_type: str,
    partner: str,
    *,
    sets: dict[str, Any] | None = None,
    day: dt.date | None = None,
    body: str = "",
    blanks_ok: bool = False,
) -> Draft:
    """Everything about the new note, validated, before anything touches the disk.

    With `blanks_ok` (the note is about to be opened in an editor) required fields may
    still be empty; the note is validated again after editing.
    """
    if note_type not in TYPES:
        from difflib import get_close_matches

        close = get_close_matches(note_type, list(TYPES), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise NoteError(f"'{note_type}' is not a note type; use one of: {', '.join(TYPES)}.{hint}")
    cfg = vault.require_config()
    meta = defaults(vault, note_type, partner, day)
    meta.update(sets or {})
    missing = [k for k, f in TYPES[note_type].items() if f.required and meta.get(k) in (None, "")]
    if missing and not blanks_ok:
        hint = " ".join(f"--set {k}={_EXAMPLES.get(k, 'VALUE')}" for k in missing)
        raise NoteError(
            f"a new {note_type} needs {', '.join(missing)}; give "
            f"{'it' if len(missing) == 1 else 'them'} like this: {hint}"
        )
    # drop blanks the user did not ask for and that the type does not prefill
    relpath = path_for(meta, vault)
    safe_relpath(vault.root, relpath)
    others = [p for p in cfg.partners if p != partner]
    context = {
        "meta": meta,
        "partner": partner,
        "partner_name": cfg.partners[partner].name,
        "other": others[0] if others else partner,
        "other_name": cfg.partners[others[0]].name if others else "",
        "today": vault.today().isoformat(),
        "body": body or "",
    }
    text = render_note(meta, render(vault.root, f"{note_type}.md.j2", context))
    note = validate_note(parse_bytes(relpath, text.encode("utf-8")), cfg)
    errors = [
        p
        for p in note.problems
        if p.severity == "error" and not (blanks_ok and p.rule == "field-required")
    ]
    if errors:
        first = errors[0]
        raise ValidationFailed(
            f"{relpath} was not written: {first.message}. "
            "Fix the value you gave (for example with --set KEY=VALUE) and try again.",
            list(errors),
        )
    target = str(meta.get("id")) if note_type in ("question", "agreement") else relpath
    return Draft(relpath, text, note_type, target)


def write_draft(vault: Vault, d: Draft) -> Path:
    """Write the note; never over an existing file."""
    full = safe_relpath(vault.root, d.relpath)
    if full.exists():
        raise NoteError(
            f"{d.relpath} already exists; openbook never overwrites a note. "
            "Edit it, or use --date or --set to make a different one."
        )
    atomic_write(full, d.text.encode("utf-8"), exclusive=True)
    return full


def recheck(vault: Vault, relpath: str) -> list[Any]:
    """Errors the written note has in the context of the whole vault."""
    result = check_vault(vault)
    return [p for p in result.problems if p.path == relpath and p.severity == "error"]
