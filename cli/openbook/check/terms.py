"""Consent is to the words (SPEC section 10, GUIDE invariant 10).

Each partner's acceptance is an acceptance of the terms of the version they accepted
(`notetypes.agreement.terms_of`): a commit that is that partner's own (author and
committer are that partner, signed by their key when signatures are required, not
admitted unverified) and lists them in `accepted_by`, or their `accept` commit naming the
words' digest (`Openbook-Terms`). When the terms change after a partner accepted, that
acceptance waits again: until both accept the new words the agreement is proposed (never
active) or stays in force in the words both last accepted.

History is read with one `git log` and one `git cat-file --batch`, cached under the
vault's state folder keyed by HEAD and the settings.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from openbook.git.objects import read_objects
from openbook.git.repo import git_bytes
from openbook.notes.parse import parse_bytes
from openbook.notetypes.agreement import terms_digest
from openbook.vault import Vault

CACHE_FILE = "terms.json"
CACHE_VERSION = 1
FOLDER = "agreements/"
TERMS_TRAILER = "Openbook-Terms"
_ACTION = "Openbook-Action"


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


def _log(root: Path) -> list[_Commit]:
    """Every commit of HEAD's history but merges, oldest first, with the agreement files
    it changed and its Openbook-Action and Openbook-Terms trailers."""
    fmt = (
        "%x1e%H%x1f%ae%x1f%ce%x1f%s%x1f"
        f"%(trailers:key={_ACTION},key={TERMS_TRAILER},separator=%x1d)"
    )
    args = ["log", "--no-merges", "--topo-order", "--reverse", "--no-renames", "-z"]
    args += [f"--format={fmt}", "--name-only", "--end-of-options", "HEAD"]
    raw = git_bytes(root, args, check=False).decode("utf-8", "replace")
    out = []
    for record in raw.split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, author, committer, subject, trailers = [*head.strip("\0").split("\x1f"), *[""] * 5][:5]
        found = dict(t.split(": ", 1) for t in trailers.split("\x1d") if ": " in t)
        paths = tuple(
            p for p in names.strip("\n\0").split("\0") if p.startswith(FOLDER) and p.endswith(".md")
        )
        action = found.get(_ACTION, "").strip()
        terms = found.get(TERMS_TRAILER, "").strip()
        if paths or (action in ("accept", "decline") and terms):
            out.append(
                _Commit(sha, author.lower(), committer.lower(), subject, action, terms, paths)
            )
    return out


class _Judge:
    """Whose own commit each commit is (SPEC section 10, "Consent in history")."""

    def __init__(self, vault: Vault) -> None:
        self.emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
        self.signed = vault.config.require_signatures
        self.signers: dict[str, str | None] = {}
        if self.signed:
            from openbook.trust.verify import signers_and_pausers

            self.signers = signers_and_pausers(vault.root, "HEAD")[0]
        from openbook.trust.acknowledge import acknowledged

        self.admitted = set(acknowledged(vault.root, ["HEAD"]))

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


def replay(vault: Vault) -> dict[str, Replayed]:
    """Each agreement id's consent to its words, from HEAD's history."""
    root = vault.root
    commits = _log(root)
    blobs = read_objects(root, [f"{c.sha}:{p}" for c in commits for p in c.paths])
    judge = _Judge(vault)
    partners = list(vault.config.partners)
    states: dict[str, Replayed] = {}
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


def _head(root: Path) -> str:
    return git_bytes(root, ["rev-parse", "--verify", "-q", "HEAD"], check=False).decode().strip()


def replayed(vault: Vault, state: Path | None) -> tuple[str, dict[str, Replayed]]:
    """(HEAD, `replay`) remembered under `state` while HEAD and the settings stay."""
    if not vault.is_own_repo or vault.git_dir is None:
        return "", {}
    head = _head(vault.root)
    if not head:
        return "", {}
    key = hashlib.sha1(json.dumps([CACHE_VERSION, head, vault.config.digest]).encode()).hexdigest()
    cache = state / CACHE_FILE if state else None
    if cache is not None:
        with contextlib.suppress(
            OSError, ValueError, TypeError, KeyError, AttributeError, IndexError
        ):
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                return head, {k: Replayed(**v) for k, v in saved["replayed"].items()}
    states = replay(vault)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            out = {"key": key, "replayed": {k: asdict(v) for k, v in states.items()}}
            cache.write_text(json.dumps(out), encoding="utf-8")
    return head, states


def accepted_words(states: Mapping[str, Replayed], aid: str, partner: str) -> str | None:
    """The digest of the words of `aid` that `partner` last accepted, if any."""
    st = states.get(aid)
    return st.latest.get(partner) if st else None
