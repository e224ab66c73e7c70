"""Consent per setting, replayed from history (SPEC section 10).

Each binding setting (`checkins.<partner>`, `questions`, `meeting`, `review`, `timeouts`, `sync`,
`timezone`, `partners.<id>`, `require_signatures`, each template file as
`templates/<name>`) is in force or proposed on its own: a proposal of one setting never
holds back another that both accepted.

The vault's first version puts nothing in force but its partners (who is who) and its
time zone, as the verifier reads them (trust/judge.py `adopt`): every other setting of it
is proposed by the partner whose own commit wrote it, and comes into force when the
other accepts it (the joining partner's first `accept settings`). Until then the neutral
built-in defaults apply. A later change of one setting by one partner is a proposal of
that setting; it comes into force once every partner in force endorsed it (their own
commit making the change, their `accept settings` naming it, or an older `accept
settings` naming the whole version). Setting a value back to the one in force ends the
proposal (the proposer's withdrawal, the other partner's decline), and so does a
`decline settings` commit naming it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from openbook.config import CONFIG_NAME, config_from_bytes
from openbook.ritual.calendar import utc
from openbook.ritual.trust_terms import setting_values
from openbook.trust.inforce import setting_digest

TEMPLATE = "templates/"
# (when, openbook.yml text, {template name: text}, own author email or "")
TermsVersions = list[tuple[dt.datetime, str, dict[str, str], str]]
Accepts = list[tuple[dt.datetime, str, str]]  # (when, author email, digest of a version)
Named = list[tuple[dt.datetime, str, str, str]]  # (when, author email, setting, digest)
# the settings that serve from the vault's first commit: who is who, and its dates
IDENTITY = ("timezone",)


def is_identity(name: str) -> bool:
    return name in IDENTITY or (name.startswith("partners.") and name.count(".") == 1)


@dataclass
class SettingProposal:
    """One setting one partner changed that not every partner has accepted yet."""

    name: str
    value: object
    by: str | None  # the partner whose own commit proposed it
    since: dt.datetime
    endorsed: dict[str, dt.datetime] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return setting_digest(self.value)


@dataclass
class Replay:
    """What history says: the values in force each time they changed, the proposals
    waiting, the partners who must consent, and when the joining partner first accepted."""

    force: list[tuple[dt.datetime, dict[str, object]]] = field(default_factory=list)
    pending: dict[str, SettingProposal] = field(default_factory=dict)
    partners: list[str] = field(default_factory=list)
    joined: dt.datetime | None = None
    declined: list[SettingProposal] = field(default_factory=list)
    latest: dict[str, object] = field(default_factory=dict)  # the newest version's values


def values_of(text: str, templates: dict[str, str]) -> dict[str, object] | None:
    """Every binding setting of a version by its name (None when it does not load)."""
    cfg = config_from_bytes(text.encode("utf-8"), Path(CONFIG_NAME))
    if not cfg.loads:
        return None
    out = {n: v for n, v in setting_values(cfg.raw).items() if not n.endswith(".signing_key")}
    out.update({TEMPLATE + name: body for name, body in sorted(templates.items())})
    return out


def text_of(values: dict[str, object]) -> tuple[str, dict[str, str]]:
    """openbook.yml and the templates that say exactly `values` (absent: the defaults)."""
    raw: dict[str, Any] = {"version": 1}
    if values.get("timezone") is not None:
        raw["timezone"] = values["timezone"]
    partners = {n[9:]: v for n, v in values.items() if is_identity(n) and n != "timezone"}
    raw["partners"] = {pid: dict(v) for pid, v in sorted(partners.items()) if isinstance(v, dict)}
    checkins = {n[9:]: v for n, v in values.items() if n.startswith("checkins.") and v is not None}
    if checkins:
        raw["checkins"] = checkins
    for key in ("questions", "meeting", "review", "timeouts", "sync"):
        if values.get(key) is not None:
            raw[key] = values[key]
    if values.get("require_signatures") is True:
        raw["require_signatures"] = True
    templates = {n[len(TEMPLATE) :]: str(v) for n, v in values.items() if n.startswith(TEMPLATE)}
    return yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), templates


def digest_of_values(values: dict[str, object]) -> str:
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Replayer:
    def __init__(self) -> None:
        self.out = Replay()
        self.values: dict[str, object] = {}  # in force now
        self.emails: dict[str, str] = {}
        self.versions: dict[str, dict[str, object]] = {}  # digest -> values (whole accepts)

    def who(self, email: str) -> str | None:
        return self.emails.get(email.strip().lower()) if email else None

    def first(self, when: dt.datetime, values: dict[str, object], by: str | None) -> None:
        self.values = {n: v for n, v in values.items() if is_identity(n)}
        self.values["require_signatures"] = False
        self._partners_from(self.values)
        self.out.force.append((when, dict(self.values)))
        self.change(when, {}, values, by)

    def _partners_from(self, values: dict[str, object]) -> None:
        ids = sorted(n[9:] for n in values if n.startswith("partners.") and n.count(".") == 1)
        self.out.partners = ids
        for pid in ids:
            info = values[f"partners.{pid}"]
            if isinstance(info, dict) and info.get("email"):
                self.emails[str(info["email"]).lower()] = pid

    def change(
        self, when: dt.datetime, before: dict[str, object], now: dict[str, object], by: str | None
    ) -> None:
        """A version `by` one partner's own commit (None: no one's own) changed settings."""
        for name in sorted(set(before) | set(now)):
            value = now.get(name)
            if before.get(name) == value and name in before:
                continue
            pend = self.out.pending.get(name)
            if value == self.values.get(name):
                if pend is not None:  # withdrawn by the proposer, declined by the other
                    self.out.declined.append(self.out.pending.pop(name))
                continue
            if pend is not None and pend.value == value:
                if by is not None:
                    pend.endorsed.setdefault(by, when)
                continue
            prop = SettingProposal(name, value, by, when)
            if by is not None:
                prop.endorsed[by] = when
            self.out.pending[name] = prop
        self.settle(when)

    def endorse(self, when: dt.datetime, who: str, name: str, digest: str) -> None:
        pend = self.out.pending.get(name)
        if pend is not None and pend.digest == digest and utc(when) >= utc(pend.since):
            pend.endorsed.setdefault(who, when)

    def endorse_version(self, when: dt.datetime, who: str, digest: str) -> None:
        version = self.versions.get(digest)
        if version is None:
            return
        for name, pend in self.out.pending.items():
            if name in version and version[name] == pend.value and utc(when) >= utc(pend.since):
                pend.endorsed.setdefault(who, when)

    def decline(self, when: dt.datetime, who: str, name: str, digest: str) -> None:
        pend = self.out.pending.get(name)
        if pend is not None and pend.digest == digest and utc(when) >= utc(pend.since):
            self.out.declined.append(self.out.pending.pop(name))

    def settle(self, when: dt.datetime) -> None:
        """Bring into force each proposal every partner in force endorsed."""
        done = [
            p
            for p in self.out.pending.values()
            if self.out.partners and all(q in p.endorsed for q in self.out.partners)
        ]
        if not done:
            return
        for p in done:
            del self.out.pending[p.name]
            if p.value is None:
                self.values.pop(p.name, None)
            else:
                self.values[p.name] = p.value
        if self.out.joined is None:
            self.out.joined = when
        self._partners_from(self.values)
        self.out.force.append((when, dict(self.values)))


def replay(
    terms: TermsVersions,
    accepts: Accepts,
    named: Named,
    declines: Named,
    digests: Any = None,
) -> Replay:
    """Replay the versions and the consents in the order history made them. `digests`
    maps (text, templates) to the whole-version digests an older `accept settings`
    named (settings.py gives it)."""
    r = _Replayer()
    events: list[tuple[dt.datetime, int, tuple[Any, ...]]] = []
    for i, v in enumerate(terms):
        events.append((v[0], 0, ("version", i)))
    for when, email, digest in accepts:
        events.append((when, 1, ("whole", email, digest)))
    for when, email, name, digest in named:
        events.append((when, 1, ("named", email, name, digest)))
    for when, email, name, digest in declines:
        events.append((when, 1, ("decline", email, name, digest)))
    events.sort(key=lambda e: (utc(e[0]), e[1]))
    before: dict[str, object] | None = None
    for when, _, event in events:
        if event[0] == "version":
            _, text, templates, own = terms[event[1]]
            now = values_of(text, templates)
            if now is None:
                continue
            for d in digests(text, templates) if digests else ():
                r.versions[d] = now
            by = r.who(own) if before is not None else None
            if before is None:
                r.emails = {}
                r._partners_from(now)
                r.first(when, now, r.who(own))
            else:
                r.change(when, before, now, by)
            before = now
            r.out.latest = now
            continue
        who = r.who(event[1])
        if who is None or before is None:
            continue
        if event[0] == "whole":
            r.endorse_version(when, who, event[2])
        elif event[0] == "named":
            r.endorse(when, who, event[2], event[3])
        else:
            r.decline(when, who, event[2], event[3])
        r.settle(when)
    return r.out


def with_values(base: dict[str, object], changes: dict[str, object]) -> dict[str, object]:
    """`base` with `changes` applied (a None value: the setting removed)."""
    out = dict(base)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out
