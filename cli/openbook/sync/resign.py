"""Make again, properly signed, this clone's commits that the partner's clone would refuse
and that were never shared (`openbook doctor --fix`, SPEC section 7 "No dead ends").

Only commits no remote ref reaches (`plumbing.unshared`) are touched. From the first
commit that does not verify on, each unshared commit is made again (fold.py's `remake`)
on its original parents (or their new versions), with its tree, message, author,
committer and both dates, and signed with this clone's key. The original tip stays in a
backup ref (`refs/openbook/backup/...`); the branch moves by compare-and-swap, and since
the final tree is the same, the index and the work tree do not change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openbook.errors import OpenbookError
from openbook.git import plumbing
from openbook.git.objects import read_objects
from openbook.sync import refs as syncrefs
from openbook.sync.fold import plain, remake
from openbook.trust.commits import parse_commit
from openbook.trust.signing import commit_tree_sign_args
from openbook.trust.verify import Problem, verify_range
from openbook.vault import Vault
from openbook.words import plural


@dataclass
class Unshared:
    """This clone's commits that no remote ref reaches, and those the partner would refuse."""

    head: str | None
    branch: str | None
    commits: list[str] = field(default_factory=list)  # oldest first
    refused: list[Problem] = field(default_factory=list)  # newest first


def unshared_problems(vault: Vault, remote: str = "origin") -> Unshared:
    """The unshared commits of HEAD that fail verification (none when signatures are not
    required or nothing is unshared)."""
    root = vault.root
    refs = syncrefs.read_refs(root, remote)
    found = Unshared(refs.head, refs.branch)
    if refs.head is None or not vault.config.require_signatures:
        return found
    found.commits = [r.sha for r in plumbing.unshared(root, refs.head)]
    if not found.commits:
        return found
    base = refs.seen or refs.tracking
    ours = set(found.commits)
    found.refused = [p for p in verify_range(root, base, refs.head) if p.commit in ours]
    return found


def resign(vault: Vault, remote: str = "origin") -> list[str]:
    """Make the refused unshared commits again, signed (module docstring); returns what
    was done, in sentences (none when there was nothing to do)."""
    vault.require_writable()
    root = vault.root
    with vault.lock():
        found = unshared_problems(vault, remote)
        if not found.refused or found.head is None or found.branch is None:
            return []
        signing = commit_tree_sign_args(root)
        if not signing:
            raise OpenbookError(
                "This clone does not sign commits, so they cannot be made again signed; run "
                "'openbook keys add' first. Nothing was changed."
            )
        bad = {p.commit for p in found.refused}
        batch = read_objects(root, found.commits)
        made: dict[str, str] = {}
        for sha in found.commits:
            obj = batch.get(sha)
            if obj is None or obj[1] != "commit":
                raise OpenbookError(f"{sha[:7]} could not be read; nothing was changed.")
            raw = parse_commit(sha, obj[2])
            body = obj[2].partition(b"\n\n")[2]
            parents = [made.get(p, p) for p in raw.parents]
            if sha not in bad and parents == raw.parents:
                continue
            if not plain(raw, body):
                raise OpenbookError(
                    f"{sha[:7]} carries more than openbook can make again exactly; nothing was "
                    "changed. Make it again by hand ('git commit --amend -S') if it is the "
                    "last one."
                )
            made[sha] = remake(root, raw, raw.tree, parents, body.decode("utf-8"), signing)
        new = made.get(found.head, found.head)
        refs = syncrefs.read_refs(root, remote)
        backup = syncrefs.backup(root, refs, found.head)
        plumbing.move_ref(
            root,
            f"refs/heads/{found.branch}",
            new,
            found.head,
            f"openbook doctor: sign {plural(len(bad), 'commit')} again",
        )
    names = ", ".join(p.commit[:7] for p in reversed(found.refused))
    done = [
        f"Made {plural(len(made), 'unshared commit')} again, signed with this clone's key "
        f"({names} did not verify); the originals are kept in {backup}. Next: 'openbook sync'."
    ]
    left = unshared_problems(vault, remote).refused
    if left:  # a signature cannot mend what is not this partner's (another committer)
        done.append(
            f"{plural(len(left), 'commit')} still {'does' if len(left) == 1 else 'do'} not "
            f"verify ({'; '.join(p.format(vault.tz) for p in left[:3])}); make "
            f"{'it' if len(left) == 1 else 'them'} again by hand, as yourself."
        )
    return done
