"""Consent proven by history (SPEC section 7, GUIDE invariant 7).

A partner counts in an agreement's `accepted_by`, `paused_by` or `retire_requested_by`,
as the one who answered a question, or as the one who paused everything (a `pause`
note's `by`, and its `resumed` and `until`: only the pauser ends a pause), only through a
commit that is that partner's own:
author and committer are that partner (and, when signatures are required, the commit is
signed by that partner's key). A claim that history does not support is reported as
`consent-unproven`, and the ritual treats it as not given.

One `git log` over the agreement and question folders finds the commits that changed
them; one `git cat-file --batch` reads each such version and its first parent's, so the
commit that *introduced* each claim is known. A claim present only in the work tree (not
yet committed) is this clone's partner's to commit: it is judged when it is committed.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openbook.check.cache import cache_key, digest_of, in_folders
from openbook.check.claim_history import remembered_events
from openbook.check.claims import (
    ACKNOWLEDGED,
    ANSWERED,
    CLAIM_FIELDS,
    FOLDERS,
    LANDED,
    PAUSE_FIELDS,
    PROCESSED_BY,
    WITHDRAWN,
    Claim,
    Touch,
    claimed_now,
    claims_of,
    introductions,
)
from openbook.check.claims import as_list as _as_list
from openbook.check.claims import claims_at as _claims_at
from openbook.check.claims import git_out as _git
from openbook.check.since import admitted, read_head, touched_since
from openbook.fsutil import atomic_write
from openbook.git.objects import read_blobs as _read_blobs
from openbook.notes.locate import key_position
from openbook.notes.parse import Note, Problem
from openbook.notetypes.registry import NOTE_FOLDERS
from openbook.vault import Vault

AGREEMENTS = "agreements/"
KEPT = ("accepted_by", "retire_requested_by")  # given, and taken back, only by their giver
PREFIXES = tuple(f"{f}/" for f in FOLDERS)  # the claim folders


@dataclass(frozen=True)
class Unproven:
    path: str
    field: str
    partner: str
    commit: str  # the commit that introduced the claim, or "" when it was never committed
    by: str  # who that commit was by (author email), or ""
    removed: bool = False  # someone else took it away: it still counts


def _signers(root: Path, wanted: set[str]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(whose key in force signed each commit, the same with a replaced key not yet
    accepted also counting: for pauses only)."""
    from openbook.trust.verify import signers_and_pausers

    firm, pausing = signers_and_pausers(root, "HEAD")
    return (
        {sha: who for sha, who in firm.items() if sha in wanted},
        {sha: who for sha, who in pausing.items() if sha in wanted},
    )


def _admitted(vault: Vault) -> frozenset[str]:
    """Commits admitted without proof (`sync --accept-unverified`): nothing they claim
    counts."""
    return admitted(vault)


def find_unproven(vault: Vault, notes: Mapping[str, Note]) -> list[Unproven]:
    """Claims in `notes` that history does not show the claimed partner's own commit adding,
    and agreement consents someone else removed (`removed`: they still count)."""
    return unproven_claims(vault, {path: claims_of(n.meta) for path, n in notes.items()})


def unproven_claims(vault: Vault, current: Mapping[str, set[Claim]]) -> list[Unproven]:
    """`find_unproven` of the claims each note makes now (`current`). A folder without a
    history of its own (inside another repository) has nothing to prove against: the rule
    is skipped there."""
    if not vault.is_own_repo:
        return []
    wanted = {p for p, c in current.items() if c or p.startswith(AGREEMENTS)}
    if not wanted:
        return []
    found, removals = remembered_events(vault, wanted)
    removals = {
        (p, (field, partner)): t
        for (p, (field, partner)), t in removals.items()
        if field in KEPT
        and (field, partner) not in current.get(p, set())
        and (p, (field, partner)) in found
    }
    emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
    me = vault.own_partner()
    judged = [found[(p, c)] for p, cs in current.items() for c in cs if (p, c) in found]
    shas = {t.sha for t in (*judged, *removals.values(), *(found[k] for k in removals))}
    signers, pausing = _signers(vault.root, shas) if vault.config.require_signatures else ({}, {})
    admitted = _admitted(vault) if shas else frozenset()

    def own(touch: Touch, path: str, field: str, partner: str) -> bool:
        email = emails.get(partner)
        mine = email is not None and touch.author == email and touch.committer == email
        mine = mine and not touch.merge  # a merge never gives or takes anyone's consent
        if mine and vault.config.require_signatures:
            # a pause signed by its partner's replaced key counts before it is accepted
            by = pausing if field in PAUSE_FIELDS and path.startswith("pauses/") else signers
            mine = by.get(touch.sha) == partner
        return mine and touch.sha not in admitted

    out = []
    for path in sorted(wanted):
        for field, partner in sorted(current.get(path, set())):
            touch = found.get((path, (field, partner)))
            if touch is None:
                # uncommitted: only this clone's partner may commit it (a clone that does
                # not know its partner commits nothing, so there is nothing to judge yet)
                if me is not None and partner != me:
                    out.append(Unproven(path, field, partner, "", ""))
            elif not own(touch, path, field, partner):
                out.append(Unproven(path, field, partner, touch.sha, touch.author))
        for (p, (field, partner)), touch in sorted(removals.items()):
            if p != path or not own(found[(p, (field, partner))], path, field, partner):
                continue  # never given by its partner: nothing to keep
            if not own(touch, path, field, partner):
                out.append(Unproven(path, field, partner, touch.sha, touch.author, True))
    return out


def _clone_partner(vault: Vault) -> str | None:
    try:
        return vault.partner()
    except Exception:
        return None


WHAT = {
    ANSWERED: "answered",
    ACKNOWLEDGED: "named as acknowledging the question",
    WITHDRAWN: "named as withdrawing the question",
    LANDED: "named as saying how the answer landed",
    PROCESSED_BY: "named as having processed the repair",
    "by": "named as the one who paused everything",
    "resumed": "named as ending the pause",
    "until": "named as setting when the pause ends",
}


def claim_words(field: str) -> str:
    """What a claim says of its partner: 'named as ending the pause', 'listed in
    accepted_by'."""
    if field.startswith(LANDED + ":"):
        return WHAT[LANDED]
    return WHAT.get(field, f"listed in {field}")


def _unproven_words(u: Unproven, who: str) -> str:
    """One true sentence: who is named as doing what, who really wrote it, what counts."""
    sha = u.commit[:7]
    if u.removed:
        return (
            f"{who}'s consent still counts: {u.by} took {who} out of {u.field} in commit "
            f"{sha}, and only {who} can withdraw it"
        )
    if u.field == ANSWERED:
        found = re.search(r"Q-\d+", u.path)
        qid = found.group(0) if found else "this question"
        what, can = f"named as the one who answered {qid}", f"answer for {who}"
        step = f"{who} answers with 'openbook answer {qid}'" if found else f"{who} answers"
    else:
        what, can = claim_words(u.field), "say that"
        step = "each partner consents from their own copy with openbook"
    wrote = f"{u.by} wrote that in commit {sha}" if u.commit else "that is not committed"
    return (
        f"{who} is {what}, but {wrote}; only {who}'s own commit can {can}, so it does not "
        f"count ({step})"
    )


def problems_of(vault: Vault, unproven: list[Unproven]) -> list[Problem]:
    """`consent-unproven` problems, each at the line of the field that makes the claim."""
    names = {pid: p.name for pid, p in vault.config.partners.items()}
    out = []
    for u in unproven:
        key = "status" if u.field in (ANSWERED, ACKNOWLEDGED, WITHDRAWN) else u.field
        key = LANDED if key.startswith(LANDED + ":") else key
        line, col = key_position(vault.root, u.path, key)
        who = names.get(u.partner, u.partner)
        out.append(Problem(u.path, line, col, "error", "consent-unproven", _unproven_words(u, who)))
    return out


_head = read_head  # HEAD's commit id read from the files


def check_consent(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
) -> tuple[list[Unproven], list[Problem]]:
    """The unproven claims and their problems, remembered under `state` while the
    settings, the admitted commits and the files of the claim folders stay as they were
    and HEAD moved on, if at all, only by commits of other notes (`_unmoved`)."""
    if not vault.is_own_repo or vault.git_dir is None:
        return [], []
    watched = in_folders(stats, PREFIXES)
    cfg, head = vault.config, _head(vault.git_dir)
    people = sorted((k, p.name, p.email) for k, p in cfg.partners.items())
    given = sorted(admitted(vault, head)) if head else []
    key = digest_of(cfg.digest, watched, vault.own_partner(), people, cfg.require_signatures, given)
    cache = state / "consent.json" if state else None
    if cache is not None:
        try:
            saved = json.loads(cache.read_text(encoding="utf-8"))
            old = saved.get("head")
            if saved.get("key") == key and (old == head or _unmoved(vault.root, old, head)):
                found = [Unproven(**u) for u in saved["unproven"]]
                problems = [Problem(**p) for p in saved["problems"]]
                if old != head:
                    _remember(cache, key, head, found, problems)
                return found, problems
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            pass
    found = unproven_claims(vault, claimed_now(watched, notes, state, cache_key(cfg)))
    problems = problems_of(vault, found)
    if cache is not None:
        _remember(cache, key, head, found, problems)
    return found, problems


def _remember(
    cache: Path, key: str, head: str, found: list[Unproven], problems: list[Problem]
) -> None:
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        saved = {
            "key": key,
            "head": head,
            "unproven": [asdict(u) for u in found],
            "problems": [asdict(p) for p in problems],
        }
        atomic_write(cache, json.dumps(saved).encode("utf-8"))


def _unmoved(root: Path, old: Any, head: str) -> bool:
    """Whether the commits since `old` leave every claim as it was judged: single-parent
    commits that change only notes outside the claim folders (a check-in, a plan change),
    never a claim's note, a setting, a key or a template. (Acknowledgments, which admit
    commits without proof, are in the key: the admitted commits.)"""
    touched = touched_since(root, old, head)
    if touched is None:
        return False
    for path in touched[0]:
        top = path.split("/", 1)[0]
        if "/" not in path or top not in NOTE_FOLDERS or top in FOLDERS:
            return False
    return True


def effective(
    notes: Mapping[str, Note], unproven: Iterable[Unproven], partners: Iterable[str]
) -> None:
    """What history proves, in every output: an unproven consent is not given. An agreement
    whose acceptance is unproven stays proposed; an unproven pause or retirement request is
    not there; an unproven answer leaves the question open."""
    everyone = set(partners)
    by_path: dict[str, set[Claim]] = {}
    kept: dict[str, set[Claim]] = {}
    for u in unproven:
        if u.removed:  # taken away by someone else: it still counts
            kept.setdefault(u.path, set()).add((u.field, u.partner))
        elif u.commit:  # an uncommitted claim is this copy's own draft: commit refuses it
            by_path.setdefault(u.path, set()).add((u.field, u.partner))
    for path in sorted(set(by_path) | set(kept)):
        claims = by_path.get(path, set())
        note = notes.get(path)
        if note is None:
            continue
        meta = dict(note.meta)
        for field, partner in sorted(kept.get(path, set())):
            meta[field] = [*_as_list(meta.get(field)), partner]
        if meta.get("type") == "pause":
            note.meta = _pause_effective(meta, claims)
            continue
        if {(ACKNOWLEDGED, meta.get("to")), (WITHDRAWN, meta.get("asked_by"))} & claims:
            meta["status"] = "open"  # a step only the other partner could take
        if any(f.startswith(LANDED + ":") and p == meta.get("asked_by") for f, p in claims):
            meta.pop(LANDED, None)  # only the asker says how the answer landed
        if (ANSWERED, meta.get("to")) in claims:
            meta["status"] = "open"
            meta.pop("answered", None)
        for field in (*CLAIM_FIELDS, PROCESSED_BY):
            if field in meta:
                meta[field] = [p for p in _as_list(meta[field]) if (field, p) not in claims]
        status = meta.get("status")
        if status == "paused" and not meta.get("paused_by"):
            status = "active"
        if status == "retired" and not everyone <= set(_as_list(meta.get("retire_requested_by"))):
            status = "active"
        if status in ("active", "paused") and not everyone <= set(
            _as_list(meta.get("accepted_by"))
        ):
            status = "proposed"
        if (
            status == "proposed"
            and kept.get(path)
            and everyone <= set(_as_list(meta.get("accepted_by")))
        ):
            status = "active"  # both accepted, and neither withdrew it themselves
        if meta.get("type") == "agreement":
            meta["status"] = status
        note.meta = meta


def _pause_effective(meta: dict[str, Any], claims: set[Claim]) -> dict[str, Any]:
    """A pause history does not show its pauser making never held; an end (`resumed`,
    `until`) someone else wrote is not there: only the one who paused ends a pause."""
    by = meta.get("by")
    if ("by", by) in claims:
        meta["resumed"] = meta.get("since")
    else:
        for field in ("resumed", "until"):
            if (field, by) in claims:
                meta[field] = None
    return meta


def arriving_unproven(vault: Vault, head: str, incoming: str) -> list[Unproven]:
    """Consents the incoming head claims, that our head did not, and that the incoming
    history does not show the claimed partner's own commit adding (sync: exit 4)."""
    paths = [p for p in _arriving(vault.root, head, incoming) if p.endswith(".md")]
    blobs = _read_blobs(vault.root, [f"{r}:{p}" for p in paths for r in (incoming, head)])
    new = {
        p: _claims_at(blobs, f"{incoming}:{p}") - _claims_at(blobs, f"{head}:{p}") for p in paths
    }
    new = {p: c for p, c in new.items() if c}
    if not new:
        return []
    found = introductions(vault.root, new, rev=incoming)
    emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
    out = []
    for path, claims in sorted(new.items()):
        for field, partner in sorted(claims):
            touch = found.get((path, (field, partner)))
            email = emails.get(partner)
            own = touch is not None and email is not None
            own = own and touch.author == email and touch.committer == email  # type: ignore[union-attr]
            own = own and not touch.merge  # type: ignore[union-attr]
            if not own:
                sha = touch.sha if touch else ""
                out.append(Unproven(path, field, partner, sha, touch.author if touch else ""))
    return out


def _arriving(root: Path, head: str, incoming: str) -> list[str]:
    """The claim folders' files the incoming head adds or changes (only they can claim
    what ours did not): every file it has when ours is not there."""
    if not head:
        listing = _git(root, ["ls-tree", "-r", "--name-only", incoming, "--", *FOLDERS])
        return listing.decode("utf-8", "replace").splitlines()
    args = ["diff-tree", "-r", "-z", "--no-renames", "--name-status", "--end-of-options"]
    items = _git(root, [*args, head, incoming, "--", *FOLDERS]).decode("utf-8", "replace")
    pairs = zip(*[iter(items.split("\0"))] * 2, strict=False)
    return [path for status, path in pairs if status in ("A", "M", "T")]
