"""`openbook verify`: authenticate the whole history in one pass (SPEC section 7).

The last commit verified is remembered as `refs/openbook/verified` (with its counts and
problems in `.git/openbook/verified.json`). `verify_range` checks incoming commits for
sync, `commit_signers` names who signed what, `trust_state_at` gives the trust settings
in force at a commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.errors import Busy, GitError, shown
from openbook.fsutil import atomic_write
from openbook.git.plumbing import resolve
from openbook.git.repo import git_bytes
from openbook.trust import seed as seeding
from openbook.trust.authentic import (
    INTRODUCTION_REF,
    authenticate,
    load,
    record,
    vault_root,
)
from openbook.trust.commits import RawCommit, resolve_refs
from openbook.trust.inforce import EMPTY, TrustState, state_from_json, state_to_json
from openbook.trust.judge import Pass
from openbook.trust.policy import Finding
from openbook.trust.remembered import STATE_FILE, STATE_VERSION, VERIFIED_REF, summary_text
from openbook.vault import Vault

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
    unverified: list[str] = field(default_factory=list)
    pending_key: list[str] = field(default_factory=list)
    introduction: str | None = None
    state: TrustState | None = None  # the trust settings in force at `head`

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return summary_text(
            self.commits, self.signed, len(self.problems), self.unverified, self.pending_key
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "commits": self.commits,
            "signed": self.signed,
            "problems": [p.as_dict() for p in self.problems],
            "unverified": list(self.unverified),
            "pending_key": list(self.pending_key),
            "introduction": self.introduction,
        }


def _problems(run: Pass, wanted: set[str] | None = None) -> list[Problem]:
    """Problems of the commits of `run` (of `wanted` only when given), newest first."""
    out: list[Problem] = []
    for commit in run.commits:
        if wanted is not None and commit.sha not in wanted:
            continue
        verdict = run.verdicts[commit.sha]
        for found in verdict.findings:
            out.append(_problem(commit, verdict.author, found))
    out.reverse()
    return out


def _problem(commit: RawCommit, author: str | None, found: Finding) -> Problem:
    return Problem(
        commit.sha,
        author or commit.author.email,
        commit.author.name or commit.author.email,
        commit.committer.when.isoformat(),
        found.rule,
        found.message,
        commit.subject,
    )


def problem_list(problems: list[Problem], tz: dt.tzinfo) -> str:
    """The first five problems as `verify` prints them, joined, and how many more: for the
    sentences sync says about incoming and outgoing commits."""
    lines = "; ".join(shown(p.format(tz)) for p in problems[:5])
    return lines + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")


def _run(root: Path, heads: list[str], prefix: str = "", *, signatures: bool = True) -> Pass:
    """The pass over the history of `heads`; `signatures=False` checks only the
    signatures that decide something (not counted, signers not named elsewhere)."""
    commits, config = load(root, heads, prefix)
    found = vault_root(root, heads[-1], commits)
    return authenticate(commits, config, found, signatures=signatures)


def verify_range(
    root: Path, base: str | None, head: str, *, remember: bool = False
) -> list[Problem]:
    """Problems in the commits reachable from `head` and not from `base` (all of them
    when `base` is None), newest first, each judged with its full ancestry and the
    acknowledgments reachable from `base` or `head`. For sync: call it on the fetched
    head with the local HEAD as `base` before merging; refuse (exit 4) on any problem.
    Only the commits after the heads last remembered are read, when they descend from
    them alone (seed.py). `remember`: the next judgment starts from `head` and `base`
    when every commit judged here verified; else where it started, so that no commit
    with a problem is ever left unread."""
    heads = [head, base] if base else [head]
    run = seeding.from_seed(root, heads, seeding.saved(root), signatures=False)
    if run is None:
        run = _run(root, heads, signatures=False)
    problems = _problems(run, _since(root, run, base))
    if remember:  # the next sync starts from here
        seeding.keep(root, run, heads)
    return problems


def _since(root: Path, run: Pass, base: str | None) -> set[str]:
    """The commits of `run` that `base` does not reach."""
    every = {c.sha for c in run.commits}
    if base is None or not run.commits:
        return every
    tip = resolve(root, base)[0]
    return every - run.ancestors(tip) if tip in run.index else every


def trust_state_at(
    root: Path, rev: str, *, remembered: bool = True, seed: bool = False
) -> TrustState:
    """The trust settings in force at `rev` (after it), from its history. At HEAD this is
    what `verify` remembers, so asking again costs only the commits that are new. `seed`:
    `rev` is where sync's next judgment starts (seed.py), when it verifies."""
    refs = resolve_refs(root, "HEAD")
    out = git_bytes(root, ["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"])
    sha = out.decode("ascii").strip()
    if not sha:
        return EMPTY.public()
    if remembered and sha == refs.get("HEAD"):
        found = verify(Vault(root)).state
        if found is not None:
            return found
    run = _run(root, [sha], signatures=False)
    if seed:
        seeding.keep(root, run, [sha])
    return run.states[sha].public() if sha in run.states else EMPTY.public()


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


def _save_state(vault: Vault, result: VerifyResult, old: str | None, extra: dict[str, Any]) -> None:
    state_dir = vault.state_dir()
    if state_dir is None or result.head is None:
        return
    data = {
        "version": STATE_VERSION,
        "commit": result.head,
        "commits": result.commits,
        "signed": result.signed,
        "problems": [{**p.as_dict(), "author_name": p.author_name} for p in result.problems],
        "unverified": result.unverified,
        "pending_key": result.pending_key,
        "introduction": result.introduction,
        **extra,
    }
    with contextlib.suppress(Busy, GitError, OSError), vault.lock(wait=0.5):
        state_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(state_dir / STATE_FILE, (json.dumps(data) + "\n").encode("utf-8"))
        git_bytes(vault.root, ["update-ref", VERIFIED_REF, result.head, old or ZERO])


def verify(vault: Vault, *, remember: bool = True) -> VerifyResult:
    """Check every commit of HEAD's history in one pass. When a previous run remembered
    an ancestor of HEAD, only the new commits are read (unless they merge in older ones
    or acknowledge some: then everything is read again)."""
    refs = resolve_refs(vault.root, "HEAD", VERIFIED_REF)
    head = refs.get("HEAD")
    if head is None:
        return VerifyResult()
    remembered = refs.get(VERIFIED_REF) if remember and vault.is_own_repo else None
    saved = _load_state(vault, remembered) if remembered else None
    if saved is not None and remembered == head:
        return _remembered_result(saved, head)
    prefix = _prefix(vault)
    result, run = None, None
    if saved is not None and remembered is not None:
        result, run = _incremental(vault.root, head, remembered, saved, prefix)
    if result is None or run is None:
        run = _run(vault.root, [head], prefix)
        result = _result(run, run.commits, head)
    if result.introduction and vault.is_own_repo:
        record(vault.root, INTRODUCTION_REF, result.introduction)
    if remember and vault.is_own_repo and (head != remembered or saved is None):
        extra = {
            "trust": state_to_json(run.states[head]),
            "file": run.files[head],
            "blob": run.config.blob.get(head),
        }
        _save_state(vault, result, remembered, extra)
    return result


def _result(run: Pass, commits: list[RawCommit], head: str) -> VerifyResult:
    verdicts = run.verdicts
    return VerifyResult(
        len(commits),
        sum(1 for c in commits if verdicts[c.sha].signed),
        _problems(run, {c.sha for c in commits}),
        len(commits),
        head,
        [c.sha for c in commits if verdicts[c.sha].mark == "unverified"],
        [c.sha for c in commits if verdicts[c.sha].mark == "pending key"],
        run.states[head].introduction if head in run.states else None,
        run.states[head].public() if head in run.states else None,
    )


def _remembered_result(saved: dict[str, Any], head: str) -> VerifyResult:
    return VerifyResult(
        int(saved.get("commits", 0)),
        int(saved.get("signed", 0)),
        [Problem.from_dict(p) for p in saved.get("problems", [])],
        0,
        head,
        list(saved.get("unverified", [])),
        list(saved.get("pending_key", [])),
        saved.get("introduction"),
        _saved_state(saved),
    )


def _saved_state(saved: dict[str, Any]) -> TrustState | None:
    state = state_from_json(saved.get("trust"))
    return state.public() if state is not None else None


def _incremental(
    root: Path, head: str, remembered: str, saved: dict[str, Any], prefix: str
) -> tuple[VerifyResult | None, Pass | None]:
    """The result from `saved` (at `remembered`) and the commits since, when they all
    descend from it alone (seed.py); (None, None) when everything must be read again."""
    state = state_from_json(saved.get("trust"))
    values = saved.get("file")
    if state is None or not isinstance(values, dict):
        return None, None
    blob = saved.get("blob")
    seed = (remembered, state, values, blob if isinstance(blob, str) else None)
    run = seeding.from_seed(root, [head], [seed], prefix)
    if run is None:
        return None, None
    result = _result(run, run.commits, head)
    old = _remembered_result(saved, head)
    result.commits += old.commits
    result.signed += old.signed
    result.problems += old.problems
    result.unverified = old.unverified + result.unverified
    result.pending_key = old.pending_key + result.pending_key
    return result, run


def signers_and_pausers(
    root: Path, head: str
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """For HEAD's history, in one pass: (as `commit_signers`, the same but where a
    partner's replaced key, not yet accepted, signed a `pending key` commit, that partner):
    a pause among those counts at once (a pause only ever removes expectations; SPEC
    section 7)."""
    run = _run(root, [head])
    firm: dict[str, str | None] = {}
    pausing: dict[str, str | None] = {}
    for c in run.commits:
        verdict = run.verdicts[c.sha]
        firm[c.sha] = pausing[c.sha] = verdict.key_owner
        if verdict.mark == "pending key" and verdict.author is not None:
            pausing[c.sha] = verdict.author
    return firm, pausing


def commit_signers(root: Path, head: str, base: str | None = None) -> dict[str, str | None]:
    """{sha: partner id} for the commits of `head ^base`: the partner whose key, in force
    at the commit's parents (or the first key the commit enrols for its own committer),
    made a valid signature, else None. For the consent rule of section 7."""
    run = _run(root, [head, base] if base else [head])
    wanted = _since(root, run, base) if base else None
    return {
        c.sha: run.verdicts[c.sha].key_owner
        for c in run.commits
        if wanted is None or c.sha in wanted
    }


def introduction(root: Path, rev: str = "HEAD") -> dict[str, str] | None:
    """{"commit", "date"} of the introduction in force at `rev` (recorded as
    refs/openbook/introduction), else None."""
    sha = trust_state_at(root, rev).introduction
    if sha is None:
        return None
    record(root, INTRODUCTION_REF, sha)
    date = git_bytes(root, ["log", "-1", "--format=%cI", "--end-of-options", sha])
    return {"commit": sha, "date": date.decode("ascii").strip()}
