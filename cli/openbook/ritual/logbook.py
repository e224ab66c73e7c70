"""The transparency log as `openbook log` shows it (SPEC section 4).

Each commit's partner comes from its author's email; its committer is named too, and
`by bob for alice` marks a note one partner wrote for the other. History alone gives
`written later` and `deleted` (git/ledger.py); `late edit` also needs the note's fields
before and after the change: a note's own fields changed more than 48 hours after its
own date. Adding an answer, `landed`, an acknowledgement, a return from a timeout or a
repair's processing is not a late edit, nor is consent (accept, pause, retire).
"""

from __future__ import annotations

import datetime as dt

from openbook.check.authorship import author_field, words_changed
from openbook.git import ledger
from openbook.git.ledger import LogEntry
from openbook.git.objects import Batch, read_objects
from openbook.notes.parse import parse_bytes
from openbook.ritual.calendar import utc
from openbook.trust.acknowledge import acknowledged
from openbook.vault import Vault

# actions that are never an edit of a note's own words
NOT_EDITS = frozenset(
    (
        "answer",
        "accept",
        "confirm",
        "pause",
        "retire",
        "merge",
        "conflict",
        "renumber",
        "keys",
        "export",
    )
)
# fields whose change is part of a note's life, not a rewrite of what it said
LIFE_FIELDS = {
    "question": {"status", "answered", "landed", "acknowledged_by"},
    "plan-change": {"acknowledged_by"},
    "timeout": {"returned"},
    "repair": {"status", "processed"},
    "agreement": {"status", "accepted_by", "paused_by", "retire_requested_by", "next_review"},
}
EDITOR_KEYS = {"created", "modified", "updated", "aliases", "cssclasses", "publish"}


def own_words_changed(path: str, before: bytes, after: bytes) -> bool:
    """Whether a change rewrote what the note said: a field outside its life fields, or
    its body (a question's answer added below it is not a rewrite)."""
    old = parse_bytes(path, before, positions=False)
    new = parse_bytes(path, after, positions=False)
    if not old.ok or not new.ok:
        return before != after
    kind = new.type or old.type or ""
    free = LIFE_FIELDS.get(kind, set()) | EDITOR_KEYS
    keys = (set(old.meta) | set(new.meta)) - free
    if any(old.meta.get(k) != new.meta.get(k) for k in keys):
        return True
    if old.body.strip() == new.body.strip():
        return False
    return not (kind == "question" and new.body.startswith(old.body.rstrip()))


def log_entries(
    vault: Vault,
    *,
    since: dt.date | None = None,
    note_type: str | None = None,
    partner: str | None = None,
    note_dates: dict[str, dt.date] | None = None,
) -> list[LogEntry]:
    """The log, newest first, each entry with all its marks."""
    dates = note_dates or {}
    tz = vault.tz
    entries: list[LogEntry] = []
    pending: list[tuple[LogEntry, ledger.Change]] = []
    touched: list[tuple[LogEntry, ledger.Change]] = []  # for `edited by`
    for c in ledger.read_commits(vault, since=since):
        entry = ledger.entry_of(vault, c, dates)
        if (note_type and entry.type != note_type) or (partner and entry.partner != partner):
            continue
        entries.append(entry)
        if c.merge or c.action in NOT_EDITS:
            continue
        for ch in c.changes:
            if ch.status == "M" and ch.path.endswith(".md"):
                touched.append((entry, ch))
            own = ledger.own_date(ch.path, dates)
            if ch.status == "M" and ledger.after_own_date(c.committed, own, tz):
                pending.append((entry, ch))
    wanted = {b for _, ch in pending + touched for b in (ch.old, ch.new)}
    blobs = read_objects(vault.root, sorted(wanted))
    mark_edited(touched, blobs)
    for entry, ch in pending:
        before, after = blobs.get(ch.old), blobs.get(ch.new)
        if entry.late_edit or before is None or after is None:
            continue
        entry.late_edit = own_words_changed(ch.path, before[2], after[2])
    admitted = acknowledged(vault.root, ["HEAD"]) if vault.is_own_repo else {}
    ledger.mark_clock(vault, entries)
    marked = [ledger.set_marks(e) for e in entries]
    for e in marked:
        if e.sha in admitted:
            e.marks.append("unverified")  # admitted without proof: nothing it claims counts
    # strictly newest first by the time each line shows, whatever order the dates came in
    # (a clock set wrong, a merge of older work); git's order breaks ties
    marked.sort(key=lambda e: utc(dt.datetime.fromisoformat(e.date)), reverse=True)
    return marked


def mark_edited(touched: list[tuple[LogEntry, ledger.Change]], blobs: Batch) -> None:
    """`edited by <partner>`: a commit by one partner (its committer: the one at the
    keyboard) that changed the words of a note under the other's name."""
    for entry, ch in touched:
        by = entry.committer_partner or entry.partner
        before, after = blobs.get(ch.old), blobs.get(ch.new)
        if by is None or entry.edited_by or before is None or after is None:
            continue
        old = parse_bytes(ch.path, before[2], positions=False)
        key = author_field(old.meta.get("type"))
        named = old.meta.get(key) if key else None
        if isinstance(named, str) and named != by and words_changed(ch.path, before[2], after[2]):
            entry.edited_by = by
