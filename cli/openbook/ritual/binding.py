"""What holds now by consent: a pause that holds, new settings one partner proposed that
the other has not accepted yet (for `status` and the agenda), and the terms in force that
new notes are written by (SPEC section 10)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openbook.config import CONFIG_NAME, Config, config_from_bytes
from openbook.git import ledger
from openbook.notetypes.pause import holds
from openbook.notetypes.registry import as_datetime
from openbook.render import MAX_TEMPLATE, VAULT_TEMPLATES
from openbook.ritual.facts import Notes
from openbook.ritual.history import VaultHistory, read_history, terms_in_force
from openbook.ritual.settings import (
    BINDING,
    differences,
    pause_sentence,
    pending_proposal,
    proposal_sentence,
)
from openbook.ritual.terms_text import template_diff
from openbook.vault import Terms, Vault


def _name(cfg: Config, pid: Any) -> str:
    partner = cfg.partners.get(pid) if isinstance(pid, str) else None
    return partner.name if partner else str(pid)


def pause_now(notes: Notes, cfg: Config, now: dt.datetime) -> dict[str, Any] | None:
    """The pause that holds now, oldest first: {"by", "since", "until", "path", "text"}."""
    found = sorted(
        (n for n in notes.get("pause") if holds(n.meta, now, cfg.tz)), key=lambda n: n.path
    )
    if not found:
        return None
    meta = found[0].meta
    since = as_datetime(meta.get("since"), cfg.tz) or now
    until = as_datetime(meta.get("until"), cfg.tz)
    return {
        "by": meta.get("by"),
        "since": since.isoformat(),
        "until": until.isoformat() if until else None,
        "path": found[0].path,
        "text": pause_sentence(_name(cfg, meta.get("by")), since, until, cfg.tz),
    }


def proposed_template_diff(hist: VaultHistory, cfg: Config) -> list[str]:
    """The unified diff of the templates the waiting proposal changes ([] when none)."""
    proposal = pending_proposal(hist.configs, hist.accepts, cfg, hist.terms) if hist.own else None
    if proposal is None:
        return []
    force = terms_in_force(hist, cfg)
    return template_diff(force[-1].templates if force else {}, proposal.templates)


def settings_proposal(hist: VaultHistory, cfg: Config) -> dict[str, Any] | None:
    """New settings waiting for the other partner: {"by", "since", "digest", "changes",
    "waiting", "text"}; None when the settings in force are the newest."""
    if not hist.own:
        return None
    proposal = pending_proposal(hist.configs, hist.accepts, cfg, hist.terms)
    if proposal is None:
        return None
    force = terms_in_force(hist, cfg)
    now = force[-1] if force else None
    changes = differences(
        now.text if now else "", proposal.text, now.templates if now else {}, proposal.templates
    )
    waiting = [pid for pid in cfg.partners if pid not in proposal.endorsed]
    by = _name(cfg, proposal.by) if proposal.by else None
    return {
        "by": proposal.by,
        "since": proposal.since.isoformat(),
        "digest": proposal.digest,
        "changes": changes,
        "waiting": waiting,
        "text": proposal_sentence(
            by, proposal.since, changes, [_name(cfg, w) for w in waiting], cfg.tz
        ),
    }


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


def config_in_force(cfg: Config, text: str) -> Config:
    """openbook.yml as it is, with the binding settings of the version in force (`text`)."""
    agreed = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    raw = {k: v for k, v in cfg.raw.items() if k not in BINDING}
    raw.update({k: v for k, v in agreed.raw.items() if k in BINDING})
    return dataclasses.replace(
        cfg,
        checkins={p: s for p, s in agreed.checkins.items() if p in cfg.partners},
        answer_within=agreed.answer_within,
        meeting_on=agreed.meeting_on,
        meeting_at=agreed.meeting_at,
        meeting_minutes=agreed.meeting_minutes,
        review_every=agreed.review_every,
        timeout_min=agreed.timeout_min,
        timeout_max=agreed.timeout_max,
        raw=raw,
    )


def vault_terms(vault: Vault, hist: VaultHistory | None = None) -> Terms:
    """The terms new notes are written by: openbook.yml with the binding settings in force
    and the vault's templates in force. A vault without a history of its own takes the
    files as they are (its first version is in force)."""
    cfg = vault.config
    hist = hist or read_history(vault)
    if not hist.own:
        return Terms(cfg, _working_templates(vault))
    force = terms_in_force(hist, cfg)
    if not force:
        return Terms(cfg)
    return Terms(config_in_force(cfg, force[-1].text), dict(force[-1].templates))


def terms_provider(vault: Vault) -> Callable[[], Terms]:
    """What `vault.terms()` asks: the terms in force, read again only when HEAD moved."""
    seen: dict[str, Terms] = {}

    def provide() -> Terms:
        key = ledger.head(vault) if vault.is_own_repo else None
        if key is None:
            return vault_terms(vault)
        if key not in seen:
            seen.clear()
            seen[key] = vault_terms(vault)
        return seen[key]

    return provide
