"""What `doctor` says about commits that do not verify (SPEC section 7, "No dead ends"):
incoming ones this clone refuses, this clone's own that the partner's clone refuses
(unshared: made again signed with `doctor --fix`; shared: the partner takes them in with
`sync --accept-unverified`), and the hold branch that carries this partner's work."""

from __future__ import annotations

from dataclasses import dataclass, field

from openbook.errors import shown
from openbook.start.rewrite import RemoteState
from openbook.sync.hold import other_partner
from openbook.sync.merge import partner_name
from openbook.sync.resign import unshared_problems
from openbook.trust.verify import Problem, verify
from openbook.vault import Vault
from openbook.words import plural

SHOWN = 10


@dataclass
class Refusal:
    what: str
    next_step: str
    kind: str
    details: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def _lines(vault: Vault, problems: list[Problem]) -> list[str]:
    out = [shown(p.format(vault.tz)) for p in problems[:SHOWN]]
    if len(problems) > SHOWN:
        out.append(f"... and {len(problems) - SHOWN} more")
    return out


def _of_yours(n: int) -> str:
    return "One of your commits" if n == 1 else f"{n} of your commits"


def _names(vault: Vault) -> tuple[str, str]:
    me = vault.own_partner() or ""
    other = other_partner(vault, me) if me else None
    return me, partner_name(vault, other) if other else "your partner"


def hold_line(state: RemoteState, them: str) -> str:
    if not state.hold:
        return f"Your own new commits go to openbook/hold-YOU on {state.remote} meanwhile."
    if state.held:
        return (
            f"Your own {plural(state.held, 'commit')} {'waits' if state.held == 1 else 'wait'} "
            f"on {state.hold} on {state.remote}; {them}'s sync merges "
            f"{'it' if state.held == 1 else 'them'}, so {them} still receives your work."
        )
    return f"{state.remote}'s {state.hold} holds nothing {state.branch} lacks."


def incoming(vault: Vault, state: RemoteState) -> Refusal | None:
    """Commits on the remote that this clone refuses to merge."""
    if not state.unverified:
        return None
    _, them = _names(vault)
    tip = state.unverified[0].commit[:7]
    n = len(state.unverified)
    command = f"openbook sync --accept-unverified {tip}"
    return Refusal(
        f"{plural(n, 'commit')} on {state.remote} {'does' if n == 1 else 'do'} not verify, so "
        f"sync merges nothing new from {state.branch} (exit 4).",
        f"Talk with {them} first: were these commits theirs? Then take them in, marked "
        f"unverified (nothing they claim counts), with '{command}'.",
        "incoming-unverified",
        [*_lines(vault, state.unverified), hold_line(state, them)],
        [command],
    )


def own(vault: Vault, remote: str = "origin") -> list[Refusal]:
    """This clone's commits that the partner's clone refuses."""
    if not vault.config.require_signatures or not vault.is_own_repo:
        return []
    _, them = _names(vault)
    found: list[Refusal] = []
    unshared = unshared_problems(vault, remote)
    n = len(unshared.refused)
    if n:
        does, it = ("does", "it") if n == 1 else ("do", "them")
        found.append(
            Refusal(
                f"{_of_yours(n)} {does} not verify, so sync does not push {it}: {them}'s copy "
                f"would refuse {it}.",
                "They were never shared, so they can be made again, signed, with the same "
                "notes and dates (the originals are kept in a backup): run "
                "'openbook doctor --fix', then 'openbook sync'.",
                "outgoing-unverified",
                _lines(vault, unshared.refused),
                ["openbook doctor --fix", "openbook sync"],
            )
        )
    mine = {p.commit for p in unshared.refused}
    shared = [p for p in verify(vault).problems if p.commit not in mine]
    if shared:
        tip = shared[0].commit[:7]
        found.append(
            Refusal(
                f"{plural(len(shared), 'commit')} in the shared history "
                f"{'does' if len(shared) == 1 else 'do'} not verify; {them}'s copy refuses "
                "to merge from there until they take them in.",
                f"Talk with {them}: when you agree, {them} runs 'openbook sync "
                f"--accept-unverified {tip}' in their own copy. Their work still reaches you "
                "on their hold branch meanwhile.",
                "shared-unverified",
                _lines(vault, shared),
                [f"openbook sync --accept-unverified {tip}"],
            )
        )
    return found
