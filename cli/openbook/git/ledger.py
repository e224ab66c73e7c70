"""The transparency log: every change one commit with trailers; reading it back."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openbook.git import repo as gitrepo
from openbook.notetypes.registry import (
    FOLDER_TYPES,
    LANGUAGE_FILE,
    as_datetime,
    note_date,
)
from openbook.vault import Vault

ACTIONS = (
    "new",
    "edit",
    "delete",
    "answer",
    "accept",
    "pause",
    "retire",
    "merge",
    "conflict",
    "renumber",
    "keys",
    "init",
)
LATE_EDIT_AFTER = dt.timedelta(hours=48)


def message(
    note_type: str,
    action: str,
    target: str,
    partner: str,
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """Subject `type: action target` and the Openbook-* trailers. Never note contents."""
    lines = [f"{note_type}: {action} {target}".strip(), ""]
    if body:
        lines += [body.strip(), ""]
    lines += [
        f"Openbook-Action: {action}",
        f"Openbook-Type: {note_type}",
        f"Openbook-Partner: {partner}",
    ]
    for k, v in (extra or {}).items():
        lines.append(f"Openbook-{k}: {v}")
    return "\n".join(lines) + "\n"


def identity(vault: Vault, partner: str, when: dt.datetime | None = None) -> dict[str, str]:
    p = vault.config.partners[partner]
    date = when.isoformat() if when else os.environ.get("OPENBOOK_COMMIT_DATE")
    return gitrepo.identity_env(p.name, p.email, date)


def record(
    vault: Vault,
    partner: str,
    action: str,
    note_type: str,
    paths: Iterable[str],
    target: str | None = None,
    *,
    when: dt.datetime | None = None,
    body: str | None = None,
    allow_empty: bool = False,
) -> str:
    """Commit exactly `paths` as one entry of the log, authored as `partner`. Returns sha."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    plist = list(paths)
    msg = message(note_type, action, target or (plist[0] if plist else ""), partner, body)
    return gitrepo.commit_paths(
        vault.root, plist, msg, identity(vault, partner, when), allow_empty=allow_empty
    )


def type_of_path(path: str) -> str:
    if path == LANGUAGE_FILE:
        return "language"
    if path == "openbook.yml":
        return "config"
    return FOLDER_TYPES.get(path.split("/", 1)[0], "file")


# --------------------------------------------------------------------------- reading


@dataclass
class LogEntry:
    sha: str
    date: str
    partner: str | None
    author: str
    action: str
    type: str
    subject: str
    paths: list[str]
    late_edit: bool = False
    deleted: bool = False
    merge: bool = False


_LETTER_ACTION = {"A": "new", "M": "edit", "D": "delete", "T": "edit"}


def history(
    vault: Vault,
    *,
    since: dt.date | None = None,
    note_type: str | None = None,
    partner: str | None = None,
    note_dates: dict[str, dt.date] | None = None,
) -> list[LogEntry]:
    """The transparency log from git history, newest first.

    `note_dates` maps a vault path to the note's own date (for late-edit marks).
    """
    root = vault.root
    extra: list[str] = []
    if since:
        extra.append(f"--since={since.isoformat()} 00:00")
    if not vault.is_own_repo:
        extra += ["--relative", "--", "."]
    emails = {p.email.lower(): pid for pid, p in vault.config.partners.items()}
    tz = vault.tz
    dates = note_dates or {}
    entries = []
    for rec in gitrepo.log_records(root, extra):
        who = rec.trailers.get("Openbook-Partner") or emails.get(rec.email.lower())
        merge = len(rec.parents) > 1
        paths = [p for _, p in rec.files]
        letters = {c for c, _ in rec.files}
        action = rec.trailers.get("Openbook-Action") or (
            "merge" if merge else _LETTER_ACTION.get(next(iter(letters), "M"), "edit")
        )
        ntype = rec.trailers.get("Openbook-Type") or (type_of_path(paths[0]) if paths else "")
        entry = LogEntry(
            rec.sha,
            rec.date,
            who,
            rec.author,
            action,
            ntype,
            rec.subject,
            paths,
            merge=merge,
            deleted="D" in letters,
        )
        if "M" in letters and action in ("edit", "new"):
            when = dt.datetime.fromisoformat(rec.date)
            for code, path in rec.files:
                own = dates.get(path) or _date_in_name(path)
                own_dt = as_datetime(own, tz) if own else None
                if (
                    code == "M"
                    and own_dt
                    and when - own_dt > LATE_EDIT_AFTER + dt.timedelta(days=1)
                ):
                    entry.late_edit = True
        if note_type and entry.type != note_type:
            continue
        if partner and entry.partner != partner:
            continue
        entries.append(entry)
    return entries


def note_dates_of(notes: dict[str, Any]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for path, note in notes.items():
        d = note_date(note.meta) if getattr(note, "meta", None) else None
        if d:
            out[path] = d
    return out


_NAME_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date_in_name(path: str) -> dt.date | None:
    """A deleted note's own date, from its file name (check-ins, repairs, ...)."""
    m = _NAME_DATE.search(path.rsplit("/", 1)[-1])
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
