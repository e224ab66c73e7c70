"""A replaced signing key is a proposal (SPEC section 7, "A lost key").

A partner's own key is theirs: their first key, or a new key signed by their previous
one, is in force from their commit. A key changed any other way (`keys replace`, signed
by the new key, or a plain edit) is a proposal: it comes into force once every partner
has endorsed it, the owner by their own commit and the other by an `accept settings`
commit naming `partners.<id>.signing_key` with the digest of the new key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openbook.config import CONFIG_NAME, Config, config_from_bytes
from openbook.errors import GitError
from openbook.git.objects import Batch
from openbook.ritual.calendar import utc
from openbook.ritual.trust_terms import key_text, partners_raw
from openbook.trust.inforce import setting_digest
from openbook.trust.verify import commit_signers

# (when, sha, partner id, old key, new key, own author email or "", signed by its owner)
KeyChange = tuple[dt.datetime, str, str, str | None, str | None, str, bool]
# (when, the email of its author-and-committer, setting name, digest)
SettingAccept = tuple[dt.datetime, str, str, str]


def keys_of(data: bytes | None) -> dict[str, str | None]:
    """Each partner's signing key (`algorithm base64`) in a version of openbook.yml."""
    if data is None:
        return {}
    cfg = config_from_bytes(data, Path(CONFIG_NAME))
    if not cfg.loads:
        return {}
    return {pid: key_text(info.get("signing_key")) for pid, info in partners_raw(cfg.raw).items()}


def changed_keys(old: bytes | None, new: bytes | None) -> list[tuple[str, str | None, str | None]]:
    """(partner, old key, new key) for each key a commit changed (a file that does not
    load changes no key)."""
    before, after = keys_of(old), keys_of(new)
    if not after:
        return []
    return [(pid, before.get(pid), key) for pid, key in after.items() if key != before.get(pid)]


def named_settings(when: dt.datetime, own: str, text: str) -> list[SettingAccept]:
    out = []
    for line in text.splitlines():
        name, _, digest = line.strip().partition(" ")
        if name and digest.strip():
            out.append((when, own, name, digest.strip()))
    return out


def key_changes(
    root: Path,
    edits: list[tuple[dt.datetime, str, str | None, str, str, str]],
    blobs: Batch,
) -> list[KeyChange]:
    """The keys each commit changed, and whether the key's owner signed the change (their
    previous key, or their first key in their own enrolment; SPEC section 7)."""
    out: list[KeyChange] = []
    for when, sha, parent, old, new, own in edits:
        before, after = blobs.get(old), blobs.get(new)
        changed = changed_keys(before[2] if before else None, after[2] if after else None)
        if not changed or parent is None:  # the first version's keys are in force from it
            continue
        signer = _signer(root, sha, parent)
        for pid, was, now in changed:
            out.append((when, sha, pid, was, now, own, signer == pid))
    return out


def _signer(root: Path, sha: str, parent: str) -> str | None:
    try:
        return commit_signers(root, sha, parent).get(sha)
    except GitError:
        return None


@dataclass
class KeyProposal:
    partner: str
    new: str | None
    old: str | None
    since: dt.datetime
    by: str | None
    endorsed: set[str] = field(default_factory=set)

    @property
    def setting(self) -> str:
        return f"partners.{self.partner}.signing_key"


def pending_keys(
    changes: list[KeyChange], accepts: list[SettingAccept], cfg: Config
) -> list[KeyProposal]:
    """The replaced keys not yet accepted by both partners (of the partners in force)."""
    partner_of = {p.email.lower(): pid for pid, p in cfg.partners.items()}
    in_force: dict[str, str | None] = {}
    pending: dict[str, KeyProposal] = {}
    events = sorted(changes, key=lambda c: utc(c[0]))
    for when, _sha, pid, old, new, own, owner_signed in events:
        _settle(pending, accepts, partner_of, list(cfg.partners), in_force, until=when)
        in_force.setdefault(pid, old)
        first = old is None and partner_of.get(own.lower()) == pid
        if (owner_signed and (old is not None or first)) or new == in_force.get(pid):
            in_force[pid] = new
            pending.pop(pid, None)
            continue
        by = partner_of.get(own.lower())
        proposal = KeyProposal(pid, new, in_force.get(pid), when, by)
        if by is not None:
            proposal.endorsed.add(by)
        pending[pid] = proposal
    _settle(pending, accepts, partner_of, list(cfg.partners), in_force, until=None)
    return [pending[pid] for pid in sorted(pending) if pid in cfg.partners]


def _settle(
    pending: dict[str, KeyProposal],
    accepts: list[SettingAccept],
    partner_of: dict[str, str],
    partners: list[str],
    in_force: dict[str, str | None],
    until: dt.datetime | None,
) -> None:
    """Count the acceptances made before `until`; a key endorsed by all is in force."""
    for pid, proposal in list(pending.items()):
        wanted = setting_digest(proposal.new)
        for when, email, name, digest in accepts:
            if name != proposal.setting or digest != wanted or utc(when) < utc(proposal.since):
                continue
            if until is not None and utc(when) > utc(until):
                continue
            who = partner_of.get(email.lower())
            if who is not None:
                proposal.endorsed.add(who)
        if all(p in proposal.endorsed for p in partners):
            in_force[pid] = proposal.new
            del pending[pid]
