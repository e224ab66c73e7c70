"""openbook.yml: the couple's shared settings, validated into a Config."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from openbook.words import parse_duration as parse_duration
from openbook.words import parse_hhmm as parse_hhmm
from openbook.words import zone as zone

# the YAML reader, the note types and the time zones load when first used, so that finding
# the vault (and the commands answered without reading openbook.yml) stays cheap
TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any

    from openbook.notes.note import Note, Problem

CONFIG_NAME = "openbook.yml"
PARTNER_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
SHORT_MAX = (
    "timeouts max must be at least 1h: 20 minutes is the least a body needs to calm down, "
    "not the most a partner may take; set max to 1h or more"
)


@dataclass(frozen=True)
class Partner:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class CheckinSchedule:
    every: str  # "day" or "week"
    on: int | None  # weekday 0=Monday, for weekly
    by: dt.time | None
    agreement: str | None = None  # the agreement it serves: in force only while active


@dataclass
class Config:
    path: Path
    timezone: str = "UTC"
    partners: dict[str, Partner] = field(default_factory=dict)
    checkins: dict[str, CheckinSchedule] = field(default_factory=dict)
    answer_within: dt.timedelta = dt.timedelta(hours=48)
    meeting_on: int = 6
    meeting_at: dt.time = dt.time(19, 0)
    meeting_minutes: int = 60
    review_every: str = "month"
    timeout_min: dt.timedelta = dt.timedelta(minutes=20)
    timeout_max: dt.timedelta = dt.timedelta(hours=24)
    require_signatures: bool = False
    # False until the joining partner first accepts settings: no meeting is reminded and
    # no answer time runs (SPEC section 10)
    agreed: bool = True
    problems: list[Problem] = field(default_factory=list)
    # the problems that keep the file from loading at all (YAML, time zone, partners):
    # such a file is never used; the settings in force from history are (SPEC section 7)
    fatal: list[Problem] = field(default_factory=list)
    # a file that does not load, set aside for the settings in force: its problems
    set_aside: list[Problem] = field(default_factory=list)
    digest: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def encrypted(self) -> bool:
        """Both chose to share only through an encrypted remote (SPEC section 11)."""
        sync = self.raw.get("sync")
        return isinstance(sync, dict) and sync.get("encrypted") is True

    @property
    def tz(self) -> dt.tzinfo:
        return zone(self.timezone)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def loads(self) -> bool:
        """False when the file does not load: a YAML error, an alias, a duplicate key, an
        unknown time zone, other than exactly two partners, or two partners with one email."""
        return not self.fatal


KNOWN_KEYS = {
    "version",
    "timezone",
    "partners",
    "checkins",
    "questions",
    "meeting",
    "review",
    "timeouts",
    "require_signatures",
    "sync",
}


AGREEMENT_ID = re.compile(r"^A-\d{3,}$")


class _Checker:
    def __init__(self, note: Note, cfg: Config) -> None:
        self.note = note
        self.cfg = cfg

    def err(self, path: tuple[str | int, ...], msg: str, *, fatal: bool = False) -> None:
        from openbook.notes.note import Problem

        line, col = self.note.pos(*path)
        problem = Problem(CONFIG_NAME, line, col, "error", "config", msg)
        self.cfg.problems.append(problem)
        if fatal:
            self.cfg.fatal.append(problem)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.note.meta.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err((key,), f"'{key}' must be a mapping of settings; see docs/vault.md")
            return {}
        return value


def _parse(data: bytes, path: Path) -> tuple[Config, Note | None]:
    """The bytes as a Config shell and a note, or None when they are not a readable mapping."""
    import hashlib

    from openbook.notes.note import Problem
    from openbook.notes.parse import parse_bytes

    cfg = Config(path=path, digest=hashlib.sha1(data).hexdigest())
    # reuse the note reader: a config file is a YAML mapping without '---' fences
    note = parse_bytes(
        CONFIG_NAME, b"---\n" + data + (b"" if data.endswith(b"\n") else b"\n") + b"---\n"
    )
    for p in note.problems:
        line = max(1, p.line - 1)
        message = p.message.replace("; fix the frontmatter", "").replace("frontmatter", "file")
        cfg.problems.append(Problem(CONFIG_NAME, line, p.column, "error", "config", message))
    cfg.fatal = list(cfg.problems)
    if note.problems:
        return cfg, None
    # positions are one line too far down because of the added '---'
    note.key_pos = {k: (line - 1, col) for k, (line, col) in note.key_pos.items()}
    note.value_pos = {k: (line - 1, col) for k, (line, col) in note.value_pos.items()}
    cfg.raw = note.meta
    return cfg, note


def _check_top(c: _Checker) -> None:
    meta = c.note.meta
    for key in meta:
        if key not in KNOWN_KEYS:
            c.err((key,), f"unknown setting '{key}'; remove it or check its spelling")
    if meta.get("version", 1) != 1:
        c.err(("version",), "version must be 1; this openbook reads version 1 vaults")


def _check_timezone(c: _Checker) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    tz = c.note.meta.get("timezone", "UTC")
    if not isinstance(tz, str):
        c.err(("timezone",), "timezone must be an IANA name such as Europe/Berlin", fatal=True)
        return
    try:
        ZoneInfo(tz)
        c.cfg.timezone = tz
    except (ZoneInfoNotFoundError, ValueError):
        c.err(
            ("timezone",),
            f"unknown timezone '{tz}'; use an IANA name such as Europe/Berlin",
            fatal=True,
        )


def _check_partners(c: _Checker) -> None:
    partners = c.mapping("partners")
    if not partners:
        c.err(
            ("partners",), "partners is missing; list both partners with name and email", fatal=True
        )
        return
    for pid, info in partners.items():
        partner = _partner(c, pid, info)
        if partner is not None:
            c.cfg.partners[pid] = partner
        else:
            c.cfg.fatal.append(c.cfg.problems[-1])
    if len(partners) != 2:
        c.err(
            ("partners",),
            f"partners names {len(partners)} partners; a vault is for exactly two, each "
            "with a name and an email",
            fatal=True,
        )
    _check_emails(c)


def _check_emails(c: _Checker) -> None:
    """Each partner has an email of their own: commits are matched to partners by it."""
    seen: dict[str, str] = {}
    for pid, partner in c.cfg.partners.items():
        email = partner.email.lower()
        if email in seen:
            c.err(
                ("partners", pid, "email"),
                f"partners {seen[email]} and {pid} have one email, {partner.email}; each "
                "partner needs an email of their own",
                fatal=True,
            )
        seen.setdefault(email, pid)


def _partner(c: _Checker, pid: Any, info: Any) -> Partner | None:
    if not isinstance(pid, str) or not PARTNER_ID.match(pid):
        c.err(
            ("partners", str(pid)),
            f"partner id '{pid}' must be lowercase letters, digits and dashes",
        )
        return None
    if not isinstance(info, dict):
        c.err(("partners", pid), f"partner '{pid}' needs {{name: ..., email: ...}}")
        return None
    name = info.get("name", pid)
    email = info.get("email", f"{pid}@openbook.invalid")
    if not isinstance(name, str) or not name.strip() or "<" in name or ">" in name:
        c.err(("partners", pid, "name"), f"partner '{pid}' needs a plain name")
        return None
    if not isinstance(email, str) or not _EMAIL.match(email):
        c.err(("partners", pid, "email"), f"partner '{pid}' needs an email like {pid}@example.org")
        return None
    return Partner(pid, name.strip(), email.strip())


def _check_checkins(c: _Checker) -> None:
    for pid, sched in c.mapping("checkins").items():
        if sched is None and pid in c.cfg.partners:
            continue  # `bob: null`: no schedule for bob (openbook propose checkins bob --none)
        schedule = _checkin(c, pid, sched)
        if schedule is not None:
            c.cfg.checkins[pid] = schedule


def _checkin(c: _Checker, pid: Any, sched: Any) -> CheckinSchedule | None:
    where = ("checkins", str(pid))
    if pid not in c.cfg.partners:
        c.err(where, f"check-in schedule names '{pid}', who is not in partners")
        return None
    if not isinstance(sched, dict):
        c.err(where, 'a check-in schedule is {every: day|week, on: DAY, by: "HH:MM"}')
        return None
    every = sched.get("every", "day")
    if every not in ("day", "week"):
        c.err((*where, "every"), "every must be 'day' or 'week'")
        return None
    on = None
    if every == "week":
        day = str(sched.get("on", "sunday")).lower()
        if day not in WEEKDAYS:
            c.err((*where, "on"), f"'{day}' is not a weekday; use e.g. sunday")
            return None
        on = WEEKDAYS.index(day)
    by = None
    if "by" in sched:
        by = parse_hhmm(sched["by"])
        if by is None:
            c.err((*where, "by"), 'by must be a time in quotes, like "21:00"')
            return None
    agreement = sched.get("agreement")
    if agreement is not None and (
        not isinstance(agreement, str) or not AGREEMENT_ID.match(agreement)
    ):
        c.err((*where, "agreement"), "agreement must name an agreement id, like A-002")
        return None
    return CheckinSchedule(every, on, by, agreement)


def _check_questions(c: _Checker) -> None:
    questions = c.mapping("questions")
    if "answer_within" in questions:
        d = parse_duration(questions["answer_within"])
        if d is None:
            c.err(
                ("questions", "answer_within"),
                "answer_within must be a duration like 48h, at most 3650d",
            )
        else:
            c.cfg.answer_within = d


def _check_meeting(c: _Checker) -> None:
    meeting = c.mapping("meeting")
    if "on" in meeting:
        day = str(meeting["on"]).lower()
        if day in WEEKDAYS:
            c.cfg.meeting_on = WEEKDAYS.index(day)
        else:
            c.err(("meeting", "on"), f"'{day}' is not a weekday; use e.g. sunday")
    if "at" in meeting:
        at = parse_hhmm(meeting["at"])
        if at is None:
            c.err(("meeting", "at"), 'at must be a time in quotes, like "19:00"')
        else:
            c.cfg.meeting_at = at
    if "minutes" in meeting:
        mins = meeting["minutes"]
        if not isinstance(mins, int) or isinstance(mins, bool) or not 10 <= mins <= 240:
            c.err(("meeting", "minutes"), "minutes must be a number from 10 to 240")
        else:
            c.cfg.meeting_minutes = mins


def _check_review(c: _Checker) -> None:
    review = c.mapping("review")
    if review.get("every", "month") != "month":
        c.err(("review", "every"), "review every must be 'month'")


def _check_sync(c: _Checker) -> None:
    encrypted = c.mapping("sync").get("encrypted", False)
    if not isinstance(encrypted, bool):
        c.err(("sync", "encrypted"), "sync encrypted must be true or false")


def _check_timeouts(c: _Checker) -> None:
    from openbook.notetypes.timeout import TIMEOUT_CEILING, TIMEOUT_FLOOR

    timeouts = c.mapping("timeouts")
    for key in ("min", "max"):
        if key not in timeouts:
            continue
        d = parse_duration(timeouts[key])
        if d is None:
            c.err(("timeouts", key), f"timeouts {key} must be a duration like 20m or 24h")
        elif not TIMEOUT_FLOOR <= d <= TIMEOUT_CEILING:
            c.err(
                ("timeouts", key),
                f"timeouts {key} must be between 20m and 24h; openbook.yml may narrow "
                "that range, never widen it",
            )
        elif key == "max" and d < dt.timedelta(hours=1):  # an agreed maximum, never less
            c.err(("timeouts", key), SHORT_MAX)
        else:
            setattr(c.cfg, f"timeout_{key}", d)
    if c.cfg.timeout_min > c.cfg.timeout_max:
        c.err(("timeouts",), "timeouts min is longer than max; swap them")


def _check_signatures(c: _Checker) -> None:
    sig = c.note.meta.get("require_signatures", False)
    if not isinstance(sig, bool):
        c.err(("require_signatures",), "require_signatures must be true or false")
    else:
        c.cfg.require_signatures = sig


# in this order: problems are reported in it, and check-ins need the partners read first
_CHECKS = (
    _check_top,
    _check_timezone,
    _check_partners,
    _check_checkins,
    _check_questions,
    _check_meeting,
    _check_review,
    _check_timeouts,
    _check_sync,
    _check_signatures,
)


def load_config(root: Path) -> Config:
    """Read and validate openbook.yml. Never raises for bad content: see `.problems`."""
    path = root / CONFIG_NAME
    return config_from_bytes(path.read_bytes(), path)


def config_from_bytes(data: bytes, path: Path) -> Config:
    """Validate the bytes of an openbook.yml (the file, or a version of it in history)."""
    cfg, note = _parse(data, path)
    if note is None:
        return cfg
    checker = _Checker(note, cfg)
    for check in _CHECKS:
        check(checker)
    return cfg
