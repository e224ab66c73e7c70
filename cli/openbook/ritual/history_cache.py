"""The vault's history as counting needs it (ritual/history.py), remembered under the
state folder with the commit it was read up to."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from openbook.fsutil import atomic_write
from openbook.ritual.history import CACHE_FILE, CACHE_VERSION, GoneAgreement, VaultHistory
from openbook.vault import Vault


def load_history(vault: Vault) -> VaultHistory | None:
    """The history remembered under the state folder, None when none is readable."""
    state = vault.state_dir()
    if state is None:
        return None
    try:
        data = json.loads((state / CACHE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != CACHE_VERSION:
            return None
        return _from_data(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _from_data(data: dict[str, Any]) -> VaultHistory:
    when = dt.datetime.fromisoformat
    return VaultHistory(
        own=True,
        head=data["head"],
        start=when(data["start"]) if data["start"] else None,
        configs=[(when(t), text, own) for t, text, own in data["configs"]],
        terms=[(when(t), text, dict(tpl), own) for t, text, tpl, own in data["terms"]],
        accepts=[(when(t), email, digest) for t, email, digest in data["accepts"]],
        keys=[(when(t), sha, pid, o, n, own, ok) for t, sha, pid, o, n, own, ok in data["keys"]],
        setting_accepts=[(when(t), e, name, d) for t, e, name, d in data["setting_accepts"]],
        setting_declines=[(when(t), e, n, d) for t, e, n, d in data["setting_declines"]],
        seq=int(data["seq"]),
        standing=(int(data["standing"][0]), bool(data["standing"][1]))
        if data.get("standing")
        else None,
        first_commit={p: when(t) for p, t in data["first_commit"].items()},
        actions={p: {a: when(t) for a, t in acts.items()} for p, acts in data["actions"].items()},
        deleted={
            p: GoneAgreement(
                d["path"],
                d["id"],
                d["title"],
                d["status"],
                when(d["deleted_at"]),
                d["deleted_by"],
                d["commit"],
            )
            for p, d in data["deleted"].items()
        },
    )


def save_history(vault: Vault, hist: VaultHistory) -> None:
    """Remember `hist` under the state folder (a failure is only a slower next run)."""
    state = vault.state_dir()
    if state is None:
        return
    data = {
        "version": CACHE_VERSION,
        "head": hist.head,
        "start": hist.start.isoformat() if hist.start else None,
        "configs": [(t.isoformat(), text, own) for t, text, own in hist.configs],
        "terms": [(t.isoformat(), text, tpl, own) for t, text, tpl, own in hist.terms],
        "accepts": [(t.isoformat(), email, digest) for t, email, digest in hist.accepts],
        "keys": [(k[0].isoformat(), *k[1:]) for k in hist.keys],
        "setting_accepts": [(a[0].isoformat(), *a[1:]) for a in hist.setting_accepts],
        "setting_declines": [(a[0].isoformat(), *a[1:]) for a in hist.setting_declines],
        "seq": hist.seq,
        "standing": list(hist.standing) if hist.standing else None,
        "first_commit": {p: t.isoformat() for p, t in hist.first_commit.items()},
        "actions": {
            p: {a: t.isoformat() for a, t in acts.items()} for p, acts in hist.actions.items()
        },
        "deleted": {
            p: {**d.__dict__, "deleted_at": d.deleted_at.isoformat()}
            for p, d in hist.deleted.items()
        },
    }
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(state / CACHE_FILE, json.dumps(data).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written is only slower next time
