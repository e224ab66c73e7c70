"""`openbook clone`: the partner's copy of the shared vault, checked before checkout."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openbook.check.result import check_vault
from openbook.config import CONFIG_NAME
from openbook.errors import IntegrityAlert, OpenbookError, RemoteUnreachable
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.git.arrivals import see as see_arrivals
from openbook.git.urls import for_display
from openbook.sync.integrity import refuse_unsafe, unsafe_tree
from openbook.sync.refs import SEEN
from openbook.sync.transport import not_a_repository, run_network, unreachable_reason
from openbook.trust import allowed
from openbook.trust.authentic import INTRODUCTION_REF, record, vault_root
from openbook.trust.verify import trust_state_at
from openbook.vault import Vault


def _adopt_branch(root: Path) -> str | None:
    """When the remote's HEAD names no branch (a bare repository made with another default
    branch), use its `main`, or its only branch."""
    names = gitrepo.out(
        root, "for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin/"
    ).split()
    names = [n for n in names if n != "HEAD"]
    branch = "main" if "main" in names else (names[0] if len(names) == 1 else None)
    if branch is None:
        return None
    sha = gitrepo.rev(root, f"refs/remotes/origin/{branch}")
    if sha is None:
        return None
    plumbing.update_refs(root, update={f"refs/heads/{branch}": sha})
    gitrepo.run(root, ["symbolic-ref", "HEAD", f"refs/heads/{branch}"])
    gitrepo.config_set(root, f"branch.{branch}.remote", "origin")
    gitrepo.config_set(root, f"branch.{branch}.merge", f"refs/heads/{branch}")
    return sha


def _git_clone(url: str, target: Path, progress: Callable[[str], None] | None = None) -> Path:
    args = [
        "-c",
        "fetch.fsckObjects=true",
        "clone",
        "--quiet",
        "--no-checkout",
        "--no-recurse-submodules",
        "--origin",
        "origin",
        "-c",
        "core.fsync=all",
        "-c",
        "core.quotepath=off",
        "--",
        url,
        str(target),
    ]
    late = f"{for_display(url)} did not answer in time; nothing was cloned. Try again when online."
    doing = f"Still receiving from {for_display(url)}..."
    res = run_network(target.parent, args, late, progress=progress, doing=doing)
    if res.status != 0 and not_a_repository(res.stderr):
        raise OpenbookError(
            f"{for_display(url)} is not a git repository: check the address; nothing was cloned."
        )
    if res.status != 0:
        raise RemoteUnreachable(
            f"Could not clone {for_display(url)} ({unreachable_reason(res.stderr)}); nothing was "
            "cloned. Check the address and that you are online."
        )
    return target.resolve()


def _introduce(url: str, root: Path, head: str, wanted: str | None) -> None:
    """Record the trust root and the introduction the fetched history has; refuse
    (exit 4) when it is not the one the partner read out (`wanted`)."""
    vault_root(root, head)
    found = trust_state_at(root, head, remembered=False, seed=True).introduction
    if wanted is not None:
        hexa = wanted.strip().lower()
        given = gitrepo.rev(root, f"{hexa}^{{commit}}") if hexa.isalnum() else None
        if given is None or given != found:
            raise IntegrityAlert(
                f"The history at {for_display(url)} has "
                + (f"the introduction {found[:7]}" if found else "no introduction")
                + f", not {wanted[:7]} as given; nothing was cloned. Compare 'openbook keys "
                "list' with your partner in person before you clone again."
            )
    if found is not None:
        record(root, INTRODUCTION_REF, found)


def _set_up(url: str, root: Path, partner: str, introduction: str | None = None) -> None:
    """Check the clone, check it out, and make it this partner's vault."""
    head = gitrepo.rev(root, "HEAD") or _adopt_branch(root)
    if head is None:
        raise OpenbookError(
            f"{for_display(url)} is empty; the partner who created the vault runs 'openbook sync' "
            "first, then clone again."
        )
    refuse_unsafe(unsafe_tree(root, head), for_display(url))
    _introduce(url, root, head, introduction)
    gitrepo.run(root, ["checkout", "--quiet", "HEAD", "--", "."])
    if not (root / CONFIG_NAME).is_file():
        raise OpenbookError(
            f"{for_display(url)} is not an openbook vault (no {CONFIG_NAME} at its top); "
            "check the address."
        )
    vault = Vault(root)
    cfg = vault.require_config()
    if partner not in cfg.partners:
        names = ", ".join(sorted(cfg.partners))
        raise OpenbookError(f"'{partner}' is not a partner in this vault; use one of: {names}.")
    gitrepo.config_set(root, "openbook.partner", partner)
    gitrepo.config_set(root, "core.fsync", "all")
    allowed.write(root)  # plain git shows a good signature where openbook verify does
    branch = gitrepo.current_branch(root)
    if branch:
        plumbing.update_refs(root, update={SEEN.format(remote="origin", branch=branch): head})
    check_vault(vault)


def clone(
    url: str,
    directory: Path,
    partner: str,
    introduction: str | None = None,
    identity: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Clone the shared vault into `directory` as `partner`: check the remote URL, refuse
    unsafe content before checkout, set openbook.partner and core.fsync, check the vault
    and record the seen head. An encrypted remote (SPEC section 11) is opened with the
    private key `identity` first. `progress` hears a line when git's clone takes a
    while. Returns the vault root."""
    url = gitrepo.check_remote_url(url)
    target = directory.expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OpenbookError(f"{target} already exists and is not empty; choose a new folder.")
    created = not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        root = _git_clone(url, target, progress)
        _open_encrypted(root, url, identity)
        _set_up(url, root, partner, introduction)
        see_arrivals(root)  # the whole history arrives at clone time
        gitrepo.write_commit_graph(root)  # read only where its dates hold (see_arrivals)
    except BaseException:
        if created and target.exists():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    return root


def _open_encrypted(root: Path, url: str, identity: Path | None) -> None:
    """When the remote is an encrypted one, decrypt its history into this clone."""
    from openbook.sync.encrypt_setup import holds_only_bundles, open_clone

    head = gitrepo.rev(root, "HEAD") or _adopt_branch(root)
    if identity is not None or (head is not None and holds_only_bundles(root, head)):
        open_clone(root, url, identity)


def joining_offer(root: Path, partner: str) -> Any:
    """The vault's first settings waiting for `partner`, the joining partner, to accept
    (SPEC section 10: nothing is in force until they do); None when nothing waits."""
    from openbook.errors import OpenbookError
    from openbook.ritual.binding import settings_proposal
    from openbook.ritual.history import read_history
    from openbook.ritual.settings_consent import proposal_for
    from openbook.vault import Vault

    vault = Vault(root)
    try:
        proposal = settings_proposal(read_history(vault), vault.require_config())
        if proposal is None or proposal["joined"] or partner not in proposal["waiting"]:
            return None
        return proposal_for(vault, partner)
    except OpenbookError:
        return None
