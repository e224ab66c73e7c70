"""The rules of SPEC section 7 by name, and a commit's signature checked on its own.

Which key and which settings a commit is judged by is history's to say: `judge.py`
reads the trust settings in force at each of its parents (`inforce.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from openbook.trust import sshsig
from openbook.trust.commits import RawCommit

RULES = (
    "foreign-root",
    "outside-introduction",
    "unsigned",
    "bad-signature",
    "unknown-key",
    "signer-not-committer",
    "committer-mismatch",
    "key-change-not-by-owner",
    "config",
)
MARKS = ("unverified", "pending key")


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking a commit's signature on its own (no policy yet)."""

    present: bool
    signer: sshsig.PublicKey | None  # set when the signature is valid
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.signer is not None


def check_signature(commit: RawCommit) -> SignatureCheck:
    if commit.signature is None:
        return SignatureCheck(False, None)
    try:
        return SignatureCheck(True, sshsig.verify(commit.signature, commit.payload))
    except sshsig.BadSignature as exc:
        return SignatureCheck(True, None, str(exc))
