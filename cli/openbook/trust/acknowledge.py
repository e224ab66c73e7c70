"""Commits admitted without proof by `openbook sync --accept-unverified` (SPEC section 7).

A partner who received commits that do not verify may record, in their own signed commit
(`Openbook-Action: acknowledge`), that those commits entered without proof: one
`Openbook-Unverified: <full sha>` trailer per commit. `verify` then lists them as
`unverified` instead of as problems, in every clone whose history holds that commit, and
nothing they claim counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openbook.git.repo import git_bytes

ACTION = "acknowledge"
TRAILER = "Openbook-Unverified"
_SEP = "\x1d"
_FORMAT = (
    "--format=%H%x1f%(trailers:key=Openbook-Action,valueonly,separator=%x1d)"
    f"%x1f%(trailers:key={TRAILER},valueonly,separator=%x1d)"
)


def acknowledged(root: Path, heads: Sequence[str]) -> dict[str, str]:
    """{admitted sha: the acknowledging commit} for the acknowledgements reachable from
    `heads` (one `git log`); the oldest acknowledgement of a commit wins."""
    revs = [h for h in heads if h]
    if not revs:
        return {}
    args = ["log", "-z", _FORMAT, "--fixed-strings", f"--grep=Openbook-Action: {ACTION}"]
    out = git_bytes(root, [*args, "--end-of-options", *revs], check=False)
    raw = out.decode("utf-8", "replace")
    found: dict[str, str] = {}
    for record in filter(None, raw.split("\0")):
        sha, action, admitted = [*record.strip("\n").split("\x1f"), "", ""][:3]
        if action.strip() != ACTION:
            continue
        for one in admitted.split(_SEP):
            one = one.strip().lower()
            if len(one) == 40:
                found[one] = sha  # log is newest first: the oldest is written last
    return found


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
