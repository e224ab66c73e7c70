"""The fingerprint of the shared log: thirty digits both partners read out at the meeting.

SHA-256 over the shared head (`refs/openbook/seen/<remote>/<branch>`, the last head both
sides agreed on through sync; HEAD when the vault was never synced) and the partners'
signing keys as that commit lists them. Two clones at the same shared head print the
same digits; any other history prints different ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.config import CONFIG_NAME
from openbook.errors import GitError
from openbook.git.objects import read_objects
from openbook.git.repo import git_bytes
from openbook.trust.commits import parse_commit, parse_settings, resolve_refs
from openbook.vault import Vault

SEEN = "refs/openbook/seen/{remote}/{branch}"
DOMAIN = b"openbook fingerprint 1\n"


@dataclass(frozen=True)
class Fingerprint:
    digits: str  # "12345 67890 12345 67890 12345 67890"
    commit: str
    date: dt.datetime

    def format(self, tz: dt.tzinfo | None = None) -> str:
        when = self.date.astimezone(tz) if tz else self.date
        return f"{self.digits}  ({when:%Y-%m-%d %H:%M}, {self.commit[:7]})"

    def as_dict(self) -> dict[str, Any]:
        return {"fingerprint": self.digits, "commit": self.commit, "date": self.date.isoformat()}


def digits_of(data: bytes) -> str:
    """Six groups of five digits from the SHA-256 of `data` (40 bits per group)."""
    digest = hashlib.sha256(data).digest()
    groups = [int.from_bytes(digest[i * 5 : i * 5 + 5], "big") % 100_000 for i in range(6)]
    return " ".join(f"{g:05d}" for g in groups)


def shared_head(root: Path, remote: str = "origin") -> str | None:
    """The last head both sides agreed on through sync, else HEAD (None: no commits)."""
    branch = git_bytes(root, ["symbolic-ref", "-q", "--short", "HEAD"], check=False)
    seen = SEEN.format(remote=remote, branch=branch.decode().strip() or "main")
    refs = resolve_refs(root, "HEAD", seen)
    return refs.get(seen) or refs.get("HEAD")


def fingerprint_at(root: Path, commit: str, prefix: str = "") -> Fingerprint:
    """The fingerprint of `commit` and the keys its openbook.yml lists."""
    batch = read_objects(root, [commit, f"{commit}:{prefix}{CONFIG_NAME}"])
    obj = batch.get(commit)
    if obj is None or obj[1] != "commit":
        raise GitError(f"commit {commit[:7]} could not be read; run 'git fsck' in the vault.")
    raw = parse_commit(obj[0], obj[2])
    blob = batch.get(f"{commit}:{prefix}{CONFIG_NAME}")
    settings = parse_settings(blob[2]) if blob and blob[1] == "blob" else None
    data = DOMAIN + obj[0].encode("ascii") + b"\n"
    for pid, partner in sorted((settings.partners if settings else {}).items()):
        key = partner.key.text if partner.key else "-"
        data += f"{pid} {key}\n".encode()
    return Fingerprint(digits_of(data), obj[0], raw.committer.when)


def fingerprint(vault: Vault, remote: str = "origin") -> Fingerprint | None:
    """The vault's fingerprint (None before the first commit). The agenda's Close shows
    `.digits`; `openbook fingerprint` prints it with the commit's date and short id."""
    head = shared_head(vault.root, remote)
    if head is None:
        return None
    prefix = ""
    if not vault.is_own_repo:
        prefix = git_bytes(vault.root, ["rev-parse", "--show-prefix"]).decode().strip()
    return fingerprint_at(vault.root, head, prefix)
