"""Make a new note, one way for every caller: render -> validate -> write -> commit.

`new_note` (the `new` and `ask` commands) starts from the type's defaults; `save_note`
takes a frontmatter and body the caller made (the week's meeting note, the month's
review). Without an editor, a note's body is only what the person gave: the template's
prose appears only in a draft a person opens (`new_note` with `edit`, `write_new_draft`),
so nothing of a template the partner wrote is ever committed unseen. The vault lock is
never held while an editor is open.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from openbook.check.authorship import free_path
from openbook.check.note import validate_note
from openbook.check.result import check_vault
from openbook.config import Config
from openbook.errors import EXIT_USAGE, NoteError, ValidationFailed
from openbook.fsutil import atomic_write, drop_bom, safe_relpath
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notes.parse import Problem, parse_bytes, render_note
from openbook.notetypes.agreement import first_review
from openbook.notetypes.base import NewNote
from openbook.notetypes.registry import TYPES, NoteType, as_date
from openbook.notetypes.timeout import to_agreed
from openbook.record.blank import (
    author_field,
    is_blank,
    named_writer,
    not_yours,
    nothing_given,
    nothing_written,
    remember_draft,
    template_body,
)
from openbook.record.guard import require_can_sign
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


@dataclass
class Draft:
    relpath: str
    text: str
    note_type: str
    target: str  # what the commit subject names: the path, or the id
    said: tuple[str, ...] = ()  # what openbook changed of what was asked, in sentences


@dataclass(frozen=True)
class Created:
    path: str
    commit: str
    note_type: str
    said: tuple[str, ...] = ()  # what openbook changed of what was asked, in sentences


class NoteKept(ValidationFailed):
    """The note was written and edited but has errors: it stays on disk, uncommitted.
    `lines` are its problems as `check` prints them."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message, list(problems))
        self.lines = [p.format() for p in problems]


class NothingWritten(NoteError):
    """A new note was saved with nothing written in it: it stays on disk, uncommitted."""


NEVER_OVERWRITES = "Edit it, or use --date or --set to make a different one."


def _type(name: str) -> NoteType:
    t = TYPES.get(name)
    if t is None:
        close = get_close_matches(name, list(TYPES), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise NoteError(f"'{name}' is not a note type; use one of: {', '.join(TYPES)}.{hint}")
    return t


def _next_id(vault: Vault, t: NoteType) -> str:
    """One more than the highest id of this type in use, in file names or in notes."""
    ids = t.ids
    if ids is None:
        raise NoteError(f"a {t.name} note has no id")
    used = set()
    named = re.compile(rf"^{ids.prefix}-(\d{{{ids.width}}})")
    folder = vault.root / (t.folder or "")
    if t.folder and folder.is_dir():
        for p in folder.rglob("*.md"):
            m = named.match(p.name)
            if m:
                used.add(int(m[1]))
    for note in check_vault(vault).parsed.values():
        nid = note.meta.get("id")
        if isinstance(nid, str) and ids.pattern.match(nid):
            used.add(int(nid.split("-", 1)[1]))
    return ids.make((max(used) + 1) if used else 1)


def _active_agreements(vault: Vault, partner: str) -> list[str]:
    """Active agreements that ask something of `partner` (their `owners`, when given)."""
    return sorted(
        str(n.meta["id"])
        for n in check_vault(vault).valid_notes()
        if n.type == "agreement"
        and n.meta.get("status") == "active"
        and partner in (n.meta.get("owners") or [partner])
    )


def _new_note(vault: Vault, t: NoteType, partner: str, day: dt.date | None) -> NewNote:
    cfg = vault.require_config()
    now = vault.now()
    naive = now.replace(tzinfo=None, second=0, microsecond=0)
    others = [p for p in cfg.partners if p != partner]
    return NewNote(
        partner=partner,
        other=others[0] if others else partner,
        partners=sorted(cfg.partners),
        today=day or now.date(),
        at=naive if day is None else dt.datetime.combine(day, naive.time()),
        config=vault.terms().config,  # defaults (answer_by, return_by) by the terms in force
        next_id=lambda: _next_id(vault, t),
        active_agreements=lambda: _active_agreements(vault, partner),
    )


def _validated(relpath: str, text: str, cfg: Config, *, blanks_ok: bool, advice: str) -> None:
    """Raise ValidationFailed naming the first error the note has on its own."""
    note = validate_note(parse_bytes(relpath, text.encode("utf-8")), cfg)
    errors = [
        p
        for p in note.problems
        if p.severity == "error" and not (blanks_ok and p.rule == "field-required")
    ]
    if errors:
        raise ValidationFailed(
            f"{relpath} was not written: {errors[0].message}.{advice}", list(errors)
        )


def _target(t: NoteType, meta: dict[str, Any], relpath: str) -> str:
    return str(meta.get("id")) if t.ids is not None else relpath


def _not_ahead(vault: Vault, note_type: str, meta: dict[str, Any]) -> None:
    """A check-in is written on its day or after (SPEC section 10, `written-ahead`)."""
    day = as_date(meta.get("date")) if note_type == "checkin" else None
    today = vault.today()
    if day is not None and day > today:
        raise NoteError(
            f"a check-in is written on its day or after; {day} is after today ({today}), "
            f"so write it on {day}, or give --date {today} for today's."
        )


def draft(
    vault: Vault,
    note_type: str,
    partner: str,
    *,
    sets: dict[str, Any] | None = None,
    day: dt.date | None = None,
    body: str = "",
    blanks_ok: bool = False,
    prose: bool = True,
) -> Draft:
    """Everything about the new note, validated, before anything touches the disk.

    With `blanks_ok` (the note is about to be opened in an editor) required fields may
    still be empty; the note is validated again after editing. With `prose` the body is
    the type's template around `body` (for a person to see in an editor); without, the
    body is `body` alone.
    """
    t = _type(note_type)
    for given in sets or {}:
        if (why := t.unknown_field(given)) is not None:
            raise NoteError(why, exit_code=EXIT_USAGE)
    cfg = vault.require_config()
    meta = t.defaults(_new_note(vault, t, partner, day))
    meta.update(sets or {})
    if note_type == "agreement" and "next_review" not in (sets or {}):
        meta["next_review"] = first_review(meta)  # by its own review_every, when given
    _not_ahead(vault, note_type, meta)
    key = author_field(note_type)
    if key is not None and isinstance(meta.get(key), str) and meta[key] != partner:
        raise NoteError(
            f"a new {note_type} is written by the partner who runs openbook, and you are "
            f"{partner}; each partner writes their own notes, so leave out --set {key}."
        )
    said: tuple[str, ...] = ()
    agreed = to_agreed(meta, vault.terms().config) if note_type == "timeout" else None
    if agreed is not None:
        meta["return_by"], sentence = agreed
        said = (sentence,)
    missing = [k for k in t.required() if meta.get(k) in (None, "")]
    if missing and not blanks_ok:
        hint = " ".join(f"--set {k}={t.set_examples.get(k, 'VALUE')}" for k in missing)
        raise NoteError(
            f"a new {note_type} needs {', '.join(missing)}; give "
            f"{'it' if len(missing) == 1 else 'them'} like this: {hint}"
        )
    relpath = free_path(vault, t.path_for(meta, cfg.partners), partner)
    safe_relpath(vault.root, relpath)
    if prose:
        text = render_note(meta, template_body(vault, note_type, partner, meta, body))
    else:
        text = render_note(meta, body.strip())
    advice = " Fix the value you gave (for example with --set KEY=VALUE) and try again."
    _validated(relpath, text, cfg, blanks_ok=blanks_ok, advice=advice)
    return Draft(relpath, text, note_type, _target(t, meta, relpath), said)


def write_draft(vault: Vault, d: Draft, *, exists_hint: str = NEVER_OVERWRITES) -> Path:
    """Write the note; never over an existing file."""
    full = safe_relpath(vault.root, d.relpath)
    if full.exists() or full.is_symlink():
        raise NoteError(
            f"{d.relpath} already exists; openbook never overwrites a note. {exists_hint}"
        )
    atomic_write(full, d.text.encode("utf-8"), exclusive=True)
    return full


def recheck(vault: Vault, relpath: str) -> list[Problem]:
    """Errors the written note has in the context of the whole vault."""
    result = check_vault(vault)
    return [p for p in result.problems if p.path == relpath and p.severity == "error"]


def write_and_commit(
    vault: Vault,
    partner: str,
    d: Draft,
    *,
    exists_hint: str = NEVER_OVERWRITES,
) -> Created:
    """Write the draft, check it within the vault, then commit it; a note with errors is
    removed again."""
    require_can_sign(vault)
    with vault.lock():
        full = write_draft(vault, d, exists_hint=exists_hint)
        errors = recheck(vault, d.relpath)
        if errors:
            full.unlink()
            raise ValidationFailed(
                f"{d.relpath} was not written: {errors[0].message}. Fix it and try again."
            )
        sha = ledger.record(vault, partner, "new", d.note_type, [d.relpath], d.target)
    return Created(d.relpath, sha, d.note_type, d.said)


def commit_edited(vault: Vault, partner: str, d: Draft) -> Created:
    """After the editor closed: check the note and commit it, under the lock.

    A note with errors (NoteKept), with nothing written in it (NothingWritten) or in
    another partner's name stays on disk, uncommitted."""
    vault.require_writable()
    with vault.lock():
        vault.require_writable()  # git may have started a merge while the editor was open
        full = vault.root / d.relpath
        if not full.is_file():
            raise NoteError(
                f"{d.relpath} is gone after editing, so nothing was committed; run "
                f"'openbook new {d.note_type}' to start again."
            )
        drop_bom(vault.root, [d.relpath])  # an editor's BOM stays out of the log (choices.md)
        errors = recheck(vault, d.relpath)
        if errors:
            raise NoteKept(
                f"{d.relpath} is saved but not committed because of the problems above; "
                "fix them, then run 'openbook commit'.",
                errors,
            )
        note = parse_bytes(d.relpath, full.read_bytes(), positions=False)
        other = named_writer(note, partner)
        if other is not None:
            raise NoteError(not_yours(d.relpath, *other, partner))
        if is_blank(vault, note, partner):
            raise NothingWritten(nothing_written(d.relpath))
        head = gitrepo.run(vault.root, ["cat-file", "-e", f"HEAD:{d.relpath}"], check=False)
        action = "edit" if head.status == 0 else "new"  # committed meanwhile, by `watch`
        sha = ledger.record(vault, partner, action, d.note_type, [d.relpath], d.target)
    return Created(d.relpath, sha, d.note_type, d.said)


def write_new_draft(
    vault: Vault,
    partner: str,
    note_type: str,
    *,
    sets: dict[str, Any] | None = None,
    day: dt.date | None = None,
    body: str = "",
) -> Draft:
    """Write a new note from its template for the person to fill in; commit nothing."""
    vault.require_writable()
    with vault.lock():
        d = draft(vault, note_type, partner, sets=sets, day=day, body=body, blanks_ok=True)
        write_draft(vault, d)
        if not body.strip():
            remember_draft(vault, d.relpath, parse_bytes(d.relpath, d.text.encode()).body)
    return d


def new_note(
    vault: Vault,
    partner: str,
    note_type: str,
    *,
    sets: dict[str, Any] | None = None,
    day: dt.date | None = None,
    body: str = "",
    edit: Callable[[Path], None] | None = None,
) -> Created:
    """A new note from its type's defaults, `sets` and `body` (`new`, `ask`).

    With `edit`, the note is written from its template and opened (edit(path)), with the
    vault lock released, before it is checked and committed (`commit_edited`).
    """
    vault.require_writable()
    if edit is not None:
        d = write_new_draft(vault, partner, note_type, sets=sets, day=day, body=body)
        edit(vault.root / d.relpath)
        return commit_edited(vault, partner, d)
    with vault.lock():
        d = draft(vault, note_type, partner, sets=sets, day=day, body=body, prose=False)
        if is_blank(vault, parse_bytes(d.relpath, d.text.encode("utf-8")), partner):
            raise NoteError(nothing_given(_type(note_type).words), exit_code=EXIT_USAGE)
        return write_and_commit(vault, partner, d)


def save_note(
    vault: Vault,
    partner: str,
    meta: dict[str, Any],
    body: str,
    *,
    exists_hint: str = NEVER_OVERWRITES,
) -> Created:
    """A note whose frontmatter and body the caller made, at its type's path: validated,
    written (never over an existing file) and committed. `exists_hint` is said after
    "PATH already exists; openbook never overwrites a note." when it does."""
    vault.require_writable()
    cfg = vault.require_config()
    t = _type(str(meta.get("type")))
    with vault.lock():
        relpath = t.path_for(meta, cfg.partners)
        safe_relpath(vault.root, relpath)
        text = render_note(meta, body)
        _validated(relpath, text, cfg, blanks_ok=False, advice="")
        d = Draft(relpath, text, t.name, _target(t, meta, relpath))
        return write_and_commit(vault, partner, d, exists_hint=exists_hint)
