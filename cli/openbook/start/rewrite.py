"""After an integrity alert (exit 4): what the remote's rewritten history lacks, what this
clone's backups hold, and the one safe step that lets sync merge both histories again.

`look` fetches the remote branch into a temporary ref and compares it with the last remote
head this clone saw (`refs/openbook/seen/<remote>/<branch>`); it changes nothing else.
`accept_remote` is what `openbook doctor --accept-remote` does: it saves this clone's head
as a backup, then records the remote's new head as seen, so the next `openbook sync`
merges the two histories. Nothing is dropped: every commit of this clone stays in its
history, and the merge brings back to the remote the commits it had lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openbook.errors import OpenbookError, shown
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.sync import refs as syncrefs
from openbook.sync.hold import HOLD_TRACKING, hold_branch
from openbook.sync.refs import BACKUP_PREFIX, SEEN, TRACKING, SyncRefs
from openbook.sync.transport import fetch, remote_url
from openbook.trust.verify import Problem, verify_range
from openbook.vault import Vault
from openbook.words import plural

LOOK = "refs/openbook/doctor/{remote}/{branch}"
SHOWN = 10  # commits listed by name; the rest are counted


@dataclass
class Commit:
    sha: str
    when: str  # YYYY-MM-DD HH:MM in the vault's time zone
    who: str
    subject: str

    def line(self) -> str:
        return f"{self.sha[:7]} {self.when} {self.who}: {self.subject}"


@dataclass
class Backup:
    ref: str
    sha: str
    made: str  # YYYY-MM-DD HH:MM in the vault's time zone, from the ref's name
    in_history: bool  # contained in this clone's current history


@dataclass
class RemoteState:
    """The remote branch as fetched now, against what this clone saw there last."""

    remote: str
    branch: str
    seen: Commit
    incoming: str | None  # None: the branch is gone from the remote
    missing: list[Commit] = field(default_factory=list)  # seen there, gone now
    missing_total: int = 0
    missing_in_copy: bool = True  # every missing commit is still in this clone's history
    new_there: list[Commit] = field(default_factory=list)  # there now, not in this clone
    new_total: int = 0
    backups: list[Backup] = field(default_factory=list)  # newest first
    unverified: list[Problem] = field(default_factory=list)  # incoming, newest first
    hold: str = ""  # this clone's hold branch on the remote, when it holds commits
    held: int = 0  # its commits that the remote's branch lacks

    @property
    def rewritten(self) -> bool:
        return self.incoming is None or self.missing_total > 0


def _commits(root: Path, tz: dt.tzinfo, *revs: str, limit: int = SHOWN) -> tuple[list[Commit], int]:
    """The first `limit` commits of `git log REVS` (newest first), and how many there are."""
    fmt = "--format=%H%x1f%cI%x1f%an%x1f%s"
    raw = gitrepo.out(root, "log", "-z", fmt, f"-n{limit}", "--end-of-options", *revs)
    found = []
    for record in filter(None, raw.split("\0")):
        sha, when, who, subject = record.strip("\n").split("\x1f", 3)
        local = dt.datetime.fromisoformat(when).astimezone(tz)
        found.append(Commit(sha, f"{local:%Y-%m-%d %H:%M}", shown(who), shown(subject)))
    total = plumbing.count(root, *revs) if len(found) == limit else len(found)
    return found, total


def _backups(root: Path, refs: SyncRefs, head: str | None, tz: dt.tzinfo) -> list[Backup]:
    names = sorted((n for n in refs.values if n.startswith(BACKUP_PREFIX)), reverse=True)
    outside: set[str] = set()
    if names and head:
        listed = gitrepo.out(
            root, "for-each-ref", "--format=%(refname)", "--no-merged", head, BACKUP_PREFIX
        )
        outside = set(listed.split())
    found = []
    for name in names:
        stamp = name.removeprefix(BACKUP_PREFIX)
        try:
            made = dt.datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
            when = f"{made.astimezone(tz):%Y-%m-%d %H:%M}"
        except ValueError:
            when = "at an unknown time"
        found.append(Backup(name, refs.values[name], when, name not in outside))
    return found


def _has_remote(root: Path, remote: str) -> bool:
    return gitrepo.run(root, ["remote", "get-url", remote], check=False).status == 0


def look(vault: Vault, remote: str = "origin") -> RemoteState | None:
    """Fetch the remote branch and compare it with what this clone saw there; None when
    there is nothing to compare (no such remote, never synced, not on a branch).
    Raises RemoteUnreachable when the remote cannot be reached."""
    root = vault.root
    if not vault.is_own_repo or not _has_remote(root, remote):
        return None
    with vault.lock():
        refs = syncrefs.read_refs(root, remote)
        if refs.branch is None or refs.seen is None:
            return None
        remote_url(root, remote)
        temp = refs.name(LOOK)
        plumbing.delete_ref(root, temp)
        try:
            incoming = fetch(root, remote, refs.branch, temp)
            return _compare(vault, refs, incoming)
        finally:
            plumbing.delete_ref(root, temp)


def _compare(vault: Vault, refs: SyncRefs, incoming: str | None) -> RemoteState:
    root, tz = vault.root, vault.tz
    assert refs.seen is not None and refs.branch is not None
    seen_list, _ = _commits(root, tz, refs.seen, limit=1)
    state = RemoteState(refs.remote, refs.branch, seen_list[0], incoming)
    head = refs.head
    if incoming is None:
        state.missing, state.missing_total = _commits(root, tz, refs.seen)
    elif not plumbing.is_ancestor(root, refs.seen, incoming):
        state.missing, state.missing_total = _commits(root, tz, refs.seen, f"^{incoming}")
    if incoming is not None:
        state.new_there, state.new_total = _commits(
            root, tz, incoming, *([f"^{head}"] if head else [])
        )
    state.missing_in_copy = head is not None and plumbing.is_ancestor(root, refs.seen, head)
    state.backups = _backups(root, refs, head, tz)
    signed = vault.config.require_signatures and not state.rewritten
    if signed and incoming is not None and head is not None and incoming != head:
        state.unverified = verify_range(root, head, incoming)
    _hold_state(vault, refs, state)
    return state


def _hold_state(vault: Vault, refs: SyncRefs, state: RemoteState) -> None:
    """What this clone's hold branch holds that the remote's branch does not (as this
    clone last pushed it)."""
    me = vault.own_partner()
    if me is None:
        return
    held = refs.values.get(HOLD_TRACKING.format(remote=refs.remote, partner=me))
    if held is None:
        return
    state.hold = hold_branch(me)
    bases = [f"^{state.incoming}"] if state.incoming else []
    state.held = plumbing.count(vault.root, held, *bases)


def accept_remote(vault: Vault, remote: str = "origin") -> list[str]:
    """Save this clone's head as a backup and take the remote's current head as the shared
    one, so the next sync merges both histories. Returns what was done, in sentences."""
    vault.require_writable()
    root = vault.root
    if not _has_remote(root, remote):
        raise OpenbookError(
            f"This vault has no remote called '{remote}', so there is nothing to accept; "
            "'openbook doctor' says what else it found."
        )
    with vault.lock():
        refs = syncrefs.read_refs(root, remote)
        if refs.branch is None or refs.head is None:
            raise OpenbookError(
                f"{root} is not on a branch with commits; run 'openbook doctor' first."
            )
        if refs.seen is None:
            return [
                f"This clone has not shared anything with {remote} yet; nothing to accept. "
                "Run 'openbook sync'."
            ]
        remote_url(root, remote)
        temp = refs.name(LOOK)
        plumbing.delete_ref(root, temp)
        try:
            incoming = fetch(root, remote, refs.branch, temp)
            state = _compare(vault, refs, incoming)
            if not state.rewritten:
                return [
                    f"{remote}'s {refs.branch} still holds everything this clone saw there; "
                    "nothing to accept. Run 'openbook sync'."
                ]
            return _accept(root, refs, state)
        finally:
            plumbing.delete_ref(root, temp)


def _accept(root: Path, refs: SyncRefs, state: RemoteState) -> list[str]:
    assert refs.head is not None and refs.seen is not None
    if not state.missing_in_copy:
        # what was seen there is not in this clone's history: keep it in a backup too
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        refs.apply(root, create={f"{BACKUP_PREFIX}{stamp}-seen": refs.seen})
    backup = syncrefs.backup(root, refs, refs.head)
    remote, branch = refs.remote, refs.branch
    if state.incoming is None:
        refs.apply(root, delete=(SEEN, TRACKING))
        taken = f"{remote} has no {branch} now; this clone no longer expects it there."
        then = (
            f"Next: 'openbook sync' shares your whole history as {remote}'s {branch} again, "
            "and your partner's next sync receives it."
        )
    else:
        refs.apply(root, update={SEEN: state.incoming, TRACKING: state.incoming})
        taken = f"Accepted {remote}'s new {branch} ({state.incoming[:7]}) as the shared history."
        n, m = state.missing_total, state.new_total
        arrive = (
            f", and {plural(m, 'new commit')} from there {'arrives' if m == 1 else 'arrive'}"
            if m
            else ""
        )
        then = (
            f"Next: 'openbook sync' merges the two histories: {plural(n, 'commit')} missing on "
            f"{remote} {'comes' if n == 1 else 'come'} back{arrive}; nothing of either side is "
            "lost. Tell your partner what you did."
        )
    return [f"Saved this clone's history as {backup}.", taken, then]
