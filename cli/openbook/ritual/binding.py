"""What holds now by consent, for `status`, the agenda and `sync`: a pause that holds, new
settings one partner proposed that the other has not accepted yet, and that no check-in
schedule is agreed yet (SPEC section 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openbook.config import Config
from openbook.notetypes.pause import holds
from openbook.notetypes.registry import as_datetime
from openbook.ritual.counting import Counting
from openbook.ritual.facts import Notes
from openbook.ritual.history import VaultHistory
from openbook.ritual.settings import (
    differences,
    pause_sentence,
    pending_proposal,
    proposal_sentence,
    settings_in_force,
)


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


def settings_proposal(hist: VaultHistory, cfg: Config) -> dict[str, Any] | None:
    """New settings waiting for the other partner: {"by", "since", "digest", "changes",
    "waiting", "text"}; None when the settings in force are the newest."""
    if not hist.own:
        return None
    proposal = pending_proposal(hist.configs, hist.accepts, cfg)
    if proposal is None:
        return None
    force = settings_in_force(hist.configs, hist.accepts, cfg)
    changes = differences(force[-1].text if force else "", proposal.text)
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
    if model.schedules.agreed(now):
        return None
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
        "paused": pause_now(notes, cfg, as_of),
        "settings_proposal": proposal,
        "no_schedule": schedule_notice(model, as_of, proposal),
    }
