"""What the git layer needs to know of a vault, as protocols: the vault (vault.py) sits
above git and hands itself down; git never imports it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from openbook.errors import OpenbookError


class PartnerView(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...


class SettingsView(Protocol):
    @property
    def partners(self) -> Mapping[str, PartnerView]: ...


class VaultView(Protocol):
    """A vault as the ledger reads it: its folder, partners, time zone and clock."""

    @property
    def root(self) -> Path: ...

    @property
    def config(self) -> SettingsView: ...

    @property
    def tz(self) -> dt.tzinfo: ...

    @property
    def is_own_repo(self) -> bool: ...

    def now(self) -> dt.datetime: ...

    def own_partner(self) -> str | None: ...


def own_email(vault: VaultView) -> str | None:
    """The email (lower case) of this clone's own partner (git config openbook.partner),
    None when it is not set or the settings do not load."""
    try:
        pid = vault.own_partner()
        partner = vault.config.partners.get(pid) if pid else None
    except (OpenbookError, OSError):
        return None
    return partner.email.lower() if partner else None
