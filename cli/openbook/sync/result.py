"""What a sync did (or, with `--check`, would do): the value every sync module fills in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ConflictFile:
    path: str
    kind: str  # "both-changed", "deleted-here", "deleted-there"
    copy: str | None
    partner: str
    sha: str
    keys: list[str] = field(default_factory=list)  # settings keys both changed


@dataclass
class SyncResult:
    """What one sync did. `exit_code` is 0 done, 1 notes with errors (or deleted binding
    agreements) left out while everything else was synced, 3 conflict copies written,
    5 remote unreachable (work committed locally); `lines` are calm one-line messages."""

    exit_code: int = 0
    lines: list[str] = field(default_factory=list)
    remote: str = "origin"
    branch: str = "main"
    check_only: bool = False
    outcome: str = "up to date"
    committed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    pending: int = 0
    ahead: int = 0
    behind: int = 0
    received: int = 0
    pushed: int = 0
    conflicts: list[ConflictFile] = field(default_factory=list)
    conflicts_expected: list[str] = field(default_factory=list)
    backup: str | None = None
    head: str | None = None
    remote_head: str | None = None
    problems: list[str] = field(default_factory=list)  # of the refused notes, as check prints
    protected: dict[str, str] = field(default_factory=dict)  # deleted agreement path -> id
    arrivals: list[str] = field(default_factory=list)  # what came in, by kind
    renamed: list[dict[str, str | None]] = field(default_factory=list)  # renumbered notes
    history: list[str] = field(default_factory=list)  # refused objects only in history
    drafts: list[str] = field(default_factory=list)  # draft: true notes, kept on this machine
    # drafts, new notes with nothing written yet, and new notes in the other's name: they
    # wait on this machine, each named with why
    held: list[str] = field(default_factory=list)
    # new settings one partner proposed that are not accepted by both yet (SPEC section 10)
    settings_proposal: dict[str, Any] | None = None
    # what the partner pushed that was merged but set aside (SPEC 5): key, rule, text
    set_aside: list[dict[str, str]] = field(default_factory=list)

    @property
    def conflict_copies(self) -> list[str]:
        return [c.copy for c in self.conflicts if c.copy]

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "outcome": self.outcome,
            "lines": self.lines,
            "remote": self.remote,
            "branch": self.branch,
            "check_only": self.check_only,
            "committed": self.committed,
            "refused": self.refused,
            "pending": self.pending,
            "ahead": self.ahead,
            "behind": self.behind,
            "received": self.received,
            "pushed": self.pushed,
            "conflicts": [asdict(c) for c in self.conflicts],
            "conflict_copies": self.conflict_copies,
            "conflicts_expected": self.conflicts_expected,
            "backup": self.backup,
            "head": self.head,
            "remote_head": self.remote_head,
            "problems": self.problems,
            "protected": self.protected,
            "arrivals": self.arrivals,
            "renamed": self.renamed,
            "history": self.history,
            "drafts": self.drafts,
            "settings_proposal": self.settings_proposal,
            "set_aside": self.set_aside,
        }
