"""`openbook accept settings`: a partner's consent to the settings the other proposed.

The binding settings (check-in schedules, answer times, the meeting, the review rhythm,
timeouts, and the vault's templates) change only when both have accepted them (SPEC
section 10). The consent is an empty commit by the accepting partner naming the digest
of what they accepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openbook.errors import OpenbookError
from openbook.git import ledger
from openbook.record.guard import require_can_sign
from openbook.ritual.binding import proposed_template_diff, settings_proposal
from openbook.ritual.calendar import short_day
from openbook.ritual.history import read_history
from openbook.vault import Vault


@dataclass
class SettingsConsent:
    message: str
    changes: list[str]
    commit: str | None = None
    digest: str | None = None
    diff: list[str] = field(default_factory=list)  # of the templates, to show before asking


def proposal_for(vault: Vault, partner: str) -> SettingsConsent:
    """What `partner` would accept, in plain words; refused when there is nothing to accept."""
    cfg = vault.require_config()
    hist = read_history(vault)
    proposal = settings_proposal(hist, cfg)
    if proposal is None:
        raise OpenbookError(
            "There are no new settings waiting for consent; the settings you both accepted "
            "are in force ('openbook status' shows them)."
        )
    if partner not in proposal["waiting"]:
        raise OpenbookError(
            "You proposed these settings (or accepted them already); they come into force "
            "when your partner runs 'openbook accept settings' on their own copy."
        )
    by = cfg.partners.get(str(proposal.get("by")))
    when = dt.datetime.fromisoformat(proposal["since"]).astimezone(cfg.tz).date()
    said = (
        f"{by.name} proposed new settings on {short_day(when)}"
        if by
        else f"New settings came together from both of your changes on {short_day(when)}"
    )
    return SettingsConsent(
        f"{said}. If you accept, they are in force from now on for both of you; nothing "
        "before now is counted again:",
        list(proposal["changes"]),
        None,
        proposal["digest"],
        proposed_template_diff(hist, cfg),
    )


def accept_settings(vault: Vault, partner: str) -> SettingsConsent:
    """Record `partner`'s consent to the proposed settings as one commit of the log."""
    vault.require_writable()
    require_can_sign(vault)
    with vault.lock():
        consent = proposal_for(vault, partner)
        body = "\n".join(consent.changes) or None
        sha = ledger.record(
            vault,
            partner,
            "accept",
            "settings",
            [],
            "openbook.yml",
            body=body,
            allow_empty=True,
            extra={"Settings": str(consent.digest)},
        )
    consent.commit = sha
    consent.message = "You accepted the new settings; they are in force from now for both of you."
    return consent
