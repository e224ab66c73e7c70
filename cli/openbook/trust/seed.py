"""A pass over only the commits after one already judged, started from the trust state
in force there (verify.py).

`verify` starts from the commit it remembered; sync's `verify_range` from the heads it
last judged (the incoming one and its own, when every commit it judged verified), kept
in `.git/openbook/trust-seed.json`. They are used only when every commit to read
descends from them alone: no second root, no merge of older history, no
acknowledgment, one introduction and no new one. The verdicts are then those a pass
over the whole history gives; otherwise everything is read again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openbook.errors import GitError
from openbook.fsutil import atomic_write
from openbook.git.state import git_dir_of
from openbook.trust.authentic import ROOT_REF, load
from openbook.trust.commits import resolve_refs
from openbook.trust.inforce import State, state_from_json, state_to_json
from openbook.trust.judge import Pass, ack_claims
from openbook.trust.remembered import STATE_VERSION

FILE = "trust-seed.json"

Seed = tuple[str, State, dict[str, Any], str | None]  # commit, state, file values, blob


def from_seed(
    root: Path,
    heads: Sequence[str],
    seeds: Sequence[Seed],
    prefix: str = "",
    *,
    signatures: bool = True,
) -> Pass | None:
    """The pass over `heads` without what the seeds reach, started from the seeds (each:
    commit, state, openbook.yml values, its blob), when each head is a seed or descends
    from the seeds alone, and the seeds share one introduction; else None."""
    starts = {seed[0] for seed in seeds}
    if not seeds or len({seed[1].introduction for seed in seeds}) != 1:
        return None  # two introductions: judged against the whole history
    try:
        commits, config = load(root, heads, prefix, sorted(starts))
    except GitError:
        return None  # a seed is no longer in this repository
    new = {c.sha for c in commits} | starts
    if (
        not commits
        or any(h not in new for h in heads)
        or any(not c.parents or any(p not in new for p in c.parents) for c in commits)
        or any(ack_claims(c)[1] for c in commits)
    ):
        return None
    run = Pass(commits, config, resolve_refs(root, ROOT_REF).get(ROOT_REF), signatures=signatures)
    for sha, state, values, blob in seeds:
        run.seed(sha, state, values, blob)
    run.run(set())
    if any(run.states[c.sha].introduction == c.sha for c in commits):
        return None  # a new introduction: judged against the whole history
    return run


def _path(root: Path) -> Path | None:
    gd = git_dir_of(root)
    return gd / "openbook" / FILE if gd is not None and (root / ".git").exists() else None


def saved(root: Path) -> list[Seed]:
    """The starts sync kept, when they are there and of this version of the rules."""
    path = _path(root)
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return []
    items = data.get("seeds")
    found = [_seed(item) for item in items] if isinstance(items, list) else []
    seeds = [seed for seed in found if seed is not None]
    return seeds if len(seeds) == len(found) else []


def _seed(item: object) -> Seed | None:
    if not isinstance(item, dict):
        return None
    sha, values, blob = item.get("commit"), item.get("file"), item.get("blob")
    state = state_from_json(item.get("trust"))
    if not isinstance(sha, str) or state is None or not isinstance(values, dict):
        return None
    return sha, state, values, blob if isinstance(blob, str) else None


def keep(root: Path, run: Pass, heads: Sequence[str]) -> None:
    """Keep the states at `heads` (the incoming head and our own: a merge of the two
    descends from both) as the next starts, when every commit `run` judged verified and
    none was admitted by acknowledgment (what that admits depends on which heads are
    read). What a start reaches is never judged again, for what comes in or for what
    goes out, so a run with any problem keeps nothing."""
    path = _path(root)
    if path is None or any(v.findings or v.mark == "unverified" for v in run.verdicts.values()):
        return
    clean = []
    for head in dict.fromkeys(heads):
        verdict = run.verdicts.get(head)
        if verdict is not None and not verdict.findings and not verdict.mark:
            clean.append(head)
    if not clean:
        return
    seeds = [
        {
            "commit": head,
            "trust": state_to_json(run.states[head]),
            "file": run.files[head],
            "blob": run.config.blob.get(head),
        }
        for head in clean
    ]
    data = {"version": STATE_VERSION, "seeds": seeds}
    with contextlib.suppress(OSError):  # without it, the next sync reads everything
        atomic_write(path, (json.dumps(data) + "\n").encode("utf-8"), durable=False)
