"""What sync refuses before anything is merged: a remote whose shared history was
rewritten (the seen head is missing from it), and trees that hold what tree.py refuses
(symbolic links, submodules, files outside the vault's folders, unsafe names, big files,
attributes files)."""

from __future__ import annotations

from pathlib import Path

from openbook.errors import IntegrityAlert
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import shared_path as allowed_path
from openbook.sync.tree import REGULAR_MODES, tree_problems
from openbook.trust.verify import problem_list, verify_range
from openbook.vault import Vault
from openbook.words import plural

__all__ = ["REGULAR_MODES", "allowed_path", "check_integrity", "refuse_unsafe", "unsafe_tree"]


def check_integrity(
    root: Path, remote: str, branch: str, seen: str | None, incoming: str | None
) -> None:
    """The fetched head must contain the last remote head this clone saw."""
    if seen is None:
        return
    if incoming is None:
        raise IntegrityAlert(
            f"The branch {branch} is gone from {remote}, though this clone saw it at "
            f"{seen[:7]}; nothing was merged or pushed and your history is untouched. "
            "Talk with your partner before syncing again; 'openbook doctor' shows the safe "
            "ways forward."
        )
    if seen == incoming or plumbing.is_ancestor(root, seen, incoming):
        return
    raw = gitrepo.out(
        root, "log", "--format=%h %s", "-n", "11", "--end-of-options", seen, f"^{incoming}"
    )
    missing = raw.splitlines()
    total = plumbing.count(root, seen, f"^{incoming}")
    shown = "; ".join(missing[:10]) + ("; ..." if total > 10 else "")
    raise IntegrityAlert(
        f"Shared history on {remote} was rewritten: {plural(total, 'commit')} this clone had "
        f"seen {'is' if total == 1 else 'are'} missing there ({shown}). Nothing was merged or "
        "pushed and your history is untouched. Run 'openbook doctor': it shows what differs "
        "and the safe ways forward; talk with your partner before you choose one."
    )


def unsafe_tree(root: Path, rev: str) -> list[str]:
    """What the tree of `rev` holds that openbook refuses (for a clone; tree.py)."""
    return tree_problems(root, rev, vault=False)


def refuse_unsafe(problems: list[str], remote: str, *, merged: bool = False) -> None:
    """IntegrityAlert naming what would enter the work tree and is refused. `merged`: the
    problems appear only in the merge of both sides."""
    if problems and merged:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise IntegrityAlert(
            f"Merging the changes from {remote} would bring in {shown}; openbook refuses "
            "that, and nothing was merged or pushed. Rename or remove the file on one side "
            "with a new commit, then sync again."
        )
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise IntegrityAlert(
            f"Incoming changes from {remote} add {shown}; openbook refuses them, and nothing "
            "was merged or pushed. A vault holds only notes in its folders; ask your partner "
            "to remove these with a new commit, then sync again."
        )


def refuse_unverified(vault: Vault, head: str, incoming: str, remote: str) -> None:
    """Every incoming commit must verify (SPEC section 7: a foreign root always, the
    signature rules where signatures are in force) before anything is merged: exit 4
    with the commits named, nothing merged. A consent claim that does not hold is never a
    reason to refuse: it is set aside (aside.py)."""
    problems = verify_range(vault.root, head, incoming, remember=True)  # where in force
    if problems:
        raise IntegrityAlert(
            f"Incoming commits from {remote} do not verify: "
            f"{problem_list(problems, vault.tz)}. Nothing was merged "
            "or pushed. Talk with each other before anything else; 'openbook verify' and "
            "'openbook doctor' say more."
        )
