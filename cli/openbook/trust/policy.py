"""The signature policy of SPEC section 7, applied to one commit at a time.

A commit is checked when its first parent's openbook.yml has `require_signatures: true`,
against the partners and keys that file lists:

- it carries a valid SSH signature (namespace `git`) by the key of the partner whose
  email is its author (`unsigned`, `bad-signature`, `unknown-key`, `signer-not-author`);
- its committer is its author, unless it is a "by X for Y" commit signed by the
  committer X (`committer-mismatch`);
- a change to partner X's signing key, email or presence is signed by X's previous key,
  or, when X had none, by X's new key in a commit authored by X
  (`key-change-not-by-owner`). A merge counts only the changes it makes itself, not
  those it brings in from a parent (which are checked in their own commits).
"""

from __future__ import annotations

from dataclasses import dataclass

from openbook.trust import sshsig
from openbook.trust.commits import PartnerKeys, RawCommit, Settings

RULES = (
    "unsigned",
    "bad-signature",
    "unknown-key",
    "signer-not-author",
    "committer-mismatch",
    "key-change-not-by-owner",
)


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


@dataclass(frozen=True)
class Change:
    """Partner `pid` as the first parent had it (`old`) and as this commit has it (`new`)."""

    pid: str
    old: PartnerKeys | None
    new: PartnerKeys | None

    def describe(self) -> str:
        if self.old is None:
            return f"adds partner {self.pid}"
        if self.new is None:
            return f"removes partner {self.pid}"
        if self.old.email.lower() != self.new.email.lower():
            return f"changes {self.pid}'s email"
        if self.old.key is None:
            return f"adds {self.pid}'s signing key"
        if self.new.key is None:
            return f"removes {self.pid}'s signing key"
        return f"changes {self.pid}'s signing key"


def partner_changes(parents: list[Settings], own: Settings) -> list[Change]:
    """Partners whose email, key or presence this commit changes itself."""
    first = parents[0]
    changes = []
    for pid in sorted(set(first.partners) | set(own.partners)):
        new = own.partners.get(pid)
        ident = new.identity if new else None
        if any((s.partners[pid].identity if pid in s.partners else None) == ident for s in parents):
            continue  # unchanged, or brought in from a merged parent
        changes.append(Change(pid, first.partners.get(pid), new))
    return changes


def _person(settings: Settings, own: Settings, email: str, changes: list[Change]) -> str | None:
    """The partner with this email before the commit, or whose email the commit sets."""
    pid = settings.by_email(email)
    if pid is None:
        pid = own.by_email(email)
        if pid is not None and not any(c.pid == pid for c in changes):
            pid = None
    return pid


def findings(
    commit: RawCommit, sig: SignatureCheck, parents: list[Settings], own: Settings
) -> list[Finding]:
    """Every rule `commit` breaks, given its parents' and its own settings."""
    base = parents[0]
    changes = partner_changes(parents, own)
    author = _person(base, own, commit.author.email, changes)
    committer = _person(base, own, commit.committer.email, changes)
    out: list[Finding] = []
    if not sig.present:
        out.append(Finding("unsigned", "not signed"))
    elif sig.signer is None:
        out.append(Finding("bad-signature", sig.error or "the signature does not verify"))
    else:
        signer = base.key_owner(sig.signer)
        if signer is None:
            # a partner's first key signs its own enrolment
            signer = next(
                (
                    c.pid
                    for c in changes
                    if (c.old is None or c.old.key is None)
                    and c.new is not None
                    and c.new.key == sig.signer
                    and c.pid == author
                ),
                None,
            )
        out += _signer_rules(commit, signer, sig.signer, author, committer)
    for change in changes:
        if not _owner_signed(change, sig.signer, author):
            why = (
                f"without {change.pid}'s previous key"
                if change.old is not None and change.old.key is not None
                else f"in a commit that is not {change.pid}'s own, signed with {change.pid}'s key"
            )
            out.append(Finding("key-change-not-by-owner", f"{change.describe()} {why}"))
    return out


def _signer_rules(
    commit: RawCommit,
    signer: str | None,
    key: sshsig.PublicKey,
    author: str | None,
    committer: str | None,
) -> list[Finding]:
    if signer is None:
        return [Finding("unknown-key", f"signed by a key no partner has ({key.fingerprint})")]
    if commit.committer.email.strip().lower() != commit.author.email.strip().lower():
        if author is None or committer is None or signer != committer:
            return [
                Finding(
                    "committer-mismatch",
                    f"committed by {commit.committer.email} for {commit.author.email}, "
                    f"but signed by {signer}'s key, not the committer's",
                )
            ]
        return []
    if author is None:
        return [
            Finding(
                "signer-not-author",
                f"signed by {signer}'s key, but the author {commit.author.email} is not a partner",
            )
        ]
    if signer != author:
        return [Finding("signer-not-author", f"written as {author} but signed by {signer}'s key")]
    return []


def _owner_signed(change: Change, key: sshsig.PublicKey | None, author: str | None) -> bool:
    if key is None:
        return False
    if change.old is not None and change.old.key is not None:
        return change.old.key == key
    return change.new is not None and change.new.key == key and author == change.pid
