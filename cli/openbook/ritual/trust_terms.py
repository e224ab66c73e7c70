"""The trust settings as values and in plain words (SPEC sections 7 and 10): the time
zone, the partners (ids, names, emails), `require_signatures` and a replaced signing key.

`setting_values` gives each setting of a version of openbook.yml by the name an `accept
settings` commit names it with (`Openbook-Setting: NAME DIGEST`): the trust settings as
the verifier reads them, and the older binding settings (`checkins.<id>`, `questions`,
`meeting`, `review`, `timeouts`) so that later per-setting consent can use them.
"""

from __future__ import annotations

from typing import Any

from openbook.config import Config
from openbook.errors import shown
from openbook.trust import sshsig
from openbook.trust.inforce import setting_digest

REQUIRE = "require_signatures"
TIMEZONE = "timezone"
OLDER = ("questions", "meeting", "review", "timeouts", "sync")


def key_text(value: Any) -> str | None:
    """A signing key as `algorithm base64` (no comment), None when none or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return sshsig.parse_public_key(value.strip()).text
    except sshsig.KeyFormatError:
        return None


def fingerprint(text: str | None) -> str:
    if not text:
        return "none"
    try:
        return sshsig.parse_public_key(text).fingerprint
    except sshsig.KeyFormatError:
        return "unreadable"


def partners_raw(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    partners = raw.get("partners")
    if not isinstance(partners, dict):
        return {}
    return {str(pid): info for pid, info in partners.items() if isinstance(info, dict)}


def partner_value(pid: str, info: dict[str, Any]) -> dict[str, str]:
    """{"name", "email"} as the verifier reads them (the email in lower case)."""
    email = str(info.get("email") or "").strip().lower()
    return {"name": str(info.get("name") or pid), "email": email}


def trust_part(raw: dict[str, Any]) -> dict[str, Any]:
    """The trust settings of a version that bind by consent, without the partners' keys
    (a key is its owner's own; only a replaced one is a proposal, tracked apart)."""
    return {
        TIMEZONE: raw.get(TIMEZONE),
        REQUIRE: raw.get(REQUIRE) is True,
        "partners": {pid: partner_value(pid, info) for pid, info in partners_raw(raw).items()},
    }


def setting_values(raw: dict[str, Any]) -> dict[str, object]:
    """Every setting of a version by the name an `accept settings` commit gives it."""
    out: dict[str, object] = {REQUIRE: raw.get(REQUIRE) is True, TIMEZONE: raw.get(TIMEZONE)}
    checkins = raw.get("checkins") if isinstance(raw.get("checkins"), dict) else {}
    for pid, info in partners_raw(raw).items():
        out[f"partners.{pid}"] = partner_value(pid, info)
        out[f"partners.{pid}.signing_key"] = key_text(info.get("signing_key"))
        out[f"checkins.{pid}"] = checkins.get(pid) if isinstance(checkins, dict) else None
    for key in OLDER:
        out[key] = raw.get(key)
    return out


def setting_trailers(raw: dict[str, Any]) -> list[str]:
    """`NAME DIGEST` for each setting of a version, as `accept settings` records them."""
    return [f"{name} {setting_digest(v)}" for name, v in sorted(setting_values(raw).items())]


# ------------------------------------------------------------------------- in words


def trust_differences(old: Config, new: Config) -> list[str]:
    """ "time zone Europe/Berlin, was Europe/London"; "Bob's email bob@new.example, was
    bob@example.org"; "signatures required"."""
    out = []
    a, b = trust_part(old.raw), trust_part(new.raw)
    if a[TIMEZONE] != b[TIMEZONE]:
        out.append(f"time zone {shown(str(b[TIMEZONE]))}, was {shown(str(a[TIMEZONE]))}")
    if a[REQUIRE] != b[REQUIRE]:
        out.append("signatures required" if b[REQUIRE] else "signatures no longer required")
    for pid in sorted(set(a["partners"]) | set(b["partners"])):
        was, now = a["partners"].get(pid), b["partners"].get(pid)
        if was == now:
            continue
        if was is None:
            out.append(f"a partner added: {shown(now['name'])} ({shown(now['email'])})")
        elif now is None:
            out.append(f"a partner removed: {shown(was['name'])} ({shown(was['email'])})")
        else:
            for field in ("name", "email"):
                if was[field] != now[field]:
                    out.append(
                        f"{shown(was['name'])}'s {field} {shown(now[field])}, was "
                        f"{shown(was[field])}"
                    )
    return out


def key_sentence(name: str, new: str | None, old: str | None) -> str:
    """ "Bob's signing key replaced: SHA256:..., was SHA256:... — compare it with Bob in
    person before accepting"."""
    return (
        f"{name}'s signing key replaced: {fingerprint(new)}, was {fingerprint(old)} — "
        f"compare it with {name} in person before accepting"
    )


def is_trust_line(line: str) -> bool:
    return (
        line.startswith(("time zone ", "signatures ", "a partner "))
        or "'s signing key replaced" in line
        or "'s email " in line
        or "'s name " in line
    )
