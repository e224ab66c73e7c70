"""A sync with nothing to do, found with plain Python and five questions to git.

A sync has nothing to do when nothing is pending, HEAD is the head this clone last saw
on the remote (and its remote-tracking ref), the remote's branch is still that head and
the other partner has no hold branch there. A full sync at this very head said nothing
beyond "up to date" (quiet.py's `remember` notes that), so the answer is the same line,
found with one `git for-each-ref`, one `git status` and one `git ls-files` (the
changes and the untracked files, asked apart so that git looks for both at once on two
cores), one `git config` and one `git ls-remote` (and one `git update-ref` for the
backup every sync keeps of a head new since the last one). Anything else (a rewritten
remote address, a stale fetched ref, an unreachable remote, a head this clone has not
noted as arrived, a lock file left by a killed program...) is left to the full sync,
which says what it finds.

`openbook sync` asks this before click, the YAML reader or the command tree load
(commands/fast.py), so this module loads only os, time and marshal, and git is started
with `os.posix_spawnp` (runner.spawn): not even json, re or subprocess, each of which
takes long to load beside the answer itself, let alone dataclasses, typing or pathlib.
The names of the files and refs it reads are those the modules that write them use
(tests/test_cli_fast.py holds them equal).
"""

from __future__ import annotations

import marshal
import os
import time

from openbook.errors import OpenbookError
from openbook.git import runner
from openbook.git.reflist import REFS_FORMAT, parse_refs
from openbook.sync.quickfs import atomic_write, locked

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager
    from typing import Any

    # git config -> does it allow the answer (the acting partner's check)
    ConfigCheck = Callable[[dict[str, list[str]]], bool]
    Now = Callable[[], str]  # the time now, as the record of the last sync holds it

QUIET_FILE = "sync-quiet.marshal"  # the head at which a full sync had nothing more to say
LAST_SYNC_FILE = "last-sync.json"  # as openbook.ritual.overview reads it
ALLOWED_FILE = "allowed_signers"  # as openbook.trust.allowed writes it
ARRIVALS_FILE = "arrivals"  # as openbook.git.arrivals names its store
# as openbook.git.state lists git's unfinished operations, and git's own index lock
UNSETTLED = (
    "MERGE_HEAD",
    "rebase-merge",
    "rebase-apply",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
    "BISECT_LOG",
    "index.lock",
)
PENDING_PAUSE = "pending-pause"  # a pause waiting to be committed (commands/fast.py)
HOLDS = "refs/heads/openbook/hold-*"  # as hold.py names the branches
CONFIG_FILE = "openbook.yml"  # as openbook.config names it
SEEN = "refs/openbook/seen/{remote}/{branch}"  # these four as sync/refs.py names them
INCOMING = "refs/openbook/incoming/{remote}/{branch}"
TRACKING = "refs/remotes/{remote}/{branch}"
BACKUP_PREFIX = "refs/openbook/backup/"
ALLOWED_PROTOCOLS = "ssh:https:git:file"  # as sync/transport.py allows them
UP_TO_DATE = "Up to date with {remote}; nothing to share or receive."
REFS_READ = ("refs/openbook/", "refs/remotes/")
CONFIG = ("config", "-z", "--get-regexp", r"^(remote|url|gpg|openbook)\.")
# what `git status --untracked-files=all` lists, in two parts git works out at once
STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=no", "--no-renames")
UNTRACKED = ("ls-files", "-z", "--others", "--exclude-standard")

# (vault root, remote) where quiet_line, in this process, found something to do: the
# command line it hands over to goes straight to the full sync, whose answer is always
# right, rather than asking git the same questions again
FOUND_WORK: set[tuple[str, str]] = set()


def vault_root(explicit: str | None) -> str | None:
    """The vault `--vault`, else $OPENBOOK_VAULT, else the current folder or one above it
    names (as openbook.vault.find_vault finds it), when it is its own repository; None
    for anything the command line should say something about."""
    chosen = explicit or os.environ.get("OPENBOOK_VAULT")
    if chosen:
        if not os.path.isdir(chosen):
            return None  # click or the vault finder says what is wrong with it
        root = os.path.expanduser(chosen)
        if not os.path.isfile(os.path.join(root, CONFIG_FILE)):
            return None
        root = os.path.realpath(root)
    else:
        here = os.path.realpath(os.getcwd())
        while not os.path.isfile(os.path.join(here, CONFIG_FILE)):
            if os.path.dirname(here) == here:
                return None
            here = os.path.dirname(here)
        root = here
    state = os.path.join(root, ".git", "openbook")
    if not os.path.isdir(os.path.join(root, ".git")) or os.path.exists(
        os.path.join(state, PENDING_PAUSE)
    ):
        return None  # a work tree elsewhere, or a pause the command line commits first
    return root


def noted(state: str) -> dict[str, Any]:
    """What the last quiet full sync noted (quiet.py's `remember`); {} when nothing."""
    try:
        with open(os.path.join(state, QUIET_FILE), "rb") as fh:
            data = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):  # none yet, or not what it wrote
        return {}
    return data if isinstance(data, dict) else {}


def quiet_line(root: str, as_partner: str | None, remote: str = "origin") -> str | None:
    """What `openbook sync` (`--as as_partner`, `--remote remote`) prints when it has
    nothing to do, worked out without reading openbook.yml: the settings in force a full
    sync noted at this head answer for it while the file is the one they were read from.
    None when the command itself must run (it then says whatever it has to say)."""
    state = os.path.join(root, ".git", "openbook")
    settings = noted(state).get("settings")
    if not isinstance(settings, dict):
        return None
    try:
        with open(os.path.join(root, CONFIG_FILE), "rb") as fh:
            data = fh.read()
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

    def now() -> str:
        told = os.environ.get("OPENBOOK_NOW")
        steady = None if told else steady_stamp(settings.get("offset"))
        if steady is not None:
            return steady
        from openbook.words import parse_now, zone

        return parse_now(told, zone(tzname)).isoformat(timespec="seconds")

    if nothing_to_do(root, state, remote, now, acting) is None:
        FOUND_WORK.add((root, remote))
        return None
    return UP_TO_DATE.format(remote=remote)


def nothing_to_do(
    root: str,
    state: str,
    remote: str,
    now: Now,
    allows: ConfigCheck | None,
    lock: Callable[[], AbstractContextManager[None]] | None = None,
) -> tuple[str, str, str] | None:
    """(branch, head, backup ref) when the sync has nothing to do, its backup made and its
    record written; None when the full sync must run (nothing is changed then). `lock` is
    the vault's lock when the caller has one (it may already hold it), else it is taken
    here, and only when no lock file is left over for the full sync to clear."""
    git_dir = os.path.join(root, ".git")
    if not os.path.isdir(state) or not _settled(git_dir):
        return None
    with lock() if lock is not None else locked(git_dir) as free:
        if free is False:
            return None
        # git reads every file's stat data and every folder while the refs are read
        started: list[runner.Started | runner.Quick] = []
        try:
            try:
                for args in (STATUS, UNTRACKED, CONFIG):
                    started.append(runner.spawn(root, args))
            except OpenbookError:  # git is missing: the full sync says so
                return None
            return _unchanged(root, git_dir, state, remote, now, allows, started)
        finally:
            for git in started:
                git.stop()


def _unchanged(
    root: str,
    git_dir: str,
    state: str,
    remote: str,
    now: Now,
    allows: ConfigCheck | None,
    started: list[runner.Started | runner.Quick],
) -> tuple[str, str, str] | None:
    branch, values = _refs(root)
    if branch is None:
        return None
    head = values[f"refs/heads/{branch}"]
    named = {p: p.format(remote=remote, branch=branch) for p in (SEEN, TRACKING, INCOMING)}
    if head != values.get(named[SEEN]) or head != values.get(named[TRACKING]):
        return None
    stale = named[INCOMING] in values or any("/hold-" in n for n in values)
    if stale or noted(state).get("head") != head or not _arrived(git_dir, head):
        return None
    try:
        when = now()  # while git reads the work tree (it may load the time zone)
    except OpenbookError:  # $OPENBOOK_NOW is no time: the full sync says so
        return None
    status, untracked, config = started
    if _said(status) != "" or _said(untracked) != "":
        return None  # a change in the work tree or the index, or an untracked file
    found = _git_config(_said(config))
    if found is None or not _plain_remote(found, remote, state):
        return None
    if allows is not None and not allows(found):
        return None
    # only now on the network: a sync with something to do connects once, in full
    if not _remote_unchanged(root, remote, branch, head):
        return None
    made = _backup(root, values, head)  # as every sync: made at a new head
    _write_last_sync(when, state)
    return branch, head, made


def _settled(git_dir: str) -> bool:
    """On a branch, no merge, rebase, cherry-pick, revert or bisect under way and no
    index.lock: where openbook.git.state's `unsafe_state` has nothing to say (the full
    sync says it otherwise)."""
    if any(os.path.lexists(os.path.join(git_dir, name)) for name in UNSETTLED):
        return False
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8", errors="replace") as fh:
            return fh.read().strip().startswith("ref:")
    except OSError:
        return False


def _git(root: str, args: Sequence[str], **kw: Any) -> str | None:
    """git's output as text (one final newline left off, as openbook.git.repo.run gives
    it); None when git failed or could not run."""
    try:
        return _said(runner.spawn(root, args, **kw))
    except OpenbookError:  # git missing
        return None


def _said(started: runner.Started | runner.Quick) -> str | None:
    try:
        done = started.wait(check=False)
    except OpenbookError:  # late
        return None
    if done.status != 0:
        return None
    out = done.stdout.decode("utf-8", "replace")
    return out[:-1] if out.endswith("\n") else out


def _refs(root: str) -> tuple[str | None, dict[str, str]]:
    """(checked-out branch, {ref: commit}) as openbook.git.plumbing.read_refs reads them."""
    raw = _git(
        root, ["for-each-ref", REFS_FORMAT, "refs/heads/", "refs/openbook/", "refs/remotes/"]
    )
    return parse_refs(raw or "")


def _arrived(git_dir: str, head: str) -> bool:
    """True when this clone has noted `head` as arrived (a whole line of the store)."""
    try:
        with open(os.path.join(os.path.realpath(git_dir), "openbook", ARRIVALS_FILE), "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    at = data.find(f"{head} ".encode())
    return at == 0 or (at > 0 and data[at - 1 : at] == b"\n")


def _git_config(out: str | None) -> dict[str, list[str]] | None:
    """{key: values} of the remote, url, gpg and openbook settings, as `git config`
    (CONFIG) said them."""
    if out is None:
        return None
    found: dict[str, list[str]] = {}
    for item in out.split("\0"):
        key, _, value = item.partition("\n")
        found.setdefault(key.lower(), []).append(value)
    return found


def _plain_remote(found: dict[str, list[str]], remote: str, state: str) -> bool:
    """The remote has one plain, allowed address (no rewriting) and git's allowed signers
    file is the one openbook keeps."""
    from openbook.git.urls import usable

    if any(key.startswith("url.") for key in found):
        return False  # insteadOf rewriting: the full sync reads the address as git does
    if any(key.endswith(".openbook-encrypted") for key in found):
        return False  # an encrypted remote: bundles to read, and perhaps two remotes
    fetch_url = found.get(f"remote.{remote}.url".lower(), [])
    push_url = found.get(f"remote.{remote}.pushurl".lower(), [])
    if len(fetch_url) != 1 or len(push_url) > 1:
        return False
    if not all(usable(url) for url in fetch_url + push_url):
        return False  # the full sync says what is wrong with it
    signers = os.path.join(state, ALLOWED_FILE)
    return found.get("gpg.ssh.allowedsignersfile", []) == [signers] and os.path.isfile(signers)


def _remote_unchanged(root: str, remote: str, branch: str, head: str) -> bool:
    """One `git ls-remote`, as sync/transport.py runs git on the network: the remote's
    branch is HEAD and no one holds work aside there (a hold branch, hold.py)."""
    wanted = f"refs/heads/{branch}"
    try:
        limit = runner.seconds_from("OPENBOOK_NETWORK_TIMEOUT", runner.NETWORK_TIMEOUT)
    except OpenbookError:  # the full sync says what is wrong with it
        return False
    env = {"GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS}
    args = ["ls-remote", "--end-of-options", remote, wanted, HOLDS]
    out = _git(root, args, env=env, timeout=limit)
    if out is None:  # unreachable, or late: the full sync says so
        return False
    listed = {}
    for line in out.splitlines():
        oid, _, name = line.partition("\t")
        listed[name.strip()] = oid.strip()
    return listed == {wanted: head}


def _backup(root: str, values: dict[str, str], head: str) -> str:
    """The backup ref at `head` (the oldest one there), made when there is none yet, as
    sync/refs.py's `backup` makes it."""
    found = sorted(n for n in values if n.startswith(BACKUP_PREFIX))
    ref = next((n for n in found if values[n] == head), None)
    if ref is not None:
        return ref
    ns = time.time_ns()  # UTC, to the microsecond: as sync/refs.py names it with datetime
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ns // 10**9))
    ref = f"{BACKUP_PREFIX}{stamp}.{ns // 1000 % 10**6:06d}Z"
    # created only where there is no such ref (the empty old value), as `create` does
    runner.spawn(root, ["update-ref", "--no-deref", ref, head, ""]).wait()
    values[ref] = head
    return ref


def steady_stamp(noted: Any) -> str | None:
    """The time now in the vault's time zone, as `datetime.isoformat(timespec="seconds")`
    writes it, from the UTC offset a full sync noted with the span of time over which the
    zone keeps it (quiet.py; words.steady_offset): so the time zone database need not be
    loaded. None outside that span, or for anything else noted."""
    if not isinstance(noted, list) or len(noted) != 3:
        return None
    offset, since, until = noted
    if not all(type(v) is int for v in noted) or offset % 60:
        return None
    now = int(time.time())  # whole seconds, as isoformat(timespec="seconds") keeps them
    if not since <= now < until:
        return None
    sign, minutes = ("-" if offset < 0 else "+"), abs(offset) // 60
    local = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now + offset))
    return f"{local}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def last_sync_record(now: str) -> bytes:
    """The record of a sync that was up to date at `now` (an ISO 8601 time, plain ASCII),
    as sync/run.py writes it with `json.dumps` (written here without loading json)."""
    if not now.isascii() or not all(c.isalnum() or c in "-:+." for c in now):
        raise ValueError(f"not an ISO 8601 time: {now!r}")
    return f'{{"time": "{now}", "result": "up to date", "exit_code": 0}}\n'.encode()


def _write_last_sync(now: str, state: str) -> None:
    atomic_write(os.path.join(state, LAST_SYNC_FILE), last_sync_record(now))
