"""What sync refuses before anything is merged: a remote whose shared history was
rewritten (the seen head is missing from it), and incoming trees that hold symlinks,
submodules or files outside the vault's folders."""

from __future__ import annotations

from pathlib import Path

from openbook.errors import IntegrityAlert
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import shared_path as allowed_path
from openbook.words import plural

REGULAR_MODES = ("100644", "100755")


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
            "Talk with your partner before syncing again "
            "(README, 'Sharing with your partner', exit code 4)."
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


def _unsafe_entry(mode: str, path: str) -> str | None:
    if mode == "120000":
        return f"a symbolic link at {path}"
    if mode == "160000":
        return f"a submodule at {path}"
    if mode not in REGULAR_MODES:
        return f"an unusual file (mode {mode}) at {path}"
    if not allowed_path(path):
        return f"{path}, outside the vault's folders"
    return None


def unsafe_incoming(root: Path, head: str | None, incoming: str) -> list[str]:
    """What the incoming commits add that openbook refuses, before it reaches the work tree."""
    if incoming == head:
        return []
    found: list[str] = []
    for mode, path in plumbing.added_entries(root, incoming, head):
        problem = _unsafe_entry(mode, path)
        if problem and problem not in found:
            found.append(problem)
    return found


def unsafe_tree(root: Path, rev: str) -> list[str]:
    """What the tree of `rev` holds that openbook refuses (for a clone)."""
    found = []
    for mode, path in plumbing.tree_entries(root, rev):
        problem = _unsafe_entry(mode, path)
        if problem:
            found.append(problem)
    return found


def refuse_unsafe(problems: list[str], remote: str) -> None:
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise IntegrityAlert(
            f"Incoming changes from {remote} add {shown}; openbook refuses them, and nothing "
            "was merged or pushed. A vault holds only notes in its folders; ask your partner "
            "to remove these with a new commit, then sync again."
        )
