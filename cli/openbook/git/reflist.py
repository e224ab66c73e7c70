"""The one listing of refs openbook asks `git for-each-ref` for, and how it is read: kept
apart and light, so that a sync with nothing to do reads it without loading the git layer."""

from __future__ import annotations

REFS_FORMAT = "--format=%(HEAD) %(objecttype) %(objectname) %(refname)"


def parse_refs(raw: str) -> tuple[str | None, dict[str, str]]:
    """(checked-out branch, {ref: commit}) from `git for-each-ref REFS_FORMAT` output: refs
    naming anything but a commit are left out, and the branch is None when HEAD names none
    of the listed branches."""
    branch: str | None = None
    refs: dict[str, str] = {}
    for line in raw.splitlines():
        kind, oid, name = line[2:].split(" ", 2)
        if kind != "commit":
            continue
        refs[name] = oid
        if line[0] == "*" and name.startswith("refs/heads/"):
            branch = name.removeprefix("refs/heads/")
    return branch, refs
