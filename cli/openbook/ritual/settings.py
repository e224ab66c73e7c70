"""Binding settings by consent (SPEC section 10): which settings are in force, and what
one partner has proposed that the other has not accepted yet.

Consent is per setting (settings_replay.py replays it from history): `checkins.<id>`,
`questions`, `meeting`, `review`, `timeouts`, `timezone`, `partners.<id>`,
`require_signatures` and each template. Nothing of the vault's first version binds until
the joining partner's first `accept settings`: until then the neutral defaults apply. A
later setting is in force from the moment both partners endorsed it. Nothing is
recounted backwards.
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
from openbook.ritual.settings_replay import (
    Replay,
    SettingProposal,
    digest_of_values,
    replay,
    text_of,
    with_values,
)
from openbook.ritual.terms_text import template_changes
from openbook.ritual.trust_terms import (
    is_trust_line,
    trust_differences,
    trust_part,
)
from openbook.ritual.wording import schedule_text

LEGACY = ("checkins", "questions", "meeting", "review", "timeouts", "sync")
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
    """The settings waiting for consent, together: `settings` names each; `text` and
    `templates` say the settings in force with all of them applied."""

    since: dt.datetime
    text: str
    digest: str
    by: str | None  # the partner whose own commits proposed them all (None: not one)
    endorsed: dict[str, dt.datetime] = field(default_factory=dict)  # endorsed them all
    templates: dict[str, str] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)  # the partners in force
    settings: dict[str, SettingProposal] = field(default_factory=dict)
    joined: bool = True  # False: the joining partner has not accepted anything yet

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
    joined: bool = True  # False: the neutral defaults before the joining partner accepted


def _terms(versions: Versions, terms: TermsVersions | None) -> TermsVersions:
    """The terms over time: `terms` when history recorded them, else openbook.yml alone."""
    if terms:
        return terms
    return [(when, text, {}, own) for when, text, own in versions]


Named = list[tuple[dt.datetime, str, str, str]]  # (when, author email, setting, digest)


def _digests(text: str, templates: dict[str, str]) -> tuple[str, str]:
    return settings_digest(text, templates), legacy_digest(text, templates)


def replayed(
    versions: Versions,
    accepts: Accepts,
    terms: TermsVersions | None = None,
    named: Named | None = None,
    declines: Named | None = None,
) -> Replay:
    """History replayed setting by setting (settings_replay.py)."""
    return replay(_terms(versions, terms), accepts, named or [], declines or [], _digests)


def in_force_of(r: Replay) -> list[InForce]:
    """The values in force each time they changed, as openbook.yml and templates."""
    out = []
    for i, (when, values) in enumerate(r.force):
        text, templates = text_of(values)
        joined = r.joined is not None and (i > 0 or utc(when) >= utc(r.joined))
        out.append(InForce(when, text, digest_of_values(values), templates, joined))
    return out


def settings_in_force(
    versions: Versions,
    accepts: Accepts,
    cfg: Config,
    terms: TermsVersions | None = None,
    named: Named | None = None,
    declines: Named | None = None,
) -> list[InForce]:
    """The settings in force, each time they changed, oldest first: at first the neutral
    defaults (with the first version's partners and time zone), then each setting from
    the moment every partner accepted it. A command asks more than once (counting, the
    terms new notes are written by): the same history is replayed once."""
    given = repr((versions, accepts, terms, named, declines))  # times with their zones
    if _REPLAYED and _REPLAYED[0][0] == given:
        return list(_REPLAYED[0][1])
    found = in_force_of(replayed(versions, accepts, terms, named, declines))
    _REPLAYED[:] = [(given, found)]
    return list(found)


# the last history replayed (as its repr) and what was in force then
_REPLAYED: list[tuple[str, list[InForce]]] = []


def proposal_of(r: Replay, names: list[str] | None = None) -> Proposal | None:
    """The settings waiting (all, or those `names` gives), together; None when none."""
    waiting = {n: p for n, p in r.pending.items() if names is None or n in names}
    if not waiting:
        return None
    base = r.force[-1][1] if r.force else {}
    values = with_values(base, {n: p.value for n, p in waiting.items()})
    text, templates = text_of(values)
    bys = {p.by for p in waiting.values()}
    endorsed = {
        who: max((p.endorsed[who] for p in waiting.values()), key=utc)
        for who in r.partners
        if all(who in p.endorsed for p in waiting.values())
    }
    return Proposal(
        min((p.since for p in waiting.values()), key=utc),
        text,
        digest_of_values(values),
        bys.pop() if len(bys) == 1 else None,
        endorsed,
        templates,
        list(r.partners),
        dict(sorted(waiting.items())),
        r.joined is not None,
    )


def pending_proposal(
    versions: Versions,
    accepts: Accepts,
    cfg: Config,
    terms: TermsVersions | None = None,
    named: Named | None = None,
    declines: Named | None = None,
) -> Proposal | None:
    """The settings one partner proposed that not both accepted yet, together."""
    return proposal_of(replayed(versions, accepts, terms, named, declines))


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


SAME_MEANING = "the binding settings are written differently, with the same meaning"


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
    if old.encrypted != new.encrypted:
        out.append(
            "sharing only through the encrypted remote"
            if new.encrypted
            else "sharing through a plain remote again, which the host can read"
        )
    before = {**binding_part(old.raw), **trust_part(old.raw)}
    if not out and digest_of(before) != digest_of({**binding_part(new.raw), **trust_part(new.raw)}):
        out.append(SAME_MEANING)
    return out + template_changes(old_templates or {}, new_templates or {})


# ------------------------------------------------------------ what status and agenda say


def pause_sentence(name: str, since: dt.datetime, until: dt.datetime | None, tz: dt.tzinfo) -> str:
    """'Paused by Alice since Tue 24 Nov: nothing is expected.' (SPEC section 10)."""
    ends = f" until {short_day(until.astimezone(tz).date())}" if until else ""
    return (
        f"Paused by {name} since {short_day(since.astimezone(tz).date())}{ends}: nothing is "
        "expected."
    )


def joining_sentence(by: str | None, changes: list[str], waiting: list[str]) -> str:
    """'Nothing is in force yet: Bob wrote the vault's first settings (...) and they wait
    for Alice. Until then no check-in is expected, no answer time runs and no meeting is
    reminded. Alice: openbook accept settings'."""
    changes = [c for c in changes if c != SAME_MEANING]
    what = f" ({'; '.join(changes)})" if changes else ""
    who = " and ".join(waiting) or "the other partner"
    ask = ", ".join(f"{w}: openbook accept settings" for w in waiting)
    wrote = f"{by} wrote the vault's first settings" if by else "The vault's first settings"
    return (
        f"Nothing is in force yet: {wrote}{what}, and they wait for {who}. Until then no "
        f"check-in is expected, no answer time runs and no meeting is reminded. {ask}"
    ).strip()


def proposal_sentence(
    by: str | None,
    since: dt.datetime,
    changes: list[str],
    waiting: list[str],
    tz: dt.tzinfo,
    joined: bool = True,
) -> str:
    """'Bob proposed new settings on Tue 24 Nov: ... Nothing changes unless Alice accepts;
    Alice can read it with 'openbook accept settings' and say no.' A name given as "you"
    (the one reading `status`) is spoken to: "Nothing changes unless you accept; ..."."""
    if not joined:
        return joining_sentence(by, changes, waiting)
    if any(is_trust_line(c) for c in changes):
        return trust_sentence("You" if by == "you" else by or "One of you", changes, waiting)
    what = "; ".join(changes) if changes else "no change in meaning"
    day = short_day(since.astimezone(tz).date())
    # a version no one's own commit made (a merge of both partners' changes) is proposed
    # by no one, and both accept it
    said = (
        f"{'You' if by == 'you' else by} proposed new settings on {day}"
        if by
        else (f"New settings came together from both of your changes on {day}")
    )
    return f"{said}: {what}. {_unless(waiting)}"


def _unless(waiting: list[str]) -> str:
    """'Nothing changes unless Alice accepts; Alice can read it with ... and say no.'"""
    if waiting == ["you"]:
        return (
            "Nothing changes unless you accept; 'openbook accept settings' shows it, and you "
            "may say no."
        )
    if len(waiting) > 1 and "you" in waiting:
        return (
            "Nothing changes unless you both accept; each of you can read it with 'openbook "
            "accept settings' and say no."
        )
    who = " and ".join(waiting) or "the other partner"
    return (
        f"Nothing changes unless {who} {'accepts' if len(waiting) < 2 else 'accept'}; "
        f"{'each' if len(waiting) > 1 else who} can read it with 'openbook accept settings' "
        "and say no."
    )


def trust_sentence(by: str, changes: list[str], waiting: list[str]) -> str:
    """'Bob proposed: signatures required. Nothing changes unless Alice accepts; Alice can
    read it with 'openbook accept settings' and say no.'"""
    if waiting == ["you"] or len(waiting) > 1:
        return f"{by} proposed: {'; '.join(changes)}. {_unless(waiting)}"
    who = " and ".join(waiting) or "the other partner"
    return (
        f"{by} proposed: {'; '.join(changes)}. Nothing changes unless {who} "
        f"accepts; {who} can read it with 'openbook accept settings' and say no."
    )
