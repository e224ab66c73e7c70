"""`openbook verify`: check the whole history against the signature policy in one pass.

The last commit checked is remembered as `refs/openbook/verified` (with the counts and
problems found so far in `.git/openbook/verified.json`), so a second run reads only the
commits that are new since then. `verify_range` checks incoming commits for sync.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.errors import Busy, GitError
from openbook.fsutil import atomic_write
from openbook.git.repo import git_bytes
from openbook.trust.acknowledge import acknowledged
from openbook.trust.commits import History, RawCommit, load_history, resolve_refs
from openbook.trust.policy import check_signature, findings
from openbook.vault import Vault

VERIFIED_REF = "refs/openbook/verified"
STATE_FILE = "verified.json"
STATE_VERSION = 1  # bump when the policy changes, so remembered results are redone
ZERO = "0" * 40


@dataclass(frozen=True)
class Problem:
    """One commit that breaks one rule of the signature policy."""

    commit: str
    author: str  # the partner id, or the author's email when no partner has it
    author_name: str
    date: str  # ISO 8601, in the commit's own time zone
    rule: str
    message: str
    subject: str

    def format(self, tz: dt.tzinfo | None = None) -> str:
        """`<sha7> <date> <author>: <message> [rule]`, the date in `tz` when given."""
        when = dt.datetime.fromisoformat(self.date)
        if tz is not None:
            when = when.astimezone(tz)
        stamp = when.strftime("%Y-%m-%d %H:%M")
        return f"{self.commit[:7]} {stamp} {self.author_name}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "date": self.date,
            "rule": self.rule,
            "message": self.message,
            "subject": self.subject,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(
            str(data["commit"]),
            str(data["author"]),
            str(data.get("author_name", data["author"])),
            str(data["date"]),
            str(data["rule"]),
            str(data["message"]),
            str(data.get("subject", "")),
        )


@dataclass
class VerifyResult:
    commits: int = 0
    signed: int = 0
    problems: list[Problem] = field(default_factory=list)
    checked: int = 0  # commits read in this run (the rest were remembered)
    head: str | None = None
    unverified: dict[str, str] = field(default_factory=dict)  # admitted sha: its acknowledgement

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        n = len(self.problems)
        return (
            f"{self.commits:,} commit{'' if self.commits == 1 else 's'}, {self.signed:,} signed, "
            f"{n:,} problem{'' if n == 1 else 's'}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "commits": self.commits,
            "signed": self.signed,
            "problems": [p.as_dict() for p in self.problems],
            "unverified": [
                {"commit": sha, "acknowledged_in": ack} for sha, ack in self.unverified.items()
            ],
        }


def check_history(history: History) -> tuple[int, list[Problem]]:
    """(signed commits, problems newest first) for the commits of `history`."""
    signed = 0
    problems: list[Problem] = []
    for commit in history.commits:
        sig = check_signature(commit)
        if sig.valid:
            signed += 1
        if not commit.parents:
            continue
        parents = [history.settings[p] for p in commit.parents]
        if not parents[0].require:
            continue
        own = history.settings[commit.sha]
        for found in findings(commit, sig, parents, own):
            problems.append(_problem(commit, parents[0].by_email(commit.author.email), found))
    problems.reverse()
    return signed, problems


def _problem(commit: RawCommit, author: str | None, found: Any) -> Problem:
    return Problem(
        commit.sha,
        author or commit.author.email,
        commit.author.name or commit.author.email,
        commit.committer.when.isoformat(),
        found.rule,
        found.message,
        commit.subject,
    )


def verify_range(root: Path, base: str | None, head: str) -> list[Problem]:
    """Problems in the commits reachable from `head` and not from `base` (all of them
    when `base` is None), newest first. For sync: call it on the fetched head with the
    local HEAD as `base` before merging, and refuse (exit 4) when it returns anything."""
    history = load_history(root, head, [base] if base else [])
    admitted = acknowledged(root, [head, *([base] if base else [])])
    return [p for p in check_history(history)[1] if p.commit not in admitted]


# ---------------------------------------------------------------------- remembered


def _prefix(vault: Vault) -> str:
    if vault.is_own_repo:
        return ""
    return git_bytes(vault.root, ["rev-parse", "--show-prefix"]).decode().strip()


def _load_state(vault: Vault, remembered: str) -> dict[str, Any] | None:
    state_dir = vault.state_dir()
    if state_dir is None:
        return None
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return None
    if data.get("commit") != remembered:
        return None
    return data


def _save_state(vault: Vault, result: VerifyResult, old: str | None) -> None:
    state_dir = vault.state_dir()
    if state_dir is None or result.head is None:
        return
    data = {
        "version": STATE_VERSION,
        "commit": result.head,
        "commits": result.commits,
        "signed": result.signed,
        "problems": [{**p.as_dict(), "author_name": p.author_name} for p in result.problems],
    }
    with contextlib.suppress(Busy, GitError, OSError), vault.lock(wait=0.5):
        state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(state_dir / STATE_FILE, (json.dumps(data) + "\n").encode("utf-8"))
        git_bytes(vault.root, ["update-ref", VERIFIED_REF, result.head, old or ZERO])


def verify(vault: Vault, *, remember: bool = True) -> VerifyResult:
    """Check every commit of HEAD's history; only the new ones when a previous run
    remembered where it stopped and HEAD still descends from there."""
    refs = resolve_refs(vault.root, "HEAD", VERIFIED_REF)
    head = refs.get("HEAD")
    if head is None:
        return VerifyResult()
    remembered = refs.get(VERIFIED_REF) if remember and vault.is_own_repo else None
    state = _load_state(vault, remembered) if remembered else None
    prefix = _prefix(vault)
    if state is not None and remembered == head:
        history = History([], {})
    elif state is not None:
        history = load_history(vault.root, head, [str(remembered)], prefix)
        if not any(remembered in c.parents for c in history.commits):
            state = None  # HEAD no longer descends from it: start over
    if state is None:
        history = load_history(vault.root, head, [], prefix)
    signed, problems = check_history(history)
    result = VerifyResult(len(history.commits), signed, problems, len(history.commits), head)
    if state is not None:
        result.commits += int(state.get("commits", 0))
        result.signed += int(state.get("signed", 0))
        result.problems += [Problem.from_dict(p) for p in state.get("problems", [])]
    if remember and vault.is_own_repo and head != remembered:
        _save_state(vault, result, remembered)
    # commits admitted by `sync --accept-unverified` are listed, not counted as problems
    admitted = acknowledged(vault.root, [head])
    found = {p.commit for p in result.problems if p.commit in admitted}
    result.unverified = {sha: admitted[sha] for sha in sorted(found)}
    result.problems = [p for p in result.problems if p.commit not in admitted]
    return result


def commit_signers(root: Path, head: str, base: str | None = None) -> dict[str, str | None]:
    """{sha: partner id} for the commits of `head ^base`: the partner whose key (as the
    commit's first parent lists it, or the key the commit enrols for a partner who had
    none) made a valid signature, else None. For the consent rule of section 7: a
    consent counts only from a commit signed by that partner."""
    history = load_history(root, head, [base] if base else [])
    out: dict[str, str | None] = {}
    for commit in history.commits:
        sig = check_signature(commit)
        out[commit.sha] = None
        if sig.signer is None or not commit.parents:
            continue
        first = history.settings[commit.parents[0]]
        owner = first.key_owner(sig.signer)
        if owner is None:  # a partner's first key signs its own enrolment
            owner = history.settings[commit.sha].key_owner(sig.signer)
            known = first.partners.get(owner) if owner else None
            if owner is None or (known is not None and known.key is not None):
                owner = None
        out[commit.sha] = owner
    return out
