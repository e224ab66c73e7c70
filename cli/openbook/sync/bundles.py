"""The pieces of an encrypted remote (SPEC section 11): git bundles made and applied with
git's own `bundle` command, encrypted to SSH keys in the age format through pyrage. No
cryptography is written here: pyrage does all of it."""

from __future__ import annotations

import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pyrage
from pyrage import ssh

from openbook.errors import IntegrityAlert, OpenbookError
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.trust.verify import trust_state_at

BUNDLE_DIR = "bundles"
BUNDLE_NAME = re.compile(r"^bundles/(\d{6})-[0-9a-f]{16}\.age$")
AGE_KEY_TYPES = ("ssh-ed25519", "ssh-rsa")


class KeyMissing(OpenbookError):
    """A partner has no key in force that age can encrypt to."""


def bundle_name(sequence: int) -> str:
    return f"{BUNDLE_DIR}/{sequence:06d}-{secrets.token_hex(8)}.age"


def sequence_of(path: str) -> int | None:
    found = BUNDLE_NAME.match(path)
    return int(found.group(1)) if found else None


def recipients(root: Path, rev: str) -> list[str]:
    """Every partner's `signing_key` in force at `rev` (`algorithm base64`), sorted; the
    encrypted remote needs both (KeyMissing names who must add one first)."""
    state = trust_state_at(root, rev)
    keys: list[str] = []
    for pid, partner in sorted(state.partners.items()):
        key = partner.key
        if key is None:
            raise KeyMissing(
                f"{partner.name} has no signing key in force, and the encrypted remote is "
                f"encrypted to both partners' keys: {partner.name} runs 'openbook keys add' "
                "first (and the other partner syncs), then sync again. Nothing was pushed."
            )
        if key.algorithm not in AGE_KEY_TYPES:
            raise KeyMissing(
                f"{partner.name}'s signing key is of type {key.algorithm}, which the "
                "encrypted remote cannot encrypt to; use an ssh-ed25519 or ssh-rsa key "
                f"('openbook keys replace' from {pid}'s copy). Nothing was pushed."
            )
        keys.append(key.text)
    if len(keys) != 2:
        raise KeyMissing("The settings in force do not name two partners; nothing was pushed.")
    return keys


def encrypt(data: bytes, keys: list[str]) -> bytes:
    """`data` as an age file that each of the SSH public keys `keys` can open."""
    try:
        found = [ssh.Recipient.from_str(k) for k in keys]
    except pyrage.RecipientError:
        raise KeyMissing(
            "A signing key in force is not one the encrypted remote can encrypt to; use "
            "ssh-ed25519 or ssh-rsa keys. Nothing was pushed."
        ) from None
    result: bytes = pyrage.encrypt(data, found)
    return result


@dataclass(frozen=True)
class Identity:
    path: Path
    key: object  # a pyrage ssh.Identity
    more: tuple[object, ...] = ()  # other keys of this partner's that may open bundles


def load_identity(path: Path) -> Identity:
    """The SSH private key at `path`, for opening bundles (no passphrase yet)."""
    fix = (
        "say which private key opens the encrypted remote with "
        "'git config openbook.identity PATH' (your key matching your signing_key)"
    )
    try:
        buf = path.expanduser().read_bytes()
    except OSError:
        raise OpenbookError(f"The private key {path} is not readable here; {fix}.") from None
    try:
        return Identity(path, ssh.Identity.from_buffer(buf))
    except pyrage.IdentityError as exc:
        if "decrypt" in str(exc):
            raise OpenbookError(
                f"{path} is protected by a passphrase, which openbook cannot unlock yet; {fix}."
            ) from None
        raise OpenbookError(f"{path} is not an SSH private key; {fix}.") from None


def decrypt(data: bytes, identity: Identity) -> bytes | None:
    """The plaintext, or None when `identity` cannot open it (or it is not age)."""
    try:
        result: bytes = pyrage.decrypt(data, [identity.key, *identity.more])
    except (pyrage.DecryptError, ValueError, TypeError):
        return None
    return result


def make_bundle(root: Path, tip: str, exclude: str | None, scratch: Path) -> bytes:
    """A git bundle of `tip` without what `exclude` already holds (all of it when None)."""
    ref = "refs/openbook/encrypted/outgoing"
    plumbing.update_refs(root, update={ref: tip})
    path = scratch / f"out-{secrets.token_hex(4)}.bundle"
    try:
        args = ["bundle", "create", "--quiet", str(path), ref]
        if exclude is not None:
            args.append(f"^{exclude}")
        gitrepo.run(root, args)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
        plumbing.delete_ref(root, ref)


@dataclass(frozen=True)
class Header:
    """What a bundle's header says (git's bundle format v2 or v3): the commits it needs
    beforehand and the commits it carries; `pack` is where its pack data starts."""

    prerequisites: list[str]
    heads: list[str]
    pack: int


def read_header(data: bytes) -> Header | None:
    head, sep, _ = data.partition(b"\n\n")
    lines = head.split(b"\n")
    if not sep or lines[0] not in (b"# v2 git bundle", b"# v3 git bundle"):
        return None
    needs: list[str] = []
    heads: list[str] = []
    for line in lines[1:]:
        text = line.decode("ascii", "replace")
        if text.startswith("@"):
            continue
        sha = text[1:].split(" ", 1)[0] if text.startswith("-") else text.split(" ", 1)[0]
        if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
            return None
        (needs if text.startswith("-") else heads).append(sha)
    return Header(needs, heads, len(head) + 2)


def full_bundle(data: bytes) -> bool:
    """True when the bundle needs nothing beforehand (it holds the whole history)."""
    header = read_header(data)
    return header is not None and not header.prerequisites


def _does_not_apply(name: str, why: str) -> IntegrityAlert:
    return IntegrityAlert(
        f"The encrypted remote's {name} opens but does not apply to your history ({why}); "
        "nothing was merged or pushed. Talk with your partner before syncing again; "
        "'openbook doctor' helps."
    )


def store_pack(root: Path, data: bytes, name: str) -> Header:
    """Store the objects of one of many bundles with `git index-pack` (what `git bundle
    unbundle` runs), without flushing each to disk (`repack` afterwards does); the
    caller checks the prerequisites and heads of them all at once."""
    header = read_header(data)
    if header is None or len(header.heads) != 1:
        raise _does_not_apply(name, "not a bundle of one branch")
    args = ["git", "-c", "core.fsync=none", "index-pack", "--stdin", "--fix-thin"]
    proc = subprocess.run(
        args, cwd=root, input=data[header.pack :], capture_output=True, env=gitrepo.git_env()
    )
    if proc.returncode != 0:
        raise _does_not_apply(name, gitrepo.first_line(proc.stderr.decode("utf-8", "replace")))
    return header


def apply_bundle(root: Path, data: bytes, name: str, scratch: Path) -> str:
    """Store the bundle's objects (git bundle unbundle; no ref moves) and return the one
    commit it carries; IntegrityAlert naming `name` when it does not apply."""
    path = scratch / f"in-{secrets.token_hex(4)}.bundle"
    path.write_bytes(data)
    try:
        res = gitrepo.run(root, ["bundle", "unbundle", str(path)], check=False)
    finally:
        path.unlink(missing_ok=True)
    heads = [line.split()[0] for line in res.stdout.splitlines() if line.strip()]
    if res.status != 0 or len(heads) != 1 or not re.fullmatch(r"[0-9a-f]{40,64}", heads[0]):
        raise _does_not_apply(name, gitrepo.first_line(res.stderr) or "not one branch")
    return heads[0]


def repack(root: Path) -> None:
    """One pack of the many small ones that applying many bundles leaves, flushed to disk,
    and their commits in the commit-graph file."""
    gitrepo.run(root, ["repack", "-d", "-q", "--geometric=2"], check=False)
    gitrepo.write_commit_graph(root)
