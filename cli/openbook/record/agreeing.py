"""Consenting to an agreement's words, declining them, retiring or withdrawing it.

`accept A-ID` binds to the exact words it showed (their digest is the commit's
`Openbook-Terms` trailer): if the file changed while the person read it, nothing is
accepted. `decline A-ID` records the other partner's no and clears it from the agenda.
Retiring needs both, except that the proposer alone withdraws an agreement that was never
in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openbook.check.terms import Replayed, replayed
from openbook.errors import OpenbookError
from openbook.errors import shown as escaped
from openbook.notes.parse import Note, parse_bytes
from openbook.notetypes.agreement import terms_digest
from openbook.record.consent import ConsentResult, _as_list, _names, _rewrite, _writable, find_note
from openbook.vault import Vault

GUARDING = ("transparency", "safeguard")
# what openbook never gathers about a person (GUIDE invariant 1); an agreement that speaks
# of these gets one calm line pointing to the couple's therapist
GATHERED = re.compile(
    r"\b(phones?|locations?|whereabouts|messages?|texts|screenshots?|passwords?)\b", re.I
)
NEVER_GATHERED = (
    "  openbook never gathers phone logs, locations, messages, screenshots or passwords; "
    "decisions like this belong in a conversation with your therapist (docs/resources.md)."
)


def speaks_of_gathering(*texts: str) -> bool:
    """Whether any of `texts` speaks of phones, locations, messages, screenshots or
    passwords."""
    return any(GATHERED.search(t) for t in texts)


@dataclass
class ShownAgreement:
    id: str
    path: str
    version: str  # the digest of the words shown: what accepting them binds to
    lines: list[str]
    note: Note  # the file as it is on disk (not the words in force)


def _on_disk(vault: Vault, aid: str) -> Note:
    """Agreement `aid` as its file says, not as the words in force show it."""
    found = find_note(vault, aid, "agreement")
    return parse_bytes(found.path, (vault.root / found.path).read_bytes(), positions=False)


def _review(m: dict[str, Any], path: str) -> str:
    every = m.get("review_every")
    if m.get("next_review"):
        return f"  Reviewed on {m['next_review']}" + (f", then every {every}." if every else ".")
    if every:
        return f"  Reviewed every {every}."
    return f"  Reviewed: no date yet; add next_review to {path} together."


def _relax(m: dict[str, Any]) -> list[str]:
    if m.get("relax_when"):
        return [f"  What would let you relax it: {escaped(str(m['relax_when']))}"]
    if m.get("kind") in GUARDING and not m.get("sunset"):
        return [
            "  Before you accept: nothing yet says what would let you relax this; "
            "you can add it together at its review."
        ]
    return ["  What would let you relax it: not written yet (worth agreeing on at its review)."]


def _lines(vault: Vault, note: Note) -> list[str]:
    m = note.meta
    names = vault.config.partners
    owners = _as_list(m.get("owners"))
    whom = " and ".join(names[p].name if p in names else p for p in owners) or "both of you"
    lines = [f"{m.get('id')}: {escaped(str(m.get('title') or ''))}"]
    body = [ln.rstrip() for ln in note.body.replace("\r\n", "\n").strip("\n").split("\n")]
    lines += [f"    {escaped(ln)}".rstrip() for ln in body if body != [""]]
    lines.append(f"  It asks of: {whom}.")
    for measure in _as_list(m.get("measures")):
        lines.append(f"  How we will see it: {escaped(measure)}")
    if m.get("if_crossed"):
        lines.append(f"  If it is crossed: {escaped(str(m['if_crossed']))}")
    lines.append(_review(m, note.path))
    lines += _relax(m)
    if m.get("sunset"):
        lines.append(f"  It ends by itself on {m['sunset']} unless you renew it.")
    said = [str(m.get(k) or "") for k in ("title", "if_crossed", "relax_when")]
    if speaks_of_gathering(note.body, *said, *map(str, _as_list(m.get("measures")))):
        lines.append(NEVER_GATHERED)
    return lines


def shown_agreement(vault: Vault, aid: str) -> ShownAgreement:
    """What accepting `aid` means, in plain lines, and the version of its words."""
    note = _on_disk(vault, aid)
    version = terms_digest(note.meta, note.body)
    return ShownAgreement(aid, note.path, version, _lines(vault, note), note)


def describe(vault: Vault, aid: str) -> list[str]:
    return shown_agreement(vault, aid).lines


def _history(vault: Vault, aid: str) -> Replayed | None:
    return replayed(vault, vault.state_dir())[1].get(aid)


def _agreed(vault: Vault, m: dict[str, Any], st: Replayed | None, version: str) -> list[str]:
    """The partners whose consent to these words stands: listed in the file and, where
    history knows the agreement, whose last acceptance was of these words."""
    listed = _as_list(m.get("accepted_by"))
    return [
        p
        for p in vault.config.partners
        if p in listed and (st is None or st.latest.get(p, version) == version)
    ]


def accept(vault: Vault, partner: str, aid: str, version: str | None = None) -> ConsentResult:
    """Consent to the words of `aid` (exactly those of `version` when given)."""
    from openbook.git import ledger

    _writable(vault)
    with vault.lock():
        shown = shown_agreement(vault, aid)
        if version is not None and shown.version != version:
            raise OpenbookError(
                f"{aid} changed while you read it ({shown.path}), so nothing was accepted; "
                f"run 'openbook accept {aid}' to see its words now."
            )
        m = shown.note.meta
        status = m.get("status")
        if status == "retired":
            raise OpenbookError(
                f"{aid} is retired; propose a new agreement with "
                "'openbook new agreement' if you want it back."
            )
        st = _history(vault, aid)
        agreed = _agreed(vault, m, st, shown.version)
        if partner in agreed:
            waiting = [p for p in vault.config.partners if p not in agreed]
            then = (
                f"; it becomes active when {_names(vault, waiting)} accepts too" if waiting else ""
            )
            raise OpenbookError(f"You have already accepted {aid}{then}. Nothing was changed.")
        accepted = _as_list(m.get("accepted_by"))
        if partner not in accepted:
            accepted.append(partner)
        agreed.append(partner)
        waiting = [p for p in vault.config.partners if p not in agreed]
        updates: dict[str, Any] = {"accepted_by": accepted}
        new_status = str(status)
        if not waiting:
            new_status = "active"
            if status != "active":
                updates["status"] = "active"
            if not m.get("since"):
                updates["since"] = vault.today()
            if "paused_by" in m:
                updates["paused_by"] = None
        _rewrite(vault, shown.note, updates)
        sha = ledger.record(
            vault,
            partner,
            "accept",
            "agreement",
            [shown.path],
            aid,
            allow_empty=True,
            extra={"Terms": shown.version},
        )
    if waiting:
        msg = f"You accepted {aid}; it becomes active when {_names(vault, waiting)} accepts too."
    else:
        msg = f"{aid} is active: you have both accepted these words."
    details = {"accepted_by": accepted, "waiting_for": waiting, "terms": shown.version}
    return ConsentResult(aid, shown.path, "accept", sha, new_status, msg, details)


def decline(vault: Vault, partner: str, aid: str) -> ConsentResult:
    """Say no to the words of `aid` as they stand: a commit, nothing else changes."""
    from openbook.git import ledger

    _writable(vault)
    with vault.lock():
        shown = shown_agreement(vault, aid)
        m = shown.note.meta
        st = _history(vault, aid)
        if m.get("status") == "retired":
            raise OpenbookError(f"{aid} is retired; there is nothing to decline.")
        if partner in _agreed(vault, m, st, shown.version):
            raise OpenbookError(
                f"You accepted {aid} as it is written. To take back your consent, run "
                f"'openbook pause {aid}'; to end it, 'openbook retire {aid}' (it needs both)."
            )
        if m.get("proposed_by") == partner and (st is None or st.in_force is None):
            raise OpenbookError(f"You proposed {aid}; to withdraw it, run 'openbook retire {aid}'.")
        if st is not None and st.declined.get(partner) == shown.version:
            raise OpenbookError(f"You have already declined {aid} as it is written.")
        sha = ledger.record(
            vault,
            partner,
            "decline",
            "agreement",
            [],
            aid,
            allow_empty=True,
            extra={"Terms": shown.version},
        )
    others = _names(vault, [p for p in vault.config.partners if p != partner])
    msg = (
        f"You declined {aid} as it is written; it leaves the agenda and nothing else "
        f"changes. {others} can change its words and propose them again, or retire it."
    )
    return ConsentResult(aid, shown.path, "decline", sha, str(m.get("status")), msg)


def retire(vault: Vault, partner: str, aid: str) -> ConsentResult:
    """Ask to retire `aid` (it retires when both have asked); the proposer alone withdraws
    an agreement that was never in force."""
    from openbook.git import ledger

    _writable(vault)
    with vault.lock():
        shown = shown_agreement(vault, aid)
        m = shown.note.meta
        status = m.get("status")
        if status == "retired":
            raise OpenbookError(f"{aid} is already retired. Nothing was changed.")
        requested = _as_list(m.get("retire_requested_by"))
        if partner in requested:
            waiting = [p for p in vault.config.partners if p not in requested]
            raise OpenbookError(
                f"You have already asked to retire {aid}; it retires when "
                f"{_names(vault, waiting)} runs 'openbook retire {aid}' too. Nothing was changed."
            )
        st = _history(vault, aid)
        withdraw = (
            m.get("proposed_by") == partner
            and status == "proposed"
            and (st is None or st.in_force is None)
        )
        requested.append(partner)
        waiting = [] if withdraw else [p for p in vault.config.partners if p not in requested]
        updates: dict[str, Any] = {"retire_requested_by": requested}
        new_status = str(status)
        if not waiting:
            updates["status"] = new_status = "retired"
        _rewrite(vault, shown.note, updates)
        sha = ledger.record(vault, partner, "retire", "agreement", [shown.path], aid)
    if withdraw:
        msg = f"You withdrew {aid}: it was never in force. It stays in the history."
    elif waiting:
        msg = (
            f"You asked to retire {aid}; it stays {status} until {_names(vault, waiting)} "
            f"runs 'openbook retire {aid}' too."
        )
    else:
        msg = f"{aid} is retired: you both agreed. It stays in the history."
    details = {"retire_requested_by": requested, "waiting_for": waiting}
    return ConsentResult(aid, shown.path, "retire", sha, new_status, msg, details)
