"""No dead ends (GUIDE invariant 9): what this partner's own commits do when the partner's
new history cannot be merged, and what sync refuses to send.

- When incoming commits fail verification (SPEC section 7) or shared history was
  rewritten, nothing of the remote's new history is merged; this partner's own new
  commits are pushed, fast-forward only, to `openbook/hold-<partner>` on the remote, so
  the other partner still receives them.
- The other partner's sync fetches that hold branch and merges it like the main branch,
  with the same checks.
- Before pushing, sync checks its own outgoing commits by the rules the partner's clone
  applies and refuses (exit 1) to push what the partner would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from openbook.errors import IntegrityAlert, OpenbookError, RemoteUnreachable
from openbook.git import plumbing
from openbook.sync.integrity import refuse_unverified
from openbook.sync.merge import Integration, integrate, partner_name
from openbook.sync.refs import SyncRefs
from openbook.sync.transport import fetch, push
from openbook.trust.verify import Problem, problem_list, verify_range
from openbook.vault import Vault
from openbook.words import plural

HOLD_PREFIX = "openbook/hold-"
HOLD_FETCHED = "refs/openbook/incoming/{remote}/" + HOLD_PREFIX + "{partner}"
HOLD_TRACKING = "refs/remotes/{remote}/" + HOLD_PREFIX + "{partner}"


def hold_branch(partner: str) -> str:
    return HOLD_PREFIX + partner


def other_partner(vault: Vault, me: str) -> str | None:
    others = [pid for pid in vault.config.partners if pid != me]
    return others[0] if len(others) == 1 else None


def outgoing_problems(vault: Vault, head: str, base: str | None) -> list[Problem]:
    """The commits of `head` the remote (at `base`) lacks that the partner's clone would
    refuse, newest first; none when signatures are not required."""
    if not vault.config.require_signatures or head == base:
        return []
    return verify_range(vault.root, base, head)


def refuse_outgoing(vault: Vault, head: str, base: str | None, me: str) -> None:
    """Exit 1, nothing pushed, when the partner's clone would refuse our own commits."""
    problems = outgoing_problems(vault, head, base)
    if not problems:
        return
    other = other_partner(vault, me)
    name = partner_name(vault, other) if other else "your partner"
    raise OpenbookError(
        f"{name}'s copy would refuse {_of_yours(len(problems))}: "
        f"{problem_list(problems, vault.tz)}. Nothing was "
        "merged or pushed, and your commits are kept; run 'openbook doctor': it can make "
        "them again, signed, before they are shared."
    )


def _of_yours(n: int) -> str:
    return "one of your commits" if n == 1 else f"{n} of your commits"


def unverified_tip(vault: Vault, head: str, incoming: str | None) -> str | None:
    """The newest incoming commit that does not verify, for `--accept-unverified`."""
    if incoming is None or not vault.config.require_signatures:
        return None
    problems = verify_range(vault.root, head, incoming)
    return problems[0].commit if problems else None


def hold(
    vault: Vault,
    refs: SyncRefs,
    me: str,
    head: str,
    incoming: str | None,
    alert: IntegrityAlert,
    tip: str | None = None,
) -> IntegrityAlert:
    """Push our own new commits to our hold branch (fast-forward only) and return the
    alert with what happened and the way forward added."""
    root = vault.root
    other = other_partner(vault, me)
    name = partner_name(vault, other) if other else "your partner"
    bases = [f"^{b}" for b in (incoming, refs.seen) if b]
    own = plumbing.count(root, head, *bases)
    said: list[str] = []
    if own and outgoing_problems(vault, head, incoming or refs.seen):
        said.append(
            f"Your own commits were not shared either: {name}'s copy would refuse some of "
            "them too; run 'openbook doctor'."
        )
    elif own:
        said.append(_push_hold(vault, refs, me, head, own, name))
        if said[-1].startswith("Your own") and " shared on " in said[-1]:
            text = str(alert).replace("merged or pushed", "merged", 1)
            alert = IntegrityAlert(text)
    if tip is not None:
        said.append(
            f"When you have talked it over, 'openbook sync --accept-unverified {tip[:7]}' "
            "takes them in, marked unverified (nothing they claim counts)."
        )
    if not said:
        return alert  # nothing of ours was waiting: nothing went to the hold branch
    return IntegrityAlert(f"{alert} {' '.join(said)}")


def _push_hold(vault: Vault, refs: SyncRefs, me: str, head: str, own: int, name: str) -> str:
    root, remote = vault.root, refs.remote
    branch = hold_branch(me)
    try:
        pushed = push(root, remote, branch, head, crypt=refs.crypt)
    except RemoteUnreachable as exc:
        return f"Your own commits could not be shared on {branch} now ({exc}); sync again later."
    except OpenbookError as exc:
        return f"Your own commits could not be shared on {branch}: {exc}"
    if not pushed:
        return (
            f"{remote}'s {branch} holds commits your copy does not have, so your own commits "
            "were not shared there; run 'openbook doctor'."
        )
    tracking = HOLD_TRACKING.format(remote=remote, partner=me)
    plumbing.update_refs(root, update={tracking: head})
    them = "it" if own == 1 else "them"
    return (
        f"Your own {plural(own, 'commit')} {'was' if own == 1 else 'were'} shared on {branch}, "
        f"so {name} still receives {them}."
    )


@dataclass
class HoldTaken:
    """The other partner's hold branch as this sync found it: merged, or refused."""

    fetched: str
    done: Integration | None = None
    refused: str = ""  # why it was not merged (its commits fail the checks)


def take_hold(vault: Vault, me: str, refs: SyncRefs, head: str) -> HoldTaken | None:
    """Fetch the other partner's hold branch and merge what it holds that HEAD lacks, with
    the checks of the main branch. None when there is nothing to take (no such branch,
    nothing new, the remote not answering). What fails the checks is not merged and does
    not stop this sync from pushing our own work (`refused` says why)."""
    other = other_partner(vault, me)
    if other is None or refs.branch is None:
        return None
    root, remote = vault.root, refs.remote
    temp = HOLD_FETCHED.format(remote=remote, partner=other)
    if temp in refs.values:  # left by a sync that was stopped (read at its start)
        plumbing.delete_ref(root, temp)
        del refs.values[temp]
    theirs = None
    try:
        try:
            theirs = fetch(root, remote, hold_branch(other), temp, crypt=refs.crypt)
        except RemoteUnreachable:
            return None
        if theirs is None or plumbing.is_ancestor(root, theirs, head):
            return None
        try:
            refuse_unverified(vault, head, theirs, remote)
        except IntegrityAlert as exc:
            return HoldTaken(theirs, refused=f"Not merged from {hold_branch(other)}: {exc}")
        counts = plumbing.ahead_behind(root, head, theirs)
        done = integrate(vault, me, head, theirs, counts, remote, hold_branch(other))
        return HoldTaken(theirs, done)
    finally:
        if theirs is not None or refs.crypt is not False:  # a ref was (perhaps) made
            plumbing.delete_ref(root, temp)
