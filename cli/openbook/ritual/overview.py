"""The facts `status` shows: who I am, what is due, what is waiting."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.notetypes.registry import shared_path
from openbook.record.pending import pending_changes
from openbook.ritual.counting import (
    CheckinDue,
    checkin_due,
    checkins_by_author,
    next_review,
    question_clock,
)
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
    agreements_due: list[dict[str, Any]] = field(default_factory=list)
    agreements_waiting: list[dict[str, Any]] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    not_shared: list[dict[str, str]] = field(default_factory=list)  # {"path", "why"}
    conflict_copies: list[str] = field(default_factory=list)
    invalid_notes: list[str] = field(default_factory=list)
    config_problems: list[str] = field(default_factory=list)
    last_sync: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "me": self.me,
            "vault": self.vault,
            "now": self.now.isoformat(),
            "checkins": [c.as_dict() for c in self.checkins],
            "open_questions": self.open_questions,
            "agreements_due": self.agreements_due,
            "agreements_waiting": self.agreements_waiting,
            "uncommitted": self.uncommitted,
            "not_shared": self.not_shared,
            "conflict_copies": self.conflict_copies,
            "invalid_notes": self.invalid_notes,
            "config_problems": self.config_problems,
            "last_sync": self.last_sync,
        }


def open_questions(result: CheckResult, vault: Vault, now: dt.datetime) -> list[dict[str, Any]]:
    """Questions not answered yet, oldest first, each with its age and whether it is
    overdue (the one rule of counting.py)."""
    cfg = vault.config
    out = []
    for n in result.valid_notes():
        if n.type != "question":
            continue
        clock = question_clock(n.meta, cfg, now)
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
            }
        )
    out.sort(key=lambda q: str(q["asked"]))
    return out


def _agreements(ov: Overview, result: CheckResult, vault: Vault, today: dt.date) -> None:
    for n in result.valid_notes():
        if n.type != "agreement":
            continue
        m = n.meta
        if m.get("status") == "active":
            nr = next_review(m)
            if nr is not None and nr <= today:
                ov.agreements_due.append(
                    {
                        "id": m.get("id"),
                        "title": m.get("title"),
                        "next_review": nr.isoformat(),
                        "path": n.path,
                    }
                )
        elif m.get("status") == "proposed":
            accepted = m.get("accepted_by") or []
            if isinstance(accepted, str):
                accepted = [accepted]
            waiting_for = [p for p in vault.config.partners if p not in accepted]
            ov.agreements_waiting.append(
                {
                    "id": m.get("id"),
                    "title": m.get("title"),
                    "waiting_for": waiting_for,
                    "path": n.path,
                }
            )


NOT_SHARED_WHY = "it is outside the vault's note folders"


def _pending(ov: Overview, vault: Vault) -> None:
    """Changes waiting for `commit`, and files that would not be shared, with why."""
    for change in sorted(pending_changes(vault), key=lambda c: c.path):
        if shared_path(change.path):
            ov.uncommitted.append(change.path)
        elif not change.path.endswith("/"):
            ov.not_shared.append({"path": change.path, "why": NOT_SHARED_WHY})


def gather(vault: Vault, me: str | None) -> Overview:
    from openbook.git import repo as gitrepo

    result = check_vault(vault)
    now = vault.now()
    ov = Overview(me, str(vault.root), now)
    notes = result.valid_notes()
    by_author = checkins_by_author(n for n in notes if n.type == "checkin")
    for pid in vault.config.partners:
        due = checkin_due(vault.config, pid, by_author.get(pid, []), now)
        if due:
            ov.checkins.append(due)
    ov.open_questions = open_questions(result, vault, now)
    _agreements(ov, result, vault, now.date())
    ov.conflict_copies = vault.conflict_copies()
    ov.config_problems = [p.format() for p in vault.config.problems]
    ov.invalid_notes = sorted(result.failed_paths() - {"openbook.yml"})
    if vault.is_own_repo:
        _pending(ov, vault)
    elif vault.git_dir is not None:
        ov.uncommitted = [c.path for c in gitrepo.status(vault.root, ".")]
    ov.last_sync = read_last_sync(vault)
    return ov
