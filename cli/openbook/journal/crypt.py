"""Encryption at rest to the person's own SSH key: the age format, through pyrage.

`git config --global openbook.journal-key ~/.ssh/id_ed25519.pub` turns it on for new
entries; the private key beside it (or `openbook.journal-identity`) opens them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyrage
from pyrage import ssh

from openbook.journal.place import JournalError, global_config

KEY_CONFIG = "openbook.journal-key"
IDENTITY_CONFIG = "openbook.journal-identity"
SUFFIX = ".age"


@dataclass(frozen=True)
class Keys:
    public: Path | None  # new entries are encrypted to this SSH public key
    identity: Path | None  # encrypted entries are opened with this SSH private key


def configured_keys() -> Keys:
    pub = global_config(KEY_CONFIG)
    ident = global_config(IDENTITY_CONFIG)
    public = Path(pub).expanduser() if pub else None
    identity: Path | None = None
    if ident:
        identity = Path(ident).expanduser()
    elif public is not None and public.name.endswith(".pub"):
        identity = public.with_name(public.name[: -len(".pub")])
    return Keys(public, identity)


def encrypt(data: bytes, public: Path) -> bytes:
    """`data` as an age file that only the private half of `public` can open."""
    try:
        lines = public.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise JournalError(
            f"The journal key {public} (git config --global {KEY_CONFIG}) cannot be read; "
            "point it at your SSH public key, for example ~/.ssh/id_ed25519.pub."
        ) from None
    line = next((s.strip() for s in lines if s.strip()), "")
    try:
        recipient = ssh.Recipient.from_str(line)
    except pyrage.RecipientError:
        raise JournalError(
            f"{public} is not an SSH public key the journal can encrypt to; "
            f"set {KEY_CONFIG} to an ssh-ed25519 or ssh-rsa .pub file."
        ) from None
    result: bytes = pyrage.encrypt(data, [recipient])
    return result


class CannotOpen(JournalError):
    """An encrypted entry this computer cannot open; `why` says so in a few words
    ("written for another key than ~/.ssh/id_ed25519"), for a list of such entries."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


FIX = "set 'git config --global {config} PATH' to the private key {it} written for"


def fix(count: int = 1) -> str:
    """What to do about encrypted entries that cannot be opened: name their key."""
    return FIX.format(config=IDENTITY_CONFIG, it="it was" if count == 1 else "they were")


def decrypt(data: bytes, identity: Path | None, name: str) -> bytes:
    """Open an age file with the SSH private key `identity`."""
    if identity is None:
        raise CannotOpen(f"{name} is encrypted; to read it, {fix()}.", "no private key is set")
    try:
        buf = identity.read_bytes()
    except OSError:
        raise CannotOpen(
            f"{name} is encrypted and the private key {identity} is not readable here; {fix()}.",
            f"the private key {identity} is not readable here",
        ) from None
    try:
        key = ssh.Identity.from_buffer(buf)
    except pyrage.IdentityError as exc:
        if "decrypt" in str(exc):
            raise CannotOpen(
                f"{identity} is protected by a passphrase, which the journal cannot unlock yet; "
                f"use a key without a passphrase kept only on this machine, or {fix()}.",
                f"{identity} has a passphrase, which the journal cannot unlock yet",
            ) from None
        raise CannotOpen(
            f"{identity} is not an SSH private key; {fix()}.",
            f"{identity} is not an SSH private key",
        ) from None
    try:
        result: bytes = pyrage.decrypt(data, [key])
    except pyrage.DecryptError:
        raise CannotOpen(
            f"{name} cannot be opened with {identity}; {fix()}.",
            f"written for another key than {identity}",
        ) from None
    return result
