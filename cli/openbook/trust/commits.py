"""Raw commit objects and the openbook.yml of each, read in one `git cat-file --batch` stream.

A signed commit is verified over its exact bytes, so objects are read as bytes here
(never as text through universal newlines) with the git environment of `git.repo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openbook.config import CONFIG_NAME, PARTNER_ID
from openbook.errors import GitError
from openbook.git.objects import read_objects
from openbook.git.repo import git_bytes
from openbook.notes.parse import parse_bytes
from openbook.trust.sshsig import KeyFormatError, PublicKey, parse_public_key

SIG_HEADER = b"gpgsig"  # every header whose name starts so is left out of the payload
SIG_HEADERS = {40: b"gpgsig", 64: b"gpgsig-sha256"}  # the signature, by object id length


# --------------------------------------------------------------------------- commits


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    time: int
    offset: str  # "+0100"

    @property
    def when(self) -> dt.datetime:
        sign = -1 if self.offset.startswith("-") else 1
        digits = self.offset.lstrip("+-").rjust(4, "0")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
        return dt.datetime.fromtimestamp(self.time, dt.timezone(sign * delta))


def parse_person(value: bytes) -> Person:
    """`Name <email> 1795790900 +0100` (tolerant of damaged lines)."""
    text = value.decode("utf-8", "replace")
    name, _, rest = text.partition("<")
    email, _, stamp = rest.partition(">")
    parts = stamp.split()
    try:
        when = int(parts[0]) if parts else 0
    except ValueError:
        when = 0
    offset = parts[1] if len(parts) > 1 and parts[1][1:].isdigit() else "+0000"
    return Person(name.strip(), email.strip(), when, offset)


@dataclass
class RawCommit:
    sha: str
    tree: str
    parents: list[str]
    author: Person
    committer: Person
    signature: bytes | None  # the armored gpgsig, continuation lines joined
    payload: bytes  # the object without its gpgsig header: what was signed
    subject: str


def parse_commit(sha: str, raw: bytes) -> RawCommit:
    """Split a commit object into headers, signature and signed payload exactly as git
    does (commit.c, parse_buffer_signed_by_header): the signature is every header named
    `gpgsig` in a SHA-1 repository (`gpgsig-sha256` in a SHA-256 one) with its
    continuation lines; the payload is the object without those and without any other
    header whose name starts with `gpgsig` (and its continuation lines); all other bytes
    stay exactly as they are."""
    own = SIG_HEADERS.get(len(sha), SIG_HEADER) + b" "
    headers: dict[bytes, bytes] = {}
    parents: list[str] = []
    payload: list[bytes] = []
    signature: list[bytes] = []
    in_sig = other_sig = False
    pos = 0
    size = len(raw)
    while pos < size:
        nl = raw.find(b"\n", pos)
        end = size if nl < 0 else nl + 1
        line = raw[pos:end]
        if in_sig and line.startswith(b" "):
            signature.append(line[1:])
        elif line.startswith(own):
            other_sig, in_sig = False, True
            signature.append(line[len(own) :])
        else:
            if line.startswith(SIG_HEADER):
                other_sig = True
            elif other_sig and not line.startswith(b" "):
                other_sig = False
            in_sig = False
            if line.startswith(b"\n"):
                payload.append(raw[pos:])  # the message, byte for byte
                break
            if not other_sig:
                payload.append(line)
                if not line.startswith(b" "):
                    key, _, value = line.rstrip(b"\n").partition(b" ")
                    if key == b"parent":
                        parents.append(value.decode("ascii", "replace"))
                    else:
                        headers.setdefault(key, value)
        pos = end
    _, _, message = raw.partition(b"\n\n")
    subject = message.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return RawCommit(
        sha=sha,
        tree=headers.get(b"tree", b"").decode("ascii", "replace"),
        parents=parents,
        author=parse_person(headers.get(b"author", b"")),
        committer=parse_person(headers.get(b"committer", b"")),
        signature=b"".join(signature) if signature else None,
        payload=b"".join(payload),
        subject=subject,
    )


# -------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class PartnerKeys:
    """What the signature policy needs of one partner."""

    email: str
    key: PublicKey | None
    key_text: str | None = field(default=None, compare=False)

    @property
    def identity(self) -> tuple[str, bytes | None]:
        return (self.email.lower(), self.key.blob if self.key else None)


@dataclass(frozen=True)
class Settings:
    """The signature settings of one openbook.yml: requirement, emails and keys."""

    require: bool
    partners: dict[str, PartnerKeys]

    def by_email(self, email: str) -> str | None:
        wanted = email.strip().lower()
        for pid, p in self.partners.items():
            if p.email.lower() == wanted:
                return pid
        return None

    def key_owner(self, key: PublicKey) -> str | None:
        for pid, p in self.partners.items():
            if p.key is not None and p.key.blob == key.blob:
                return pid
        return None


# An openbook.yml that cannot be read: signatures count as required and no key is known,
# so breaking the file can never switch the policy off.
UNREADABLE = Settings(require=True, partners={})
# Before the first openbook.yml (a vault inside a larger repository): nothing required.
NOT_YET = Settings(require=False, partners={})


def parse_settings(data: bytes) -> Settings | None:
    """The signature settings of openbook.yml bytes, read with the note reader the
    config loader uses (same YAML rules). None when the file is not a YAML mapping."""
    body = data if data.endswith(b"\n") or not data else data + b"\n"
    note = parse_bytes(CONFIG_NAME, b"---\n" + body + b"---\n", positions=False)
    if note.problems or not isinstance(note.meta, dict):
        return None
    meta = note.meta
    partners: dict[str, PartnerKeys] = {}
    raw = meta.get("partners")
    for pid, info in (raw if isinstance(raw, dict) else {}).items():
        if not isinstance(pid, str) or not PARTNER_ID.match(pid) or not isinstance(info, dict):
            continue
        email = info.get("email", f"{pid}@openbook.invalid")
        text = info.get("signing_key")
        key = None
        if isinstance(text, str) and text.strip():
            try:
                key = parse_public_key(text)
            except KeyFormatError:
                key = None
        partners[pid] = PartnerKeys(
            str(email).strip(), key, text if isinstance(text, str) else None
        )
    return Settings(require=meta.get("require_signatures") is True, partners=partners)


# --------------------------------------------------------------------------- reading


def rev_list(root: Path, head: str, exclude: Sequence[str] = ()) -> list[tuple[str, list[str]]]:
    """(sha, parents) of every commit reachable from `head` and not from `exclude`,
    parents before children; one `git rev-list` call."""
    args = ["rev-list", "--topo-order", "--reverse", "--parents", "--end-of-options", head]
    args += [f"^{rev}" for rev in exclude]
    rows = []
    for line in git_bytes(root, args).decode("ascii").splitlines():
        shas = line.split()
        if shas:
            rows.append((shas[0], shas[1:]))
    return rows


def resolve_refs(root: Path, *refs: str) -> dict[str, str]:
    """{ref: sha} for those of `refs` (HEAD or full ref names) that exist; one process."""
    out = git_bytes(root, ["show-ref", "--head", "--verify", *refs], check=False)
    found = {}
    for line in out.decode("utf-8", "replace").splitlines():
        sha, _, name = line.partition(" ")
        if name in refs:
            found[name] = sha
    return found


@dataclass
class History:
    """Commits of a range (parents first) and the settings of each commit they touch."""

    commits: list[RawCommit]
    settings: dict[str, Settings]  # commit sha -> settings of its openbook.yml


def load_history(root: Path, head: str, exclude: Sequence[str] = (), prefix: str = "") -> History:
    """Read the commits of `head ^exclude...` and the openbook.yml of each of them and of
    their parents: one rev-list, one cat-file stream, and one YAML parse per distinct file.

    A commit whose openbook.yml is missing or unreadable takes its first parent's
    settings (a root commit without one: NOT_YET); a parent outside the range with a
    missing or unreadable file gets UNREADABLE."""
    rows = rev_list(root, head, exclude)
    wanted: dict[str, None] = {}
    for sha, parents in rows:
        wanted[sha] = None
        for p in parents:
            wanted[p] = None
    yml = f"{prefix}{CONFIG_NAME}"
    names = [sha for sha, _ in rows] + [f"{sha}:{yml}" for sha in wanted]
    batch = read_objects(root, names)
    parsed: dict[str, Settings | None] = {}  # blob id -> settings
    own: dict[str, Settings | None] = {}
    for sha in wanted:
        obj = batch.get(f"{sha}:{yml}")
        if obj is None or obj[1] != "blob":
            own[sha] = None
            continue
        if obj[0] not in parsed:
            parsed[obj[0]] = parse_settings(obj[2])
        own[sha] = parsed[obj[0]]
    commits = []
    settings: dict[str, Settings] = {}
    for sha, parents in rows:
        obj = batch.get(sha)
        if obj is None or obj[1] != "commit":
            raise GitError(f"commit {sha[:7]} could not be read; run 'git fsck' in the vault.")
        commits.append(parse_commit(sha, obj[2]))
        for p in parents:
            if p not in settings:
                settings[p] = own.get(p) or UNREADABLE
        fallback = settings[parents[0]] if parents else NOT_YET
        settings[sha] = own.get(sha) or fallback
    return History(commits, settings)
