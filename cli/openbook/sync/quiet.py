"""A sync with nothing to do, answered from the refs before anything heavy is loaded.

A sync has nothing to do when nothing is pending, HEAD is the head this clone last saw
on the remote (and its remote-tracking ref), the remote's branch is still that head and
the other partner has no hold branch there. A full sync at this very head said nothing
beyond "up to date" (`remember` notes that, run.py's closing step), so the answer is the
same line, found with one `git for-each-ref`, one `git status`, one `git config` and
one `git ls-remote` (and one `git update-ref` for the backup every sync keeps of a head
new since the last one). Anything else (a rewritten remote address, a stale fetched ref, an
unreachable remote, a head this clone has not noted as arrived...) is left to the full
sync, which says what it finds.
"""

from __future__ import annotations

import json
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.git.arrivals import see, store_path
from openbook.git.state import unsafe_state
from openbook.sync.refs import INCOMING, SyncRefs, backup
from openbook.sync.result import SyncResult
from openbook.sync.transport import run_network
from openbook.vault import Vault

QUIET_FILE = "sync-quiet.json"  # the head at which a full sync had nothing more to say
LAST_SYNC_FILE = "last-sync.json"  # as openbook.ritual.overview reads it
ALLOWED_FILE = "allowed_signers"  # as openbook.trust.allowed writes it
HOLDS = "refs/heads/openbook/hold-*"  # as hold.py names the branches


def remember(vault: Vault, result: SyncResult, quiet: bool) -> None:
    """After a full sync: note its head when it ended up to date with nothing more to say
    (`quiet`), else forget any head noted before."""
    state = vault.state_dir()
    if state is None:
        return
    path = state / QUIET_FILE
    if quiet and result.exit_code == 0 and result.head and result.head == result.remote_head:
        # a merge this sync made arrives as it is made, like any commit of our own (its
        # parents have: what came in, and ours)
        see(vault.root, vault.now(), result.head, only=True)
        atomic_write(path, (json.dumps({"head": result.head}) + "\n").encode("utf-8"))
    else:
        path.unlink(missing_ok=True)


def _remembered(state: Path) -> str | None:
    try:
        data = json.loads((state / QUIET_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    head = data.get("head") if isinstance(data, dict) else None
    return head if isinstance(head, str) else None


def _arrived(root: Path, head: str) -> bool:
    """True when this clone has noted `head` as arrived (a whole line of the store)."""
    path = store_path(root)
    try:
        data = path.read_bytes() if path is not None else b""
    except OSError:
        return False
    at = data.find(f"{head} ".encode())
    return at == 0 or (at > 0 and data[at - 1 : at] == b"\n")


def _plain_remote(root: Path, remote: str, state: Path) -> bool:
    """The remote has one plain, allowed address (no rewriting) and git's allowed signers
    file is the one openbook keeps: one `git config` call."""
    res = gitrepo.run(root, ["config", "-z", "--get-regexp", r"^(remote|url|gpg)\."], check=False)
    if res.status != 0:
        return False
    urls: dict[str, list[str]] = {}
    for item in res.stdout.split("\0"):
        key, _, value = item.partition("\n")
        urls.setdefault(key.lower(), []).append(value)
    if any(key.startswith("url.") for key in urls):
        return False  # insteadOf rewriting: the full sync reads the address as git does
    if any(key.endswith(".openbook-encrypted") for key in urls):
        return False  # an encrypted remote: bundles to read, and perhaps two remotes
    fetch_url = urls.get(f"remote.{remote}.url".lower(), [])
    push_url = urls.get(f"remote.{remote}.pushurl".lower(), [])
    if len(fetch_url) != 1 or len(push_url) > 1:
        return False
    try:
        for url in fetch_url + push_url:
            gitrepo.check_remote_url(url)
    except OpenbookError:  # the full sync says what is wrong with it
        return False
    signers = urls.get("gpg.ssh.allowedsignersfile", [])
    return signers == [str(state / ALLOWED_FILE)] and (state / ALLOWED_FILE).is_file()


def quiet_sync(vault: Vault, remote: str = "origin") -> SyncResult | None:
    """The result of a sync with nothing to do, or None when a full sync must run."""
    vault.require_writable()
    if vault.require_config().encrypted:
        return None  # the full sync shares through the encrypted remote (or says to add one)
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
        if stale or _remembered(state) != head or not _arrived(root, head):
            return None
        if gitrepo.status(root) or not _plain_remote(root, remote, state):
            return None
        if not _remote_unchanged(root, refs):
            return None
        result = SyncResult(remote=remote, branch=branch, head=head, remote_head=head)
        result.backup = backup(root, refs, head)  # as every sync: made at a new head
        result.lines.append(f"Up to date with {remote}; nothing to share or receive.")
        _write_last_sync(vault, state)
        return result


def _remote_unchanged(root: Path, refs: SyncRefs) -> bool:
    """One `git ls-remote`: the remote's branch is HEAD and no one holds work aside there
    (a hold branch, hold.py)."""
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


def _write_last_sync(vault: Vault, state: Path) -> None:
    data: dict[str, str | int] = {
        "time": vault.now().isoformat(timespec="seconds"),
        "result": "up to date",
        "exit_code": 0,
    }
    atomic_write(state / LAST_SYNC_FILE, (json.dumps(data) + "\n").encode("utf-8"))
