"""`openbook timeout` and `openbook back`: a timeout called without a reason, and the
return recorded, on top of the timeout note (notetypes/timeout.py).

Calling a timeout is never refused: a length outside the range both accepted is
recorded at the nearest bound and said so (SPEC section 10). The return is the caller's
own `returned` time on their own note; coming back is what counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openbook.errors import OpenbookError
from openbook.git import ledger
from openbook.notes.parse import Note
from openbook.record.consent import _rewrite as rewrite_fields
from openbook.record.create import new_note
from openbook.record.guard import require_can_sign
from openbook.vault import Vault


@dataclass(frozen=True)
class TimeoutDone:
    path: str
    commit: str
    called: dt.datetime
    return_by: dt.datetime | None
    message: str
    said: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "commit": self.commit,
            "called": self.called.isoformat(),
            "return_by": self.return_by.isoformat() if self.return_by else None,
            "message": self.message,
            "said": list(self.said),
        }


def _now(vault: Vault) -> dt.datetime:
    return vault.now().replace(tzinfo=None, second=0, microsecond=0)


def call_timeout(
    vault: Vault, partner: str, length: dt.timedelta | None = None, topic: str | None = None
) -> TimeoutDone:
    """A timeout called now by `partner`, back after `length` (default: the shortest
    agreed time)."""
    vault.require_writable()
    now = _now(vault)
    agreed = vault.terms().config
    back = now + (length if length is not None else agreed.timeout_min)
    sets: dict[str, Any] = {"called": now, "return_by": back}
    if topic and topic.strip():
        sets["topic"] = " ".join(topic.split())
    created = new_note(vault, partner, "timeout", sets=sets)
    note = _read(vault, created.path)
    return_by = note.meta.get("return_by") if note else back
    when = return_by if isinstance(return_by, dt.datetime) else back
    return TimeoutDone(
        created.path,
        created.commit,
        now,
        when,
        f"Timeout called at {now:%H:%M}; come back by {when:%H:%M} with 'openbook back'. "
        "No reason is needed.",
        created.said,
    )


def _read(vault: Vault, relpath: str) -> Note | None:
    from openbook.notes.parse import parse_bytes

    try:
        return parse_bytes(relpath, (vault.root / relpath).read_bytes())
    except (OSError, OpenbookError):
        return None


def open_timeouts(vault: Vault, partner: str) -> list[Note]:
    """`partner`'s timeouts not yet returned from, oldest first."""
    from openbook.check.result import check_vault
    from openbook.notetypes.registry import is_conflict_copy

    parsed = check_vault(vault).parsed
    found = [
        n
        for path, n in parsed.items()
        if n.type == "timeout"
        and n.meta.get("called_by") == partner
        and not n.meta.get("returned")
        and not is_conflict_copy(path)
    ]
    return sorted(found, key=lambda n: str(n.meta.get("called")))


def come_back(vault: Vault, partner: str) -> TimeoutDone:
    """`returned` set to now on `partner`'s latest open timeout, committed as theirs."""
    vault.require_writable()
    require_can_sign(vault)
    with vault.lock():
        notes = open_timeouts(vault, partner)
        if not notes:
            raise OpenbookError(
                "You have no timeout open, so there is nothing to come back from; "
                "'openbook timeout' calls one."
            )
        note = notes[-1]
        now = _now(vault)
        rewrite_fields(vault, note, {"returned": now})
        sha = ledger.record(vault, partner, "edit", "timeout", [note.path], note.path)
    called = note.meta.get("called")
    start = called if isinstance(called, dt.datetime) else now
    return TimeoutDone(
        note.path,
        sha,
        start,
        None,
        f"You are back from the timeout called at {start:%H:%M}; coming back is what counts.",
    )
