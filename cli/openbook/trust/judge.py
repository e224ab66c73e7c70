"""One pass over a history, parents first: the trust state in force at each commit and
each commit's verdict under SPEC section 7.

A commit is judged when signatures are in force at one of its parents (an admitted
parent does not count: its child is judged by the others). A judged commit is signed by
its committer's key as in force at a parent, its author is a partner, it changes a key
only as its owner may, and each parent is an ancestor of the introduction in force or
descends from it. Nothing a commit with problems, a `pending key` commit or an admitted
(`unverified`) commit claims counts: its state is its parents' state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openbook.trust.commits import RawCommit
from openbook.trust.inforce import EMPTY, Proposal, State, merge_states
from openbook.trust.policy import Finding, SignatureCheck, check_signature
from openbook.trust.sshsig import PublicKey
from openbook.trust.step import Step, Verdict, message_of
from openbook.trust.trustconfig import REQUIRE, Parsed, key_name, key_owner_of

ACK_ACTION = "acknowledge"
ACK_TRAILER = "Openbook-Unverified"
_ACK = re.compile(rf"^{ACK_TRAILER}:\s*([0-9a-f]{{40}})\s*$", re.M)
_ACTION = re.compile(r"^Openbook-Action:\s*(\S+)\s*$", re.M)
_PARTNER = re.compile(r"^Openbook-Partner:\s*(\S+)\s*$", re.M)


@dataclass
class Config:
    """openbook.yml at each commit: its blob id and what it parses to."""

    blob: dict[str, str | None]
    parsed: dict[str, Parsed]  # blob id -> parsed


def ack_claims(commit: RawCommit) -> tuple[str | None, list[str]]:
    """(partner named, commits admitted) of an acknowledge commit, else (None, [])."""
    text = message_of(commit)
    action = _ACTION.search(text)
    if action is None or action.group(1) != ACK_ACTION:
        return None, []
    who = _PARTNER.search(text)
    return (who.group(1) if who else None), _ACK.findall(text)


class Pass:
    """The states and verdicts of `commits` (parents first, every parent included)."""

    def __init__(
        self,
        commits: list[RawCommit],
        config: Config,
        root: str | None,
        *,
        signatures: bool = True,
    ) -> None:
        """`signatures`: check every signature (to count them and name each signer);
        otherwise only those that decide something."""
        self.signatures = signatures
        self.commits = commits
        self.config = config
        self.root = root
        self.index = {c.sha: i for i, c in enumerate(commits)}
        self.states: dict[str, State] = {}
        self.files: dict[str, dict[str, object]] = {}
        self.verdicts: dict[str, Verdict] = {}
        self._anc: dict[str, set[str]] = {}
        self._desc: dict[str, set[str]] = {}

    # ------------------------------------------------------------------ ancestry

    def ancestors(self, sha: str) -> set[str]:
        if sha not in self._anc:
            seen = {sha}
            todo = [sha]
            while todo:
                for p in self.commits[self.index[todo.pop()]].parents:
                    if p not in seen and p in self.index:
                        seen.add(p)
                        todo.append(p)
            self._anc[sha] = seen
        return self._anc[sha]

    def _track(self, commit: RawCommit) -> None:
        for desc in self._desc.values():
            if any(p in desc for p in commit.parents):
                desc.add(commit.sha)

    def _outside(self, start: str, intro: str, admitted: set[str]) -> None:
        anc = self.ancestors(intro)
        todo = [start]
        while todo:
            sha = todo.pop()
            if sha in anc or sha in admitted or sha not in self.index:
                continue
            verdict = self.verdicts[sha]
            if any(f.rule in ("outside-introduction", "foreign-root") for f in verdict.findings):
                continue
            verdict.findings.append(
                Finding(
                    "outside-introduction",
                    f"is neither before nor after the introduction {intro[:7]}",
                )
            )
            todo += self.commits[self.index[sha]].parents

    def seed(self, sha: str, state: State, values: dict[str, object], blob: str | None) -> None:
        """Start from a commit already verified (outside `commits`), as it was then."""
        self.states[sha] = state
        self.files[sha] = values
        self.verdicts[sha] = Verdict()
        self.config.blob[sha] = blob
        if state.introduction is not None:
            self._desc.setdefault(state.introduction, set()).add(sha)

    # ---------------------------------------------------------------------- run

    def run(self, admitted: set[str]) -> None:
        for commit in self.commits:
            self._track(commit)
            self._one(commit, admitted)

    def _file(self, commit: RawCommit) -> tuple[dict[str, object], Parsed | None, bool]:
        """(values carried, parsed own file, whether its file differs from every parent's)."""
        blob = self.config.blob.get(commit.sha)
        parsed = self.config.parsed.get(blob) if blob else None
        changed = all(self.config.blob.get(p) != blob for p in commit.parents)
        if parsed is not None and parsed.valid:
            return parsed.values, parsed, changed
        carried = self.files[commit.parents[0]] if commit.parents else {}
        return carried, parsed, changed

    def _one(self, commit: RawCommit, admitted: set[str]) -> None:
        sha = commit.sha
        values, parsed, changed = self._file(commit)
        self.files[sha] = values
        checked: list[SignatureCheck] = []

        def sig() -> SignatureCheck:
            if not checked:
                checked.append(check_signature(commit))
            return checked[0]

        verdict = Verdict(signed=sig().valid if self.signatures else False)
        self.verdicts[sha] = verdict
        parents = [self.states[p] for p in commit.parents if p in self.states]
        if sha in admitted:
            verdict.mark = "unverified"
            self.states[sha] = merge(parents)
            return
        if not commit.parents:
            self._root(commit, verdict, parsed, sig().signer)
            return
        judges = [p for p in commit.parents if p not in admitted] or list(commit.parents)
        for intro in {self.states[p].introduction for p in judges} - {None}:
            assert intro is not None
            desc = self._desc.get(intro, {intro})
            for p in commit.parents:
                if p not in desc and p not in self.ancestors(intro):
                    self._outside(p, intro, admitted)
        good = [p for p in commit.parents if not _outside_of(self.verdicts[p])]
        judges = [p for p in judges if p in good] or judges
        base = merge([self.states[p] for p in good or commit.parents])
        judge = [self.states[p] for p in judges]
        verdict.judged = any(s.require for s in judge)
        verdict.author = base.by_email(commit.author.email)
        step = Step(commit, verdict, base, judge, sig, self.signatures)
        state = step.apply(values, [self.files[p] for p in commit.parents], parsed, changed)
        self.states[sha] = base if verdict.findings else state
        if state.introduction == sha and not verdict.findings:
            self._desc[sha] = {sha}

    def _root(
        self, commit: RawCommit, verdict: Verdict, parsed: Parsed | None, key: PublicKey | None
    ) -> None:
        if self.root is not None and commit.sha != self.root:
            verdict.findings.append(
                Finding("foreign-root", "starts a history of its own, not this vault's")
            )
            self.states[commit.sha] = EMPTY
            return
        self.states[commit.sha] = adopt(EMPTY, commit, parsed, key)


def merge(states: list[State]) -> State:
    return merge_states(states) if states else EMPTY


def adopt(base: State, commit: RawCommit, parsed: Parsed | None, key: PublicKey | None) -> State:
    """The vault's first settings: its partners and time zone in force, each partner's key
    only when this is that partner's own commit signed by it; a requirement is proposed."""
    if parsed is None or not parsed.valid:
        return base
    out = base.copy()
    since = (commit.committer.time, commit.sha)
    author = None
    for name, value in parsed.values.items():
        owner = key_owner_of(name)
        if name == REQUIRE:
            continue
        if owner is None:
            out.put(name, value, since)
            continue
        out.put(name, None, since)
    author = out.by_email(commit.author.email)
    if author is not None and author == out.by_email(commit.committer.email):
        text = parsed.values.get(key_name(author))
        if key is not None and text == key.text:
            out.put(key_name(author), text, since)
        if parsed.values.get(REQUIRE) is True:
            out.pending[REQUIRE] = Proposal(REQUIRE, True, author, commit.sha, since[0])
    return out


def _outside_of(verdict: Verdict) -> bool:
    return any(f.rule == "outside-introduction" for f in verdict.findings)
