"""Pauses as history holds them (SPEC section 10, GUIDE invariants 9 and 10).

A pause begins with its partner's own commit adding the pause note, and ends only by that
partner's own commit setting `resumed` (or `until`), or at its `until`. Deleting or
editing the note by anyone else changes nothing: the pause still holds, and what
happened is named. A merge never begins, ends or changes a pause: only the commits it
brings in do. A pause waiting in `.git/openbook/pending-pause` (git was busy) holds in
this clone at once.

One `git log` over `pauses/` and one `git cat-file --batch`, remembered under the vault's
state folder with the commit read up to, the partners and the commits admitted without
proof: after single-parent commits only those are read (check/since.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from openbook.check.claims import as_list, merges_own
from openbook.check.since import admitted, digest, head_of, linear_since, load, save
from openbook.errors import GitError
from openbook.git import ledger
from openbook.git.objects import read_objects
from openbook.notes.parse import Note, Problem, parse_bytes
from openbook.notetypes.base import as_datetime
from openbook.vault import Vault

FOLDER = "pauses"
CACHE_FILE = "pauses.json"
PENDING_FILE = "pending-pause"  # a pause waiting for the branch (record/pause_anyway.py)
SEEN = "refs/openbook/seen/{}/{}"  # the head both last shared (sync/refs.py)
CACHE_VERSION = 4  # 3: merges that change a pause note are named; 4: read since


@dataclass(frozen=True)
class HeldPause:
    """One pause as its partner's own commits made it, and what others did to its note."""

    path: str
    by: str
    since: dt.datetime
    until: dt.datetime | None = None
    resumed: dt.datetime | None = None
    agreement: str | None = None
    # what others did to the note since the pauser last touched it: (how, email, commit),
    # how being "deleted" or "edited"
    changed: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    commit: str = ""  # the pauser's own commit it stands on ("" while pending)

    @property
    def end(self) -> dt.datetime | None:
        ends = [e for e in (self.resumed, self.until) if e is not None]
        return min(ends, key=lambda e: e.astimezone(dt.UTC)) if ends else None

    def holds(self, at: dt.datetime) -> bool:
        if at.astimezone(dt.UTC) < self.since.astimezone(dt.UTC):
            return False
        end = self.end
        return end is None or at.astimezone(dt.UTC) < end.astimezone(dt.UTC)


def _from_meta(path: str, meta: Any, tz: dt.tzinfo) -> HeldPause | None:
    if not isinstance(meta, dict) or meta.get("type") != "pause":
        return None
    by, since = meta.get("by"), as_datetime(meta.get("since"), tz)
    if not isinstance(by, str) or since is None:
        return None
    agreement = meta.get("agreement")
    return HeldPause(
        path,
        by,
        since,
        as_datetime(meta.get("until"), tz),
        as_datetime(meta.get("resumed"), tz),
        agreement.strip().upper() if isinstance(agreement, str) and agreement.strip() else None,
    )


def from_notes(notes: Iterable[Note], tz: dt.tzinfo) -> list[HeldPause]:
    """The pauses the notes say (a folder without a history of its own)."""
    found = (_from_meta(n.path, n.meta, tz) for n in notes if n.type == "pause")
    return sorted((p for p in found if p is not None), key=lambda p: p.path)


def held_pauses(vault: Vault) -> list[HeldPause]:
    """Every pause history shows its partner beginning, oldest path first, with the pending
    one of this clone (see the module's docstring)."""
    cfg = vault.config
    emails = {p.email.lower(): pid for pid, p in cfg.partners.items()}
    head = head_of(vault) or None
    pending = pending_pause(vault) if vault.is_own_repo else None
    base = hashlib.sha1(
        json.dumps(
            [CACHE_VERSION, sorted(emails.items()), cfg.require_signatures, cfg.digest]
        ).encode()
    ).hexdigest()
    found: dict[str, HeldPause] = {}
    if head:
        given = digest(admitted(vault, head))
        saved = load(vault, CACHE_FILE)
        old = saved.get("head")
        same = saved.get("key") == base and saved.get("admitted") == given
        known = _load(saved) if same else None
        if known is not None and old == head:
            found = known
        else:
            if known is not None and isinstance(old, str) and linear_since(vault.root, old, head):
                found = _replay(vault, emails, head, old, known)
            else:
                found = _replay(vault, emails, head)
            _save(vault, {"key": base, "head": head, "admitted": given}, found)
    if pending is not None:
        found = _with_pending(vault, found, pending)
    return sorted(found.values(), key=lambda p: p.path)


def pending_pause(vault: Vault) -> dict[str, str] | None:
    """The pause waiting in `.git/openbook/pending-pause`: {"path", "partner", "action",
    "when"}, or None."""
    state = vault.state_dir()
    if state is None:
        return None
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((state / PENDING_FILE).read_text(encoding="utf-8"))
        keys = ("path", "partner", "action", "when")
        if isinstance(data, dict) and all(isinstance(data.get(k), str) for k in keys):
            return {k: str(data[k]) for k in keys}
    return None


def _owner(
    c: ledger.Commit, emails: dict[str, str], signed: dict[str, str | None] | None
) -> str | None:
    """The partner whose own commit `c` is (author and committer, signed when required)."""
    author = c.author_email.lower()
    if c.merge or author != c.committer_email.lower() or author not in emails:
        return None
    pid = emails[author]
    if signed is not None and signed.get(c.sha) != pid:
        return None
    return pid


def _replay(
    vault: Vault,
    emails: dict[str, str],
    head: str,
    since: str | None = None,
    before: Mapping[str, HeldPause] | None = None,
) -> dict[str, HeldPause]:
    """The pauses `head`'s history holds; with `since`, the commits after it replayed on
    `before` (what its history held: `since` must be an ancestor of `head` with only
    single-parent commits between)."""
    everything = ledger.read_commits(vault, paths=[FOLDER], topo=True, exclude=since, rev=head)
    commits = [c for c in everything if not c.merge]
    by_merge = merges_own(vault.root, [c for c in everything if c.merge], FOLDER)
    signed: dict[str, str | None] | None = None
    if vault.config.require_signatures and commits:
        from openbook.trust.verify import signers_and_pausers

        signed = signers_and_pausers(vault.root, head)[1]
    admits = admitted(vault, head) if commits else frozenset()
    blobs = read_objects(
        vault.root,
        sorted(
            {
                ch.new
                for c in commits
                for ch in c.changes
                if ch.new != ledger.NO_BLOB and ch.path.endswith(".md")
            }
        ),
    )
    tz = vault.config.tz
    found = dict(before or {})
    for c in reversed(everything):  # oldest first
        if c.merge:  # a merge changes a pause only where git's own merge would not have
            for path, how in by_merge.get(c.sha, []):
                held = found.get(path)
                if held is not None:
                    found[path] = replace(
                        held, changed=(*held.changed, (how, c.author_email, c.sha))
                    )
            continue
        owner = None if c.sha in admits else _owner(c, emails, signed)
        for ch in c.changes:
            if not (ch.path.startswith(FOLDER + "/") and ch.path.endswith(".md")):
                continue
            known = found.get(ch.path)
            obj = blobs.get(ch.new) if ch.status != "D" else None
            meta = parse_bytes(ch.path, obj[2], positions=False).meta if obj else None
            said = _from_meta(ch.path, meta, tz) if meta is not None else None
            if known is None:
                if said is not None and owner == said.by:
                    found[ch.path] = replace(said, commit=c.sha)
                continue
            if owner == known.by and said is not None and said.by == known.by:
                found[ch.path] = replace(said, since=known.since, commit=c.sha)
                continue
            if owner == known.by and ch.status != "D":
                continue  # the pauser's own edit that no longer reads as their pause
            how = "deleted" if ch.status == "D" else "edited"
            found[ch.path] = replace(known, changed=(*known.changed, (how, c.author_email, c.sha)))
    return found


def _with_pending(
    vault: Vault, found: dict[str, HeldPause], pending: dict[str, str]
) -> dict[str, HeldPause]:
    """The pause waiting for the branch holds in this clone at once (it is its partner's)."""
    path = pending["path"]
    full = vault.root / path
    with contextlib.suppress(OSError):
        if full.is_file() and not full.is_symlink():
            meta = parse_bytes(path, full.read_bytes(), positions=False).meta
            said = _from_meta(path, meta, vault.config.tz)
            if said is not None and said.by == pending["partner"]:
                known = found.get(path)
                since = known.since if known is not None and known.by == said.by else said.since
                return {**found, path: replace(said, since=since)}
    return found


# ---------------------------------------------------------------------------- cache


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def _load(data: dict[str, Any]) -> dict[str, HeldPause] | None:
    """The pauses a cache file holds, None when it holds none readable."""
    try:
        out = {}
        for d in data["pauses"]:
            since = _when(d["since"])
            assert since is not None
            out[d["path"]] = HeldPause(
                d["path"],
                d["by"],
                since,
                _when(d["until"]),
                _when(d["resumed"]),
                d["agreement"],
                tuple((a, b, c) for a, b, c in d["changed"]),
                d["commit"],
            )
        return out
    except (ValueError, KeyError, TypeError, AssertionError, AttributeError, IndexError):
        return None


def _save(vault: Vault, key: dict[str, str], found: dict[str, HeldPause]) -> None:
    rows = [
        {
            "path": p.path,
            "by": p.by,
            "since": p.since.isoformat(),
            "until": _iso(p.until),
            "resumed": _iso(p.resumed),
            "agreement": p.agreement,
            "changed": [list(c) for c in p.changed],
            "commit": p.commit,
        }
        for p in found.values()
    ]
    save(vault, CACHE_FILE, {**key, "pauses": rows})


def pauses_for(vault: Vault, notes: Iterable[Note]) -> list[HeldPause]:
    """The pauses of this vault: from history, or from the notes in a folder without a
    history of its own."""
    if head_of(vault):
        return held_pauses(vault)
    return from_notes(notes, vault.config.tz)


# ------------------------------------------------------------------ agreements as viewed


def agreement_pauses_at(held: Iterable[HeldPause], at: dt.datetime) -> dict[str, list[HeldPause]]:
    """Agreement id -> the pauses of it (`pause A-ID`) that hold at `at`."""
    out: dict[str, list[HeldPause]] = {}
    for p in held:
        if p.agreement is not None and p.holds(at):
            out.setdefault(p.agreement, []).append(p)
    return out


def agreement_view(notes: Mapping[str, Note], held: Iterable[HeldPause], at: dt.datetime) -> None:
    """An agreement is `paused` while a pause of it by either partner holds, and only then:
    its `status` and `paused_by` as every output shows them are history's, whatever the
    file says (`paused_since`: when the first of those pauses began)."""
    pauses = agreement_pauses_at(held, at)
    for note in notes.values():
        meta = note.meta
        if note.type != "agreement" or meta.get("status") not in ("active", "paused"):
            continue
        now = pauses.get(str(meta.get("id")), [])
        view = dict(meta)
        if now:
            view["status"] = "paused"
            view["paused_by"] = sorted({p.by for p in now})
            view["paused_since"] = min((p.since for p in now), key=lambda s: s.astimezone(dt.UTC))
        else:
            view["status"] = "active"
            view["paused_by"] = []
        note.meta = view


def view_problems(
    notes: Mapping[str, Note], held: Iterable[HeldPause], at: dt.datetime
) -> list[Problem]:
    """`consent-unproven` where an agreement file's `status`/`paused_by` says otherwise
    than the pauses history holds."""
    pauses = agreement_pauses_at(held, at)
    out = []
    for path, note in sorted(notes.items()):
        meta = note.meta
        if note.type != "agreement" or meta.get("status") not in ("active", "paused"):
            continue
        aid = str(meta.get("id"))
        said = sorted(str(p) for p in as_list(meta.get("paused_by")))
        held_by = sorted({p.by for p in pauses.get(aid, [])})
        if meta.get("status") != "paused" and not said:
            continue  # `pause A-ID` never edits the file: an active one may be paused
        if held_by and (not said or said == held_by):
            continue
        key = "paused_by" if held_by else "status"
        line, col = note.keypos(key)
        truth = (
            f"history holds a pause of it by {', '.join(held_by)}"
            if held_by
            else "no pause of it holds in history"
        )
        out.append(
            Problem(
                path,
                line,
                col,
                "error",
                "consent-unproven",
                f"{aid} says {key}: {meta.get(key) if key == 'status' else ', '.join(said)}, "
                f"but {truth}; only 'openbook pause {aid}' and 'openbook resume {aid}' by the "
                "one who paused change that, so the file does not count",
            )
        )
    return out


def received(vault: Vault, pause: HeldPause) -> bool | None:
    """Whether the partner can have this pause: its commit is in the head both last shared
    (`refs/openbook/seen/<remote>/<branch>`); None when this clone shares with no one."""
    from openbook.git import repo as gitrepo
    from openbook.git.plumbing import is_ancestor

    if not vault.is_own_repo:
        return None
    branch = gitrepo.current_branch(vault.root)
    remotes = [r for r in gitrepo.out(vault.root, "remote").split() if r]
    if branch is None or not remotes:
        return None
    remote = "origin" if "origin" in remotes else remotes[0]
    seen = gitrepo.run(
        vault.root,
        [
            "rev-parse",
            "--verify",
            "-q",
            "--end-of-options",
            f"refs/openbook/seen/{remote}/{branch}",
        ],
        check=False,
    ).stdout.strip()
    if not seen or not pause.commit:
        return False
    try:
        return is_ancestor(vault.root, pause.commit, seen)
    except GitError:
        return False
