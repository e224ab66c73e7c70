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
from openbook.ritual.trust_terms import is_trust_line, trust_differences, trust_part
from openbook.ritual.wording import schedule_text

LEGACY = ("checkins", "questions", "meeting", "review", "timeouts")
# the trust settings bind too: the time zone, the partners (ids, names, emails) and
# whether signatures are required; a replaced signing key is tracked apart (keys.py)
BINDING = (*LEGACY, "timezone", "partners", "require_signatures")

Versions = list[tuple[dt.datetime, str, str]]  # (when, text, own author email or "")
Accepts = list[tuple[dt.datetime, str, str]]  # (when, author email, digest)
# the terms at each commit that changed them: (when, openbook.yml text, {template name
# under .openbook/templates/: text}, own author email or "")
TermsVersions = list[tuple[dt.datetime, str, dict[str, str], str]]


def binding_part(raw: dict[str, Any]) -> dict[str, Any]:
    """The binding settings openbook has always counted (digests of older accepts)."""
    return {k: raw[k] for k in LEGACY if raw.get(k) not in (None, {}, [])}


def digest_of(binding: dict[str, Any]) -> str:
    """The sha256 of the canonical JSON of a binding part."""
    text = json.dumps(binding, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _with_templates(binding: dict[str, Any], templates: Mapping[str, str] | None) -> str:
    if templates:
        binding["templates"] = {
            name: hashlib.sha256(body.encode("utf-8")).hexdigest()
            for name, body in sorted(templates.items())
        }
    return digest_of(binding)


def settings_digest(text: str, templates: Mapping[str, str] | None = None) -> str:
    """The digest of the binding terms: openbook.yml's binding part (`text`: the older
    binding settings and the trust settings) and the vault's templates."""
    cfg = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    return _with_templates({**binding_part(cfg.raw), **trust_part(cfg.raw)}, templates)


def legacy_digest(text: str, templates: Mapping[str, str] | None = None) -> str:
    """The digest `accept settings` named before the trust settings bound: an accept that
    names it still accepts a version proposed before it (never a later one)."""
    cfg = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    return _with_templates(binding_part(cfg.raw), templates)


@dataclass
class Proposal:
    """A run of versions with the same binding part, from `since`."""

    since: dt.datetime
    text: str
    digest: str
    by: str | None  # the partner whose own commit proposed it
    endorsed: dict[str, dt.datetime] = field(default_factory=dict)  # partner -> first
    templates: dict[str, str] = field(default_factory=dict)
    legacy: str = ""
    own: list[tuple[dt.datetime, str]] = field(default_factory=list)  # own commits' emails
    required: list[str] = field(default_factory=list)  # the partners in force then

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


def _runs(versions: Versions, terms: TermsVersions | None) -> list[tuple[Proposal, Config]]:
    """The runs of versions that load with the same binding terms, oldest first. A version
    that does not load (SPEC section 7) is never in force and never a proposal."""
    runs: list[tuple[Proposal, Config]] = []
    for when, text, templates, own in _terms(versions, terms):
        parsed = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
        if not parsed.loads:
            continue
        d = _with_templates({**binding_part(parsed.raw), **trust_part(parsed.raw)}, templates)
        if runs and runs[-1][0].digest == d:
            run = runs[-1][0]
            run.text = text
            runs[-1] = (run, parsed)
        else:
            legacy = _with_templates(binding_part(parsed.raw), templates)
            run = Proposal(when, text, d, None, templates=dict(templates), legacy=legacy)
            runs.append((run, parsed))
        if own:
            run.own.append((when, own))
    return runs


def resolve(
    versions: Versions, accepts: Accepts, terms: TermsVersions | None = None
) -> tuple[list[Proposal], list[InForce]]:
    """The runs with who endorsed each, and the versions in force in the order they came
    into force. Commits are matched to partners by the emails in force when they were
    made: at first the first version's, then each accepted version's as well."""
    runs = _runs(versions, terms)
    out: list[InForce] = []
    emails: dict[str, str] = {}
    required: list[str] = []
    for i, (run, parsed) in enumerate(runs):
        if i == 0:
            emails = {p.email.lower(): pid for pid, p in parsed.partners.items()}
            required = list(parsed.partners)
        run.required = list(required)
        for when, own in run.own:
            who = emails.get(own.lower())
            if who is not None:
                run.by = run.by or (who if when == run.since else None)
                run.endorsed.setdefault(who, when)
        end = runs[i + 1][0].since if i + 1 < len(runs) else None
        for when, email, d in accepts:
            who = emails.get(email.lower())
            if who is None or d not in (run.digest, run.legacy) or utc(when) < utc(run.since):
                continue
            if end is not None and utc(when) > utc(end):  # git times are whole seconds
                continue
            run.endorsed.setdefault(who, when)
        if i == 0:
            out.append(InForce(run.since, run.text, run.digest, run.templates))
            continue
        when_accepted = run.accepted_at(required)
        if when_accepted is None or run.digest == out[-1].digest:
            continue
        out.append(InForce(when_accepted, run.text, run.digest, run.templates))
        emails.update({p.email.lower(): pid for pid, p in parsed.partners.items()})
        required = list(parsed.partners)
    return [run for run, _ in runs], out


def proposals(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> list[Proposal]:
    """The runs of versions with the same binding terms, oldest first, with who endorsed."""
    return resolve(versions, accepts, terms)[0]


def settings_in_force(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> list[InForce]:
    """The versions both partners accepted, in the order they came into force. Pass
    `terms` (history's `terms`) so the templates count too, as `accept settings` does."""
    return resolve(versions, accepts, terms)[1]


def pending_proposal(
    versions: Versions, accepts: Accepts, cfg: Config, terms: TermsVersions | None = None
) -> Proposal | None:
    """The newest proposal, when it is not the version in force and not accepted by both."""
    runs, force = resolve(versions, accepts, terms)
    if len(runs) < 2:
        return None
    last = runs[-1]
    if last.accepted_at(last.required) is not None:
        return None
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
    out = trust_differences(old, new)
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
    before = {**binding_part(old.raw), **trust_part(old.raw)}
    if not out and digest_of(before) != digest_of({**binding_part(new.raw), **trust_part(new.raw)}):
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
    if any(is_trust_line(c) for c in changes):
        return trust_sentence(by or "One of you", changes, waiting)
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


def trust_sentence(by: str, changes: list[str], waiting: list[str]) -> str:
    """'Bob proposed: signatures required. Nothing changes unless Alice accepts; Alice can
    read it with 'openbook accept settings' and say no.'"""
    who = " and ".join(waiting) or "the other partner"
    return (
        f"{by} proposed: {'; '.join(changes)}. Nothing changes unless {who} "
        f"{'accepts' if len(waiting) < 2 else 'accept'}; {who} can read it with 'openbook "
        "accept settings' and say no."
    )
