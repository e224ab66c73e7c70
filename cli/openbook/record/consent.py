"""Answering questions and consenting to agreements: small, attributable edits.

Each action changes only the frontmatter keys that change (every other byte of the note
stays as it was), is validated before it is written, and is one commit of the
transparency log with its own Openbook-Action. Nothing becomes binding through one
partner alone: an agreement is active only when every partner has accepted it, either
partner may pause it, and retiring it needs both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from openbook.errors import NoteError, OpenbookError
from openbook.notes.parse import BOM, Note, parse_bytes, update_fields
from openbook.notetypes.registry import AGREEMENT_ID, QUESTION_ID, is_conflict_copy
from openbook.record.guard import require_can_sign
from openbook.vault import Vault


@dataclass
class ConsentResult:
    id: str
    path: str
    action: str
    commit: str | None  # None: nothing new was written, or a pause waits for the branch
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "action": self.action,
            "commit": self.commit,
            "status": self.status,
            "message": self.message,
            **self.details,
        }


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def find_note(vault: Vault, note_id: str, note_type: str) -> Note:
    """The one valid note of `note_type` with this id; calm errors otherwise."""
    from openbook.check.result import check_vault

    pattern, example = (
        (QUESTION_ID, "Q-0007") if note_type == "question" else (AGREEMENT_ID, "A-003")
    )
    word = "question" if note_type == "question" else "agreement"
    article = "a" if note_type == "question" else "an"
    if not pattern.match(note_id):
        raise OpenbookError(
            f"'{note_id}' is not {article} {word} id like {example}; "
            "run 'openbook status' to see the ids."
        )
    result = check_vault(vault)
    found = [
        n
        for path, n in sorted(result.parsed.items())
        if n.type == note_type and n.meta.get("id") == note_id and not is_conflict_copy(path)
    ]
    if not found:
        raise OpenbookError(
            f"There is no {word} {note_id} in this vault; "
            "run 'openbook status' to see the open ones."
        )
    if len(found) > 1:
        paths = " and ".join(n.path for n in found)
        raise OpenbookError(
            f"{note_id} is used by {paths}; give one of them a new id, then try again."
        )
    note = found[0]
    if note.path in result.failed_paths():
        raise OpenbookError(
            f"{note.path} has errors, so it was not changed; run "
            f"'openbook check {note.path}', fix them, then try again."
        )
    return note


def _now_local(vault: Vault) -> dt.datetime:
    """Now in the vault's zone, naive and to the minute, as notes write times."""
    return vault.now().replace(tzinfo=None, second=0, microsecond=0)


def _rewrite(
    vault: Vault, note: Note, updates: dict[str, Any], answer_text: str | None = None
) -> None:
    """Apply `updates` in place, validate the result, then write it atomically."""
    from openbook.check.note import validate_note
    from openbook.fsutil import atomic_write, safe_relpath

    full = safe_relpath(vault.root, note.path)
    if full.is_symlink():
        raise NoteError(f"{note.path} is a symbolic link; openbook refuses links.")
    data = full.read_bytes()
    text = data.decode("utf-8")
    new = update_fields(text, updates)
    if answer_text is not None:
        new = append_answer(new, answer_text)
    checked = validate_note(parse_bytes(note.path, new.encode("utf-8")), vault.config)
    errors = [p for p in checked.problems if p.severity == "error"]
    if errors:
        raise NoteError(
            f"{note.path} was not changed: the result would have an error "
            f"({errors[0].message}). Run 'openbook check {note.path}'."
        )
    if new != text:
        atomic_write(full, new.encode("utf-8"))


_ANSWER = re.compile(r"^##[ \t]+Answer[ \t#]*$")
_NEXT = re.compile(r"^#{1,2}[ \t]+\S")


def append_answer(text: str, answer: str) -> str:
    """Append `answer` at the end of the `## Answer` section (adding the section if the
    note has none), in the note's own line endings."""
    nl = "\r\n" if "\r\n" in text else "\n"
    bom = text.startswith(BOM)
    raw = text[1:] if bom else text
    lines = raw.split(nl)
    start = next((i for i, ln in enumerate(lines) if _ANSWER.match(ln)), None)
    block = answer.strip().replace("\r\n", "\n").split("\n")
    if start is None:
        while lines and lines[-1] == "":
            lines.pop()
        lines += ["", "## Answer", "", *block, ""]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _NEXT.match(lines[i])), len(lines))
        section = lines[start + 1 : end]
        while section and section[-1].strip() == "":
            section.pop()
        lines = [*lines[: start + 1], *section, "", *block, "", *lines[end:]]
    return (BOM if bom else "") + nl.join(lines)


def _commit(
    vault: Vault, partner: str, action: str, note_type: str, note: Note, target: str
) -> str:
    from openbook.git import ledger

    return ledger.record(vault, partner, action, note_type, [note.path], target)


def _writable(vault: Vault) -> None:
    vault.require_writable()
    require_can_sign(vault)


# ---------------------------------------------------------------------------- answer


def answer(vault: Vault, partner: str, qid: str, text: str | None = None) -> ConsentResult:
    _writable(vault)
    names = vault.require_config().partners
    with vault.lock():
        note = find_note(vault, qid, "question")
        m = note.meta
        to = m.get("to")
        if to != partner:
            who = names[to].name if isinstance(to, str) and to in names else str(to)
            raise OpenbookError(
                f"{qid} is for {who}, so only they can answer it; "
                f"you can ask a follow-up with 'openbook ask'."
            )
        status = m.get("status")
        if status == "answered":
            raise OpenbookError(
                f"{qid} is already answered; to add to it, edit the "
                f"## Answer section of {note.path} and run 'openbook commit'."
            )
        if status == "withdrawn":
            raise OpenbookError(
                f"{qid} was withdrawn, so there is nothing to answer; "
                "a new question can be asked with 'openbook ask'."
            )
        if text is not None and not text.strip():
            raise OpenbookError(
                "The answer text is empty; write it in quotes after --text, "
                "or leave --text out and write it in the note."
            )
        when = _now_local(vault)
        _rewrite(
            vault,
            note,
            {"status": "answered", "answered": when},
            text if text is not None else None,
        )
        sha = _commit(vault, partner, "answer", "question", note, qid)
    return ConsentResult(
        qid,
        note.path,
        "answer",
        sha,
        "answered",
        f"{qid} is answered.",
        {"answered": when.isoformat()},
    )


# ------------------------------------------------------------------------ agreements


def _names(vault: Vault, ids: list[str]) -> str:
    partners = vault.config.partners
    return " and ".join(partners[p].name if p in partners else p for p in ids)


def pause(vault: Vault, partner: str, aid: str) -> ConsentResult:
    """`pause A-ID`: a pause note of that agreement (record/pauses.py); the agreement file
    is not edited."""
    from openbook.record.pauses import pause_agreement

    return pause_agreement(vault, partner, aid)
