"""`openbook sync --accept-unverified SHA`: this partner records, in their own signed
commit, that incoming commits which do not verify entered without proof (SPEC section 7),
so the sync that follows merges them.

The commit is empty (HEAD's tree) and carries `Openbook-Action: acknowledge`,
`Openbook-Partner: <pid>` and one `Openbook-Unverified: <full sha>` per admitted commit:
every incoming commit that fails verification and is SHA or one of its ancestors.
`trust/acknowledge.py` reads them back; `verify` then lists those commits as `unverified`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openbook.errors import OpenbookError, shown
from openbook.git import ledger, plumbing
from openbook.git import repo as gitrepo
from openbook.sync.refs import INCOMING, SyncRefs
from openbook.sync.transport import fetch
from openbook.trust.acknowledge import ACTION, TRAILER
from openbook.trust.signing import commit_tree_sign_args
from openbook.trust.verify import Problem, verify_range
from openbook.vault import Vault
from openbook.words import plural


def _full(root: Path, rev: str) -> str | None:
    res = gitrepo.run(
        root,
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        check=False,
    )
    return res.stdout.strip() if res.status == 0 else None


def chosen(vault: Vault, head: str, incoming: str, wanted: Sequence[str]) -> list[Problem]:
    """The incoming commits that fail verification up to the commits `wanted` (short
    shas are fine), oldest first, one entry per commit."""
    root = vault.root
    problems = verify_range(root, head, incoming)
    tips: list[str] = []
    for rev in wanted:
        full = _full(root, rev)
        if full is None or not any(
            p.commit == full or plumbing.is_ancestor(root, p.commit, full) for p in problems
        ):
            raise OpenbookError(
                f"{shown(rev)} is not one of the incoming commits that do not verify; "
                "'openbook doctor' names them. Nothing was changed."
            )
        tips.append(full)
    picked: dict[str, Problem] = {}
    for p in reversed(problems):
        if p.commit not in picked and any(
            p.commit == t or plumbing.is_ancestor(root, p.commit, t) for t in tips
        ):
            picked[p.commit] = p
    return list(picked.values())


def acknowledge(vault: Vault, partner: str, refs: SyncRefs, wanted: Sequence[str]) -> list[str]:
    """Fetch, then record the acknowledgement of what `wanted` names on this branch;
    returns what was done, in sentences. Nothing is merged here: the sync that follows
    does that."""
    root, remote = vault.root, refs.remote
    head, branch = refs.head, refs.branch
    if head is None or branch is None:
        raise OpenbookError(f"{root} has no commits on a branch yet; nothing to accept.")
    if not vault.config.require_signatures:
        raise OpenbookError(
            "Signatures are not required in this vault, so there is nothing to accept; "
            "run 'openbook sync'."
        )
    sign = commit_tree_sign_args(root)
    if not sign:
        raise OpenbookError(
            "An acceptance is your own signed commit, and this clone does not sign commits; "
            "run 'openbook keys add' first. Nothing was changed."
        )
    temp = refs.name(INCOMING)
    plumbing.delete_ref(root, temp)
    try:
        incoming = fetch(root, remote, branch, temp, crypt=refs.crypt)
    finally:
        plumbing.delete_ref(root, temp)
    if incoming is None:
        raise OpenbookError(f"{remote} has no {branch} yet; nothing to accept.")
    picked = chosen(vault, head, incoming, wanted)
    sha = _record(vault, partner, head, branch, picked)
    refs.head = sha
    refs.values[f"refs/heads/{branch}"] = sha
    names = ", ".join(p.commit[:7] for p in picked)
    return [
        f"Recorded in {sha[:7]} that {plural(len(picked), 'commit')} ({names}) entered "
        "without proof: 'openbook verify' lists them as unverified, and nothing they claim "
        "counts."
    ]


def _record(vault: Vault, partner: str, head: str, branch: str, picked: list[Problem]) -> str:
    root = vault.root
    body = "\n".join(f"{p.commit[:7]} {p.author_name}: {p.subject} [{p.rule}]" for p in picked)
    msg = ledger.message("vault", ACTION, plural(len(picked), "unverified commit"), partner, body)
    msg += "".join(f"{TRAILER}: {p.commit}\n" for p in picked)
    tree = plumbing.resolve_tree(root, head)
    assert tree is not None
    env = ledger.identity(vault, partner)
    sha = plumbing.commit_tree(root, tree, [head], msg, env, commit_tree_sign_args(root))
    plumbing.move_ref(root, f"refs/heads/{branch}", sha, head, "openbook sync: acknowledge")
    return sha
