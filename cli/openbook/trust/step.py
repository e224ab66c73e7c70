"""What one commit does to the trust settings in force, and the rules it is judged by."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from openbook.trust.commits import RawCommit
from openbook.trust.inforce import SETTING_TRAILER, Proposal, State, setting_digest
from openbook.trust.policy import Finding, SignatureCheck
from openbook.trust.sshsig import PublicKey
from openbook.trust.trustconfig import REQUIRE, Parsed, key_name, key_owner_of

_SETTING = re.compile(rf"^{SETTING_TRAILER}:\s*(\S+)\s+([0-9a-f]{{64}})\s*$", re.M)
_DECLINE = re.compile(r"^Openbook-Action:\s*decline\s*$", re.M)
_NONE = object()


@dataclass
class Verdict:
    judged: bool = False
    findings: list[Finding] = field(default_factory=list)
    mark: str | None = None  # "unverified" or "pending key"
    signed: bool = False
    signer: str | None = None  # the partner whose key in force at a parent signed it
    author: str | None = None  # the author's partner id, as the parents' settings say
    key_owner: str | None = None  # whose key in force at a parent (or enrolled here) signed it


def message_of(commit: RawCommit) -> str:
    return commit.payload.partition(b"\n\n")[2].decode("utf-8", "replace")


def own_changes(values: dict[str, object], parents: list[dict[str, object]]) -> dict[str, object]:
    """The settings whose value here equals no parent's (for a merge: its own changes)."""
    return {
        name: value
        for name, value in values.items()
        if all(p.get(name, _NONE) != value for p in parents)
    }


class Step:
    """Apply one commit (with at least one parent) to the state merged from its parents."""

    def __init__(
        self,
        commit: RawCommit,
        verdict: Verdict,
        base: State,
        judge: list[State],
        sig: Callable[[], SignatureCheck],
        signers: bool = True,
    ) -> None:
        self.commit = commit
        self.verdict = verdict
        self.base = base
        self.judge = judge
        self._sig = sig
        self.signers = signers  # name who signed even where nothing is judged
        self.committer = base.by_email(commit.committer.email)
        self.author = verdict.author
        self.own = (
            self.author is not None and self.author == self.committer and len(commit.parents) == 1
        )
        self.since = (commit.committer.time, commit.sha)

    @property
    def key(self) -> PublicKey | None:
        """The key that made a valid signature (checked the first time it is asked)."""
        return self._sig().signer

    @property
    def error(self) -> str | None:
        return self._sig().error

    def find(self, rule: str, message: str) -> None:
        if self.verdict.judged:
            self.verdict.findings.append(Finding(rule, message))

    def apply(
        self,
        values: dict[str, object],
        parent_files: list[dict[str, object]],
        parsed: Parsed | None,
        changed: bool,
    ) -> State:
        named = self.verdict.judged or self.signers
        key = self.key if named else None
        pid = self.committer
        if key is not None and pid is not None and any(s.key(pid) == key for s in self.judge):
            self.verdict.signer = pid
        if key is not None:
            self.verdict.key_owner = next(
                (o for s in self.judge if (o := s.key_owner(key)) is not None), None
            )
        valid = parsed is not None and parsed.valid and changed
        changes = own_changes(values, parent_files) if valid else {}
        if parsed is not None and not parsed.valid and changed:
            self.find("config", f"{parsed.why}; these settings are not in force")
        if self.verdict.judged:
            self._signature(changes)
        accepts = SETTING_TRAILER.encode() in self.commit.payload
        state = self.base.copy() if changes or accepts else self.base
        if self.verdict.mark == "pending key":
            if self._replacing(changes):
                self._key_change(state, *next(iter(changes.items())))
            return state
        self._settings(state, changes)
        if accepts and self.own and (not self.verdict.judged or self.verdict.signer == self.author):
            if _DECLINE.search(message_of(self.commit)):
                self._declines(state)
            else:
                self._accepts(state)
        if state.require and not self.base.require:
            self._introduction(values)
        pid = self.committer
        if key is not None and self.verdict.key_owner is None and pid is not None:
            enrolled = self.base.key(pid) is None and state.key(pid) == key
            self.verdict.key_owner = pid if enrolled else None  # a first key signs its enrolment
        return state

    # ------------------------------------------------------------------ rules

    def _signature(self, changes: dict[str, object]) -> None:
        c, key, committer = self.commit, self.key, self.committer
        if c.signature is None:
            self.find("unsigned", "not signed")
        elif key is None:
            self.find("bad-signature", self.error or "the signature does not verify")
        elif self.verdict.signer is None:
            owner = next((s.key_owner(key) for s in self.judge if s.key_owner(key)), None)
            pending = next(
                (s.pending_key_owner(key) for s in self.judge if s.pending_key_owner(key)), None
            )
            if committer is not None and (committer == pending or self._replacing(changes)):
                self.verdict.mark = "pending key"
            elif owner is not None:
                who = committer or c.committer.email
                self.find("signer-not-committer", f"committed as {who} but signed by {owner}'s key")
            else:
                self.find("unknown-key", f"signed by a key no partner has ({key.fingerprint})")
        if self.author is None:
            self.find(
                "committer-mismatch",
                f"written as {c.author.email}, who is not a partner, by {c.committer.email}",
            )

    def _replacing(self, changes: dict[str, object]) -> bool:
        """`keys replace`: the owner's own commit, signed by the new key, changing only it."""
        pid = self.committer
        return (
            pid is not None
            and self.own
            and self.key is not None
            and set(changes) == {key_name(pid)}
            and changes[key_name(pid)] == self.key.text
        )

    def _key_change(self, state: State, name: str, value: object) -> None:
        owner = key_owner_of(name) or ""
        old = self.base.key(owner)
        key = self.key
        if old is None:
            ok = self.own and self.author == owner and key is not None and value == key.text
        else:
            ok = key is not None and key == old and self.committer == owner
        if ok:
            state.put(name, value, self.since)
            return
        if self.verdict.mark == "pending key" or (
            old is not None and self._replacing({name: value})
        ):
            state.pending[name] = Proposal(name, value, owner, self.commit.sha, self.since[0])
            return
        why = f"without {owner}'s previous key" if old else f"in a commit that is not {owner}'s own"
        self.find("key-change-not-by-owner", f"changes {owner}'s signing key {why}")

    def _settings(self, state: State, changes: dict[str, object]) -> None:
        actor = self.committer
        for name, value in changes.items():
            if key_owner_of(name) is not None:
                self._key_change(state, name, value)
                continue
            if actor is None or name.count(".") > 1:
                continue
            pend = state.pending.get(name)
            if value == state.values.get(name):
                state.pending.pop(name, None)  # withdrawn, or declined
            elif pend is not None and pend.value == value and pend.by != actor and self.own:
                state.put(name, value, self.since)
            else:
                state.pending[name] = Proposal(name, value, actor, self.commit.sha, self.since[0])

    def _accepts(self, state: State) -> None:
        for name, digest in _SETTING.findall(message_of(self.commit)):
            pend = state.pending.get(name)
            if pend is not None and pend.by != self.author and pend.digest == digest:
                state.put(name, pend.value, self.since)

    def _declines(self, state: State) -> None:
        """`decline settings`: each named proposal ends; the value in force stays."""
        for name, digest in _SETTING.findall(message_of(self.commit)):
            pend = state.pending.get(name)
            if pend is not None and pend.digest == digest:
                state.pending.pop(name, None)

    def _introduction(self, values: dict[str, object]) -> None:
        """The introduction is signed by its author's key as its own tree lists it."""
        listed = values.get(key_name(self.author)) if self.author else None
        if self.key is None or listed != self.key.text:
            self.verdict.judged = True
            self.find(
                "unsigned" if self.commit.signature is None else "unknown-key",
                "brings signatures into force but is not signed by its author's listed key",
            )


__all__ = ["REQUIRE", "Step", "Verdict", "message_of", "setting_digest"]
