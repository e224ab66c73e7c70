"""Before sharing, fold a run of local autosaves of one note into one commit.

`watch` commits a note a few seconds after typing stops, so an editor that saves every
few seconds leaves dozens of commits of one note. What the partner receives should be
the note as it was left, not every save. Just before a sync merges and pushes, the
commits no remote ref reaches yet (`plumbing.unshared`: nothing shared is ever
touched) are read, and if they form a straight line (no merges; otherwise nothing
happens) every run of consecutive *saves* of one note becomes one commit:

- a save is a commit openbook's `commit` or `watch` made for one note and nothing else:
  its message is exactly what `ledger.message` writes for `new` or `edit` of that path
  with no text of its own (`Openbook-Action: new|edit`, `Openbook-Type`,
  `Openbook-Partner`), and it changes that one path only. A commit made by hand, with
  `-m` text, or by any other openbook action (answer, accept, renumber...) ends a run;
- every save of a run has the same author and the same committer;
- a run never crosses the moment a change becomes a `late edit` (48 hours after the
  note's own day): folding can hide no late edit and create none.

The folded commit has the tree of the run's last save and the author, committer and
both dates of its first save, with an `Openbook-Saves: N` trailer. Its committer time
is the first save's, so the moment a note arrived (its first commit, what counting
uses: SPEC section 6) never changes, and never gets later. The commits after the run
are made again on top, with the same trees, messages, authors, committers and dates;
when this clone signs its commits they are signed again (`commit-tree -S`), and when a
commit to be made again is signed but this clone no longer signs, nothing is folded.

The original tip stays in a backup ref (`refs/openbook/backup/...`); the branch moves
with a compare-and-swap, and since the final tree is the same, the index and the work
tree do not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openbook.git import ledger, plumbing
from openbook.git.objects import Batch, read_objects
from openbook.git.repo import LogRecord
from openbook.notes.parse import parse_bytes
from openbook.notetypes.registry import note_date
from openbook.sync import refs as syncrefs
from openbook.sync.refs import SyncRefs
from openbook.trust.commits import Person, RawCommit, parse_commit
from openbook.trust.signing import commit_tree_sign_args
from openbook.vault import Vault
from openbook.words import plural

SAVES_TRAILER = "Openbook-Saves"
FOLDABLE = ("new", "edit")
_PLAIN_HEADERS = (b"tree", b"parent", b"author", b"committer")


@dataclass
class Save:
    """One unshared commit, with what folding needs to know of it."""

    raw: RawCommit
    message: str
    path: str | None  # the note a save changed; None when the commit is not a save
    action: str = ""
    signs: tuple[str, str] = ("", "")  # its Openbook-Type and Openbook-Partner
    own: tuple[dt.date, ...] = ()  # the note's own dates (field, file name)
    plain: bool = True  # only tree, parents, people and a UTF-8 message: made again exactly


@dataclass
class Run:
    """Consecutive saves of one note, folded into one commit."""

    path: str
    start: int  # index into the unshared commits
    end: int  # one past the last save

    @property
    def saves(self) -> int:
        return self.end - self.start


@dataclass
class Plan:
    commits: list[Save] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)

    def lines(self, backup: str | None, *, preview: bool = False) -> list[str]:
        if preview:
            return [
                f"A sync would join {run.saves} saves of {run.path} into one change before "
                "sharing; the originals would stay in this copy as a backup."
                for run in self.runs
            ]
        return [
            f"Joined {run.saves} saves of {run.path} into one change before sharing; the "
            f"originals stay in this copy as a backup ('git log {backup}' shows them)."
            for run in self.runs
        ]


def plan(vault: Vault, head: str) -> Plan:
    """The runs of saves that folding `head` would fold; none when history is not a
    straight line since the last shared commit."""
    root = vault.root
    records = plumbing.unshared(root, head)
    if len(records) < 2 or not _linear(records):
        return Plan()
    batch = read_objects(root, [r.sha for r in records])
    saves: list[Save] = []
    blobs: list[str] = []
    for rec in records:
        obj = batch.get(rec.sha)
        if obj is None or obj[1] != "commit":
            return Plan()
        raw = parse_commit(rec.sha, obj[2])
        _, _, body = obj[2].partition(b"\n\n")
        save = Save(raw, body.decode("utf-8", "replace"), _saved_path(rec, raw, body))
        save.plain = _plain(raw, body)
        save.action = rec.trailers.get("Openbook-Action", "")
        kind, who = rec.trailers.get("Openbook-Type", ""), rec.trailers.get("Openbook-Partner", "")
        save.signs = (kind, who)
        if save.path is not None:
            blobs.append(f"{rec.sha}:{save.path}")
        saves.append(save)
    _own_dates(saves, read_objects(root, blobs))
    return Plan(saves, _runs(saves, vault.tz))


def fold(vault: Vault, refs: SyncRefs, head: str) -> tuple[str, list[str]]:
    """Fold the runs of saves in `head` (see the module docstring). Returns the new head
    and the report's lines (none when nothing was folded)."""
    root = vault.root
    found = plan(vault, head)
    if not found.runs:
        return head, []
    first = found.runs[0].start
    redo = found.commits[first:]
    signing = commit_tree_sign_args(root)
    if not all(s.plain for s in redo):
        return head, []  # a commit git could not make again byte for byte: leave all
    if not signing and any(s.raw.signature is not None for s in redo):
        return head, []  # signed commits are never made again unsigned
    backup = syncrefs.backup(root, refs, head)
    parent = redo[0].raw.parents[0]
    starts = {run.start: run for run in found.runs}
    i = first
    while i < len(found.commits):
        run = starts.get(i)
        if run is None:
            save = found.commits[i]
            parent = _make(root, save, save.raw.tree, parent, save.message, signing)
            i += 1
            continue
        one, last = found.commits[run.start], found.commits[run.end - 1]
        message = _with_saves(one.message, run.saves)
        parent = _make(root, one, last.raw.tree, parent, message, signing)
        i = run.end
    if refs.branch is None or plumbing.resolve_tree(root, parent) != found.commits[-1].raw.tree:
        return head, []  # folding never changes what the branch holds: leave it as it was
    plumbing.move_ref(
        root,
        f"refs/heads/{refs.branch}",
        parent,
        head,
        f"openbook sync: fold {plural(sum(r.saves for r in found.runs), 'save')}",
    )
    refs.values[f"refs/heads/{refs.branch}"] = parent
    refs.head = parent
    return parent, found.lines(backup)


# ------------------------------------------------------------------------ reading


def _linear(records: list[LogRecord]) -> bool:
    """One straight line of commits: no merges, each the parent of the next."""
    for before, rec in zip([None, *records], records, strict=False):
        if len(rec.parents) > 1 or (before is not None and rec.parents != [before.sha]):
            return False
    return True


def _saved_path(rec: LogRecord, raw: RawCommit, body: bytes) -> str | None:
    """The note a commit saved, when it is a save openbook made (module docstring)."""
    if len(rec.files) != 1 or len(raw.parents) != 1:
        return None
    letter, path = rec.files[0]
    action = rec.trailers.get("Openbook-Action")
    if action not in FOLDABLE or letter != ("A" if action == "new" else "M"):
        return None
    if not _plain(raw, body):
        return None
    kind, partner = rec.trailers.get("Openbook-Type"), rec.trailers.get("Openbook-Partner")
    if not kind or not partner:
        return None
    expected = ledger.message(kind, action, path, partner)
    return path if body.decode("utf-8", "replace") == expected else None


def plain(raw: RawCommit, body: bytes) -> bool:
    """Whether `raw` can be made again byte for byte (apart from its signature)."""
    return _plain(raw, body)


def _plain(raw: RawCommit, body: bytes) -> bool:
    """No header beyond tree, parents, author and committer (an encoding, a mergetag...),
    and a message in UTF-8."""
    headers = raw.payload.partition(b"\n\n")[0].split(b"\n")
    if any(h.split(b" ", 1)[0] not in _PLAIN_HEADERS for h in headers if h):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _own_dates(saves: list[Save], blobs: Batch) -> None:
    """Each save's own dates: the note's date field as saved, and its file name's."""
    for save in saves:
        if save.path is None:
            continue
        owns: set[dt.date] = set()
        obj = blobs.get(f"{save.raw.sha}:{save.path}")
        if obj is not None and obj[1] == "blob":
            meta = parse_bytes(save.path, obj[2], positions=False).meta
            day = note_date(meta) if isinstance(meta, dict) else None
            if day is not None:
                owns.add(day)
        named = ledger.own_date(save.path, {})
        if named is not None:
            owns.add(named)
        save.own = tuple(sorted(owns))


def _joins(first: Save, save: Save, tz: dt.tzinfo) -> bool:
    """Whether `save` continues the run `first` started: an edit of the same note, by
    the same people, on the same side of the moment a change becomes a late edit."""
    if save.path is None or save.path != first.path or save.action != "edit":
        return False
    if save.signs != first.signs:
        return False
    if _who(save.raw.author) != _who(first.raw.author):
        return False
    if _who(save.raw.committer) != _who(first.raw.committer):
        return False
    for day in set(first.own) | set(save.own):
        a = ledger.after_own_date(first.raw.committer.when, day, tz)
        b = ledger.after_own_date(save.raw.committer.when, day, tz)
        if a != b:
            return False
    return True


def _runs(saves: list[Save], tz: dt.tzinfo) -> list[Run]:
    runs: list[Run] = []
    i = 0
    while i < len(saves):
        first = saves[i]
        j = i + 1
        if first.path is not None:
            while j < len(saves) and _joins(first, saves[j], tz):
                j += 1
        if j - i > 1 and first.path is not None:
            runs.append(Run(first.path, i, j))
        i = j
    return runs


def _who(person: Person) -> tuple[str, str]:
    return person.name, person.email


# ------------------------------------------------------------------------ writing


def _with_saves(message: str, saves: int) -> str:
    return message.rstrip("\n") + f"\n{SAVES_TRAILER}: {saves}\n"


def _stamp(person: Person) -> str:
    return f"@{person.time} {person.offset}"


def _make(root: Path, save: Save, tree: str, parent: str, message: str, signing: list[str]) -> str:
    """`save` made again on `parent` with `tree`: same author, committer, dates."""
    return remake(root, save.raw, tree, [parent], message, signing)


def remake(
    root: Path, raw: RawCommit, tree: str, parents: list[str], message: str, signing: list[str]
) -> str:
    """`raw` made again with `tree`, `parents` and `message`: the same author, committer
    and dates, signed when `signing` says so (doctor's re-signing uses it too)."""
    a, c = raw.author, raw.committer
    env = {
        "GIT_AUTHOR_NAME": a.name,
        "GIT_AUTHOR_EMAIL": a.email,
        "GIT_AUTHOR_DATE": _stamp(a),
        "GIT_COMMITTER_NAME": c.name,
        "GIT_COMMITTER_EMAIL": c.email,
        "GIT_COMMITTER_DATE": _stamp(c),
    }
    return plumbing.commit_tree(root, tree, parents, message, env, signing)
