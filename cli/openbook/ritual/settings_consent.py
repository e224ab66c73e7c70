"""`openbook accept settings`: a partner's consent to the settings the other proposed.

The binding settings (check-in schedules, answer times, the meeting, the review rhythm,
timeouts, the time zone, the partners, whether signatures are required, and the vault's
templates) change only when both have accepted them (SPEC sections 7 and 10). The
consent is an empty commit by the accepting partner naming the digest of what they
accepted (`Openbook-Settings`) and each setting with its value's digest
(`Openbook-Setting: NAME DIGEST`, for the verifier).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from openbook.config import CONFIG_NAME, Config, config_from_bytes
from openbook.errors import OpenbookError
from openbook.errors import shown as shown_text
from openbook.git import ledger
from openbook.record.guard import require_can_sign
from openbook.ritual.binding import pending_of, proposed_template_prompts, settings_proposal
from openbook.ritual.calendar import short_day
from openbook.ritual.history import read_history
from openbook.ritual.settings import digest_of
from openbook.ritual.trust_terms import fingerprint, key_text, partners_raw
from openbook.trust.signing import configured_key
from openbook.vault import Vault


@dataclass
class SettingsConsent:
    message: str
    changes: list[str]
    commit: str | None = None
    digest: str | None = None
    prompts: list[str] = field(default_factory=list)  # each template's, added and removed
    settings: list[str] = field(default_factory=list)  # `NAME DIGEST` of what is accepted
    version: str = ""  # of all that is shown: `accept_settings` binds to it


def _known_names(vault: Vault, names: list[str] | None) -> list[str] | None:
    """The named settings, refused when one names nothing waiting."""
    if not names:
        return None
    cfg = vault.require_config()
    hist = read_history(vault)
    every = settings_proposal(hist, cfg)
    waiting = set(every["settings"]) | set(every["keys"]) if every else set()
    unknown = [n for n in names if n not in waiting]
    if unknown:
        listed = ", ".join(sorted(waiting)) or "none"
        raise OpenbookError(
            f"No proposed setting is named {shown_text(unknown[0])}; the settings waiting are: "
            f"{listed}. See them with 'openbook accept settings'."
        )
    return list(names)


def proposal_for(vault: Vault, partner: str, names: list[str] | None = None) -> SettingsConsent:
    """What `partner` would accept (all that waits, or the `names` given), in plain words;
    refused when there is nothing to accept."""
    cfg = vault.require_config()
    hist = read_history(vault)
    names = _known_names(vault, names)
    proposal = settings_proposal(hist, cfg, names)
    pending = pending_of(hist, cfg, names)
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
    proposed = config_from_bytes(
        (pending.text if pending else "").encode("utf-8"), Path(CONFIG_NAME)
    )
    keys = _keys_to_compare(vault, cfg, partner) if _turns_on_signatures(cfg, proposed) else []
    named = dict(proposal["settings"])
    named.update({k: d for k, d in proposal["keys"].items() if names is None or k in names})
    settings = [f"{name} {d}" for name, d in sorted(named.items())]
    version = digest_of({"settings": proposal["digest"], "each": settings})
    by = cfg.partners.get(str(proposal.get("by")))
    when = dt.datetime.fromisoformat(proposal["since"]).astimezone(cfg.tz).date()
    said = (
        f"{by.name} proposed new settings on {short_day(when)}"
        if by
        else f"New settings came together from both of your changes on {short_day(when)}"
    )
    if not proposal["joined"]:
        said = f"{by.name if by else 'Your partner'} wrote the vault's first settings"
    return SettingsConsent(
        f"{said}. If you accept, they are in force from now on for both of you; nothing "
        "before now is counted again:",
        [*proposal["changes"], *keys],
        None,
        proposal["digest"],
        proposed_template_prompts(hist, cfg),
        settings,
        version,
    )


def _turns_on_signatures(cfg: Config, proposed: Config) -> bool:
    return proposed.require_signatures and not cfg.require_signatures


def _keys_to_compare(vault: Vault, cfg: Config, partner: str) -> list[str]:
    """Both partners' key fingerprints, to compare aloud before signatures are required;
    refused unless this clone signs with the key listed for `partner`."""
    keys = {pid: key_text(info.get("signing_key")) for pid, info in partners_raw(cfg.raw).items()}
    missing = [cfg.partners[pid].name for pid in cfg.partners if not keys.get(pid)]
    if missing:
        raise OpenbookError(
            f"Signatures can be required once both of you have a key; {' and '.join(missing)} "
            f"{'has' if len(missing) == 1 else 'have'} none yet: each runs 'openbook keys add' "
            "on their own copy, then 'openbook accept settings' again."
        )
    signing = configured_key(vault.root)
    if signing is None or signing.key.text != keys.get(partner):
        raise OpenbookError(
            f"This clone does not sign with the key {CONFIG_NAME} lists for you; run "
            "'openbook keys add' here first, then 'openbook accept settings' again."
        )
    return [
        "Compare these keys aloud with each other before accepting: "
        + "; ".join(f"{cfg.partners[pid].name} {fingerprint(keys[pid])}" for pid in cfg.partners)
    ]


def accept_settings(
    vault: Vault,
    partner: str,
    shown: str | None = None,
    names: list[str] | None = None,
    when: dt.datetime | None = None,
) -> SettingsConsent:
    """Record `partner`'s consent to the proposed settings (all, or the `names` given) as
    one commit of the log. With `shown` (the `version` of what the partner read), nothing
    is accepted if it changed."""
    vault.require_writable()
    require_can_sign(vault)
    with vault.lock():
        consent = proposal_for(vault, partner, names)
        if shown is not None and consent.version != shown:
            raise OpenbookError(
                "The proposed settings changed while you read them; nothing was accepted. "
                "Read them again with 'openbook accept settings'."
            )
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
            when=when,  # the demo's history, replayed at its own dates
            extra={
                **({"Settings": consent.digest} if consent.digest else {}),
                "Setting": consent.settings,
            },
        )
    vault.forget_config()
    consent.commit = sha
    consent.message = "You accepted the new settings; they are in force from now for both of you."
    return consent


def decline_settings(vault: Vault, partner: str, names: list[str] | None = None) -> SettingsConsent:
    """Record `partner`'s no to the settings the other proposed (all, or the `names`
    given): the proposal is cleared from the agenda and status; the settings in force stay.
    The proposer's own decline withdraws their proposal."""
    vault.require_writable()
    require_can_sign(vault)
    with vault.lock():
        cfg = vault.require_config()
        hist = read_history(vault)
        names = _known_names(vault, names)
        proposal = settings_proposal(hist, cfg, names)
        if proposal is None or not proposal["settings"]:
            raise OpenbookError(
                "There are no proposed settings to decline; the settings you both accepted "
                "are in force ('openbook status' shows them)."
            )
        settings = [f"{n} {d}" for n, d in sorted(proposal["settings"].items())]
        sha = ledger.record(
            vault,
            partner,
            "decline",
            "settings",
            [],
            "openbook.yml",
            body="\n".join(proposal["changes"]) or None,
            allow_empty=True,
            extra={"Setting": settings},
        )
    vault.forget_config()
    own = proposal["by"] == partner
    return SettingsConsent(
        "You withdrew your proposal; the settings you both accepted stay in force."
        if own
        else "You said no to the proposed settings; the settings you both accepted stay in force.",
        list(proposal["changes"]),
        sha,
        settings=settings,
    )
