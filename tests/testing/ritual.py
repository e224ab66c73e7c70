"""Helpers for the counting, agenda, status and log tests: notes committed at chosen
times (so counting knows exactly when each one arrived), and the outputs as data."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from testing import build_vault, invoke, make_vault

BERLIN = ZoneInfo("Europe/Berlin")

# bob checks in every day by 21:00, alice every Sunday by 20:00
CONFIG = """\
version: 1
timezone: Europe/Berlin
partners:
  alice: {name: Alice Example, email: alice@example.org}
  bob:   {name: Bob Example,   email: bob@example.org}
checkins:
  bob:   {every: day, by: "21:00"}
  alice: {every: week, on: sunday, by: "20:00"}
questions: {answer_within: 48h}
meeting:   {on: sunday, at: "19:00", minutes: 60}
"""


def at(day: str, hhmm: str) -> str:
    """'2026-11-20', '21:10' -> ISO 8601 with Berlin's offset of that day."""
    local = dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=BERLIN)
    return local.isoformat()


def vault_at(root: Path, when: str, config: str | None = CONFIG, me: str = "bob") -> Path:
    """A vault whose first commit (with `config` as its openbook.yml) is made at `when`."""
    make_vault(root, me, when=when)
    if config is not None:
        build_vault(root, {"openbook.yml": config}, when=when, message="schedule")
    return root


def checkin_path(who: str, day: str) -> str:
    return f"checkins/{day[:4]}/{day}-{who}.md"


def checkin_note(who: str, day: str, time: str | None = None, extra: str = "") -> str:
    own = f'time: "{time}"\n' if time else ""
    return f"---\ntype: checkin\nauthor: {who}\ndate: {day}\n{own}{extra}---\n\nFeelings.\n"


def commit_checkin(
    root: Path, who: str, day: str, committed: str, *, time: str | None = None, extra: str = ""
) -> str:
    """Write `who`'s check-in for `day` and commit it as `who` at `committed` ('HH:MM' on
    that day, or a full ISO 8601 moment). Returns its path."""
    when = committed if "T" in committed else at(day, committed)
    rel = checkin_path(who, day)
    build_vault(
        root, {rel: checkin_note(who, day, time, extra)}, as_partner=who, when=when, message=rel
    )
    return rel


def commit_files(root: Path, files: dict[str, str], when: str, who: str | None = None) -> None:
    """Commit `files` at `when`: as `who`, else each note by the partner it is under."""
    build_vault(root, files, as_partner=who, when=when, message="notes")


def ok(args: list[str], root: Path, as_partner: str | None = None, **env: str) -> str:
    res = invoke(args, vault=root, as_partner=as_partner, env=env or None)
    assert res.exit_code == 0, res.stderr
    return res.stdout


def agenda_json(root: Path, *args: str, **env: str) -> dict[str, Any]:
    return json.loads(ok(["agenda", "--json", *args], root, **env))  # type: ignore[no-any-return]


def status_json(root: Path, as_partner: str | None = None, **env: str) -> dict[str, Any]:
    return json.loads(ok(["status", "--json"], root, as_partner, **env))  # type: ignore[no-any-return]


def section(text: str, heading: str) -> list[str]:
    """The `- ` lines of one `## heading` section of a Markdown agenda or review."""
    lines: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == heading
            continue
        if inside and line.startswith("- "):
            lines.append(line[2:])
    return lines


HARMFUL_WORDS = (
    "%",
    "percent",
    "score",
    "streak",
    "rank",
    "points",
    "trust level",
    "questions asked",
    " vs ",
    "versus",
    "better than",
    "worse than",
    "triggered",
)


def harmful(text: str, period_days: int) -> list[str]:
    """What in an output would hurt (GUIDE.md, "Numbers that help, numbers that harm"):
    '0 of', a percentage, a score, a streak, a ranking, a count of questions asked, or an
    'N of M' whose M is larger than the period's days allow."""
    low = re.sub(r"<style>.*?</style>", "", text, flags=re.S).lower()
    found = [w for w in HARMFUL_WORDS if w in low]
    found += [m.group(0) for m in re.finditer(r"\b0 of\b", low)]
    found += [m.group(0) for m in re.finditer(r"\d+\s*questions?\b", low)]
    for m in re.finditer(r"\b(\d+) of (\d+)\b", low):
        if int(m.group(2)) > period_days:
            found.append(m.group(0))
    return found
