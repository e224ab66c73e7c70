"""A pause is never refused (SPEC section 10, GUIDE invariant 9).

`pause` and `resume` write one file, the pause note, and commit only that file:

- on a branch, as every note is committed (`ledger.record`);
- while git is mid-merge, mid-cherry-pick or mid-revert: on the vault's branch through a
  temporary index (`commit-tree` and a compare-and-swap of the branch), and the file is
  added to git's own index too, so finishing the merge keeps it;
- while git is mid-rebase, bisecting or on a detached HEAD, where no branch can take a
  commit: the note is written in the work tree, so it holds in this clone at once, and
  remembered in `.git/openbook/pending-pause`; it is committed with its own time as soon
  as the branch is usable, by the next openbook command (`commit_pending_pause`).
"""

from __future__ import annotations

import datetime as dt
import json
import os

from openbook.check.held_pauses import PENDING_FILE, pending_pause
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write, safe_relpath
from openbook.git import ledger, plumbing
from openbook.git import repo as gitrepo
from openbook.git.state import git_dir_of, unsafe_state
from openbook.trust.signing import commit_tree_sign_args
from openbook.vault import Vault

_BESIDE = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD")  # `git commit` finishes these


def _mode(vault: Vault) -> str:
    """'branch', 'beside' (a merge `git commit` will finish) or 'pending'."""
    if unsafe_state(vault.root) is None:
        return "branch"
    gd = git_dir_of(vault.root)
    beside = gd is not None and any((gd / m).exists() for m in _BESIDE)
    if beside and gitrepo.current_branch(vault.root) is not None:
        return "beside"
    return "pending"


def record_pause_file(
    vault: Vault, partner: str, relpath: str, text: str, action: str, when: dt.datetime
) -> str | None:
    """Write `text` at `relpath` and commit only that file as `partner`'s `action`, whatever
    git is doing; returns the commit, or None when it waits in pending-pause."""
    mode = _mode(vault)
    full = safe_relpath(vault.root, relpath)
    if full.is_symlink():
        raise OpenbookError(f"{relpath} is a symbolic link; openbook refuses links.")
    if mode == "branch":
        atomic_write(full, text.encode("utf-8"))
        return ledger.record(vault, partner, action, "pause", [relpath], relpath)
    if mode == "beside":
        sha = _commit_beside(vault, partner, relpath, text, action)
        atomic_write(full, text.encode("utf-8"))
        return sha
    atomic_write(full, text.encode("utf-8"))
    state = vault.state_dir()
    assert state is not None  # a vault that is its own repository
    state.mkdir(parents=True, exist_ok=True)
    pending = {"path": relpath, "partner": partner, "action": action, "when": when.isoformat()}
    atomic_write(state / PENDING_FILE, (json.dumps(pending) + "\n").encode("utf-8"))
    return None


def _commit_beside(vault: Vault, partner: str, relpath: str, text: str, action: str) -> str:
    root = vault.root
    branch = gitrepo.run(root, ["symbolic-ref", "-q", "HEAD"]).stdout.strip()
    head = gitrepo.out(root, "rev-parse", "--verify", "HEAD")
    blob = plumbing.write_blob(root, text.encode("utf-8"))
    state = vault.state_dir()
    assert state is not None
    state.mkdir(parents=True, exist_ok=True)
    scratch = state / f"index-pause-{os.getpid()}"
    base = gitrepo.out(root, "rev-parse", "--verify", f"{head}^{{tree}}")
    tree = plumbing.tree_with(root, base, [("100644", blob, relpath)], scratch)
    msg = ledger.message("pause", action, relpath, partner)
    env = ledger.identity(vault, partner)
    sha = plumbing.commit_tree(root, tree, [head], msg, env, commit_tree_sign_args(root))
    gitrepo.run(root, ["update-ref", "-m", f"openbook: {action} {relpath}", branch, sha, head])
    info = f"100644,{blob},{relpath}"
    gitrepo.run(root, ["update-index", "--add", "--cacheinfo", info])
    return sha


def commit_pending_pause(vault: Vault) -> str | None:
    """Commit a pause that waited for the branch, with its own time, once the branch is
    usable; returns the commit (None when nothing waits, or the branch is still busy)."""
    pending = pending_pause(vault)
    if pending is None or _mode(vault) != "branch":
        return None
    state = vault.state_dir()
    assert state is not None
    when = dt.datetime.fromisoformat(pending["when"])
    with vault.lock():
        full = safe_relpath(vault.root, pending["path"])
        sha = None
        if full.is_file() and not full.is_symlink():
            partner, action = pending["partner"], pending["action"]
            sha = ledger.record(
                vault, partner, action, "pause", [pending["path"]], pending["path"], when=when
            )
        (state / PENDING_FILE).unlink(missing_ok=True)
    return sha
