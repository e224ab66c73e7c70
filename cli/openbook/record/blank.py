"""A new note with nothing written in it yet: not committed ("write something first").

A note is blank when its body is empty or still the unchanged template, and no field
holds anything beyond what a new note of its type starts with. "The unchanged template"
is the type's template rendered again for the note, or the exact draft openbook wrote for
it (remembered under .git/openbook/, so a template the partner changed meanwhile, or one
that names today's date, still counts as unchanged).

The template's prose is only ever shown in an editor: `template_body` renders it, for
the drafts a person opens and for this comparison. The template is the version both
partners accepted (`vault.terms()`, SPEC section 10), never a file just because it is on
disk, and openbook's own safety lines are written around it (record/safety.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from openbook.config import Config
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.notes.parse import Note
from openbook.notetypes.base import NewNote
from openbook.notetypes.registry import TYPES, NoteType, is_conflict_copy
from openbook.record.safety import with_safety_lines, without_safety_lines
from openbook.render import render, template_source, written_always
from openbook.vault import Vault

DRAFTS_FILE = "drafts.json"
MAX_DRAFTS = 200
# keys editors add on their own (SPEC section 2): never something a person wrote
EDITOR_KEYS = frozenset({"created", "modified", "updated", "aliases", "cssclasses", "publish"})
# the field that names who wrote a note, by type (each type has at most one of them)
AUTHOR_FIELDS = ("author", "asked_by", "called_by", "proposed_by")


def author_field(note_type: str | None) -> str | None:
    """The field that names who wrote a note of this type, if it has one."""
    t = TYPES.get(note_type or "")
    if t is None:
        return None
    return next((k for k in AUTHOR_FIELDS if k in t.fields), None)


def template_body(
    vault: Vault, note_type: str, partner: str, meta: dict[str, Any], body: str = ""
) -> str:
    """The body the type's template gives a new note: the vault's own template in force,
    else openbook's, with openbook's safety lines around it."""
    cfg = vault.require_config()
    others = [p for p in cfg.partners if p != partner]
    me = cfg.partners.get(partner)
    context = {
        "meta": meta,
        "partner": partner,
        "partner_name": me.name if me is not None else partner,
        "other": others[0] if others else partner,
        "other_name": cfg.partners[others[0]].name if others else "",
        "today": vault.today().isoformat(),
        "body": body or "",
    }
    terms = vault.terms()
    text = render(vault.root, f"{note_type}.md.j2", context, overrides=terms.templates)
    return with_safety_lines(note_type, text, body or "")


def has_content(value: Any) -> bool:
    """Whether a frontmatter value says anything: empty text, lists and maps, and maps
    whose values are all empty (a check-in's `kept: {A-001: null}`), say nothing."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(has_content(v) for v in value)
    if isinstance(value, dict):
        return any(has_content(v) for v in value.values())
    return True


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _digest(text: str) -> str:
    return hashlib.sha256(_normal(text).encode("utf-8")).hexdigest()


def _drafts_file(vault: Vault) -> Path | None:
    state = vault.state_dir()
    return state / DRAFTS_FILE if state is not None else None


def _remembered(vault: Vault) -> dict[str, str]:
    path = _drafts_file(vault)
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def remember_draft(vault: Vault, relpath: str, body: str) -> None:
    """Remember the body of a draft openbook wrote for a person to fill in."""
    path = _drafts_file(vault)
    if path is None:
        return
    drafts = _remembered(vault)
    drafts.pop(relpath, None)
    drafts[relpath] = _digest(body)
    kept = dict(list(drafts.items())[-MAX_DRAFTS:])
    with contextlib.suppress(OSError):  # without it, the template rendered again compares
        atomic_write(path, (json.dumps(kept, indent=0) + "\n").encode("utf-8"))


# (type, partner, minute) -> (the settings they were worked out with, the fields): the
# agenda asks once per check-in, with the same answer each time
_STARTING: dict[tuple[str, str, dt.datetime], tuple[object, frozenset[str]]] = {}


def _starting_keys(t: NoteType, vault: Vault, partner: str) -> set[str]:
    """The fields a new note of type `t` starts with a value in."""
    cfg = vault.require_config()
    now = vault.now().replace(tzinfo=None, second=0, microsecond=0)
    key = (t.name, partner, now)
    known = _STARTING.get(key)
    if known is not None and known[0] is cfg:
        return set(known[1])
    if len(_STARTING) > 64:
        _STARTING.clear()
    found = _new_keys(t, cfg, partner, now)
    _STARTING[key] = (cfg, frozenset(found))
    return found


def _new_keys(t: NoteType, cfg: Config, partner: str, now: dt.datetime) -> set[str]:
    others = [p for p in cfg.partners if p != partner]
    new = NewNote(
        partner=partner,
        other=others[0] if others else partner,
        partners=sorted(cfg.partners),
        today=now.date(),
        at=now,
        config=cfg,
        next_id=lambda: t.ids.make(0) if t.ids is not None else "",  # openbook gives the id
        active_agreements=lambda: [],
    )
    return {k for k, v in t.defaults(new).items() if has_content(v)}


def _writer(t: NoteType, meta: dict[str, Any], partner: str, vault: Vault) -> str:
    """Who the note's template was rendered for: its author, else the acting partner."""
    for key in AUTHOR_FIELDS:
        if key in t.fields:
            value = meta.get(key)
            if isinstance(value, str) and value in vault.config.partners:
                return value
    return partner


def is_blank(vault: Vault, note: Note, partner: str) -> bool:
    """Nothing written yet: the body empty or the unchanged template, no field set."""
    t = TYPES.get(note.type or "")
    if t is None or t.fields_say_enough or is_conflict_copy(note.path):
        return False
    starting = _starting_keys(t, vault, partner) | EDITOR_KEYS
    if any(has_content(v) for k, v in note.meta.items() if k not in starting):
        return False
    body = _normal(note.body)
    if not _normal(without_safety_lines(note.type, note.body)):
        return True
    if _remembered(vault).get(note.path) == _digest(body):
        return True
    if _lacks_template_text(vault, t.name, body):
        return False  # not the template as written: no need to render it (or load Jinja2)
    try:
        prose = template_body(vault, t.name, _writer(t, note.meta, partner, vault), note.meta)
    except OpenbookError:
        return False  # a broken template: the comparison with the draft was the last one
    return body == _normal(prose)


def _lacks_template_text(vault: Vault, note_type: str, body: str) -> bool:
    """Whether `body` (normalised) lacks a line that every rendering of the type's
    template in force writes, so that it cannot be that template unchanged."""
    source = template_source(f"{note_type}.md.j2", vault.terms().templates)
    always = written_always(source) if source is not None else None
    return always is not None and any(line not in body for line in always)


def not_yours(path: str, key: str, named: str, me: str) -> str:
    """Why a new note naming another partner as its writer was not committed."""
    return (
        f"{path} was not committed: its {key} is {named}, but you are {me}; each partner "
        f"writes their own notes, so set '{key}: {me}' if it is yours, or let {named} "
        "commit it from their own copy."
    )


def named_writer(note: Note, partner: str) -> tuple[str, str] | None:
    """(field, partner) when the note's author field names someone other than `partner`."""
    key = author_field(note.type)
    named = note.meta.get(key) if key else None
    if key and isinstance(named, str) and named != partner:
        return key, named
    return None


def nothing_written(path: str) -> str:
    """Why a blank note was not committed, and what to do."""
    return (
        f"{path} was not committed: nothing is written in it yet; write something first, "
        "then run 'openbook commit'."
    )


def nothing_given(words: str) -> str:
    """Why a new note made without an editor, with nothing given, was not written."""
    return (
        f"nothing is written in this new {words}, so nothing was saved; write something "
        "first: give it words with --body TEXT or a field with --set KEY=VALUE, or leave "
        "out --no-edit to write it in your editor."
    )
