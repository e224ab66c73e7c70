"""The commits introducing and removing each consent claim (check/claims.py), remembered
under the state folder with the commit they were read up to.

When HEAD moved on from it by single-parent commits only (a commit, a fast-forward), only
those are read: `git log` lists them first, newest first, before everything it listed
before, so their introductions and removals are the newest and replace the remembered
ones of the same claim. After a merge the same holds when git's walk of the whole
history (`git rev-list`: the order of the listing, whose paths only choose which commits
it shows) still lists the commits since that introduced or removed a claim before every
one remembered, in the order remembered (`since.after_merge`); each of them is judged
alone, against all its parents. Anything else (a walk the commit dates reorder, a
rewound or unrelated HEAD) lists the whole history again, in its order; what each
commit introduced and removed is its own and never changes, so it is remembered (by
commit and path, not at each commit: `watch` commits often) and only the commits not
judged before are read, parsed and merged again. The facts cover every note of the claim
folders, so a note that gains a claim later needs nothing read again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openbook.check.cache import code_key, read_entries, write_entries
from openbook.check.claims import (
    NOTHING,
    Claim,
    Events,
    Memo,
    Touch,
    claim_events,
    ordered_events,
    touches,
    touches_of,
)
from openbook.check.since import after_merge, commits_since, head_of, linear_since, load, save
from openbook.vault import Vault

CACHE_FILE = "claims.json"
CACHE_VERSION = 2  # 2: the commits that introduced or removed a claim, newest first
MEMO_FILE = "claim-commits.marshal"  # what each commit did to each claim: never changes


def remembered_events(vault: Vault, wanted: Iterable[str]) -> Events:
    """`claim_events` for the notes at `wanted`, at HEAD (see the module's docstring)."""
    head = head_of(vault)
    if not head:
        return claim_events(vault.root, wanted)
    events = events_at(vault, head)
    paths = set(wanted)
    return (
        {k: t for k, t in events[0].items() if k[0] in paths},
        {k: t for k, t in events[1].items() if k[0] in paths},
    )


def events_at(vault: Vault, head: str) -> Events:
    """Every note's claim events at `head`, read only since what was remembered when that
    can be done exactly."""
    saved = load(vault, CACHE_FILE)
    old, order = saved.get("head"), saved.get("order")
    known = _from_saved(saved) if saved.get("version") == CACHE_VERSION else None
    if known is not None and old == head:
        return known
    found = None
    if known is not None and isinstance(old, str) and isinstance(order, list):
        found = _brought(vault, head, old, known, [str(sha) for sha in order])
    if found is None:  # history's order is read again; what each commit did is remembered
        memo = _read_memo(vault)
        had = len(memo)
        found = ordered_events(vault.root, None, touches(vault.root, head), memo)
        if len(memo) != had:
            _write_memo(vault, memo)
    events, order = found
    save(vault, CACHE_FILE, {**_to_saved(head, events), "order": order})
    return events


def _brought(
    vault: Vault, head: str, old: str, known: Events, order: list[str]
) -> tuple[Events, list[str]] | None:
    """(`known` with the events of what came since `old`, the commits that introduced or
    removed a claim, newest first) when history's order lists the new ones of them before
    every one remembered (`since.after_merge`); None when it does not."""
    root = vault.root
    if linear_since(root, old, head):
        (found, removed), changed = ordered_events(root, None, touches(root, head, since=old))
    else:
        rows = commits_since(root, old, head)
        if rows is None:
            return None
        memo = _read_memo(vault)
        had = len(memo)
        listed = {t.sha: t for t in touches_of(root, [sha for sha, _ in rows])}
        _, changed = ordered_events(root, None, list(listed.values()), memo)
        ordered = after_merge(root, head, ["--reverse"], order[::-1], changed)
        if ordered is None:
            return None
        changed = ordered[::-1]  # newest first, as history lists them
        (found, removed), _ = ordered_events(root, None, [listed[s] for s in changed], memo)
        if len(memo) != had:
            _write_memo(vault, memo)
    events = ({**known[0], **found}, {**known[1], **removed})
    return events, [*changed, *order]


def _read_memo(vault: Vault) -> Memo:
    """What each commit did to each claim, as remembered; {} when nothing sound is."""
    state = vault.state_dir()
    raw = read_entries(state / MEMO_FILE, code_key()) if state is not None else {}
    out: Memo = {}
    try:
        for key, (introduced, gone) in raw.items():
            change = (_claims(introduced), _claims(gone))
            out[str(key)] = change if change != NOTHING else NOTHING
    except (TypeError, ValueError):
        return {}
    return out


def _claims(raw: Any) -> tuple[Claim, ...]:
    return tuple((str(f), str(who)) for f, who in raw)


def _write_memo(vault: Vault, memo: Memo) -> None:
    state = vault.state_dir()
    if state is not None:
        write_entries(state / MEMO_FILE, code_key(), memo)


def _to_saved(head: str, events: Events) -> dict[str, Any]:
    touches: dict[str, list[Any]] = {}
    rows: list[list[list[str]]] = [[], []]
    for side, table in zip(rows, events, strict=True):
        for (path, (field, partner)), t in table.items():
            touches[t.sha] = [t.parent, t.author, t.committer, list(t.paths), list(t.others)]
            side.append([path, field, partner, t.sha])
    return {"version": CACHE_VERSION, "head": head, "touches": touches, "events": rows}


def _from_saved(saved: dict[str, Any]) -> Events | None:
    """The events a cache file holds, None when it holds none readable."""
    try:
        touches = {
            sha: Touch(sha, parent, author, committer, tuple(paths), tuple(others))
            for sha, (parent, author, committer, paths, others) in saved["touches"].items()
        }
        out: list[dict[tuple[str, Claim], Touch]] = []
        for side in saved["events"][:2]:
            out.append({(p, (f, who)): touches[sha] for p, f, who, sha in side})
        return (out[0], out[1])
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None
