"""Set aside, merged (SPEC 5): nothing the partner pushes stops this partner's own
commits. From commits that verify, files that break the tree rules (tree.py), a changed
`.gitattributes` and settings that do not load are kept in the merged tree but out of the
work tree (git's skip-worktree bit: nothing is deleted in anyone's name); consent claims
that do not hold are merged and do not count (`check` says `consent-unproven`). Each is
named in the sync's output, `status` and the agenda, and by an `Openbook-Set-Aside:
<path or sha> <rule>` trailer on the merge; the sync exits 1. A file set aside that later
becomes fine enters the work tree as any other."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openbook.check.provenance import WHAT, arriving_unproven, claim_words
from openbook.config import CONFIG_NAME, config_from_bytes
from openbook.errors import GitError, OpenbookError, shown
from openbook.fsutil import atomic_write
from openbook.git import plumbing, worktree
from openbook.git.state import git_dir_of
from openbook.sync.tree import entering
from openbook.vault import Vault

TRAILER = "Openbook-Set-Aside"
KEPT_FILE = "kept-out.json"  # under .git/openbook/: what the work tree holds where


@dataclass(frozen=True)
class SetAside:
    key: str  # the path, or the commit of a consent claim
    rule: str  # path-unsafe, blob-too-large, gitattributes-changed, config, consent-unproven
    text: str  # one calm sentence
    skip: bool = True  # kept out of the work tree (not so: a consent, a kept openbook.yml)

    def trailer(self) -> str:
        return f"{TRAILER}: {self.key} {self.rule}"


def with_trailers(message: str, items: list[SetAside]) -> str:
    """The commit message with one Openbook-Set-Aside trailer per item set aside."""
    if not items:
        return message
    return message.rstrip("\n") + "\n" + "".join(f"{i.trailer()}\n" for i in items)


def arriving(items: list[SetAside], changed: Iterable[str]) -> list[SetAside]:
    """The items this change brings (not those set aside before and still unchanged)."""
    paths = set(changed)
    return [i for i in items if not i.skip or i.key in paths]


def config_problem(root: Path, oid: str) -> str | None:
    """Why the openbook.yml in blob `oid` does not load, or None."""
    data = plumbing.read_blobs(root, [oid]).get(oid, b"")
    cfg = config_from_bytes(data, Path(CONFIG_NAME))
    errors = [p.message for p in cfg.problems if p.severity == "error"]
    emails: dict[str, str] = {}
    for pid, partner in cfg.partners.items():
        other = emails.setdefault(partner.email.strip().lower(), pid)
        if other != pid:
            errors.append(f"partners {other} and {pid} have one email, {partner.email}")
    return errors[0] if errors else None


def tree_items(vault: Vault, old: str, new: str, remote: str) -> list[SetAside]:
    """What moving the work tree from tree `old` to tree `new` would bring in and must
    stay out of it: files that break the tree rules, settings that do not load."""
    root = vault.root
    before = worktree.skipped_paths(root)
    items = [
        SetAside(
            f.path,
            f.rule,
            f"{f.text[:1].upper()}{f.text[1:]} came from {remote}; it is in the shared "
            f"history but was set aside, not written to your files ({f.rule}). Ask your "
            "partner to fix it with a new commit.",
        )
        for f in entering(root, old, new, before)
    ]
    mine, theirs = (worktree.tree_entries(root, t, [CONFIG_NAME]) for t in (old, new))
    if CONFIG_NAME in theirs and (mine != theirs or CONFIG_NAME in before):
        problem = config_problem(root, theirs[CONFIG_NAME][1])
        if problem:
            items.append(
                SetAside(
                    CONFIG_NAME,
                    "config",
                    f"{CONFIG_NAME} does not load as it came from {remote} ({shown(problem)}); "
                    "it was set aside and the settings in force stay as they are (config). "
                    "Ask your partner to fix it with a new commit.",
                )
            )
    return items


def consent_items(vault: Vault, head: str, incoming: str) -> list[SetAside]:
    """Consent claims the incoming head makes that no commit of the claimed partner
    gave: merged, and they do not count."""
    names = vault.config.partners
    by_email = {p.email.lower(): p.name.split()[0] for p in names.values() if p.name.split()}
    items = []
    for f in arriving_unproven(vault, head, incoming):
        who = names[f.partner].name.split()[0] if f.partner in names else f.partner
        said = WHAT["answered"] if f.field == "answered" else "is " + claim_words(f.field)
        writer = by_email.get(f.by.lower()) if f.by else None
        commit = f"Commit {f.commit[:7]}" if f.commit else "A change never committed"
        if writer and f.commit:
            commit = f"{writer}'s commit {f.commit[:7]}"
        items.append(
            SetAside(
                f.commit or f.path,
                "consent-unproven",
                shown(
                    f"{commit} says {who} {said} in {f.path}; it does not count, since only "
                    f"{who}'s own commit gives {who}'s consent (consent-unproven)."
                ),
                skip=False,
            )
        )
    return items


def skip_paths(items: list[SetAside]) -> set[str]:
    return {i.key for i in items if i.skip}


def move(root: Path, old: str, new: str, aside: set[str]) -> None:
    """Move index, work tree and branch from commit `old` to commit `new`, keeping the
    paths `aside` out of the work tree (skip-worktree) and letting earlier ones that are
    no longer set aside in. Refuses to overwrite local changes (nothing changed then)."""
    before = worktree.skipped_paths(root)
    old_tree, new_tree = old, new  # git reads a commit's tree wherever a tree will do
    state = _state_folder(root)
    state.mkdir(parents=True, exist_ok=True)
    # what the work tree holds at the paths kept out of it: what was left there when they
    # were set aside (so a later local edit there is never overwritten), else the file
    written = _read_kept(state)
    shown_now = {p: written[p] if p in written else worktree.file_entry(root, p) for p in before}
    index = state / "move-index"
    old_view = _with(root, old_tree, shown_now, index)
    # a file set aside and edited here since keeps the edit, whatever comes in
    edited = [p for p in before if p in written and worktree.file_entry(root, p) != written[p]]
    hold = set(aside) | set(edited)
    keep = worktree.tree_entries(root, old_view, hold)
    new_view = _with(root, new_tree, {p: keep.get(p) for p in hold}, index)
    if shown_now:  # the index changed here: refresh it again (integrate refreshed it)
        worktree.set_index(root, shown_now, skip=False)
        worktree.refresh_index(root)
    refused = worktree.move_tree(root, old_view, new_view)
    if refused is not None:
        back = worktree.tree_entries(root, old_tree, before)
        worktree.set_index(root, {p: back.get(p) for p in before}, skip=True)
        raise OpenbookError(
            f"Could not bring in the new notes: {refused}. Your local copy of that file has "
            "changes that are not committed (run 'openbook check' and 'openbook commit'), "
            "then sync again; nothing was changed."
        )
    entries = worktree.tree_entries(root, new_tree, hold)
    worktree.set_index(root, {p: entries[p] for p in aside if p in entries}, skip=True)
    # released with the edit in place: git shows it as the local change it is
    worktree.set_index(root, {p: entries.get(p) for p in edited if p not in aside}, skip=False)
    worktree.move_head(root, old, new, "openbook sync")
    kept = {p: list(e) if (e := keep.get(p)) else None for p in sorted(aside)}
    atomic_write(state / KEPT_FILE, (json.dumps(kept) + "\n").encode("utf-8"))


def edited_aside(root: Path) -> list[str]:
    """Paths set aside whose file in the work tree was changed since (git does not show
    them: the skip-worktree bit hides them)."""
    before = worktree.skipped_paths(root)
    if not before:
        return []
    written = _read_kept(_state_folder(root))
    return [p for p in before if p in written and worktree.file_entry(root, p) != written[p]]


def _state_folder(root: Path) -> Path:
    """openbook's own folder in the repository's .git."""
    git_dir = git_dir_of(root)
    if git_dir is None:
        raise GitError(f"{root} is not in a git repository.")
    return git_dir / "openbook"


def _read_kept(state: Path) -> dict[str, tuple[str, str] | None]:
    """{path set aside: (mode, oid) of the file left in the work tree there, or None}."""
    try:
        data = json.loads((state / KEPT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, tuple[str, str] | None] = {}
    for path, entry in data.items():
        if entry is None:
            out[str(path)] = None
        elif isinstance(entry, list) and len(entry) == 2:
            out[str(path)] = (str(entry[0]), str(entry[1]))
    return out


def _with(root: Path, tree: str, entries: dict[str, tuple[str, str] | None], index: Path) -> str:
    if not entries:
        return tree
    rows = [(e[0], e[1], p) if e else ("0", worktree.ZERO, p) for p, e in entries.items()]
    return plumbing.tree_with(root, tree, rows, index)
