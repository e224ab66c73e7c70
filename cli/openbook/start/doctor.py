"""`openbook doctor`: what is wrong with this clone, in plain words, and the safe next steps,
each one a command to copy."""

from __future__ import annotations

from dataclasses import dataclass, field

from openbook.errors import Busy, OpenbookError, RemoteUnreachable
from openbook.git.state import clear_index_lock, git_dir_of, unsafe_state
from openbook.ritual.overview import read_last_sync
from openbook.start import refusals
from openbook.start.blocked import sync_blockers
from openbook.start.rewrite import RemoteState, look
from openbook.sync.resign import resign
from openbook.vault import Vault
from openbook.words import plural


@dataclass
class Finding:
    what: str
    next_step: str
    kind: str = ""
    details: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)  # the commands next_step names


def diagnose(vault: Vault, remote: str = "origin") -> list[Finding]:
    """Everything that would stop a write or a sync, each with the command that ends it."""
    findings = _local(vault)
    findings += _remote(vault, remote)
    if vault.config.ok:
        findings += [_finding(r) for r in refusals.own(vault, remote)]
    return findings


def _finding(r: refusals.Refusal) -> Finding:
    return Finding(r.what, r.next_step, r.kind, r.details, r.commands)


def _local(vault: Vault) -> list[Finding]:
    findings = []
    gd = git_dir_of(vault.root)
    if gd is not None and (gd / "index.lock").exists():
        findings.append(
            Finding(
                f"{gd / 'index.lock'} is left over from a git program that stopped; while it is "
                "there, nothing can be committed.",
                "If no other git program (an editor's git panel, a git app) is running, run "
                "'openbook doctor --fix'.",
                "index-lock",
                commands=["openbook doctor --fix"],
            )
        )
    else:
        state = unsafe_state(vault.root)
        if state:
            sentence, _, step = state.partition("; ")
            findings.append(Finding(sentence + ".", step[:1].upper() + step[1:], "git-state"))
    findings += [
        Finding(b.what, b.next_step, b.kind, commands=b.commands) for b in sync_blockers(vault)
    ]
    if not vault.config.ok:
        first = vault.config.problems[0]
        findings.append(
            Finding(
                f"openbook.yml:{first.line}: {first.message}.",
                "Fix openbook.yml, then run 'openbook check'.",
                "config",
                commands=["openbook check"],
            )
        )
    return findings


def _remote(vault: Vault, remote: str) -> list[Finding]:
    """The shared history on the remote, when this clone has synced with it before."""
    try:
        state = look(vault, remote)
    except RemoteUnreachable as exc:
        return [
            Finding(
                f"{remote} could not be reached ({exc}); your notes are committed in your copy "
                "and wait for the next sync.",
                "When you are online, run 'openbook sync'.",
                "remote-unreachable",
                commands=["openbook sync"],
            )
        ]
    except Busy:
        return [
            Finding(
                "Another openbook is working on this vault, so the shared history was not "
                "looked at.",
                "Run 'openbook doctor' again in a moment.",
                "busy",
                commands=["openbook doctor"],
            )
        ]
    except OpenbookError as exc:
        return [Finding(str(exc), "Run 'openbook sync --check' to see more.", "remote")]
    if state is None:
        return []
    if state.rewritten:
        return [rewrite_finding(state)]
    refused = refusals.incoming(vault, state)
    if refused is not None:
        return [_finding(refused)]
    last = read_last_sync(vault) or {}
    if last.get("exit_code") == 4:
        return [
            Finding(
                f"The last sync stopped with an integrity alert, though {remote} still holds "
                "everything this clone saw there: it refused what the incoming changes hold "
                "(files outside the vault's folders, links, or commits whose signature or "
                "author does not verify). Nothing of it was merged.",
                "Run 'openbook sync --check' to see what it refuses (and 'openbook verify' "
                "when signatures are required); ask your partner to remove it with a new "
                "commit, then run 'openbook sync'.",
                "refused-incoming",
                commands=["openbook sync --check", "openbook verify", "openbook sync"],
            )
        ]
    return []


def _listed(title: str, commits: list[str], total: int) -> list[str]:
    lines = [title] + [f"  {c}" for c in commits]
    if total > len(commits):
        lines.append(f"  ... and {total - len(commits)} more")
    return lines


def rewrite_finding(state: RemoteState) -> Finding:
    """The integrity alert in plain words: what differs, what the backups hold, the ways on."""
    remote, branch, seen = state.remote, state.branch, state.seen
    if state.incoming is None:
        what = (
            f"The branch {branch} is gone from {remote}, though this clone saw it there at "
            f"{seen.sha[:7]} ({seen.when}, {seen.subject})."
        )
    else:
        what = (
            f"The shared history on {remote} was rewritten: its {branch} no longer holds "
            f"{seen.sha[:7]} ({seen.when}, {seen.subject}), the last commit this clone saw there."
        )
    where = "still in your copy" if state.missing_in_copy else "not all of them in your copy"
    details = _listed(
        f"Missing on {remote}: {plural(state.missing_total, 'commit')} this clone had seen "
        f"there, {where}:",
        [c.line() for c in state.missing],
        state.missing_total,
    )
    if state.new_total:
        details += _listed(
            f"New on {remote}: {plural(state.new_total, 'commit')} your copy does not have yet:",
            [c.line() for c in state.new_there],
            state.new_total,
        )
    elif state.incoming is not None:
        details.append(f"Nothing is on {remote} that your copy does not have already.")
    details.append(_backups_line(state))
    if state.hold:
        details.append(refusals.hold_line(state, "your partner"))
    back = (
        "The missing commit goes"
        if state.missing_total == 1
        else f"The {state.missing_total} missing commits go"
    )
    step = (
        "Nothing was merged or pushed, and your copy is untouched. Talk with your partner "
        "first, then choose one of these safe ways forward; neither loses a note:\n"
        "  1. Keep both histories: run 'openbook doctor --accept-remote', then "
        f"'openbook sync'. {back} back to {remote}"
        + (", the new ones arrive here" if state.new_total else "")
        + ", and your partner's next sync receives it all.\n"
        "  2. Stop here and talk: change nothing. 'openbook sync' keeps refusing, and your "
        "notes keep being committed in your copy, until you decide together."
    )
    return Finding(
        what,
        step,
        "history-rewritten" if state.incoming is not None else "branch-gone",
        details,
        ["openbook doctor --accept-remote", "openbook sync"],
    )


def _backups_line(state: RemoteState) -> str:
    backups = state.backups
    if not backups:
        return (
            "Backups: none yet (sync makes one under refs/openbook/backup/ before it changes "
            "anything)."
        )
    newest = backups[0]
    line = (
        f"Backups: {plural(len(backups), 'backup point')} under refs/openbook/backup/, the newest "
        f"made {newest.made} at {newest.sha[:7]}"
    )
    apart = [b for b in backups if not b.in_history]
    if not apart:
        return line + "; every one is part of your current history, so nothing lives only there."
    names = ", ".join(b.ref for b in apart[:3]) + (", ..." if len(apart) > 3 else "")
    held = plural(len(apart), "backup")
    return line + f"; {held} hold commits your copy no longer shows ({names})."


def fix(vault: Vault) -> list[str]:
    """Clear what is safe to clear once the user has confirmed; returns what was done."""
    done = []
    cleared = clear_index_lock(vault.root)
    if cleared is not None:
        done.append(f"removed {cleared}")
    if vault.config.ok:
        done += resign(vault)
    return done
