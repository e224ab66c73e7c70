"""The transparency log: every change one commit with trailers; reading it back."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.git import repo as gitrepo
from openbook.git.arrivals import see
from openbook.git.logtext import commits_args as commits_args
from openbook.git.logtext import log_date, records
from openbook.git.standing import standing_times
from openbook.git.state import head_from_files
from openbook.git.view import PartnerView, VaultView, own_email
from openbook.notetypes.registry import FOLDER_TYPES, LANGUAGE_FILE, note_date

SETTINGS_TRAILER = "Openbook-Settings"  # `accept settings`: the digest of what was accepted
# fmt: off
ACTIONS = (
    "new", "edit", "delete", "answer", "accept", "decline", "propose", "confirm", "pause",
    "retire", "merge", "conflict", "renumber", "keys", "export", "init",
)
# fmt: on
LATE_EDIT_AFTER = dt.timedelta(hours=48)


def message(
    note_type: str,
    action: str,
    target: str,
    partner: str,
    body: str | None = None,
    extra: Mapping[str, str | list[str]] | None = None,
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
        # a list gives one trailer per value (`Openbook-Setting: NAME DIGEST` each)
        lines += [f"Openbook-{k}: {one}" for one in ([v] if isinstance(v, str) else v)]
    return "\n".join(lines) + "\n"


def identity(vault: VaultView, partner: str, when: dt.datetime | None = None) -> dict[str, str]:
    """Author the acting `partner`; commit as the clone's own partner (git config
    openbook.partner), so a note written for someone else on a shared machine shows as
    "by bob for alice". A commit replayed at a given time (`when`, the demo's history)
    is committed by its author."""
    partners = vault.config.partners
    p = partners[partner]
    date = when.isoformat() if when else os.environ.get("OPENBOOK_COMMIT_DATE")
    env = gitrepo.identity_env(p.name, p.email, date)
    own = gitrepo.config_get(vault.root, "openbook.partner") if when is None else None
    if own and own != partner and own in partners:
        env["GIT_COMMITTER_NAME"] = partners[own].name
        env["GIT_COMMITTER_EMAIL"] = partners[own].email
    return env


def record(
    vault: VaultView,
    partner: str,
    action: str,
    note_type: str,
    paths: Iterable[str],
    target: str | None = None,
    *,
    when: dt.datetime | None = None,
    body: str | None = None,
    allow_empty: bool = False,
    extra: Mapping[str, str | list[str]] | None = None,
) -> str:
    """Commit exactly `paths` as one entry of the log, authored as `partner`. Returns sha."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action}")
    plist = list(paths)
    msg = message(note_type, action, target or (plist[0] if plist else ""), partner, body, extra)
    sha = gitrepo.commit_paths(
        vault.root, plist, msg, identity(vault, partner, when), allow_empty=allow_empty
    )
    see(vault.root, vault.now(), sha, only=True)  # our own commit arrives as it is made
    return sha


def type_of_path(path: str) -> str:
    if path == LANGUAGE_FILE:
        return "language"
    if path == "openbook.yml":
        return "config"
    return FOLDER_TYPES.get(path.split("/", 1)[0], "file")


# --------------------------------------------------------------------------- reading

NO_BLOB = "0" * 40
_TRAILER = re.compile(r"^(Openbook-[A-Za-z-]+):\s*(.*)$", re.M)


@dataclass(frozen=True)
class Change:
    """One file a commit changed: its status letter (A, M, D, T), path and blobs."""

    status: str
    path: str
    old: str  # NO_BLOB when added
    new: str  # NO_BLOB when deleted


@dataclass
class Commit:
    """One commit as the log reads it; a merge lists what it changed against its first parent."""

    sha: str
    parents: list[str]
    author: str
    author_email: str
    committer: str
    committer_email: str
    authored: dt.datetime
    committed: dt.datetime
    subject: str
    trailers: dict[str, str]
    changes: list[Change]

    @property
    def merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def action(self) -> str:
        """The Openbook-Action trailer, else what the changes say (a plain git commit)."""
        letters = {c.status for c in self.changes}
        default = "merge" if self.merge else _LETTER_ACTION.get(next(iter(letters), "M"), "edit")
        return self.trailers.get("Openbook-Action") or default


_LETTER_ACTION = {"A": "new", "M": "edit", "D": "delete", "T": "edit"}


def head(vault: VaultView) -> str | None:
    """The commit HEAD names, None before the first commit: from git's own files when
    they say it plainly, else asked of git."""
    git_dir = getattr(vault, "git_dir", None)
    found = head_from_files(git_dir) if isinstance(git_dir, Path) else None
    return found or gitrepo.rev(vault.root, "HEAD")


def read_commits(
    vault: VaultView,
    *,
    since: dt.date | None = None,
    exclude: str | None = None,
    paths: Iterable[str] = (),
    topo: bool = False,
    rev: str = "HEAD",
) -> list[Commit]:
    """Every commit reachable from `rev` (and not from `exclude`), newest first, with the
    files it changed and their blobs: one `git log -z --raw` call.

    A vault inside a larger repository sees only the commits that touch its folder, with
    paths relative to it."""
    return list(iter_commits(vault, since=since, exclude=exclude, paths=paths, topo=topo, rev=rev))


def iter_commits(
    vault: VaultView,
    *,
    since: dt.date | None = None,
    exclude: str | None = None,
    paths: Iterable[str] = (),
    topo: bool = False,
    rev: str = "HEAD",
) -> Iterator[Commit]:
    """`read_commits` one commit at a time, read as git writes them: the whole history is
    never held at once. A git failure is raised once its output is read."""
    if not gitrepo.has_head(vault.root):
        return
    args = commits_args(vault, since=since, exclude=exclude, paths=paths, topo=topo, rev=rev)
    for record in records(gitrepo.stream_bytes(vault.root, args)):
        c = _commit(record.decode("utf-8", "replace"))
        if c is not None:
            yield c


def _commit(chunk: str) -> Commit | None:
    header, _, rest = chunk.rpartition("\x1f")
    parts = header.split("\x1f")
    if len(parts) < 10:
        return None
    sha, parents, an, ae, cn, ce, adate, cdate, subject, trailers = parts[:10]
    changes = []
    tokens = iter(t for t in rest.split("\0") if t.strip("\n"))
    for token in tokens:
        meta = token.strip("\n").lstrip(":").split()
        path = next(tokens, "")
        if len(meta) >= 5 and path:
            changes.append(Change(meta[4][0], path, meta[2], meta[3]))
    return Commit(
        sha,
        parents.split(),
        an,
        ae,
        cn,
        ce,
        log_date(adate),
        log_date(cdate),
        subject,
        _trailers(trailers),
        changes,
    )


def _trailers(text: str) -> dict[str, str]:
    """The Openbook-* trailers; a repeated `Openbook-Setting` keeps every value, one a line."""
    out: dict[str, str] = {}
    for key, value in _TRAILER.findall(text):
        if key == "Openbook-Setting" and key in out:
            out[key] += "\n" + value.strip()
        else:
            out[key] = value.strip()
    return out


def partner_of(partners: Mapping[str, PartnerView], email: str) -> str | None:
    """The partner whose openbook.yml email this is (case-insensitive), if any."""
    wanted = email.strip().lower()
    return next((pid for pid, p in partners.items() if p.email.lower() == wanted), None)


@dataclass
class LogEntry:
    """One change of the transparency log. `partner` comes from the author's email,
    `committer_partner` from the committer's; the Openbook-Partner trailer is only a hint."""

    sha: str
    date: str  # commit time, ISO 8601 in the vault's zone
    partner: str | None
    author: str
    committer: str
    committer_partner: str | None
    action: str
    type: str
    subject: str
    paths: list[str]
    late_edit: bool = False
    written_later: bool = False
    deleted: bool = False
    merge: bool = False
    clock: bool = False  # dated before a parent or after it arrived here (arrivals.py)
    edited_by: str | None = None  # changed the words of a note under the other's name
    marks: list[str] = field(default_factory=list)


def after_own_date(when: dt.datetime, own: dt.date | None, tz: dt.tzinfo) -> bool:
    """True when `when` is more than 48 hours after the end of the day `own`."""
    if own is None:
        return False
    end_of_day = dt.datetime.combine(own + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    return when.astimezone(dt.UTC) > (end_of_day + LATE_EDIT_AFTER).astimezone(dt.UTC)


def entry_of(vault: VaultView, c: Commit, note_dates: dict[str, dt.date]) -> LogEntry:
    """A commit as a log entry with the marks history alone can give: `by X for Y`,
    `written later` and `deleted`. A `late edit` needs the note's fields before and after
    (see openbook.ritual.logbook)."""
    tz = vault.tz
    paths = [ch.path for ch in c.changes]
    ntype = c.trailers.get("Openbook-Type") or (type_of_path(paths[0]) if paths else "")
    who = partner_of(vault.config.partners, c.author_email)
    committer = partner_of(vault.config.partners, c.committer_email)
    when = c.committed.astimezone(tz)
    entry = LogEntry(
        c.sha,
        when.isoformat(),
        who,
        c.author,
        c.committer,
        committer,
        c.action,
        ntype,
        c.subject,
        paths,
        merge=c.merge,
        deleted=any(ch.status == "D" for ch in c.changes),
    )
    if not c.merge:
        entry.written_later = any(
            ch.status == "A" and after_own_date(when, own_date(ch.path, note_dates), tz)
            for ch in c.changes
        )
    return entry


def set_marks(entry: LogEntry) -> LogEntry:
    """The `marks` list from the entry's flags, in the order the log shows them."""
    marks = []
    if entry.partner and entry.committer_partner and entry.partner != entry.committer_partner:
        marks.append(f"by {entry.committer_partner} for {entry.partner}")
    if entry.edited_by:
        marks.append(f"edited by {entry.edited_by}")
    if entry.written_later:
        marks.append("written later")
    if entry.late_edit:
        marks.append("late edit")
    if entry.deleted:
        marks.append("deleted")
    if entry.clock:
        marks.append("clock")
    entry.marks = marks
    return entry


def mark_clock(vault: VaultView, entries: Iterable[LogEntry]) -> None:
    """Mark `clock` the entries whose commit is dated more than 10 minutes before a
    parent or after this clone first saw it (SPEC section 10)."""
    times = standing_times(vault.root, vault.now(), mine=own_email(vault))
    for entry in entries:
        known = times.get(entry.sha)
        entry.clock = known is not None and known.clock


def history(
    vault: VaultView,
    *,
    since: dt.date | None = None,
    note_type: str | None = None,
    partner: str | None = None,
    note_dates: dict[str, dt.date] | None = None,
) -> list[LogEntry]:
    """The transparency log from git history, newest first, with the marks history alone
    gives (`openbook log` adds `late edit` through openbook.ritual.logbook)."""
    dates = note_dates or {}
    out = []
    for c in read_commits(vault, since=since):
        entry = entry_of(vault, c, dates)
        if note_type and entry.type != note_type:
            continue
        if partner and entry.partner != partner:
            continue
        out.append(entry)
    mark_clock(vault, out)
    return [set_marks(e) for e in out]


def note_dates_of(notes: dict[str, Any]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for path, note in notes.items():
        d = note_date(note.meta) if getattr(note, "meta", None) else None
        if d:
            out[path] = d
    return out


def own_date(path: str, note_dates: dict[str, dt.date]) -> dt.date | None:
    """A note's own date: from the note as it is now, else from its file name."""
    return note_dates.get(path) or _date_in_name(path)


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
