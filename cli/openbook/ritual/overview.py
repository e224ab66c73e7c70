"""The facts `status` shows: who I am, what is due, what is waiting. Nothing is left out:
pauses, retirements waiting for the other partner, proposals, agreements deleted without
being retired and open timeouts are all named, counted by the same model as the agenda."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import is_conflict_copy, shared_path
from openbook.record.pending import held_back, pending_changes
from openbook.ritual.agreements import Agreements, agreement_facts
from openbook.ritual.aside import set_aside_texts
from openbook.ritual.binding import pause_now, receipt, schedule_notice, settings_proposal
from openbook.ritual.calendar import utc
from openbook.ritual.counting import (
    CheckinDue,
    Counting,
    checkin_due,
    checkins_by_author,
    question_clock,
)
from openbook.ritual.events import Timeout, open_timeouts
from openbook.ritual.facts import Notes, to_data
from openbook.ritual.history import counting_model
from openbook.ritual.recent import vault_notes
from openbook.ritual.remembered import history
from openbook.vault import Vault

LAST_SYNC_FILE = "last-sync.json"


def read_last_sync(vault: Vault) -> dict[str, Any] | None:
    state = vault.state_dir()
    if state is None:
        return None
    try:
        data = json.loads((state / LAST_SYNC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Overview:
    me: str | None
    vault: str
    now: dt.datetime
    checkins: list[CheckinDue] = field(default_factory=list)
    open_questions: list[dict[str, Any]] = field(default_factory=list)
    agreements: Agreements = field(default_factory=Agreements)
    open_timeouts: list[Timeout] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    not_shared: list[dict[str, str]] = field(default_factory=list)  # {"path", "why", "fix"}
    drafts: list[str] = field(default_factory=list)  # draft: true, kept on this machine
    conflict_copies: list[str] = field(default_factory=list)
    invalid_notes: list[str] = field(default_factory=list)
    config_problems: list[str] = field(default_factory=list)
    last_sync: dict[str, Any] | None = None
    set_aside: list[str] = field(default_factory=list)  # what the last sync set aside
    paused: dict[str, Any] | None = None  # the pause that holds now
    settings_proposal: dict[str, Any] | None = None  # new settings waiting for consent
    # no check-in schedule agreed yet: {"text"} saying how to propose one
    no_schedule: dict[str, Any] | None = None
    # partner -> the agreement their agreed schedule serves, while it is not active
    schedule_waits: dict[str, str] = field(default_factory=dict)

    @property
    def agreements_due(self) -> list[Any]:
        return to_data(self.agreements.due)  # type: ignore[no-any-return]

    def as_dict(self) -> dict[str, Any]:
        ag = self.agreements
        return {
            "me": self.me,
            "vault": self.vault,
            "now": self.now.isoformat(),
            "checkins": [c.as_dict() for c in self.checkins],
            "open_questions": self.open_questions,
            "agreements_due": to_data(ag.due),
            "agreements_waiting": to_data(ag.proposed),
            "agreements_paused": to_data(ag.paused),
            "agreements_retiring": to_data(ag.retiring),
            "agreements_deleted": to_data(ag.deleted),
            "open_timeouts": [
                {**to_data(t), "overdue": utc(self.now) > utc(t.return_by)}
                for t in self.open_timeouts
            ],
            "uncommitted": self.uncommitted,
            "not_shared": self.not_shared,
            "conflict_copies": self.conflict_copies,
            "invalid_notes": self.invalid_notes,
            "drafts": self.drafts,
            "config_problems": self.config_problems,
            "last_sync": self.last_sync,
            "set_aside": self.set_aside,
            "paused": self.paused,
            "settings_proposal": self.settings_proposal,
            "schedule_agreed": self.no_schedule is None,
            "no_schedule": self.no_schedule,
        }


def open_questions(
    notes: Notes, vault: Vault, now: dt.datetime, model: Counting | None = None
) -> list[dict[str, Any]]:
    """Questions not answered yet, oldest first, each with its age and whether it is
    overdue (the one rule of counting.py; with `model`, by the answer time in force when
    each was asked, and no clock while a pause holds)."""
    cfg = vault.config
    out = []
    for n in sorted(notes.get("question"), key=lambda q: q.path):
        clock = question_clock(n.meta, cfg, now, model, n.path)
        if clock is None or not clock.is_open:
            continue
        m = n.meta
        out.append(
            {
                "id": m.get("id"),
                "path": n.path,
                "asked_by": m.get("asked_by"),
                "to": m.get("to"),
                "asked": clock.asked.isoformat(),
                "answer_by": clock.answer_by.isoformat(),
                "age_days": clock.age_days(cfg.tz),
                "status": clock.status,
                "overdue": clock.overdue,
                "paused": clock.paused,
                "wish": clock.wish.isoformat() if clock.wish else None,
            }
        )
    out.sort(key=lambda q: str(q["asked"]))
    return out


NOT_SHARED_WHY = "it is outside the vault's note folders"
MOVE_IT = "If it is a note, move it into its folder; if not, move it out of the vault."


def _pending(ov: Overview, vault: Vault, result: CheckResult, drafts: set[str]) -> None:
    """Changes waiting for `commit`, drafts, notes `commit` holds back (nothing written
    yet, or in the other partner's name), and files that would not be shared, with why."""
    changes = sorted(pending_changes(vault), key=lambda c: c.path)
    held = held_back(vault, ov.me, result, changes)
    for change in changes:
        if change.path in drafts and not change.deleted:
            ov.drafts.append(change.path)
        elif change.path in held and not change.deleted:
            why, fix = held[change.path]
            ov.not_shared.append({"path": change.path, "why": why, "fix": fix})
        elif shared_path(change.path):
            ov.uncommitted.append(change.path)
        elif not change.path.endswith("/"):
            ov.not_shared.append({"path": change.path, "why": NOT_SHARED_WHY, "fix": MOVE_IT})


# how far back a check-in can matter to the slot due now (a weekly slot's seven days)
READS_BACK = dt.timedelta(days=10)


def gather(vault: Vault, me: str | None) -> Overview:
    result = check_vault(vault)
    hist = history(vault)
    known = vault_notes(vault, result, vault.today() - READS_BACK, hist.own)
    notes = known.notes
    model = counting_model(vault, hist, notes)
    now = model.now
    ov = Overview(me, str(vault.root), now)
    by_author = checkins_by_author(notes.get("checkin"))
    agreed = model.schedules.agreed(now)
    for pid in vault.config.partners:
        due = checkin_due(model, pid, by_author.get(pid, []), now)
        if due:
            ov.checkins.append(due)
        elif pid in agreed and agreed[pid].agreement and not model.schedules.paused(now):
            ov.schedule_waits[pid] = str(agreed[pid].agreement)
    ov.open_questions = open_questions(notes, vault, now, model)
    today = now.astimezone(vault.config.tz).date()
    ov.agreements = agreement_facts(notes, vault.config, today, [], hist)
    ov.open_timeouts = open_timeouts(notes, vault.config, now)
    ov.conflict_copies = sorted(p for p in known.paths if is_conflict_copy(p))
    ov.config_problems = [p.format() for p in (*vault.config.problems, *vault.config.set_aside)]
    ov.invalid_notes = sorted(result.failed_paths() - {"openbook.yml"})
    if vault.is_own_repo:
        _pending(ov, vault, result, known.drafts)
    elif vault.git_dir is not None:
        ov.uncommitted = [c.path for c in gitrepo.status(vault.root, ".")]
    ov.last_sync = read_last_sync(vault)
    ov.set_aside = set_aside_texts(vault)
    ov.paused = pause_now(notes, vault.config, now, model.held, me)
    if ov.paused is not None and me is not None and ov.paused["by"] == me:
        ov.paused["text"] += receipt(vault, model.held, str(ov.paused["path"]))
    ov.settings_proposal = settings_proposal(hist, vault.config, me=me)
    ov.no_schedule = schedule_notice(model, now, ov.settings_proposal)
    return ov
