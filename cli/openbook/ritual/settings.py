"""Binding settings by consent (SPEC section 10): which version of the binding terms is in
force, and what one partner has proposed that the other has not accepted yet.

The binding part of a version is openbook.yml's `checkins`, `questions`, `meeting`,
`review` and `timeouts`, and the vault's templates (.openbook/templates/*.j2); one digest
covers both, so one `accept settings` accepts both. A version is endorsed by the partner
whose own commit (author and committer, not a merge) introduced it, and by a partner
whose `accept settings` commit names its digest after it was proposed and before a newer
proposal replaced it. The first version is in force from the start; a later one from the
moment both partners endorsed it. Nothing is recounted backwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.config import CONFIG_NAME, Config, config_from_bytes
from openbook.ritual.calendar import short_day, utc
from openbook.ritual.terms_text import template_changes
from openbook.ritual.wording import schedule_text

BINDING = ("checkins", "questions", "meeting", "review", "timeouts")

Versions = list[tuple[dt.datetime, str, str]]  # (when, text, own author email or "")
Accepts = list[tuple[dt.datetime, str, str]]  # (when, author email, digest)
# the terms at each commit that changed them: (when, openbook.yml text, {template name
# under .openbook/templates/: text}, own author email or "")
TermsVersions = list[tuple[dt.datetime, str, dict[str, str], str]]


def binding_part(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: raw[k] for k in BINDING if raw.get(k) not in (None, {}, [])}


def digest_of(binding: dict[str, Any]) -> str:
    """The sha256 of the canonical JSON of a binding part."""
    text = json.dumps(binding, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_digest(text: str, templates: Mapping[str, str] | None = None) -> str:
    """The digest of the binding terms: openbook.yml's binding part (`text`) and the
    vault's templates. Without templates it is the digest of openbook.yml alone."""
    cfg = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    binding = binding_part(cfg.raw)
    if templates:
        binding["templates"] = {
            name: hashlib.sha256(body.encode("utf-8")).hexdigest()
            for name, body in sorted(templates.items())
        }
    return digest_of(binding)


@dataclass
class Proposal:
    """A run of versions with the same binding part, from `since`."""

    since: dt.datetime
    text: str
    digest: str
    by: str | None  # the partner whose own commit proposed it
    endorsed: dict[str, dt.datetime] = field(default_factory=dict)  # partner -> first
    templates: dict[str, str] = field(default_factory=dict)

    def accepted_at(self, partners: list[str]) -> dt.datetime | None:
        if not partners or any(p not in self.endorsed for p in partners):
            return None
        return max((self.endorsed[p] for p in partners), key=utc)


@dataclass(frozen=True)
class InForce:
    since: dt.datetime
    text: str
    digest: str
    templates: dict[str, str] = field(default_factory=dict)


def _terms(versions: Versions, terms: TermsVersions | None) -> TermsVersions:
    """The terms over time: `terms` when history recorded them, else openbook.yml alone."""
    if terms:
        return terms
    return [(when, text, {}, own) for when, text, own in versions]


def proposals(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> list[Proposal]:
    """The runs of versions with the same binding terms, oldest first, with who endorsed."""
    partner_of = {p.email: pid for pid, p in cfg.partners.items()}
    runs: list[Proposal] = []
    for when, text, templates, own in _terms(versions, terms):
        d = settings_digest(text, templates)
        who = partner_of.get(own)
        if runs and runs[-1].digest == d:
            run = runs[-1]
            run.text = text
        else:
            run = Proposal(when, text, d, who, templates=dict(templates))
            runs.append(run)
        if who is not None:
            run.endorsed.setdefault(who, when)
    for i, run in enumerate(runs):
        end = runs[i + 1].since if i + 1 < len(runs) else None
        for when, email, d in accepts:
            who = partner_of.get(email)
            if who is None or d != run.digest or utc(when) < utc(run.since):
                continue
            if end is not None and utc(when) > utc(end):  # git times are whole seconds
                continue
            run.endorsed.setdefault(who, when)
    return runs


def settings_in_force(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> list[InForce]:
    """The versions both partners accepted, in the order they came into force. Pass
    `terms` (history's `terms`) so the templates count too, as `accept settings` does."""
    runs = proposals(versions, accepts, cfg, terms)
    if not runs:
        return []
    out = [InForce(runs[0].since, runs[0].text, runs[0].digest, runs[0].templates)]
    partners = list(cfg.partners)
    for run in runs[1:]:
        when = run.accepted_at(partners)
        if when is None:
            continue
        if run.digest == out[-1].digest:
            continue
        out.append(InForce(when, run.text, run.digest, run.templates))
    return out


def pending_proposal(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> Proposal | None:
    """The newest proposal, when it is not the version in force and not accepted by both."""
    runs = proposals(versions, accepts, cfg, terms)
    if len(runs) < 2:
        return None
    last = runs[-1]
    if last.accepted_at(list(cfg.partners)) is not None:
        return None
    force = settings_in_force(versions, accepts, cfg, terms)
    if force and force[-1].digest == last.digest:
        return None
    return last


# ------------------------------------------------------------------------- in words


def _leaf(raw: dict[str, Any], key: str, sub: str, default: str) -> str:
    value = raw.get(key)
    if isinstance(value, dict) and value.get(sub) is not None:
        return str(value[sub])
    return default


LEAVES = (
    ("questions", "answer_within", "answers within {}", "48h"),
    ("meeting", "on", "meeting on {}", "sunday"),
    ("meeting", "at", "meeting at {}", "19:00"),
    ("meeting", "minutes", "meetings of {} minutes", "60"),
    ("review", "every", "review every {}", "month"),
    ("timeouts", "min", "timeouts at least {}", "20m"),
    ("timeouts", "max", "timeouts at most {}", "24h"),
)


def differences(
    old_text: str,
    new_text: str,
    old_templates: Mapping[str, str] | None = None,
    new_templates: Mapping[str, str] | None = None,
) -> list[str]:
    """What changes, in plain words: "Bob's check-ins: every day by 07:00, was every day by
    21:00"; "answers within 15m, was 48h"; "the check-in template: new"."""
    old = config_from_bytes(old_text.encode("utf-8"), Path(CONFIG_NAME))
    new = config_from_bytes(new_text.encode("utf-8"), Path(CONFIG_NAME))
    out = []
    for pid in sorted(set(old.checkins) | set(new.checkins) | set(new.partners)):
        a, b = old.checkins.get(pid), new.checkins.get(pid)
        if a == b:
            continue
        partner = new.partners.get(pid) or old.partners.get(pid)
        name = partner.name if partner else pid
        now = (schedule_text(b) or "none") + (f", for {b.agreement}" if b and b.agreement else "")
        was = (schedule_text(a) or "none") + (f", for {a.agreement}" if a and a.agreement else "")
        out.append(f"{name}'s check-ins: {now}, was {was}")
    for key, sub, words, default in LEAVES:
        a_s, b_s = _leaf(old.raw, key, sub, default), _leaf(new.raw, key, sub, default)
        if a_s != b_s:
            out.append(f"{words.format(b_s)}, was {a_s}")
    if not out and digest_of(binding_part(old.raw)) != digest_of(binding_part(new.raw)):
        out.append("the binding settings are written differently, with the same meaning")
    return out + template_changes(old_templates or {}, new_templates or {})


# ------------------------------------------------------------ what status and agenda say


def pause_sentence(name: str, since: dt.datetime, until: dt.datetime | None, tz: dt.tzinfo) -> str:
    """'Alice paused everything on Tue 24 Nov; nothing is expected or counted until Alice
    resumes.'"""
    ends = f" (or until {short_day(until.astimezone(tz).date())})" if until else ""
    return (
        f"{name} paused everything on {short_day(since.astimezone(tz).date())}; nothing is "
        f"expected or counted until {name} resumes{ends}."
    )


def proposal_sentence(
    by: str | None, since: dt.datetime, changes: list[str], waiting: list[str], tz: dt.tzinfo
) -> str:
    """'Bob proposed new settings on Tue 24 Nov: ...; until accepted, the settings you both
    accepted stay in force. Alice: openbook accept settings'."""
    what = "; ".join(changes) if changes else "no change in meaning"
    ask = ", ".join(f"{w}: openbook accept settings" for w in waiting)
    day = short_day(since.astimezone(tz).date())
    # a version no one's own commit made (a merge of both partners' changes) is proposed
    # by no one, and both accept it
    said = (
        f"{by} proposed new settings on {day}"
        if by
        else (f"New settings came together from both of your changes on {day}")
    )
    return (
        f"{said}: {what}. Until both accept, the settings you both accepted stay in force. {ask}"
    ).strip()
