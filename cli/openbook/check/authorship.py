"""Notes under a name (SPEC section 10, GUIDE invariant 7).

A note's author field (`author`, `asked_by`, `called_by`, `proposed_by`) names the partner
whose own commit added it: author and committer that partner. A commit authored as Y and
committed by the other partner X is a note "by X for Y": it is Y's only once Y's own
commit confirms it (`openbook confirm PATH`, trailer `Openbook-Confirms: PATH`); until then
it is shown marked and not counted. Any other note under a name is reported as
`author-mismatch` at its author field, and does not count. An edit of a note's words by
the partner it is not under is shown as theirs ("edited by Bob").

What history says is read by check/written.py. A pause's `by` is a consent, judged by
check/provenance.py.
"""

from __future__ import annotations

import contextlib
import json
import marshal
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from openbook.check.cache import in_folders
from openbook.check.provenance import _head
from openbook.check.since import touched_since
from openbook.check.written import CONFIRM_TRAILER as CONFIRM_TRAILER
from openbook.check.written import FOLDERS, written
from openbook.check.written import words_changed as words_changed
from openbook.config import Partner
from openbook.fsutil import atomic_write
from openbook.notes.locate import key_position
from openbook.notes.parse import Note, Problem
from openbook.notetypes.registry import TYPES
from openbook.vault import Vault

RULE = "author-mismatch"
VERDICT_FILE = "authorship-verdict.marshal"  # the verdict on the work tree (plain values)
OLD_VERDICT_FILE = "authorship-verdict.json"  # its JSON of before, removed once replaced
AUTHOR_FIELDS = ("author", "asked_by", "called_by", "proposed_by")
PREFIXES = tuple(f"{f}/" for f in FOLDERS)  # the note folders judged


def author_field(note_type: Any) -> str | None:
    """The field that names who wrote a note of this type, if it has one."""
    t = TYPES.get(note_type) if isinstance(note_type, str) else None
    if t is None:
        return None
    return next((k for k in AUTHOR_FIELDS if k in t.fields), None)


@dataclass
class Authorship:
    """The verdict on the notes in the work tree, by partner id.

    `mismatch`: path -> (field, named partner, who added it: partner id or email);
    `unconfirmed`: path -> (committer, author) of a note "by X for Y" Y has not confirmed;
    `for_`: the same for every note "by X for Y", confirmed or not;
    `edited`: path -> the partners, other than the one it is under, whose commits (as
    committer) changed its words."""

    mismatch: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    unconfirmed: dict[str, tuple[str, str]] = field(default_factory=dict)
    for_: dict[str, tuple[str, str]] = field(default_factory=dict)
    edited: dict[str, list[str]] = field(default_factory=dict)


def _ids(partners: Mapping[str, Partner]) -> Callable[[str], str]:
    emails = {p.email.lower(): pid for pid, p in partners.items()}
    return lambda email: emails.get(email, email)


def judge(vault: Vault, notes: Mapping[str, Note]) -> Authorship:
    """Each committed note with an author field, judged against the commit that added it."""
    out = Authorship()
    if not vault.is_own_repo or vault.config is None:
        return out
    facts = written(vault)
    who = _ids(vault.config.partners)
    for path, note in sorted(notes.items()):
        key = author_field(note.meta.get("type"))
        named = note.meta.get(key) if key else None
        if key is None or not isinstance(named, str) or path not in facts.added:
            continue  # not committed yet: `commit` refuses a note under someone else's name
        # the same bytes added by each partner: each wrote it, and it is the named one's
        adders = [tuple(who(e) for e in w) for w in facts.alike.get(path, [])]
        author, committer = (
            (named, named) if (named, named) in adders else (who(e) for e in facts.added[path])
        )
        # an edit is by the one at the keyboard: the committer ("by X for Y": X)
        editors = [
            who(c)
            for _, c in facts.edited.get(path, [])
            if who(c) != named and who(c) in vault.config.partners
        ]
        if editors:
            out.edited[path] = sorted(set(editors))
        if author == named and committer == named:
            continue
        if author == named and committer in vault.config.partners:
            out.for_[path] = (committer, named)
            if named not in {who(e) for e in facts.confirmed.get(path, [])}:
                out.unconfirmed[path] = (committer, named)
            continue
        out.mismatch[path] = (key, named, committer if committer != author else author)
    return out


def problems_of(vault: Vault, verdict: Authorship) -> list[Problem]:
    """`author-mismatch` at the line of each note's author field."""
    names = {pid: p.name for pid, p in vault.config.partners.items()} if vault.config else {}
    out = []
    for path, (key, named, by) in sorted(verdict.mismatch.items()):
        line, col = key_position(vault.root, path, key)
        name = names.get(named, named)
        out.append(
            Problem(
                path,
                line,
                col,
                "error",
                RULE,
                f"this note is under {name}'s name, but the commit that added it is "
                f"{names.get(by, by)}'s, not {name}'s own; each partner writes their own "
                "notes, so it does not count",
            )
        )
    return out


def check_authorship(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
) -> tuple[Authorship, list[Problem]]:
    """The verdict on the notes in the note folders, and its problems, remembered under
    the state folder with HEAD, the settings and those notes' files. When HEAD moved on by
    commits that confirm nothing (a merge too), only the notes whose files changed or that
    those commits touched are judged again: a note's verdict is its own facts'."""
    if not vault.is_own_repo or vault.git_dir is None or vault.config is None:
        return Authorship(), []
    watched = dict(in_folders(stats, PREFIXES))
    head = _head(vault.git_dir)
    people = sorted((k, p.email.lower()) for k, p in vault.config.partners.items())
    rest = json.dumps([vault.config.digest, people])
    state = vault.state_dir()
    cache = state / VERDICT_FILE if state else None
    saved: dict[str, Any] = {}
    if cache is not None:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            saved = marshal.loads(cache.read_bytes())
    found = _remembered(vault, saved, rest, head, watched, notes)
    if found is not None and saved.get("head") == head and saved.get("watched") == watched:
        return found
    verdict, problems = found or _judged(vault, notes, sorted(watched))
    if cache is not None:
        data: dict[str, Any] = {"head": head, "rest": rest, "watched": watched}
        data["verdict"] = asdict(verdict)
        data["problems"] = [asdict(p) for p in problems]
        with contextlib.suppress(OSError, ValueError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cache, marshal.dumps(data), durable=False)  # checked when read
            (cache.parent / OLD_VERDICT_FILE).unlink(missing_ok=True)
    return verdict, problems


def _judged(
    vault: Vault, notes: Callable[[list[str]], Mapping[str, Note]], paths: list[str]
) -> tuple[Authorship, list[Problem]]:
    verdict = judge(vault, notes(paths))
    return verdict, problems_of(vault, verdict)


def _remembered(
    vault: Vault,
    saved: Any,
    rest: str,
    head: str,
    watched: dict[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
) -> tuple[Authorship, list[Problem]] | None:
    """The remembered verdict brought up to HEAD and the files as they are, judging again
    only the notes whose facts may have changed; None when that cannot be done exactly."""
    try:
        if not isinstance(saved, dict) or saved.get("rest") != rest:
            return None
        before, verdict = saved["watched"], _verdict(saved["verdict"])
        if saved.get("head") == head and before == watched:
            return verdict, [Problem(**p) for p in saved["problems"]]
        # facts are unions over history (check/written.py): after a merge too, only the
        # notes the commits it brought changed, and the files that changed, may differ
        touched = touched_since(vault.root, saved.get("head"), head, merges=True)
        if touched is None or CONFIRM_TRAILER in touched[1]:
            return None  # a confirmation names notes it need not change: judge them all
        again = {p for p, s in watched.items() if before.get(p) != s}
        again |= before.keys() - watched.keys()
        again |= touched[0]
    except (TypeError, KeyError, AttributeError, ValueError):
        return None
    for part in (verdict.mismatch, verdict.unconfirmed, verdict.for_, verdict.edited):
        for path in again:
            part.pop(path, None)
    fresh = judge(vault, notes(sorted(p for p in again if p in watched)))
    verdict.mismatch.update(fresh.mismatch)
    verdict.unconfirmed.update(fresh.unconfirmed)
    verdict.for_.update(fresh.for_)
    verdict.edited.update(fresh.edited)
    return verdict, problems_of(vault, verdict)


def _verdict(saved: dict[str, Any]) -> Authorship:
    return Authorship(
        {p: (a, b, c) for p, (a, b, c) in saved["mismatch"].items()},
        {p: (a, b) for p, (a, b) in saved["unconfirmed"].items()},
        {p: (a, b) for p, (a, b) in saved["for_"].items()},
        {p: list(v) for p, v in saved["edited"].items()},
    )


def marks(verdict: Authorship, path: str, names: Mapping[str, str]) -> str:
    """How a note's words are marked wherever they are shown: "by Bob Example for Alice
    Example, not yet confirmed", "edited by Bob Example"; "" when they are its own."""
    said = []
    if path in verdict.for_:
        by, for_ = verdict.for_[path]
        tail = ", not yet confirmed" if path in verdict.unconfirmed else ""
        said.append(f"by {names.get(by, by)} for {names.get(for_, for_)}{tail}")
    said += [f"edited by {names.get(p, p)}" for p in verdict.edited.get(path, [])]
    return "; ".join(said)


def free_path(vault: Vault, relpath: str, partner: str) -> str:
    """Where a new note of `partner` goes when a note at `relpath` is not theirs (under
    their name by the other's commit): the first free `-2`, `-3`... beside it, the names
    sync gives two notes added at one path. Otherwise `relpath` itself."""
    full = vault.root / relpath
    if not full.exists() or not vault.is_own_repo or vault.config is None:
        return relpath
    added = written(vault).added.get(relpath)
    emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
    if added is None or added == (emails.get(partner), emails.get(partner)):
        return relpath
    stem = relpath[:-3]
    n = 2
    while (vault.root / f"{stem}-{n}.md").exists():
        n += 1
    return f"{stem}-{n}.md"
