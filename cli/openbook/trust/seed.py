"""A pass over only the commits after one already judged, started from the trust state
in force there (verify.py).

`verify` starts from the commit it remembered; sync's `verify_range` from the last
incoming head it judged, kept in `.git/openbook/trust-seed.json`. Either is used only
when every commit to read descends from that commit alone: no second root, no merge of
older history, no acknowledgment and no new introduction. The verdicts are then those a
pass over the whole history gives; otherwise everything is read again.
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


def from_seed(
    root: Path,
    heads: Sequence[str],
    seed: tuple[str, State, dict[str, Any], str | None],
    prefix: str = "",
    *,
    signatures: bool = True,
) -> Pass | None:
    """The pass over `heads ^sha` started from `seed` (sha, state, openbook.yml values,
    its blob), when each head is `sha` or descends from it alone; else None."""
    sha, state, values, blob = seed
    try:
        commits, config = load(root, heads, prefix, [sha])
    except GitError:
        return None  # the seed is no longer in this repository
    new = {c.sha for c in commits} | {sha}
    if (
        not commits
        or any(h not in new for h in heads)
        or any(not c.parents or any(p not in new for p in c.parents) for c in commits)
        or any(ack_claims(c)[1] for c in commits)
    ):
        return None
    run = Pass(commits, config, resolve_refs(root, ROOT_REF).get(ROOT_REF), signatures=signatures)
    run.seed(sha, state, values, blob)
    run.run(set())
    if any(run.states[c.sha].introduction == c.sha for c in commits):
        return None  # a new introduction: judged against the whole history
    return run


def _path(root: Path) -> Path | None:
    gd = git_dir_of(root)
    return gd / "openbook" / FILE if gd is not None and (root / ".git").exists() else None


def saved(root: Path) -> tuple[str, State, dict[str, Any], str | None] | None:
    """The seed sync kept, when it is there and of this version of the rules."""
    path = _path(root)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return None
    sha, values, blob = data.get("commit"), data.get("file"), data.get("blob")
    state = state_from_json(data.get("trust"))
    if not isinstance(sha, str) or state is None or not isinstance(values, dict):
        return None
    return sha, state, values, blob if isinstance(blob, str) else None


def keep(root: Path, run: Pass, heads: Sequence[str]) -> None:
    """Keep the state at the first of `heads` that verified as the next start (the
    incoming head, else our own), when `run` admitted nothing by acknowledgment (what
    that admits depends on which heads are read)."""
    path = _path(root)
    if path is None or any(v.mark == "unverified" for v in run.verdicts.values()):
        return
    for head in heads:
        verdict = run.verdicts.get(head)
        if verdict is not None and not verdict.findings and not verdict.mark:
            break
    else:
        return
    data = {
        "version": STATE_VERSION,
        "commit": head,
        "trust": state_to_json(run.states[head]),
        "file": run.files[head],
        "blob": run.config.blob.get(head),
    }
    with contextlib.suppress(OSError):  # without it, the next sync reads everything
        atomic_write(path, (json.dumps(data) + "\n").encode("utf-8"), durable=False)
