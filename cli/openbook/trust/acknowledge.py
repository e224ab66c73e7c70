"""Commits one partner admitted without proof (`openbook sync --accept-unverified SHA`).

An acknowledgment is that partner's own signed, empty commit with the trailers
`Openbook-Action: acknowledge`, `Openbook-Partner: <pid>` and one
`Openbook-Unverified: <40-hex sha>` per admitted commit. `verify` lists admitted commits
as `unverified`, judges what is built on them by their other parents, and lets nothing
they claim count; an acknowledgment that does not itself verify admits nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from openbook.git.repo import git_bytes
from openbook.trust.judge import ACK_ACTION, ACK_TRAILER

ACTION = ACK_ACTION
TRAILER = ACK_TRAILER
ACTION_TRAILER = "Openbook-Action"
PARTNER_TRAILER = "Openbook-Partner"
_SHA = re.compile(r"^[0-9a-f]{40}$")


def acknowledged(root: Path, heads: Sequence[str]) -> dict[str, str]:
    """{admitted sha: acknowledging commit sha} claimed by the commits reachable from
    `heads` (one `git log`). These are candidates: `verify` drops an acknowledgment
    whose own commit does not verify, so ask `verify_range` for the verdict."""
    if not heads:
        return {}
    fmt = (
        f"%H%x00%(trailers:key={ACTION_TRAILER},valueonly,separator=%x20)%x00"
        f"%(trailers:key={ACK_TRAILER},valueonly,separator=%x20)%x1e"
    )
    out = git_bytes(
        root,
        ["log", f"--format={fmt}", "--grep", ACK_TRAILER, "--end-of-options", *heads],
        check=False,
    )
    found: dict[str, str] = {}
    for record in out.decode("utf-8", "replace").split("\x1e"):
        parts = record.strip("\n").split("\x00")
        if len(parts) != 3 or parts[1].strip() != ACK_ACTION:
            continue
        for sha in parts[2].split():
            if _SHA.match(sha):
                found.setdefault(sha, parts[0])
    return found


def acknowledge_message(partner: str, shas: Sequence[str]) -> str:
    """The message of an acknowledge commit by `partner` admitting `shas`."""
    lines = [f"acknowledge: {len(shas)} unverified commit{'' if len(shas) == 1 else 's'}", ""]
    lines += [f"{ACTION_TRAILER}: {ACK_ACTION}", f"{PARTNER_TRAILER}: {partner}"]
    lines += [f"{ACK_TRAILER}: {sha}" for sha in shas]
    return "\n".join(lines) + "\n"


def admitted_paths(root: Path, heads: Sequence[str]) -> dict[str, list[str]]:
    """{path: the admitted commits that changed it}: text written by commits admitted
    without proof, which the agenda and the export mark `unverified`."""
    out: dict[str, list[str]] = {}
    for sha in acknowledged(root, heads):
        args = ["diff-tree", "-r", "-z", "--name-only", "--no-commit-id", "--root", sha]
        listing = git_bytes(root, args, check=False).decode("utf-8", "replace")
        for path in filter(None, listing.split("\0")):
            out.setdefault(path, []).append(sha)
    return out
