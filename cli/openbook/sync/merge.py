"""Bringing the partner's commits in: nothing, a fast-forward, or a merge computed by
`git merge-tree` without touching the work tree. Notes both added at one name or id
are renumbered first (renumber.py). A conflicted note keeps ours at its path and theirs
verbatim beside it as a conflict copy; a conflicted shared setting merges key by key,
and what both changed goes into a settings conflict note (settings.py). No markers, no
half-done merge. What would enter the work tree is checked (tree.py) and what breaks a
rule is set aside (aside.py); a path changed locally and not committed is never touched:
the partner's version goes beside it as a conflict copy."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from openbook.config import CONFIG_NAME
from openbook.errors import OpenbookError, shown
from openbook.git import plumbing, worktree
from openbook.git import repo as gitrepo
from openbook.git.ledger import identity, message
from openbook.notetypes.base import TOP_COPIES
from openbook.sync import aside as setaside
from openbook.sync import renumber, settings
from openbook.sync.aside import SetAside
from openbook.sync.renumber import Renamed
from openbook.sync.result import ConflictFile
from openbook.sync.tree import REGULAR_MODES
from openbook.trust.signing import commit_tree_sign_args
from openbook.vault import Vault
from openbook.words import plural

_PARTNER_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


@dataclass
class Integration:
    """What integrating did: the new HEAD, how many commits came in, the conflicts."""

    head: str
    received: int = 0
    conflicts: list[ConflictFile] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    renamed_by: str = ""  # the partner whose new notes ours were renamed for
    set_aside: list[SetAside] = field(default_factory=list)


def copy_name(path: str, partner: str, sha: str) -> str:
    """`<stem>.conflict-<partner>-<sha7><ext>` beside the file, its extension kept."""
    p = PurePosixPath(path)
    suffix = p.suffix if p.stem else ""
    stem = p.name[: -len(suffix)] if suffix else p.name
    return str(p.with_name(f"{stem}.conflict-{partner}-{sha[:7]}{suffix}"))


def partner_name(vault: Vault, partner: str) -> str:
    p = vault.config.partners.get(partner)
    words = p.name.split() if p else []
    return shown(words[0]) if words else "your partner"


def conflict_line(c: ConflictFile, vault: Vault) -> str:
    """The one line that tells what happened to a conflicted file and what to do."""
    name = partner_name(vault, c.partner)
    if c.kind == "both-changed" and c.keys:
        keys = ", ".join(shown(k) for k in c.keys)
        return (
            f"{c.path}: you both changed {keys}. Yours stays there and {name}'s version is "
            f"in {c.copy}; agree on one together, put it in {c.path}, then delete the "
            f"{'copy' if c.path in TOP_COPIES else 'note'}."
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
    """(partner id, commit) of the last commit on their side that touched `path`; the
    partner is found by the commit's author email, never by what a trailer claims."""
    revs = ["--end-of-options", theirs, f"^{base}", "--", path]
    raw = gitrepo.out(vault.root, "log", "-1", "--format=%H%x1f%ae", *revs)
    sha, _, email = raw.partition("\x1f")
    by_email = {p.email.lower(): pid for pid, p in vault.config.partners.items()}
    who = by_email.get(email.strip().lower(), "")
    return (who if _PARTNER_ID.match(who) else "partner"), sha.strip() or theirs


def _setting(
    vault: Vault, path: str, stages: dict[int, tuple[str, str]], who: str, sha: str
) -> tuple[list[tuple[str, str, str]], ConflictFile | None]:
    """A shared setting both sides changed: merged key by key; what both changed keeps
    ours, and theirs goes into a settings conflict note."""
    root = vault.root
    ours, their = stages[2], stages[3]
    base = stages.get(1)
    blobs = plumbing.read_blobs(root, [ours[1], their[1], *([base[1]] if base else [])])
    merged = settings.merge_setting(
        path, blobs.get(base[1]) if base else None, blobs[ours[1]], blobs[their[1]]
    )
    entries = [(ours[0], plumbing.write_blob(root, merged.text) if merged.text else ours[1], path)]
    if not merged.conflicts:
        return entries, None
    if path in TOP_COPIES:  # beside the file, verbatim, its extension kept
        copy = copy_name(path, who, sha)
        entries.append((their[0], their[1], copy))
    else:
        copy = settings.copy_path(path, who, sha)
        note = settings.conflict_note(
            path, partner_name(vault, who), sha, blobs[their[1]], merged.conflicts
        )
        entries.append(("100644", plumbing.write_blob(root, note), copy))
    keys = [] if merged.conflicts == [settings.WHOLE] else merged.conflicts
    return entries, ConflictFile(path, "both-changed", copy, who, sha, keys)


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
                    f"{shown(path)} changed on both sides and is not a plain file, so nothing "
                    "was merged; openbook shares plain files only. Remove it on your side "
                    f"(git rm -- '{shown(path)}' && git commit -m 'Remove {shown(path)}'), then "
                    "run 'openbook sync' again."
                )
        who, sha = _their_side(vault, base, theirs, path)
        if ours and their and settings.is_setting(path):
            more, conflict = _setting(vault, path, stages, who, sha)
            entries += more
            files += [conflict] if conflict else []
        elif ours and their:
            copy = copy_name(path, who, sha)
            entries += [(*ours, path), (*their, copy)]
            files.append(ConflictFile(path, "both-changed", copy, who, sha))
        elif ours:
            entries.append((*ours, path))
            files.append(ConflictFile(path, "deleted-there", None, who, sha))
        elif their:
            entries.append((*their, path))
            files.append(ConflictFile(path, "deleted-here", None, who, sha))
    return _scratch_tree(vault, tree, entries), files


def _keep_local(
    vault: Vault, head: str, tree: str, base: str, theirs: str
) -> tuple[str, list[ConflictFile]]:
    """Paths changed locally and not committed (staged, unstaged, untracked) that the
    merge would change keep what HEAD has; the merge's version goes beside as a copy."""
    root = vault.root
    changed = worktree.changed_entries(root, head, tree)
    touched = _touched(root, head, changed)
    if not touched:
        return tree, []
    ours = worktree.tree_entries(root, head, touched)
    rows: list[tuple[str, str, str]] = []
    files: list[ConflictFile] = []
    for path in touched:
        mine, other = ours.get(path), changed[path]
        who, sha = _their_side(vault, base, theirs, path)
        rows.append((*mine, path) if mine else ("0", worktree.ZERO, path))
        if other is None:
            files.append(ConflictFile(path, "deleted-there", None, who, sha))
            continue
        copy = copy_name(path, who, sha)
        rows.append((*other, copy))
        files.append(ConflictFile(path, "both-changed", copy, who, sha))
    return _scratch_tree(vault, tree, rows), files


def _touched(root: Path, head: str, changed: dict[str, tuple[str, str] | None]) -> list[str]:
    """The paths a move to the merge would change that hold local work: changed, staged
    or untracked per git status, or any file (an ignored one too) where HEAD has none."""
    if not changed:
        return []
    local = set(worktree.local_changes(root, changed))
    present = [p for p in changed if p not in local and os.path.lexists(root / p)]
    mine = worktree.tree_entries(root, head, present)
    return sorted(p for p in changed if p in local or (p in present and p not in mine))


def _released(
    vault: Vault, tree: str, aside: set[str], base: str, theirs: str
) -> tuple[str, list[ConflictFile]]:
    """Files set aside before and edited here since, that now enter the work tree: the
    edit stays in the file (a local change) and the merge's version goes beside it."""
    edited = [p for p in setaside.edited_aside(vault.root) if p not in aside]
    merged = worktree.tree_entries(vault.root, tree, edited)
    rows: list[tuple[str, str, str]] = []
    files: list[ConflictFile] = []
    for path in edited:
        who, sha = _their_side(vault, base, theirs, path)
        if path in merged:
            copy = copy_name(path, who, sha)
            rows.append((*merged[path], copy))
            files.append(ConflictFile(path, "both-changed", copy, who, sha))
        else:
            files.append(ConflictFile(path, "deleted-there", None, who, sha))
    return (_scratch_tree(vault, tree, rows) if rows else tree), files


def _scratch_tree(vault: Vault, tree: str, rows: list[tuple[str, str, str]]) -> str:
    state = vault.state_dir()
    assert state is not None
    state.mkdir(parents=True, exist_ok=True)
    return plumbing.tree_with(vault.root, tree, rows, state / f"sync-index-{os.getpid()}")


def _keep_settings(vault: Vault, head: str, tree: str, remote: str) -> tuple[str, list[SetAside]]:
    """A merge that would delete openbook.yml keeps this side's: settings never vanish."""
    root = vault.root
    mine = worktree.tree_entries(root, head, [CONFIG_NAME])
    if CONFIG_NAME not in mine or worktree.tree_entries(root, tree, [CONFIG_NAME]):
        return tree, []
    text = (
        f"{CONFIG_NAME} was deleted on {remote}; the merge keeps it, since a vault's settings "
        "never vanish (config). Talk with your partner about what to change in it."
    )
    item = SetAside(CONFIG_NAME, "config", text, skip=False)
    return _scratch_tree(vault, tree, [(*mine[CONFIG_NAME], CONFIG_NAME)]), [item]


def _learn(root: Path, head: str, tree: str) -> None:
    """Read at once the folders the checks of a move from `head` to `tree` look into:
    the top and every folder above a changed path, in both (one `git cat-file`)."""
    folders = {""}
    for path in worktree.changed_entries(root, head, tree):
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    worktree.learn_folders(root, [(rev, f) for rev in (head, tree) for f in folders])


def _fast_forward(
    vault: Vault, head: str, incoming: str, remote: str, behind: int
) -> Integration | None:
    """Move to `incoming` when nothing needs a merge commit (nothing newly set aside, no
    local change in the way); None otherwise."""
    root = vault.root
    _learn(root, head, incoming)
    changed = worktree.changed_entries(root, head, incoming)
    items = setaside.tree_items(vault, head, incoming, remote)
    if setaside.arriving(items, changed) or _touched(root, head, changed):
        return None
    if setaside.edited_aside(root):
        return None
    if setaside.consent_items(vault, head, incoming):
        return None
    if not worktree.tree_entries(root, incoming, [CONFIG_NAME]):
        return None
    # what was set aside before and is still unchanged stays so, without a merge commit
    setaside.move(root, head, incoming, setaside.skip_paths(items))
    return Integration(incoming, behind, set_aside=items)


def integrate(
    vault: Vault,
    partner: str,
    head: str,
    incoming: str | None,
    counts: tuple[int, int],
    remote: str,
    branch: str,
    known: list[str] | None = None,
) -> Integration:
    """Bring `incoming` into HEAD: nothing, fast-forward or a merge. `counts` are the
    commits only in head and only in incoming. What breaks the tree rules, settings that
    do not load and consent claims that do not hold are set aside (aside.py); a merge
    commit records them even where a fast-forward would do. `known` is unused."""
    root = vault.root
    ahead, behind = counts
    if incoming is None or incoming == head or behind == 0:
        return Integration(head)
    worktree.refresh_index(root)
    if ahead == 0 and (done := _fast_forward(vault, head, incoming, remote, behind)):
        return done
    base = plumbing.merge_base(root, head, incoming)
    if base is None:
        raise OpenbookError(
            f"This vault and the one on {remote} were started separately and share no history; "
            "nothing was merged. Keep one of them: clone it with 'openbook clone URL DIR --as ID' "
            "and copy your notes over."
        )
    ours, by = head, ""
    renamed = renumber.plan(root, base, head, incoming)
    if renamed:
        ours = renumber.commit(vault, partner, base, head, renamed)
        by, _ = _their_side(vault, base, incoming, renamed[0].theirs)
    tree, conflicts = plumbing.merge_tree(root, ours, incoming)
    _learn(root, head, tree)
    files: list[ConflictFile] = []
    if conflicts:
        tree, files = _resolve(vault, tree, conflicts, base, incoming)
    tree, kept = _keep_local(vault, head, tree, base, incoming)
    files += kept
    tree, items = _keep_settings(vault, head, tree, remote)
    items += setaside.tree_items(vault, head, tree, remote)
    items += setaside.consent_items(vault, head, incoming)
    tree, released = _released(vault, tree, setaside.skip_paths(items), base, incoming)
    files += released
    if files:
        paths = [c.path for c in files]
        more = f" and {plural(len(paths) - 1, 'more file')}" if len(paths) > 1 else ""
        body = "\n".join(conflict_line(c, vault) for c in files)
        msg = message("vault", "conflict", paths[0] + more, partner, body)
    else:
        msg = message("vault", "merge", f"{remote}/{branch}", partner, None)
    changed = worktree.changed_entries(root, head, tree)
    msg = setaside.with_trailers(msg, setaside.arriving(items, changed))
    sign = commit_tree_sign_args(root)
    commit = plumbing.commit_tree(root, tree, [ours, incoming], msg, identity(vault, partner), sign)
    setaside.move(root, head, commit, setaside.skip_paths(items))
    return Integration(commit, behind, files, renamed, by, items)
