"""`openbook pause --all` and `openbook resume`: everything stops for both, no reason asked;
only the partner who paused ends it (SPEC section 10)."""

from __future__ import annotations

import datetime as dt
import os

from openbook.check.held_pauses import HeldPause, pauses_for
from openbook.check.result import check_vault
from openbook.errors import OpenbookError
from openbook.notes.parse import Note, parse_bytes, render_note, update_fields
from openbook.notetypes.registry import TYPES
from openbook.record.consent import ConsentResult, _now_local
from openbook.record.guard import require_can_sign
from openbook.record.pause_anyway import record_pause_file
from openbook.vault import Vault


def open_pauses(vault: Vault, at: dt.datetime | None = None) -> list[HeldPause]:
    """The pauses of everything that hold now (or at `at`), as history holds them."""
    when = at or vault.now()
    notes = check_vault(vault).parsed.values()
    held = pauses_for(vault, (n for n in notes if n.type == "pause"))
    return [p for p in held if p.agreement is None and p.holds(when)]


def _fmt(value: dt.datetime) -> str:
    return value.strftime("%a %d %b %H:%M")


PAUSE_WAIT = 60.0  # seconds a pause waits for the vault lock: it is never refused


def _lock_wait() -> float:
    return max(PAUSE_WAIT, float(os.environ.get("OPENBOOK_LOCK_WAIT", "5")))


def pause_all(vault: Vault, partner: str, until: dt.date | None = None) -> ConsentResult:
    """Pause everything for both partners from now; `until` ends it by itself that day.
    Never refused: it waits for a busy lock, and is committed beside a merge in progress,
    or held in this clone until a rebase or detached HEAD ends (pause_anyway.py). It
    writes only its own file, so invalid notes, drafts or conflict copies elsewhere do not
    stop it."""
    names = vault.require_config().partners
    if not vault.is_own_repo:
        vault.require_writable()  # not a vault of its own: nothing to write in
    require_can_sign(vault)  # a key that cannot sign is named before anything is written
    since = _now_local(vault)
    end = dt.datetime.combine(until, dt.time(0, 0)) if until else None
    if end is not None and end <= since:
        raise OpenbookError(
            f"--until {until} is not in the future; give a later date, or leave it out."
        )
    with vault.lock(wait=_lock_wait()):
        current = open_pauses(vault)
        mine = [n for n in current if n.by == partner]
        if mine:
            return ConsentResult(
                "pause",
                mine[0].path,
                "pause",
                None,
                "paused",
                f"Your pause since {_fmt(mine[0].since)} still holds; nothing new was "
                "written. End it with 'openbook resume' when you are ready.",
            )
        meta = {"type": "pause", "by": partner, "since": since, "until": end, "resumed": None}
        relpath = free_path(vault, TYPES["pause"].path_for(meta, names))
        text = render_note(meta, "")
        sha = record_pause_file(vault, partner, relpath, text, "new", vault.now())
    lasting = f" until {until.isoformat()}" if until else " until you run 'openbook resume'"
    also = ""
    if current:
        by = current[0].by
        also = f" {names[by].name if by in names else by}'s pause holds too."
    return ConsentResult(
        "pause",
        relpath,
        "pause",
        sha,
        "paused",
        f"Everything is paused for both of you{lasting}: no check-in, answer or deadline is "
        f"expected, and nothing is counted. No reason is needed.{also}{_waiting(sha)}",
    )


def resumed_text(vault: Vault, pause: HeldPause, at: dt.datetime) -> str:
    """The pause note with `resumed` set; written anew as its pauser made it when someone
    deleted it or it no longer reads as theirs."""
    full = vault.root / pause.path
    try:
        current = full.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        current = ""
    meta = parse_bytes(pause.path, current.encode("utf-8"), positions=False).meta
    if current and isinstance(meta, dict) and meta.get("by") == pause.by:
        return update_fields(current, {"resumed": at})
    fresh: dict[str, object] = {"type": "pause", "by": pause.by, "since": pause.since}
    if pause.agreement:
        fresh["agreement"] = pause.agreement
    fresh.update({"until": pause.until, "resumed": at})
    return render_note(fresh, "")


def free_path(vault: Vault, relpath: str) -> str:
    """`relpath`, or the same name with -2, -3... when a pause (even a deleted one) has it:
    a new pause never overwrites another."""
    taken = {p.path for p in pauses_for(vault, ())}
    stem, n, path = relpath[: -len(".md")], 1, relpath
    while path in taken or (vault.root / path).exists():
        n += 1
        path = f"{stem}-{n}.md"
    return path


def _waiting(sha: str | None) -> str:
    if sha is not None:
        return ""
    return (
        " It holds in this copy now; git is busy (a rebase, or an older commit checked out), "
        "so openbook commits it as soon as the branch is usable again, then 'openbook sync' "
        "shares it."
    )


def _nothing_paused(vault: Vault, partner: str) -> str:
    """Why plain `resume` has nothing to end: nothing at all is paused, or only agreements
    are (named, with the command for one's own pause, and who can end the other's)."""
    names = vault.config.partners
    notes = check_vault(vault).parsed.values()
    held = pauses_for(vault, (n for n in notes if n.type == "pause"))
    now = vault.now()
    agreements = [p for p in held if p.agreement is not None and p.holds(now)]
    if not agreements:
        return "Nothing is paused right now; there is nothing to resume."
    mine = [p for p in agreements if p.by == partner]
    if mine:
        aid = mine[0].agreement
        return (
            f"Not everything is paused, only {aid}, which you paused on {_fmt(mine[0].since)}; "
            f"'openbook resume {aid}' ends your pause."
        )
    first = agreements[0]
    who = names[first.by].name if first.by in names else str(first.by)
    return (
        f"Not everything is paused, only {first.agreement}, paused by {who} since "
        f"{_fmt(first.since)}; only {who} can end it."
    )


def resume(vault: Vault, partner: str) -> ConsentResult:
    """End the pause this partner began; a pause by the other partner is theirs to end.
    Never refused for a busy lock or git's state (as pause_all)."""
    names = vault.require_config().partners
    if not vault.is_own_repo:
        vault.require_writable()
    require_can_sign(vault)
    with vault.lock(wait=_lock_wait()):
        current = open_pauses(vault)
        mine = [n for n in current if n.by == partner]
        if not mine:
            if current:
                by = current[0].by
                who = names[by].name if by in names else str(by)
                raise OpenbookError(
                    f"Paused by {who} since {_fmt(current[0].since)}; only {who} can end "
                    "it, with 'openbook resume' on their own copy."
                )
            raise OpenbookError(_nothing_paused(vault, partner))
        note = mine[0]
        text = resumed_text(vault, note, _now_local(vault))
        sha = record_pause_file(vault, partner, note.path, text, "edit", vault.now())
    return ConsentResult(
        "pause",
        note.path,
        "resume",
        sha,
        "resumed",
        "The pause has ended; schedules and deadlines run again from now. Nothing from the "
        f"pause is counted.{_waiting(sha)}",
    )


# ------------------------------------------------------------------ one agreement


def _agreement(vault: Vault, aid: str) -> Note:
    """The agreement `aid` as history proves it (its status included)."""
    found = [
        n
        for n in check_vault(vault).parsed.values()
        if n.type == "agreement" and n.meta.get("id") == aid
    ]
    if not found:
        raise OpenbookError(
            f"There is no agreement {aid} in this vault; run 'openbook status' to see the ids."
        )
    return sorted(found, key=lambda n: n.path)[0]


def serving_sentence(vault: Vault, aid: str) -> str:
    """What pausing `aid` does to the check-ins: the schedules that serve it pause too."""
    cfg = vault.config
    serving = [(pid, s) for pid, s in cfg.checkins.items() if s.agreement == aid]
    if not serving:
        return (
            f"No check-in schedule serves {aid}, so check-ins continue; to pause everything, "
            "run 'openbook pause --all'."
        )
    parts = []
    for pid, sched in serving:
        name = cfg.partners[pid].name if pid in cfg.partners else pid
        how = "daily" if sched.every == "day" else "weekly"
        parts.append(f"{name}'s {how} check-ins")
    return f"{' and '.join(parts)} serve {aid}, so they pause too."


def agreement_pauses_now(vault: Vault, aid: str) -> list[HeldPause]:
    notes = check_vault(vault).parsed.values()
    held = pauses_for(vault, (n for n in notes if n.type == "pause"))
    return [p for p in held if p.agreement == aid and p.holds(vault.now())]


def pause_agreement(vault: Vault, partner: str, aid: str) -> ConsentResult:
    """Take back one's consent to active agreement `aid` until one resumes it: a pause note
    with `agreement: A-ID` (the agreement file is not edited). Never refused for a busy
    lock or git's state, as pause_all."""
    names = vault.require_config().partners
    if not vault.is_own_repo:
        vault.require_writable()
    require_can_sign(vault)
    with vault.lock(wait=_lock_wait()):
        note = _agreement(vault, aid)
        status = note.meta.get("status")
        if status == "retired":
            raise OpenbookError(f"{aid} is retired, so there is nothing to pause.")
        if status not in ("active", "paused"):
            raise OpenbookError(
                f"{aid} is not active yet (status {status}), so there is nothing to pause; "
                "it only becomes active when you both accept."
            )
        mine = [p for p in agreement_pauses_now(vault, aid) if p.by == partner]
        if mine:
            raise OpenbookError(
                f"You paused {aid} on {_fmt(mine[0].since)}; it is still paused. Nothing was "
                f"changed; 'openbook resume {aid}' makes it active again."
            )
        since = _now_local(vault)
        meta = {
            "type": "pause",
            "by": partner,
            "since": since,
            "agreement": aid,
            "until": None,
            "resumed": None,
        }
        relpath = free_path(vault, TYPES["pause"].path_for(meta, names))
        sha = record_pause_file(vault, partner, relpath, render_note(meta, ""), "new", vault.now())
    return ConsentResult(
        aid,
        relpath,
        "pause",
        sha,
        "paused",
        f"{aid} is paused. {serving_sentence(vault, aid)} It becomes active again when you run "
        f"'openbook resume {aid}'.{_waiting(sha)}",
        {"paused_by": partner},
    )


def resume_agreement(vault: Vault, partner: str, aid: str) -> ConsentResult:
    """End this partner's pause of `aid`; a pause by the other partner is theirs to end."""
    names = vault.require_config().partners
    if not vault.is_own_repo:
        vault.require_writable()
    require_can_sign(vault)
    with vault.lock(wait=_lock_wait()):
        current = agreement_pauses_now(vault, aid)
        mine = [p for p in current if p.by == partner]
        if not mine:
            if current:
                who = names[current[0].by].name if current[0].by in names else current[0].by
                raise OpenbookError(
                    f"{aid} is paused by {who} since {_fmt(current[0].since)}; only {who} "
                    "can end it."
                )
            raise OpenbookError(f"{aid} is not paused by you; there is nothing to resume.")
        pause = mine[0]
        text = resumed_text(vault, pause, _now_local(vault))
        sha = record_pause_file(vault, partner, pause.path, text, "edit", vault.now())
    others = [p for p in current if p.by != partner]
    still = (
        f" {names[others[0].by].name if others[0].by in names else others[0].by}'s pause of "
        f"{aid} still holds."
        if others
        else ""
    )
    return ConsentResult(
        aid,
        pause.path,
        "resume",
        sha,
        "paused" if others else "active",
        f"You resumed {aid}; what serves it runs again from now.{still}{_waiting(sha)}",
    )
