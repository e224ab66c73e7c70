"""What the last sync set aside (SPEC 5): files the partner pushed that stay in the shared
history but out of the work tree, settings that do not load, consent claims that do not
count. Sync writes the list under .git/openbook/; status and the agenda name each one."""

from __future__ import annotations

import json
from typing import Any

from openbook.fsutil import atomic_write
from openbook.vault import Vault

SET_ASIDE_FILE = "set-aside.json"


def read_set_aside(vault: Vault) -> list[dict[str, str]]:
    """[{"key": path or commit, "rule": ..., "text": one sentence}], newest sync's."""
    state = vault.state_dir()
    if state is None:
        return []
    try:
        data: Any = json.loads((state / SET_ASIDE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [
        {k: str(item.get(k, "")) for k in ("key", "rule", "text")}
        for item in data
        if isinstance(item, dict) and item.get("text")
    ]


def write_set_aside(vault: Vault, items: list[dict[str, str]]) -> None:
    state = vault.state_dir()
    if state is None:
        return
    if not items:
        (state / SET_ASIDE_FILE).unlink(missing_ok=True)
        return
    state.mkdir(parents=True, exist_ok=True)
    atomic_write(state / SET_ASIDE_FILE, (json.dumps(items) + "\n").encode("utf-8"))


def set_aside_texts(vault: Vault) -> list[str]:
    return [item["text"] for item in read_set_aside(vault)]
