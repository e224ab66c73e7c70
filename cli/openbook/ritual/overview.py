"""The facts `status` shows: who I am, what is due, what is waiting."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from openbook.check.result import CheckResult, check_vault
from openbook.notetypes.registry import as_date, as_datetime
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


def checkin_due(
    vault: Vault, result: CheckResult, partner: str, now: dt.datetime
) -> dict[str, Any] | None:
    sched = vault.config.checkins.get(partner)
    if sched is None:
        return None
    today = now.date()
    if sched.every == "week":
        assert sched.on is not None
        delta = (today.weekday() - sched.on) % 7
        due_day = today - dt.timedelta(days=delta)
    else:
        due_day = today
    written = any(
        n.type == "checkin"
        and n.meta.get("author") == partner
        and as_date(n.meta.get("date")) is not None
        and due_day <= as_date(n.meta.get("date")) <= today  # type: ignore[operator]
        for n in result.valid_notes()
    )
    return {
        "partner": partner,
        "every": sched.every,
        "due_on": due_day.isoformat(),
        "by": sched.by.strftime("%H:%M") if sched.by else None,
        "written": written,
    }


@dataclass
class Overview:
    me: str | None
    vault: str
    now: dt.datetime
    checkins: list[dict[str, Any]] = field(default_factory=list)
    open_questions: list[dict[str, Any]] = field(default_factory=list)
    agreements_due: list[dict[str, Any]] = field(default_factory=list)
    agreements_waiting: list[dict[str, Any]] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    conflict_copies: list[str] = field(default_factory=list)
    invalid_notes: list[str] = field(default_factory=list)
    config_problems: list[str] = field(default_factory=list)
    last_sync: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "me": self.me,
            "vault": self.vault,
            "now": self.now.isoformat(),
            "checkins": self.checkins,
            "open_questions": self.open_questions,
            "agreements_due": self.agreements_due,
            "agreements_waiting": self.agreements_waiting,
            "uncommitted": self.uncommitted,
            "conflict_copies": self.conflict_copies,
            "invalid_notes": self.invalid_notes,
            "config_problems": self.config_problems,
            "last_sync": self.last_sync,
        }


def open_questions(result: CheckResult, vault: Vault, now: dt.datetime) -> list[dict[str, Any]]:
    cfg = vault.config
    out = []
    for n in result.valid_notes():
        m = n.meta
        if n.type != "question" or m.get("status") not in ("open", "acknowledged", "follow-up"):
            continue
        asked = as_datetime(m.get("asked"), cfg.tz)
        if asked is None:
            continue
        answer_by = as_datetime(m.get("answer_by"), cfg.tz) or asked + cfg.answer_within
        age = max(0, (now.date() - asked.astimezone(cfg.tz).date()).days)
        out.append(
            {
                "id": m.get("id"),
                "path": n.path,
                "asked_by": m.get("asked_by"),
                "to": m.get("to"),
                "asked": asked.isoformat(),
                "answer_by": answer_by.isoformat(),
                "age_days": age,
                "status": m.get("status"),
                "overdue": now > answer_by,
            }
        )
    out.sort(key=lambda q: str(q["asked"]))
    return out


def gather(vault: Vault, me: str | None) -> Overview:
    from openbook.git import repo as gitrepo

    result = check_vault(vault)
    now = vault.now()
    ov = Overview(me, str(vault.root), now)
    for pid in vault.config.partners:
        due = checkin_due(vault, result, pid, now)
        if due:
            ov.checkins.append(due)
    ov.open_questions = open_questions(result, vault, now)
    today = now.date()
    for n in result.valid_notes():
        if n.type != "agreement":
            continue
        m = n.meta
        if m.get("status") == "active":
            nr = as_date(m.get("next_review"))
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
    ov.conflict_copies = vault.conflict_copies()
    ov.config_problems = [p.format() for p in vault.config.problems]
    ov.invalid_notes = sorted(result.failed_paths() - {"openbook.yml"})
    if vault.git_dir is not None:
        ov.uncommitted = [c.path for c in gitrepo.status(vault.root, ".")]
    ov.last_sync = read_last_sync(vault)
    return ov
