"""Plain git agrees with openbook: `.git/openbook/allowed_signers`, set as this clone's
`gpg.ssh.allowedSignersFile`, lists each partner's signing keys from openbook.yml's
history (SPEC section 7, `keys add`), so `git verify-commit` and `git log
--show-signature` say "Good" for what `openbook verify` accepts, as far as git's flat file
can say (`openbook verify` is the authority).

One line per key: `email namespaces="git" ssh-ed25519 AAAA...`. A key that was replaced
is still listed for its older commits, with `valid-before` the moment of the change, and
the key after it with `valid-after` (times as git passes them to ssh-keygen: committer
time, UTC, YYYYMMDDHHMMSS).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from openbook.config import CONFIG_NAME
from openbook.fsutil import atomic_write
from openbook.git.objects import read_objects
from openbook.git.repo import config_get, config_set, git_bytes
from openbook.git.simplified import listing_stands
from openbook.git.state import git_dir_of, head_from_files
from openbook.trust.commits import parse_settings

FILE = "allowed_signers"
HEAD_FILE = "allowed_signers.head"  # `<commit> <sha256 of the file>`: written from there
CONFIG_KEY = "gpg.ssh.allowedSignersFile"


@dataclass
class Period:
    """One key of one partner and the committer times it signs for."""

    email: str
    key: str  # `algorithm base64`
    after: int | None = None  # epoch seconds
    before: int | None = None

    def line(self) -> str:
        opts = ['namespaces="git"']
        if self.after is not None:
            opts.append(f'valid-after="{_stamp(self.after)}"')
        if self.before is not None:
            opts.append(f'valid-before="{_stamp(self.before)}"')
        return f"{self.email} {','.join(opts)} {self.key}"


def _stamp(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y%m%d%H%M%S")


def periods(root: Path, head: str = "HEAD") -> list[Period]:
    """Each partner's keys in the order openbook.yml's history lists them (one `git log`
    and one batch read of the file's versions)."""
    fmt = "--format=%H %ct"
    args = ["log", "--reverse", "--date-order", fmt, "--end-of-options", head, "--", CONFIG_NAME]
    raw = git_bytes(root, args, check=False).decode("utf-8", "replace").split()
    versions = list(zip(raw[0::2], raw[1::2], strict=False))
    blobs = read_objects(root, [f"{sha}:{CONFIG_NAME}" for sha, _ in versions])
    current: dict[str, Period] = {}  # by partner id
    found: list[Period] = []
    for sha, when in versions:
        obj = blobs.get(f"{sha}:{CONFIG_NAME}")
        settings = parse_settings(obj[2]) if obj is not None and obj[1] == "blob" else None
        if settings is None:
            continue
        for pid, partner in settings.partners.items():
            if partner.key is None:
                continue
            text = partner.key.text
            old = current.get(pid)
            if old is not None and old.key == text:
                continue
            if any(p.key == text and p.email == partner.email for p in found):
                continue  # a key listed again (a merge, a key put back) keeps its period
            start = int(when)
            if old is not None:
                old.before = start + 1  # the change itself is signed by the old key
            period = Period(partner.email, text, start if old is not None else None)
            current[pid] = period
            found.append(period)
    return found


def write(root: Path, head: str = "HEAD") -> Path | None:
    """Write the file from `head`'s history and point git at it; None when this is not a
    repository of its own (a vault inside another repository). When `head` reaches the
    commit the file was written from by first parents, none changing openbook.yml from
    its first parent (a merge too), the file stands as it is (`allowed_signers.head`)."""
    git_dir = git_dir_of(root)
    if git_dir is None:
        return None
    path = git_dir / "openbook" / FILE
    sha = head_from_files(git_dir) if head == "HEAD" else None
    if sha is None:
        out = git_bytes(
            root, ["rev-parse", "-q", "--verify", "--end-of-options", head], check=False
        )
        sha = out.decode("ascii", "replace").strip() or None
    if sha is None or not _stands(root, path, sha):
        _write_file(root, path, sha, head)
    if (config_get(root, CONFIG_KEY) or "").strip() != str(path):
        config_set(root, CONFIG_KEY, str(path))
    return path


def _write_file(root: Path, path: Path, sha: str | None, head: str) -> None:
    lines = [p.line() for p in periods(root, sha or head)]
    data = ("\n".join(lines) + "\n" if lines else "").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        same = path.read_bytes() == data
    except OSError:
        same = False
    if not same:
        atomic_write(path, data)
    if sha is not None:
        _written_from(path, sha, data)


def _written_from(path: Path, sha: str, data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    with contextlib.suppress(OSError):
        atomic_write(path.with_name(HEAD_FILE), f"{sha} {digest}\n".encode(), durable=False)


def _stands(root: Path, path: Path, sha: str) -> bool:
    """Whether the file, as written from an earlier head, is still what `sha` gives."""
    try:
        old, _, digest = path.with_name(HEAD_FILE).read_text(encoding="ascii").partition(" ")
        data = path.read_bytes()
    except (OSError, ValueError):
        return False
    if hashlib.sha256(data).hexdigest() != digest.strip():
        return False  # changed or removed by hand: written again
    if old == sha:
        return True
    if not listing_stands(root, old, sha, CONFIG_NAME):
        return False
    _written_from(path, sha, data)  # the next sync reads from here
    return True
