"""When and as what a vault began: its first commit, the same in both partners' clones."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from openbook.git import repo as gitrepo
from openbook.vault import Vault


@dataclass(frozen=True)
class Origin:
    """What stays the same for a vault across runs and clones."""

    identity: str  # the first commit's sha (a digest of the partners without history)
    began: dt.datetime | None  # when the first commit was made; None without history
    created: dt.date  # the vault's first day in its time zone (today without history)


def vault_origin(vault: Vault) -> Origin:
    if vault.git_dir is not None and gitrepo.has_head(vault.root):
        res = gitrepo.run(
            vault.root,
            ["log", "--max-parents=0", "--first-parent", "--format=%H %cI", "--end-of-options"],
        )
        words = res.stdout.split()
        if len(words) >= 2:
            began = dt.datetime.fromisoformat(words[-1])
            return Origin(words[-2], began, began.astimezone(vault.tz).date())
    people = sorted(f"{p.id}:{p.email}" for p in vault.config.partners.values())
    digest = hashlib.sha256("\n".join(people).encode()).hexdigest()
    return Origin(digest, None, vault.today())
