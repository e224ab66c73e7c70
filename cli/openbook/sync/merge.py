"""Bringing the partner's commits in: nothing, a fast-forward, or a merge computed by
`git merge-tree` without touching the work tree. A conflicted file keeps ours at its
path and theirs verbatim beside it as a conflict copy: no markers, no half-done merge."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from openbook.errors import OpenbookError
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.git.ledger import identity, message
from openbook.sync.integrity import REGULAR_MODES
from openbook.sync.result import ConflictFile
from openbook.vault import Vault
from openbook.words import plural

_PARTNER_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


@dataclass
class Integration:
    """What integrating did: the new HEAD, how many commits came in, the conflicts."""

    head: str
    received: int = 0
    conflicts: list[ConflictFile] = field(default_factory=list)


def copy_name(path: str, partner: str, sha: str) -> str:
    p = PurePosixPath(path)
    suffix = p.suffix or ".md"
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return str(p.with_name(f"{stem}.conflict-{partner}-{sha[:7]}{suffix}"))


def conflict_line(c: ConflictFile, vault: Vault) -> str:
    """The one line that tells what happened to a conflicted file and what to do."""
    name = (
        vault.config.partners[c.partner].name.split()[0]
        if c.partner in vault.config.partners
        else "your partner"
    )
    if c.kind == "both-changed":
        return (
            f"{c.path}: you both changed it. Yours stays there and {name}'s version is "
            f"in {c.copy}; keep what you both want in {c.path}, then delete the copy."
        )
    if c.kind == "deleted-there":
        return (
            f"{c.path}: {name} deleted it and you changed it; your version is kept. "
            "Delete it again if you both agree."
        )
    return (
        f"{c.path}: you deleted it and {name} changed it; the changed version is kept. "
        "Delete it again if you both agree."
    )


def _their_side(vault: Vault, base: str, theirs: str, path: str) -> tuple[str, str]:
    """(partner id, commit) of the last commit on their side that touched `path`."""
    fmt = "%H%x1f%ae%x1f%(trailers:key=Openbook-Partner,valueonly,separator=%x2c)"
    revs = ["--end-of-options", theirs, f"^{base}", "--", path]
    raw = gitrepo.out(vault.root, "log", "-1", f"--format={fmt}", *revs)
    sha, email, who = [*raw.split("\x1f"), "", "", ""][:3]
    sha = sha.strip() or theirs
    who = who.strip().split(",")[0].strip()
    partners = vault.config.partners
    if who not in partners:
        by_email = {p.email.lower(): pid for pid, p in partners.items()}
        who = by_email.get(email.strip().lower(), "")
    if not _PARTNER_ID.match(who):
        who = "partner"
    return who, sha


def _resolve(
    vault: Vault, tree: str, conflicts: plumbing.Stages, base: str, theirs: str
) -> tuple[str, list[ConflictFile]]:
    """A tree where every conflicted path holds ours, or the surviving modified version,
    and theirs sits verbatim beside it as a conflict copy. No markers anywhere."""
    entries: list[tuple[str, str, str]] = []
    files: list[ConflictFile] = []
    for path, stages in sorted(conflicts.items()):
        ours, their = stages.get(2), stages.get(3)
        for side in (ours, their):
            if side and side[0] not in REGULAR_MODES:
                raise OpenbookError(
                    f"{path} changed on both sides and is not a plain file; nothing was merged. "
                    "Resolve it by hand with git, then sync again."
                )
        who, sha = _their_side(vault, base, theirs, path)
        if ours and their:
            copy = copy_name(path, who, sha)
            entries += [(*ours, path), (*their, copy)]
            files.append(ConflictFile(path, "both-changed", copy, who, sha))
        elif ours:
            entries.append((*ours, path))
            files.append(ConflictFile(path, "deleted-there", None, who, sha))
        elif their:
            entries.append((*their, path))
            files.append(ConflictFile(path, "deleted-here", None, who, sha))
    state = vault.state_dir()
    assert state is not None
    state.mkdir(parents=True, exist_ok=True)
    index = state / f"sync-index-{os.getpid()}"
    return plumbing.tree_with(vault.root, tree, entries, index), files


def _move_work_tree(root: Path, old: str, new: str) -> None:
    """Move index, work tree and branch from `old` to `new`; refuse to overwrite local work."""
    refused = plumbing.checkout_commit(root, old, new, "openbook sync")
    if refused is not None:
        raise OpenbookError(
            f"Could not bring in the new notes: {refused}. Your local "
            "copy of that file has changes that are not committed (run 'openbook check' and "
            "'openbook commit'), then sync again; nothing was changed."
        )


def integrate(
    vault: Vault,
    partner: str,
    head: str,
    incoming: str | None,
    counts: tuple[int, int],
    remote: str,
    branch: str,
) -> Integration:
    """Bring `incoming` into HEAD: nothing, fast-forward or a merge. `counts` are the
    commits only in head and only in incoming."""
    root = vault.root
    ahead, behind = counts
    if incoming is None or incoming == head or behind == 0:
        return Integration(head)
    if ahead == 0:
        _move_work_tree(root, head, incoming)
        return Integration(incoming, behind)
    base = plumbing.merge_base(root, head, incoming)
    if base is None:
        raise OpenbookError(
            f"This vault and the one on {remote} were started separately and share no history; "
            "nothing was merged. Keep one of them: clone it with 'openbook clone URL DIR --as ID' "
            "and copy your notes over."
        )
    tree, conflicts = plumbing.merge_tree(root, head, incoming)
    files: list[ConflictFile] = []
    if conflicts:
        tree, files = _resolve(vault, tree, conflicts, base, incoming)
        paths = [c.path for c in files]
        more = f" and {plural(len(paths) - 1, 'more file')}" if len(paths) > 1 else ""
        body = "\n".join(conflict_line(c, vault) for c in files)
        msg = message("vault", "conflict", paths[0] + more, partner, body)
    else:
        msg = message("vault", "merge", f"{remote}/{branch}", partner, None)
    commit = plumbing.commit_tree(root, tree, [head, incoming], msg, identity(vault, partner))
    _move_work_tree(root, head, commit)
    return Integration(commit, behind, files)
