"""Consent is to the words (SPEC section 10, GUIDE invariant 10).

Each partner's acceptance is an acceptance of the terms of the version they accepted
(`notetypes.agreement.terms_of`): a commit that is that partner's own (author and
committer are that partner, signed by their key when signatures are required, not
admitted unverified) and lists them in `accepted_by`, or their `accept` commit naming the
words' digest (`Openbook-Terms`). When the terms change after a partner accepted, that
acceptance waits again: until both accept the new words the agreement is proposed (never
active) or stays in force in the words both last accepted.

History is read with one `git log` and one `git cat-file --batch`, remembered under the
vault's state folder with the commit it was read up to (check/since.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from openbook.check.since import (
    admitted,
    after_merge,
    commits_since,
    digest,
    head_of,
    linear_since,
    load,
    save,
    walk_args,
)
from openbook.git.ahead import read_ahead
from openbook.git.objects import read_objects
from openbook.git.repo import git_bytes
from openbook.notes.parse import parse_bytes
from openbook.notetypes.agreement import terms_digest
from openbook.vault import Vault

CACHE_FILE = "terms.json"
CACHE_VERSION = 2  # 2: the commits replayed, in their order
FOLDER = "agreements/"
TERMS_TRAILER = "Openbook-Terms"
_ACTION = "Openbook-Action"
WALK = ["--no-merges", "--topo-order", "--reverse"]  # the replay's order: git log's own


@dataclass
class Replayed:
    """One agreement's consent to its words, as history shows it."""

    latest: dict[str, str] = field(default_factory=dict)  # partner -> words last accepted
    declined: dict[str, str] = field(default_factory=dict)  # partner -> words declined
    in_force: str | None = None  # the words both last accepted (digest)
    in_force_text: str | None = None  # the version of the file with those words
    current: str | None = None  # the words of the last committed version
    text: str | None = None  # that version as text
    changed_in: str = ""  # the commit that last changed the words


@dataclass(frozen=True)
class _Commit:
    sha: str
    author: str
    committer: str
    subject: str
    action: str
    terms: str
    paths: tuple[str, ...]


def log_args(head: str, since: str | None = None) -> list[list[str]]:
    """The `git log`s the replay reads: every commit but merges, oldest first, with its
    subject and trailers. After `since` (the few commits a commit or a sync brings) the
    files each changed come in the same pass. Over all of history they come from a second
    pass of only the commits that changed agreements/: each is git's own order of one
    walk (`--full-history` keeps every commit in it), and only that pass compares trees,
    only under agreements/, so no pass lists every commit's changes."""
    fmt = (
        "%x1e%H%x1f%ae%x1f%ce%x1f%s%x1f"
        f"%(trailers:key={_ACTION},key={TERMS_TRAILER},separator=%x1d)"
    )
    walk = ["log", *WALK, "-z"]
    revs = ["--end-of-options", head, *([f"^{since}"] if since else [])]
    if since:
        return [[*walk, "--no-renames", f"--format={fmt}", "--name-only", *revs]]
    changed = [*walk, "--full-history", "--no-renames", "--format=%x1e%H", "--name-only"]
    return [[*walk, f"--format={fmt}", *revs], [*changed, *revs, "--", FOLDER]]


def _paths(names: str) -> tuple[str, ...]:
    """The agreement notes among the NUL-separated paths `git log --name-only -z` gave."""
    found = names.strip("\n\0").split("\0")
    return tuple(p for p in found if p.startswith(FOLDER) and p.endswith(".md"))


def _log(root: Path, head: str, since: str | None = None) -> list[_Commit]:
    """Every commit of `head`'s history (not reachable from `since`) but merges, oldest
    first, with the agreement files it changed and its Openbook-Action and Openbook-Terms
    trailers. `head` is a commit id, so that both passes read one history even when a
    commit lands between them."""
    listing, *changed = (git_bytes(root, a, check=False) for a in log_args(head, since))
    touched: dict[str, tuple[str, ...]] = {}
    for record in b"".join(changed).decode("utf-8", "replace").split("\x1e")[1:]:
        sha, _, names = record.partition("\n")
        if paths := _paths(names):
            touched[sha.strip("\0")] = paths
    out = []
    for record in listing.decode("utf-8", "replace").split("\x1e")[1:]:
        top, _, names = record.partition("\n")
        sha, author, committer, subject, trailers = [*top.strip("\0").split("\x1f"), *[""] * 5][:5]
        found = dict(t.split(": ", 1) for t in trailers.split("\x1d") if ": " in t)
        paths = _paths(names) or touched.get(sha, ())
        action = found.get(_ACTION, "").strip()
        terms = found.get(TERMS_TRAILER, "").strip()
        if paths or (action in ("accept", "decline") and terms):
            out.append(
                _Commit(sha, author.lower(), committer.lower(), subject, action, terms, paths)
            )
    return out


class _Judge:
    """Whose own commit each commit is (SPEC section 10, "Consent in history"), as the
    history of `head` (the commit the replay reads) says."""

    def __init__(self, vault: Vault, head: str) -> None:
        self.emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
        self.signed = vault.config.require_signatures
        self.signers: dict[str, str | None] = {}
        if self.signed:
            from openbook.trust.verify import signers_and_pausers

            self.signers = signers_and_pausers(vault.root, head)[0]
        self.admitted = admitted(vault, head)

    def own(self, c: _Commit, partner: str) -> bool:
        email = self.emails.get(partner)
        if email is None or c.author != email or c.committer != email:
            return False
        if self.signed and self.signers.get(c.sha) != partner:
            return False
        return c.sha not in self.admitted

    def partner(self, c: _Commit) -> str | None:
        return next((p for p in self.emails if self.own(c, p)), None)


def _settle(st: Replayed, partners: Iterable[str]) -> None:
    """Both partners' latest acceptance is of the current words: they are in force."""
    given = {st.latest.get(p) for p in partners}
    if len(given) == 1 and st.current is not None and given == {st.current}:
        st.in_force, st.in_force_text = st.current, st.text


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _version(st: Replayed, c: _Commit, data: bytes, judge: _Judge, partners: list[str]) -> None:
    """One committed version of an agreement file."""
    note = parse_bytes("agreement.md", data, positions=False)
    digest = terms_digest(note.meta, note.body)
    if st.current is not None and digest != st.current:
        st.changed_in = c.sha
    st.current, st.text = digest, data.decode("utf-8", "replace")
    if not c.terms or c.terms == digest:  # an accept naming other words accepts nothing
        for pid in _as_list(note.meta.get("accepted_by")):
            if judge.own(c, pid):
                st.latest[pid] = digest
                st.declined.pop(pid, None)
    _action(st, c, judge)
    _settle(st, partners)


def _action(st: Replayed, c: _Commit, judge: _Judge) -> None:
    """An `accept` or `decline` commit naming the words it was given."""
    if c.action not in ("accept", "decline") or not c.terms or c.terms != st.current:
        return
    who = judge.partner(c)
    if who is None:
        return
    if c.action == "accept":
        st.latest[who] = c.terms
        st.declined.pop(who, None)
    else:
        st.declined[who] = c.terms


def replay(
    vault: Vault,
    head: str,
    since: str | None = None,
    known: Mapping[str, Replayed] | None = None,
) -> dict[str, Replayed]:
    """Each agreement id's consent to its words, from `head`'s history; with `since`, the
    commits after it replayed on `known` (what its history gave: `since` must be an
    ancestor of `head` with only single-parent commits between)."""
    return _replay(vault, head, _log(vault.root, head, since), known)


def _replay(
    vault: Vault, head: str, commits: list[_Commit], known: Mapping[str, Replayed] | None
) -> dict[str, Replayed]:
    """`commits` (oldest first) replayed on `known`."""
    root = vault.root
    blobs = read_objects(root, [f"{c.sha}:{p}" for c in commits for p in c.paths])
    judge = _Judge(vault, head)
    partners = list(vault.config.partners)
    states = {
        k: replace(v, latest=dict(v.latest), declined=dict(v.declined))
        for k, v in (known or {}).items()
    }
    for c in commits:
        touched: set[str] = set()
        for p in c.paths:
            obj = blobs.get(f"{c.sha}:{p}")
            if obj is None:
                continue  # deleted here
            meta = parse_bytes(p, obj[2], positions=False).meta
            aid = meta.get("id")
            if meta.get("type") != "agreement" or not isinstance(aid, str) or aid in touched:
                continue
            touched.add(aid)
            _version(states.setdefault(aid, Replayed()), c, obj[2], judge, partners)
        aid = c.subject.rsplit(" ", 1)[-1]
        if not c.paths and aid in states:
            _action(states[aid], c, judge)
            _settle(states[aid], partners)
    return states


def read_walk_ahead(vault: Vault, head: str) -> None:
    """Start, in the background, the walk of history that replaying the consents after
    the merge `head` will ask git for (`_brought`), while the sync that made the merge
    shares it: only when what is remembered was replayed in an order to check against."""
    saved = load(vault, CACHE_FILE)
    if isinstance(saved.get("order"), list) and saved.get("head") != head:
        read_ahead(vault.root, walk_args(WALK, head))


def _brought(
    vault: Vault, head: str, old: str, known: dict[str, Replayed], order: list[str]
) -> tuple[dict[str, Replayed], list[str]] | None:
    """(`known` with what came since `old` replayed on it, the commits replayed in their
    order) when that is replaying the whole history (`since.after_merge`); None when it
    is not."""
    if linear_since(vault.root, old, head):
        commits = _log(vault.root, head, old)
    elif commits_since(vault.root, old, head) is not None:
        by = {c.sha: c for c in _log(vault.root, head, old)}
        ordered = after_merge(vault.root, head, WALK, order, by)
        if ordered is None:
            return None
        commits = [by[sha] for sha in ordered]
    else:
        return None
    return _replay(vault, head, commits, known), [*order, *(c.sha for c in commits)]


def replayed(vault: Vault, state: Path | None) -> tuple[str, dict[str, Replayed]]:
    """(HEAD, `replay`) remembered under the state folder with HEAD, the settings, the
    commits admitted without proof and the commits replayed in their order: when HEAD
    moved on, only the commits since are replayed on what was remembered, by single-parent
    commits or when history's order still lists them after it (`since.after_merge`)."""
    if not vault.is_own_repo or vault.git_dir is None:
        return "", {}
    head = head_of(vault)
    if not head:
        return "", {}
    base = hashlib.sha1(json.dumps([CACHE_VERSION, vault.config.digest]).encode()).hexdigest()
    saved = load(vault, CACHE_FILE) if state is not None else {}
    old, given = saved.get("head"), digest(admitted(vault, head))
    known = _saved(saved) if saved.get("base") == base and saved.get("admitted") == given else None
    order = saved.get("order")
    if known is not None and old == head:
        return head, known
    found = None
    if known is not None and isinstance(old, str) and isinstance(order, list):
        found = _brought(vault, head, old, known, [str(sha) for sha in order])
    if found is None:
        commits = _log(vault.root, head)
        found = _replay(vault, head, commits, None), [c.sha for c in commits]
    states, order = found
    if state is not None:
        data = {"base": base, "head": head, "admitted": given, "order": order}
        save(vault, CACHE_FILE, {**data, "replayed": {k: asdict(v) for k, v in states.items()}})
    return head, states


def _saved(saved: dict[str, Any]) -> dict[str, Replayed] | None:
    """The replay a cache file holds, None when it holds none readable."""
    try:
        return {str(k): Replayed(**v) for k, v in saved["replayed"].items()}
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def accepted_words(states: Mapping[str, Replayed], aid: str, partner: str) -> str | None:
    """The digest of the words of `aid` that `partner` last accepted, if any."""
    st = states.get(aid)
    return st.latest.get(partner) if st else None
