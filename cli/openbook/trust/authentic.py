"""Read a history once and authenticate it: the vault's root (`refs/openbook/root`),
acknowledged commits, and the pass of `judge.py` over every commit, parents first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openbook.config import CONFIG_NAME
from openbook.errors import GitError
from openbook.git.objects import object_info, read_objects
from openbook.git.repo import git_bytes
from openbook.trust.commits import RawCommit, parse_commit, resolve_refs
from openbook.trust.judge import Config, Pass, ack_claims
from openbook.trust.trustconfig import Parsed, parse_trust

ROOT_REF = "refs/openbook/root"
INTRODUCTION_REF = "refs/openbook/introduction"
ZERO = "0" * 40


def rev_list(root: Path, heads: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    args = ["rev-list", "--topo-order", "--reverse", "--end-of-options", *heads]
    args += [f"^{rev}" for rev in exclude]
    return git_bytes(root, args).decode("ascii").split()


def load(
    root: Path, heads: Sequence[str], prefix: str = "", exclude: Sequence[str] = ()
) -> tuple[list[RawCommit], Config]:
    """Every commit reachable from `heads` (parents first) and the openbook.yml of each:
    one rev-list, one cat-file stream, one parse per distinct file."""
    shas = rev_list(root, heads, exclude)
    yml = f"{prefix}{CONFIG_NAME}"
    blobs = _blob_ids(root, [f"{sha}:{yml}" for sha in shas])
    distinct = sorted({b for b in blobs if b is not None})
    batch = read_objects(root, shas + distinct)
    commits = []
    parsed: dict[str, Parsed] = {}
    for sha in shas:
        obj = batch.get(sha)
        if obj is None or obj[1] != "commit":
            raise GitError(f"commit {sha[:7]} could not be read; run 'git fsck' in the vault.")
        commits.append(parse_commit(sha, obj[2]))
    for blob in distinct:
        obj = batch.get(blob)
        if obj is not None and obj[1] == "blob":
            parsed[blob] = parse_trust(obj[2])
    blob_of = {sha: (b if b in parsed else None) for sha, b in zip(shas, blobs, strict=True)}
    return commits, Config(blob_of, parsed)


def _blob_ids(root: Path, names: list[str]) -> list[str | None]:
    """The blob each `rev:path` names (None where there is none); one batch-check."""
    return [i.oid if i is not None and i.kind == "blob" else None for i in object_info(root, names)]


def vault_root(root: Path, near: str | None, commits: Sequence[RawCommit] = ()) -> str | None:
    """The vault's root commit as this clone recorded it; recorded now (the root of the
    first-parent line of `near`) when this clone has none yet."""
    found = resolve_refs(root, ROOT_REF).get(ROOT_REF)
    if found is not None or near is None:
        return found
    out = git_bytes(
        root, ["rev-list", "--first-parent", "--max-parents=0", "--end-of-options", near]
    )
    first = out.decode("ascii").split()
    if not first:
        return None
    record(root, ROOT_REF, first[-1])
    return first[-1]


def record(root: Path, ref: str, sha: str) -> None:
    git_bytes(root, ["update-ref", ref, sha], check=False)


def acknowledgments(commits: Sequence[RawCommit]) -> dict[str, str]:
    """{admitted sha: acknowledging commit} as the commits' own trailers claim."""
    out: dict[str, str] = {}
    for commit in commits:
        _, shas = ack_claims(commit)
        for sha in shas:
            out.setdefault(sha, commit.sha)
    return out


def authenticate(
    commits: list[RawCommit], config: Config, vault_root: str | None, *, signatures: bool = True
) -> Pass:
    """The pass over `commits`, with the commits that clean acknowledgments admit."""
    claims = acknowledgments(commits)
    roots = {c.sha for c in commits if not c.parents}
    admitted = {sha for sha in claims if sha not in roots}
    for _ in range(4):
        run = Pass(commits, config, vault_root, signatures=signatures)
        run.run(admitted)
        bad = {sha for sha in admitted if not _clean_ack(run, claims[sha])}
        if not bad:
            return run
        admitted -= bad
    run = Pass(commits, config, vault_root, signatures=signatures)
    run.run(admitted)
    return run


def _clean_ack(run: Pass, ack: str) -> bool:
    verdict = run.verdicts.get(ack)
    if verdict is None or verdict.findings or verdict.mark:
        return False
    commit = run.commits[run.index[ack]]
    who, _ = ack_claims(commit)
    base = run.states[ack]
    author = base.by_email(commit.author.email)
    return (
        author is not None
        and author == base.by_email(commit.committer.email)
        and (who is None or who == author)
    )
