"""The trust settings in force at each commit, read from the commit and its ancestors."""

from __future__ import annotations

import hashlib
import json

SETTING_TRAILER = "Openbook-Setting"


def setting_digest(value: object) -> str:
    """The sha256 hex that an accept commit names for a setting's value (None when absent)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
