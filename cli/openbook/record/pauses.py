"""`openbook pause --all` and `openbook resume`: everything stops for both, no reason asked;
only the partner who paused ends it (SPEC section 10)."""

from __future__ import annotations

import datetime as dt

from openbook.check.result import check_vault
from openbook.errors import OpenbookError
from openbook.notes.parse import Note
from openbook.notetypes.pause import holds
from openbook.record.consent import ConsentResult, _commit, _now_local, _rewrite
from openbook.record.create import save_note
from openbook.vault import Vault


def open_pauses(vault: Vault, at: dt.datetime | None = None) -> list[Note]:
    """The pauses that hold now (or at `at`), oldest first."""
    when = at or vault.now()
    notes = check_vault(vault).parsed.values()
    found = [n for n in notes if n.type == "pause" and holds(n.meta, when, vault.tz)]
    return sorted(found, key=lambda n: n.path)


def _fmt(value: dt.datetime) -> str:
    return value.strftime("%a %d %b %H:%M")


def pause_all(vault: Vault, partner: str, until: dt.date | None = None) -> ConsentResult:
    """Pause everything for both partners from now; `until` ends it by itself that day."""
    vault.require_writable()
    names = vault.require_config().partners
    with vault.lock():
        current = open_pauses(vault)
        if current:
            by = current[0].meta.get("by")
            who = names[by].name if by in names else str(by)
            ends = (
                "you end it with 'openbook resume'"
                if by == partner
                else f"{who} ends it with 'openbook resume'"
            )
            raise OpenbookError(
                f"Everything is already paused ({who}, {current[0].path}); nothing is "
                f"expected of either of you until it ends: {ends}."
            )
        since = _now_local(vault)
        end = dt.datetime.combine(until, dt.time(0, 0)) if until else None
        if end is not None and end <= since:
            raise OpenbookError(
                f"--until {until} is not in the future; give a later date, or leave it out."
            )
        meta = {"type": "pause", "by": partner, "since": since, "until": end, "resumed": None}
        created = save_note(vault, partner, meta, "")
    lasting = f" until {until.isoformat()}" if until else " until you run 'openbook resume'"
    return ConsentResult(
        "pause",
        created.path,
        "pause",
        created.commit,
        "paused",
        f"Everything is paused for both of you{lasting}: no check-in, answer or deadline is "
        "expected, and nothing is counted. No reason is needed.",
    )


def resume(vault: Vault, partner: str) -> ConsentResult:
    """End the pause this partner began; a pause by the other partner is theirs to end."""
    vault.require_writable()
    names = vault.require_config().partners
    with vault.lock():
        current = open_pauses(vault)
        mine = [n for n in current if n.meta.get("by") == partner]
        if not mine:
            if current:
                by = current[0].meta.get("by")
                who = names[by].name if by in names else str(by)
                raise OpenbookError(
                    f"{who} paused everything on {_fmt(current[0].meta['since'])}; only "
                    f"{who} can end it, with 'openbook resume' on their own copy."
                )
            raise OpenbookError("Nothing is paused right now; there is nothing to resume.")
        note = mine[0]
        _rewrite(vault, note, {"resumed": _now_local(vault)})
        sha = _commit(vault, partner, "edit", "pause", note, note.path)
    return ConsentResult(
        "pause",
        note.path,
        "resume",
        sha,
        "resumed",
        "The pause has ended; schedules and deadlines run again from now. Nothing from the "
        "pause is counted.",
    )
