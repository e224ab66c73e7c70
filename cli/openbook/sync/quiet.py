"""A sync with nothing to do: what a full sync notes for it (`remember`) and the answer
inside the command line (`quiet_sync`).

What "nothing to do" means, and how it is found before anything heavy is loaded, is
quick.py's. `remember` also notes the settings in force that the answer needs (the time
zone, the partners), with the text of openbook.yml they were read from: `quick.quiet_line`
answers with them before openbook.yml is read at all, so `openbook sync` with nothing to
do loads neither click nor the YAML reader (commands/fast.py).
"""

from __future__ import annotations

import marshal

from openbook.fsutil import atomic_write
from openbook.sync.quick import FOUND_WORK, QUIET_FILE, UP_TO_DATE, nothing_to_do
from openbook.words import steady_offset

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any

    from openbook.config import Config
    from openbook.sync.result import SyncResult
    from openbook.vault import Vault

CONFIG_FILE = "openbook.yml"  # as openbook.config names it


def remember(vault: Vault, result: SyncResult, quiet: bool) -> None:
    """After a full sync: note its head when it ended up to date with nothing more to say
    (`quiet`), with the settings in force there, else forget any head noted before."""
    from openbook.git.arrivals import see

    state = vault.state_dir()
    if state is None:
        return
    path = state / QUIET_FILE
    (state / "sync-quiet.json").unlink(missing_ok=True)  # the note as JSON, as it once was
    if quiet and result.exit_code == 0 and result.head and result.head == result.remote_head:
        # a merge this sync made arrives as it is made, like any commit of our own (its
        # parents have: what came in, and ours)
        see(vault.root, vault.now(), result.head, only=True)
        data: dict[str, Any] = {"head": result.head}
        settings = _settings(vault)
        if settings is not None:
            data["settings"] = settings
        atomic_write(path, marshal.dumps(data))
        if not (result.committed or result.received or result.pushed):
            _tidy_index(vault)
    else:
        path.unlink(missing_ok=True)


def _tidy_index(vault: Vault) -> None:
    """Leave git's index as a commit leaves it, so that the `git status` of the next sync
    with nothing to do reads what it can trust instead of reading every file again: the
    stat data of each file refreshed (a fresh clone's files are all "racily clean", and
    openbook's `git status` never writes the index) and the tree of each folder noted
    (`git write-tree`: the index is HEAD's tree here, so no new object is written). Only
    after a sync that neither committed nor received, whose index git may not have
    rewritten since the clone; a failure (say, git's own lock held) changes nothing."""
    from openbook.git import repo as gitrepo
    from openbook.git import worktree

    worktree.refresh_index(vault.root)
    gitrepo.run(vault.root, ["write-tree"], check=False)


def _settings(vault: Vault) -> dict[str, Any] | None:
    """What a sync with nothing to do reads of the settings in force (they load, nothing is
    set aside, no encrypted remote), with the text of openbook.yml they were worked out
    from (compared as it is, so no digest need be loaded to answer); None otherwise."""
    import hashlib

    vault.forget_config()  # as the file is now
    cfg: Config = vault.config
    try:
        data = (vault.root / CONFIG_FILE).read_bytes()
    except OSError:
        return None
    if hashlib.sha1(data).hexdigest() != vault.file_config.digest:
        return None  # changed while it was read
    if not cfg.ok or cfg.set_aside or cfg.encrypted:
        return None
    text = data.decode("latin-1")  # every byte as one character: the bytes, exactly
    noted = {"file": text, "timezone": cfg.timezone, "partners": sorted(cfg.partners)}
    # the zone's offset now and how long it holds, so that the answer need not load the
    # time zone database to note the time of the sync (quick.steady_stamp)
    return {**noted, "offset": list(steady_offset(cfg.tz, vault.now()))}


def _stamp(vault: Vault) -> str:
    return vault.now().isoformat(timespec="seconds")


def quiet_sync(vault: Vault, remote: str = "origin") -> SyncResult | None:
    """The result of a sync with nothing to do, or None when a full sync must run."""
    from openbook.sync.result import SyncResult

    vault.require_writable()
    if vault.require_config().encrypted:
        return None  # the full sync shares through the encrypted remote (or says to add one)
    root = str(vault.root)
    if (root, remote) in FOUND_WORK:
        FOUND_WORK.discard((root, remote))
        return None
    state = vault.state_dir()
    if state is None or not vault.is_own_repo or vault.git_dir != vault.root / ".git":
        return None
    found = nothing_to_do(root, str(state), remote, lambda: _stamp(vault), None, vault.lock)
    if found is None:
        return None
    branch, head, backup = found
    result = SyncResult(remote=remote, branch=branch, head=head, remote_head=head)
    result.backup = backup
    result.lines.append(UP_TO_DATE.format(remote=remote))
    return result
