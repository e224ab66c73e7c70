"""The trust settings one openbook.yml names, as flat values that consent is given to.

Names: `require_signatures` (bool), `timezone` (str or None), `partners.<id>` ({name,
email}) and `partners.<id>.signing_key` (the key as `algorithm base64`, or None). A file
that does not load (YAML errors, aliases, duplicate keys), names other than exactly two
partners, gives two partners one email, lists an unreadable key or an unknown time zone
is never in force: it parses to a `why` instead of values.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openbook.config import CONFIG_NAME, PARTNER_ID
from openbook.notes.parse import parse_bytes
from openbook.trust.sshsig import KeyFormatError, PublicKey, parse_public_key

REQUIRE = "require_signatures"
TIMEZONE = "timezone"


def partner_name(pid: str) -> str:
    return f"partners.{pid}"


def key_name(pid: str) -> str:
    return f"partners.{pid}.signing_key"


def key_owner_of(name: str) -> str | None:
    """`bob` for `partners.bob.signing_key`, else None."""
    if name.startswith("partners.") and name.endswith(".signing_key"):
        return name[len("partners.") : -len(".signing_key")]
    return None


@dataclass(frozen=True)
class Parsed:
    """One openbook.yml: its values, or why it can never be in force."""

    values: dict[str, object]
    why: str | None = None

    @property
    def valid(self) -> bool:
        return self.why is None

    def partner_ids(self) -> list[str]:
        return sorted(
            n[len("partners.") :] for n in self.values if n.count(".") == 1 and n[:9] == "partners."
        )


@lru_cache(maxsize=256)
def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=64)
def public_key(text: str) -> PublicKey | None:
    try:
        return parse_public_key(text)
    except KeyFormatError:
        return None


def _bad(why: str) -> Parsed:
    return Parsed({}, f"{CONFIG_NAME} {why}")


def parse_trust(data: bytes) -> Parsed:
    """The trust settings of openbook.yml bytes, read as the config loader reads them."""
    body = data if data.endswith(b"\n") or not data else data + b"\n"
    note = parse_bytes(CONFIG_NAME, b"---\n" + body + b"---\n", positions=False)
    if note.problems or not isinstance(note.meta, dict):
        first = note.problems[0].message if note.problems else "is not a mapping"
        return _bad(f"does not load ({first})")
    meta = note.meta
    raw = meta.get("partners")
    if not isinstance(raw, dict) or len(raw) != 2:
        return _bad("must name exactly two partners")
    values: dict[str, object] = {}
    emails: set[str] = set()
    for pid, info in raw.items():
        if not isinstance(pid, str) or not PARTNER_ID.match(pid) or not isinstance(info, dict):
            return _bad(f"has a partner entry that cannot be read ({pid!r})")
        email = str(info.get("email") or "").strip().lower()
        if not email or email in emails:
            return _bad("gives two partners one email" if email else f"gives {pid} no email")
        emails.add(email)
        values[partner_name(pid)] = {"name": str(info.get("name") or pid), "email": email}
        text = info.get("signing_key")
        key = None
        if isinstance(text, str) and text.strip():
            parsed = public_key(text.strip())
            if parsed is None:
                return _bad(f"lists a signing_key for {pid} that is not an SSH public key")
            key = parsed.text
        elif text not in (None, ""):
            return _bad(f"lists a signing_key for {pid} that is not an SSH public key")
        values[key_name(pid)] = key
    zone = meta.get("timezone")
    if zone is not None and (not isinstance(zone, str) or not _zone_ok(zone)):
        return _bad(f"names a time zone that does not exist ({zone})")
    values[TIMEZONE] = zone
    values[REQUIRE] = meta.get("require_signatures") is True
    return Parsed(values)
