"""What holds now by consent, for `status`, the agenda and `sync`: a pause that holds, new
settings one partner proposed that the other has not accepted yet, that no check-in
schedule is agreed yet, and the terms in force that new notes are written by (SPEC
section 10)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openbook.check.held_pauses import HeldPause, from_notes, received
from openbook.config import CONFIG_NAME, Config, config_from_bytes
from openbook.git import ledger
from openbook.render import MAX_TEMPLATE, VAULT_TEMPLATES
from openbook.ritual.counting import Counting
from openbook.ritual.facts import Notes
from openbook.ritual.history import VaultHistory, terms_in_force
from openbook.ritual.remembered import history, own_head
from openbook.ritual.replaced_keys import pending_keys
from openbook.ritual.settings import (
    BINDING,
    Proposal,
    differences,
    pause_sentence,
    proposal_of,
    proposal_sentence,
    replayed,
)
from openbook.ritual.terms_text import template_prompts
from openbook.ritual.trust_terms import key_sentence, partners_raw
from openbook.trust.inforce import setting_digest
from openbook.vault import Terms, Vault


def _name(cfg: Config, pid: Any) -> str:
    partner = cfg.partners.get(pid) if isinstance(pid, str) else None
    return partner.name if partner else str(pid)


def pause_now(
    notes: Notes,
    cfg: Config,
    now: dt.datetime,
    held: tuple[HeldPause, ...] | None = None,
    me: str | None = None,
) -> dict[str, Any] | None:
    """The pause of everything that holds now, oldest first: {"by", "since", "until",
    "path", "text"}; `held` is history's pauses (else the notes'). The text names what
    someone else did to the pauser's note: it changed nothing. For `me` (status) it says
    how the pause ends: the command to the one who paused, who can end it to the other."""
    pauses = held if held is not None else tuple(from_notes(notes.get("pause"), cfg.tz))
    found = [p for p in pauses if p.agreement is None and p.holds(now)]
    if not found:
        return None
    first = found[0]
    name = _name(cfg, first.by)
    text = pause_sentence("you" if me == first.by else name, first.since, first.until, cfg.tz)
    if me is not None:
        text += " 'openbook resume' ends it." if me == first.by else f" Only {name} can end it."
    return {
        "by": first.by,
        "since": first.since.isoformat(),
        "until": first.until.isoformat() if first.until else None,
        "path": first.path,
        "text": " ".join([text, *changed_sentences(first, cfg)]),
    }


def receipt(vault: Vault, held: tuple[HeldPause, ...], path: str) -> str:
    """' Bob has not received it yet: run 'openbook sync'.' for one's own pause that the
    head both last shared does not hold yet ('' once it does, or with no one to share)."""
    pause = next((p for p in held if p.path == path), None)
    if pause is None or received(vault, pause) is not False:
        return ""
    cfg = vault.config
    other = next((p for p in cfg.partners if p != pause.by), None)
    who = _name(cfg, other) if other else "Your partner"
    return f" {who} has not received it yet: run 'openbook sync'."


def changed_sentences(pause: HeldPause, cfg: Config) -> list[str]:
    """'Alice's pause note was deleted by Bob's commit 1234567; the pause still holds
    until Alice resumes.'"""
    emails = {p.email.lower(): p.name for p in cfg.partners.values()}
    who = _name(cfg, pause.by)
    out = []
    for how, email, sha in pause.changed[-1:]:
        by = emails.get(email.lower(), email)
        out.append(
            f"{who}'s pause note was {how} by {by}'s commit {sha[:7]}; the pause still holds "
            f"until {who} resumes."
        )
    return out


def proposed_template_prompts(hist: VaultHistory, cfg: Config) -> list[str]:
    """The prompts the waiting proposal adds to and removes from each template ([] when
    it changes none)."""
    proposal = pending_of(hist, cfg) if hist.own else None
    if proposal is None:
        return []
    force = terms_in_force(hist, cfg)
    return template_prompts(force[-1].templates if force else {}, proposal.templates)


def pending_of(hist: VaultHistory, cfg: Config, names: list[str] | None = None) -> Proposal | None:
    """The settings waiting for consent (all, or the `names` given), together."""
    r = replayed(
        hist.configs, hist.accepts, hist.terms, hist.setting_accepts, hist.setting_declines
    )
    return proposal_of(r, names)


def settings_proposal(
    hist: VaultHistory, cfg: Config, names: list[str] | None = None, me: str | None = None
) -> dict[str, Any] | None:
    """New settings waiting for the other partner: {"by", "since", "digest", "changes",
    "waiting", "keys", "settings", "joined", "text"}; None when nothing waits. `keys`
    names the replaced signing keys waiting (`partners.<id>.signing_key`: digest);
    `settings` each waiting setting's name and digest. For `me` (status), the text
    speaks to the one reading it."""
    if not hist.own:
        return None
    proposal = pending_of(hist, cfg, names)
    keys = pending_keys(hist.keys, hist.setting_accepts, cfg)
    if proposal is None and not keys:
        return None
    changes: list[str] = []
    waiting: list[str] = []
    if proposal is not None:
        force = terms_in_force(hist, cfg)
        now = force[-1] if force else None
        changes = differences(
            now.text if now else "", proposal.text, now.templates if now else {}, proposal.templates
        )
        waiting = [pid for pid in proposal.required if pid not in proposal.endorsed]
    for k in keys:
        changes.append(key_sentence(_name(cfg, k.partner), k.new, k.old))
        waiting += [pid for pid in cfg.partners if pid not in k.endorsed and pid not in waiting]
    who = proposal.by if proposal is not None else keys[0].by
    since = proposal.since if proposal is not None else keys[0].since

    joined = proposal.joined if proposal is not None else True

    def name(pid: str) -> str:  # the joining sentence names both by name
        return "you" if pid == me and joined else _name(cfg, pid)

    by = name(who) if who else None
    return {
        "by": who,
        "since": since.isoformat(),
        "digest": proposal.digest if proposal is not None else None,
        "changes": changes,
        "waiting": waiting,
        "keys": {k.setting: setting_digest(k.new) for k in keys},
        "settings": {n: p.digest for n, p in proposal.settings.items()} if proposal else {},
        "joined": proposal.joined if proposal is not None else True,
        "text": proposal_sentence(
            by,
            since,
            changes,
            [name(w) for w in waiting],
            cfg.tz,
            proposal.joined if proposal is not None else True,
        ),
    }


def _keys_in_force(cfg: Config, hist: VaultHistory) -> Config:
    """A replaced key not yet accepted is not in force: the key before it is."""
    pending = pending_keys(hist.keys, hist.setting_accepts, cfg)
    if not pending:
        return cfg
    raw = dict(cfg.raw)
    partners = {pid: dict(info) for pid, info in partners_raw(raw).items()}
    for k in pending:
        entry = partners.get(k.partner)
        if entry is None:
            continue
        entry.pop("signing_key", None)
        if k.old:
            entry["signing_key"] = k.old
    raw["partners"] = partners
    return dataclasses.replace(cfg, raw=raw)


# ------------------------------------------------------------------ the terms in force


def _working_templates(vault: Vault) -> dict[str, str]:
    """The templates on disk (a vault without a history of its own): regular files only,
    never through a symbolic link."""
    folder = vault.root / VAULT_TEMPLATES
    if not folder.is_dir() or any(p.is_symlink() for p in (folder, folder.parent)):
        return {}
    out = {}
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
        for name in files:
            path = Path(top) / name
            if not name.endswith(".j2") or path.is_symlink() or not path.is_file():
                continue
            try:
                if path.stat().st_size <= MAX_TEMPLATE:
                    rel = path.relative_to(folder).as_posix()
                    out[rel] = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
    return dict(sorted(out.items()))


def config_in_force(cfg: Config, text: str, joined: bool = True) -> Config:
    """openbook.yml as it is, with the binding settings of the version in force (`text`):
    the schedules, the meeting, the time zone, the partners, whether signatures are
    required. A partner's own signing key is theirs: it is kept as the file lists it. A
    file that does not load is set aside whole for the version in force."""
    agreed = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    if not cfg.loads:
        return dataclasses.replace(
            agreed,
            path=cfg.path,
            digest=cfg.digest,
            problems=[],
            set_aside=list(cfg.problems),
            agreed=joined,
        )
    raw = {k: v for k, v in cfg.raw.items() if k not in BINDING}
    raw.update({k: v for k, v in agreed.raw.items() if k in BINDING})
    raw["partners"] = _own_keys(partners_raw(agreed.raw), partners_raw(cfg.raw))
    return dataclasses.replace(
        cfg,
        timezone=agreed.timezone,
        partners=dict(agreed.partners),
        require_signatures=agreed.require_signatures,
        checkins={p: s for p, s in agreed.checkins.items() if p in agreed.partners},
        answer_within=agreed.answer_within,
        meeting_on=agreed.meeting_on,
        meeting_at=agreed.meeting_at,
        meeting_minutes=agreed.meeting_minutes,
        review_every=agreed.review_every,
        timeout_min=agreed.timeout_min,
        timeout_max=agreed.timeout_max,
        agreed=joined,
        raw=raw,
    )


def _own_keys(
    agreed: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The partners in force, each with the signing key the file lists for them."""
    out = {}
    for pid, info in agreed.items():
        entry = {k: v for k, v in info.items() if k != "signing_key"}
        key = current.get(pid, {}).get("signing_key")
        if key is not None:
            entry["signing_key"] = key
        out[pid] = entry
    return out


def config_provider(vault: Vault) -> Callable[[Config], Config]:
    """What `vault.config` asks: openbook.yml with the settings in force from history (the
    last version both accepted). A file that does not load is never used (SPEC section 7);
    a vault without a history of its own takes the file as it is."""

    def provide(cfg: Config) -> Config:
        hist = history(vault)
        if not hist.own:
            return cfg
        force = terms_in_force(hist, cfg)
        if not force:
            return cfg
        agreed = config_in_force(cfg, force[-1].text, force[-1].joined)
        return _keys_in_force(agreed, hist)

    return provide


def vault_terms(vault: Vault, hist: VaultHistory | None = None) -> Terms:
    """The terms new notes are written by: openbook.yml with the binding settings in force
    and the vault's templates in force. A vault without a history of its own takes the
    files as they are (its first version is in force)."""
    cfg = vault.config
    hist = hist or history(vault)
    if not hist.own:
        return Terms(cfg, _working_templates(vault))
    force = terms_in_force(hist, cfg)
    if not force:
        return Terms(cfg)
    return Terms(config_in_force(cfg, force[-1].text, force[-1].joined), dict(force[-1].templates))


def terms_provider(vault: Vault) -> Callable[[], Terms]:
    """What `vault.terms()` asks: the terms in force, read again only when HEAD moved."""
    seen: dict[str, Terms] = {}

    def provide() -> Terms:
        key = (own_head(vault) or ledger.head(vault)) if vault.is_own_repo else None
        if key is None:
            return vault_terms(vault)
        if key not in seen:
            seen.clear()
            seen[key] = vault_terms(vault)
        return seen[key]

    return provide


NO_SCHEDULE = (
    "No check-in schedule is agreed yet. To propose one, one of you adds it under checkins "
    "in openbook.yml and syncs; the other accepts it with 'openbook accept settings'."
)
SCHEDULE_PROPOSED = (
    "No check-in schedule is agreed yet; the one proposed above is in force once you have "
    "both accepted it."
)


def schedule_notice(
    model: Counting, now: dt.datetime, proposal: dict[str, Any] | None
) -> dict[str, Any] | None:
    """{"text"} when no check-in schedule is agreed now (init writes none: a schedule is
    proposed and accepted like any other binding term); None when one is."""
    if model.schedules.agreed(now) or model.schedules.paused(now):
        return None  # while everything is paused, the pause is what is said
    changes = proposal.get("changes", []) if proposal else []
    proposed = any("check-ins:" in str(c) for c in changes)
    return {"text": SCHEDULE_PROPOSED if proposed else NO_SCHEDULE}


def consent_now(
    notes: Notes, cfg: Config, hist: VaultHistory, model: Counting, as_of: dt.datetime
) -> dict[str, dict[str, Any] | None]:
    """What the agenda's Opening names: the pause that holds, new settings waiting for
    consent, and that no check-in schedule is agreed yet (each {"text", ...} or None)."""
    proposal = settings_proposal(hist, cfg)
    return {
        "paused": pause_now(notes, cfg, as_of, model.held),
        "settings_proposal": proposal,
        "no_schedule": schedule_notice(model, as_of, proposal),
    }
