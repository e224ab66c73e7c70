"""openbook's own refs for sync: the seen head, the fetched head, backups. They are read
together once at the start of a sync (one `git for-each-ref`) and changed together, one
transaction per step, only where they change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openbook.git import plumbing
from openbook.git import repo as gitrepo

SEEN = "refs/openbook/seen/{remote}/{branch}"
INCOMING = "refs/openbook/incoming/{remote}/{branch}"
PROBE = "refs/openbook/check/{remote}/{branch}"
TRACKING = "refs/remotes/{remote}/{branch}"
BACKUP_PREFIX = "refs/openbook/backup/"


@dataclass
class SyncRefs:
    """What the refs of one remote branch hold, kept up to date as the sync changes them."""

    remote: str
    branch: str | None
    head: str | None
    values: dict[str, str] = field(default_factory=dict)
    crypt: bool | None = None  # the remote is encrypted (None: not read yet)

    def name(self, pattern: str) -> str:
        return pattern.format(remote=self.remote, branch=self.branch)

    def get(self, pattern: str) -> str | None:
        return self.values.get(self.name(pattern))

    @property
    def seen(self) -> str | None:
        return self.get(SEEN)

    @property
    def tracking(self) -> str | None:
        return self.get(TRACKING)

    def backup_at(self, head: str) -> str | None:
        """The oldest backup ref that points at `head`."""
        found = sorted(n for n, v in self.values.items() if n.startswith(BACKUP_PREFIX))
        return next((n for n in found if self.values[n] == head), None)

    def apply(
        self,
        root: Path,
        *,
        update: dict[str, str] | None = None,
        create: dict[str, str] | None = None,
        delete: tuple[str, ...] = (),
    ) -> None:
        """Change refs (patterns or full names) in one transaction; a ref that already
        holds its new value and a ref that is not there to delete cost nothing."""
        update = {
            self.name(p): v for p, v in (update or {}).items() if self.values.get(self.name(p)) != v
        }
        create = {self.name(p): v for p, v in (create or {}).items()}
        gone = [self.name(p) for p in delete if self.name(p) in self.values]
        plumbing.update_refs(root, update=update, create=create, delete=gone)
        self.values.update(update)
        self.values.update(create)
        for name in gone:
            del self.values[name]

    def discard(self, root: Path, pattern: str) -> None:
        """Remove a temporary ref if it is there (cleanup: never raises)."""
        if self.values.pop(self.name(pattern), None) is not None:
            plumbing.delete_ref(root, self.name(pattern))

    def fetched(self, pattern: str, oid: str | None) -> None:
        """Note that a fetch left `oid` in the ref, or nothing."""
        if oid is None:
            self.values.pop(self.name(pattern), None)
        else:
            self.values[self.name(pattern)] = oid


def read_refs(root: Path, remote: str) -> SyncRefs:
    """The checked-out branch and the refs sync uses, in one call (HEAD's branch is asked
    again only when that call names none: detached HEAD or a branch with no commits)."""
    branch, values = plumbing.read_refs(root, "refs/openbook/", "refs/remotes/")
    if branch is None:
        branch = gitrepo.current_branch(root)
        return SyncRefs(remote, branch, gitrepo.rev(root, "HEAD") if branch else None, values)
    return SyncRefs(remote, branch, values[f"refs/heads/{branch}"], values)


def backup(root: Path, refs: SyncRefs, head: str, *, drop: tuple[str, ...] = ()) -> str:
    """A backup ref at `head` (an existing one is reused), created in one transaction with
    deleting the stale refs `drop`."""
    ref = refs.backup_at(head)
    create = {}
    if ref is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        ref = BACKUP_PREFIX + stamp
        create[ref] = head
    refs.apply(root, create=create, delete=drop)
    return ref


def waiting(root: Path, refs: SyncRefs, head: str | None) -> int:
    """Local commits the remote has not seen yet."""
    if not head:
        return 0
    base = refs.seen or refs.tracking
    return plumbing.count(root, head, f"^{base}") if base else plumbing.count(root, head)
