"""The trust settings in force at each commit, read from the commit and its ancestors.

Each setting of SPEC sections 7 and 10 that guards the log (`require_signatures`, the
partners' names and emails, each partner's `signing_key`, `timezone`) is in force at a
commit when both partners consented to it in the commit's ancestry; a change by one
partner is a `Proposal` until the other accepts it. `judge.py` computes these states in
one pass over the history, parents first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from openbook.trust.sshsig import PublicKey
from openbook.trust.trustconfig import REQUIRE, TIMEZONE, key_name, public_key

SETTING_TRAILER = "Openbook-Setting"


def setting_digest(value: object) -> str:
    """The sha256 hex that an accept commit names for a setting's value (None when absent)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- state

Since = tuple[int, str]  # (committer time, sha) of the commit a value came into force at


@dataclass(frozen=True)
class Proposal:
    """A trust setting one partner changed and the other has not accepted yet."""

    name: str  # `require_signatures`, `timezone`, `partners.<id>`, `partners.<id>.signing_key`
    value: object  # what `accept settings` names with setting_digest(value)
    by: str  # the proposing partner
    commit: str
    at: int = 0

    @property
    def digest(self) -> str:
        return setting_digest(self.value)


@dataclass(frozen=True)
class Partner:
    name: str
    email: str
    key: PublicKey | None


@dataclass(frozen=True)
class TrustState:
    """The trust settings in force at one commit (SPEC sections 7 and 10)."""

    require: bool
    partners: dict[str, Partner]
    timezone: str | None
    pending: dict[str, Proposal]
    introduction: str | None


@dataclass
class State:
    """What `TrustState` shows, kept as flat values with the commit each came in force at."""

    values: dict[str, object] = field(default_factory=dict)
    since: dict[str, Since] = field(default_factory=dict)
    pending: dict[str, Proposal] = field(default_factory=dict)
    _ids: list[str] | None = field(default=None, compare=False, repr=False)
    _emails: dict[str, str] | None = field(default=None, compare=False, repr=False)

    def copy(self) -> State:
        return State(dict(self.values), dict(self.since), dict(self.pending))

    @property
    def require(self) -> bool:
        return self.values.get(REQUIRE) is True

    @property
    def introduction(self) -> str | None:
        return self.since[REQUIRE][1] if self.require and REQUIRE in self.since else None

    def partner_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = sorted(
                n[9:] for n in self.values if n.startswith("partners.") and n.count(".") == 1
            )
        return self._ids

    def email(self, pid: str) -> str:
        info = self.values.get(f"partners.{pid}")
        return str(info.get("email", "")) if isinstance(info, dict) else ""

    def by_email(self, email: str) -> str | None:
        if self._emails is None:
            self._emails = {self.email(p): p for p in reversed(self.partner_ids())}
        return self._emails.get(email.strip().lower())

    def key(self, pid: str) -> PublicKey | None:
        text = self.values.get(key_name(pid))
        return public_key(text) if isinstance(text, str) else None

    def key_owner(self, key: PublicKey) -> str | None:
        return next(
            (p for p in self.partner_ids() if self.values.get(key_name(p)) == key.text), None
        )

    def pending_key_owner(self, key: PublicKey) -> str | None:
        for pid in self.partner_ids():
            prop = self.pending.get(key_name(pid))
            if prop is not None and prop.value == key.text:
                return pid
        return None

    def put(self, name: str, value: object, since: Since) -> None:
        self._ids = self._emails = None
        self.values[name] = value
        self.since[name] = since
        self.pending.pop(name, None)

    def public(self) -> TrustState:
        partners = {}
        for pid in self.partner_ids():
            info = self.values[f"partners.{pid}"]
            name = str(info.get("name", pid)) if isinstance(info, dict) else pid
            partners[pid] = Partner(name, self.email(pid), self.key(pid))
        zone = self.values.get(TIMEZONE)
        return TrustState(
            self.require,
            partners,
            zone if isinstance(zone, str) else None,
            dict(self.pending),
            self.introduction,
        )


EMPTY = State()


def merge_states(states: list[State]) -> State:
    """The settings in force after a merge: per setting, the value that came into force
    latest among the parents (a merge itself gives no consent); proposals of both."""
    if len(states) == 1:
        return states[0]
    out = State()
    for state in states:
        for name, value in state.values.items():
            when = state.since.get(name, (0, ""))
            if name not in out.values or when > out.since.get(name, (0, "")):
                out.values[name] = value
                out.since[name] = when
    for state in states:
        for name, prop in state.pending.items():
            have = out.pending.get(name)
            if out.values.get(name) != prop.value and (have is None or prop.at > have.at):
                out.pending[name] = prop
    return out


def state_to_json(state: State) -> dict[str, object]:
    """`state` as JSON values, for the result `verify` remembers."""
    return {
        "values": state.values,
        "since": {k: list(v) for k, v in state.since.items()},
        "pending": {
            k: {"value": p.value, "by": p.by, "commit": p.commit, "at": p.at}
            for k, p in state.pending.items()
        },
    }


def state_from_json(data: object) -> State | None:
    """The state `state_to_json` wrote; None when it cannot be read."""
    try:
        assert isinstance(data, dict)
        since = {str(k): (int(v[0]), str(v[1])) for k, v in data["since"].items()}
        pending = {
            str(k): Proposal(str(k), p["value"], str(p["by"]), str(p["commit"]), int(p["at"]))
            for k, p in data["pending"].items()
        }
        return State(dict(data["values"]), since, pending)
    except (AssertionError, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
