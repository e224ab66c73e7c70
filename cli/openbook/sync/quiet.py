"""A sync with nothing to do, answered from the refs before anything heavy is loaded.

A sync has nothing to do when nothing is pending, HEAD is the head this clone last saw
on the remote (and its remote-tracking ref), the remote's branch is still that head and
the other partner has no hold branch there. A full sync at this very head said nothing
beyond "up to date" (`remember` notes that, run.py's closing step), so the answer is the
same line, found with one `git for-each-ref`, one look for pending changes (pending.py),
one `git config` and one `git ls-remote` (and one `git update-ref` for the backup every
sync keeps of a head new since the last one). Anything else (a rewritten remote address,
a stale fetched ref, an unreachable remote, a head this clone has not noted as arrived...)
is left to the full sync, which says what it finds.

`remember` also notes the settings in force that the answer needs (the time zone, the
partners), keyed by the digest of openbook.yml: `quiet_line` answers with them before
openbook.yml is read at all, so `openbook sync` with nothing to do loads neither click nor
the YAML reader (commands/fast.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

from openbook.fsutil import atomic_write
from openbook.git.state import unsafe_state

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any

    from openbook.config import Config
    from openbook.sync.refs import SyncRefs
    from openbook.sync.result import SyncResult
    from openbook.vault import Vault

QUIET_FILE = "sync-quiet.json"  # the head at which a full sync had nothing more to say
LAST_SYNC_FILE = "last-sync.json"  # as openbook.ritual.overview reads it
ALLOWED_FILE = "allowed_signers"  # as openbook.trust.allowed writes it
HOLDS = "refs/heads/openbook/hold-*"  # as hold.py names the branches
CONFIG_FILE = "openbook.yml"  # as openbook.config names it
UP_TO_DATE = "Up to date with {remote}; nothing to share or receive."

# git config -> does it allow the answer (the acting partner's check, for quiet_line)
ConfigCheck = Callable[[dict[str, list[str]]], bool]
# (vault root, remote) where quiet_line, in this process, found something to do: the
# command line it hands over to goes straight to the full sync, whose answer is always
# right, rather than asking git the same questions again
_FOUND_WORK: set[tuple[str, str]] = set()


def remember(vault: Vault, result: SyncResult, quiet: bool) -> None:
    """After a full sync: note its head when it ended up to date with nothing more to say
    (`quiet`), with the settings in force there, else forget any head noted before."""
    from openbook.git.arrivals import see

    state = vault.state_dir()
    if state is None:
        return
    path = state / QUIET_FILE
    if quiet and result.exit_code == 0 and result.head and result.head == result.remote_head:
        # a merge this sync made arrives as it is made, like any commit of our own (its
        # parents have: what came in, and ours)
        see(vault.root, vault.now(), result.head, only=True)
        data: dict[str, Any] = {"head": result.head}
        settings = _settings(vault)
        if settings is not None:
            data["settings"] = settings
        atomic_write(path, (json.dumps(data) + "\n").encode("utf-8"))
    else:
        path.unlink(missing_ok=True)


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
    return {"file": text, "timezone": cfg.timezone, "partners": sorted(cfg.partners)}


def _noted(state: Path) -> dict[str, Any]:
    try:
        data = json.loads((state / QUIET_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _arrived(root: Path, head: str) -> bool:
    """True when this clone has noted `head` as arrived (a whole line of the store)."""
    from openbook.git.arrivals import store_path

    path = store_path(root)
    try:
        data = path.read_bytes() if path is not None else b""
    except OSError:
        return False
    at = data.find(f"{head} ".encode())
    return at == 0 or (at > 0 and data[at - 1 : at] == b"\n")


def _git_config(root: Path) -> dict[str, list[str]] | None:
    """{key: values} of the remote, url, gpg and openbook settings: one `git config`."""
    from openbook.git import repo as gitrepo

    pattern = r"^(remote|url|gpg|openbook)\."
    res = gitrepo.run(root, ["config", "-z", "--get-regexp", pattern], check=False)
    if res.status != 0:
        return None
    found: dict[str, list[str]] = {}
    for item in res.stdout.split("\0"):
        key, _, value = item.partition("\n")
        found.setdefault(key.lower(), []).append(value)
    return found


def _plain_remote(found: dict[str, list[str]], remote: str, state: Path) -> bool:
    """The remote has one plain, allowed address (no rewriting) and git's allowed signers
    file is the one openbook keeps."""
    from openbook.errors import OpenbookError
    from openbook.git import repo as gitrepo

    if any(key.startswith("url.") for key in found):
        return False  # insteadOf rewriting: the full sync reads the address as git does
    if any(key.endswith(".openbook-encrypted") for key in found):
        return False  # an encrypted remote: bundles to read, and perhaps two remotes
    fetch_url = found.get(f"remote.{remote}.url".lower(), [])
    push_url = found.get(f"remote.{remote}.pushurl".lower(), [])
    if len(fetch_url) != 1 or len(push_url) > 1:
        return False
    try:
        for url in fetch_url + push_url:
            gitrepo.check_remote_url(url)
    except OpenbookError:  # the full sync says what is wrong with it
        return False
    signers = found.get("gpg.ssh.allowedsignersfile", [])
    return signers == [str(state / ALLOWED_FILE)] and (state / ALLOWED_FILE).is_file()


def quiet_sync(vault: Vault, remote: str = "origin") -> SyncResult | None:
    """The result of a sync with nothing to do, or None when a full sync must run."""
    from openbook.sync.result import SyncResult

    vault.require_writable()
    if vault.require_config().encrypted:
        return None  # the full sync shares through the encrypted remote (or says to add one)
    if (str(vault.root), remote) in _FOUND_WORK:
        _FOUND_WORK.discard((str(vault.root), remote))
        return None
    found = _nothing_to_do(vault, remote, vault.now, None)
    if found is None:
        return None
    branch, head, backup = found
    result = SyncResult(remote=remote, branch=branch, head=head, remote_head=head)
    result.backup = backup
    result.lines.append(UP_TO_DATE.format(remote=remote))
    return result


def quiet_line(vault: Vault, as_partner: str | None, remote: str = "origin") -> str | None:
    """What `openbook sync` (`--as as_partner`, `--remote remote`) prints when it has
    nothing to do, worked out without reading openbook.yml: the settings in force a full
    sync noted at this head answer for it while the file is the one they were read from.
    None when the command itself must run (it then says whatever it has to say)."""
    from openbook.config import zone
    from openbook.words import parse_now

    state = vault.state_dir() if vault.is_own_repo else None
    settings = _noted(state).get("settings") if state is not None else None
    if not isinstance(settings, dict):
        return None
    try:
        data = (vault.root / CONFIG_FILE).read_bytes()
    except OSError:
        return None
    partners, tzname = settings.get("partners"), settings.get("timezone")
    if data.decode("latin-1") != settings.get("file") or not isinstance(tzname, str):
        return None
    if not isinstance(partners, list):
        return None
    chosen = as_partner or os.environ.get("OPENBOOK_PARTNER") or None

    def acting(found: dict[str, list[str]]) -> bool:
        # --as, else $OPENBOOK_PARTNER, else git config openbook.partner (its last value)
        named = found.get("openbook.partner")
        pid = chosen or (named[-1] if named else None)
        return pid in partners

    def now() -> dt.datetime:
        return parse_now(os.environ.get("OPENBOOK_NOW"), zone(tzname))

    found = _nothing_to_do(vault, remote, now, acting)
    if found is None:
        _FOUND_WORK.add((str(vault.root), remote))
        return None
    return UP_TO_DATE.format(remote=remote)


def _nothing_to_do(
    vault: Vault, remote: str, now: Callable[[], dt.datetime], allows: ConfigCheck | None
) -> tuple[str, str, str] | None:
    """(branch, head, backup ref) when the sync has nothing to do, its backup made and its
    record written; None when the full sync must run (nothing is changed then)."""
    from openbook.git import plumbing
    from openbook.sync.refs import INCOMING, SyncRefs, backup

    root, state = vault.root, vault.state_dir()
    if state is None or not vault.is_own_repo or unsafe_state(root):
        return None
    with vault.lock():
        branch, values = plumbing.read_refs(root, "refs/openbook/", "refs/remotes/")
        if branch is None:
            return None
        refs = SyncRefs(remote, branch, values[f"refs/heads/{branch}"], values)
        head = refs.head
        if not head or head != refs.seen or head != refs.tracking:
            return None
        stale = refs.get(INCOMING) is not None or any("/hold-" in n for n in values)
        if stale or _noted(state).get("head") != head or not _arrived(root, head):
            return None
        if not _nothing_pending(root, state):
            return None
        found = _git_config(root)
        if found is None or not _plain_remote(found, remote, state):
            return None
        if allows is not None and not allows(found):
            return None
        if not _remote_unchanged(root, refs):
            return None
        made = backup(root, refs, head)  # as every sync: made at a new head
        _write_last_sync(now(), state)
        return branch, head, made


def _nothing_pending(root: Path, state: Path) -> bool:
    """No change in the work tree or the index, untracked files included."""
    from openbook.git import repo as gitrepo

    return not gitrepo.status(root)


def _remote_unchanged(root: Path, refs: SyncRefs) -> bool:
    """One `git ls-remote`: the remote's branch is HEAD and no one holds work aside there
    (a hold branch, hold.py)."""
    from openbook.errors import OpenbookError
    from openbook.sync.transport import run_network

    wanted = f"refs/heads/{refs.branch}"
    try:
        res = run_network(root, ["ls-remote", refs.remote, wanted, HOLDS], "late")
    except OpenbookError:  # unreachable, or late: the full sync says so
        return False
    if res.status != 0:
        return False
    listed = {}
    for line in res.stdout.splitlines():
        oid, _, name = line.partition("\t")
        listed[name.strip()] = oid.strip()
    return listed == {wanted: refs.head}


def _write_last_sync(now: dt.datetime, state: Path) -> None:
    data: dict[str, str | int] = {
        "time": now.isoformat(timespec="seconds"),
        "result": "up to date",
        "exit_code": 0,
    }
    atomic_write(state / LAST_SYNC_FILE, (json.dumps(data) + "\n").encode("utf-8"))
