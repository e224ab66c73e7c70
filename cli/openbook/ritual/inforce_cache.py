"""The settings in force, remembered by HEAD and openbook.yml's digest.

Working out the settings in force reads history (binding.py). In a vault whose file is
what both partners accepted, the answer is the file itself, apart from whether the
joining partner has accepted yet and the mapping the settings in force read as. That
answer is kept in .git/openbook/config-in-force.json, keyed by the commit HEAD names and
the digest of openbook.yml as it is now, so a command with nothing new to read does not
load the history machinery at all. Any other answer (a proposal waiting, a file set
aside, a key not yet accepted) is worked out every time. This module imports nothing
heavy: it is asked before a command loads anything else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from openbook.config import CONFIG_NAME, Config
from openbook.fsutil import atomic_write
from openbook.git.state import head_from_files

FILE = "config-in-force.json"


def _key(root: Path, state: Path | None, found: Config) -> tuple[Path, str] | None:
    from openbook.git import repo as gitrepo

    if state is None or not found.loads or not found.digest:
        return None
    head = head_from_files(state.parent) or gitrepo.rev(root, "HEAD")
    return (state / FILE, f"{head} {found.digest}") if head else None


def cached(root: Path, state: Path | None, found: Config) -> tuple[Config | None, str | None]:
    """(the settings in force when remembered for this HEAD and file, else None; the key
    to remember them under, None when they cannot be remembered)."""
    key = _key(root, state, found)
    if key is None:
        return None, None
    try:
        data = json.loads(key[0].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, key[1]
    if not isinstance(data, dict) or data.get("key") != key[1]:
        return None, key[1]
    agreed, raw = data.get("agreed"), data.get("raw")
    if not isinstance(agreed, bool) or not isinstance(raw, dict):
        return None, key[1]
    return dataclasses.replace(found, agreed=agreed, raw=raw), key[1]


def remember(state: Path | None, key: str | None, found: Config, in_force: Config) -> None:
    """Keep the answer when it is the file itself (whether the joining partner accepted
    it, and its raw mapping, aside: kept as they are); forget any other."""
    if state is None or key is None:
        return
    path = state / FILE
    same = dataclasses.replace(in_force, agreed=found.agreed, raw=found.raw) == found
    try:
        raw = json.dumps(in_force.raw, sort_keys=True)
        same = same and json.loads(raw) == in_force.raw
    except (TypeError, ValueError):
        same = False
    if not same:
        path.unlink(missing_ok=True)
        return
    data = {"key": key, "agreed": in_force.agreed, "raw": in_force.raw}
    try:
        state.mkdir(parents=True, exist_ok=True)
        atomic_write(path, (json.dumps(data) + "\n").encode("utf-8"))
    except OSError:
        return  # a read-only clone works it out each time


def partner_in_force(root: Path, state: Path, pid: str) -> bool:
    """Whether `pid` is a partner in the settings in force, as remembered for this HEAD
    and openbook.yml as it is now; False when nothing is remembered for them (then the
    settings are worked out by the command itself)."""
    head = head_from_files(state.parent)
    try:
        digest = hashlib.sha1((root / CONFIG_NAME).read_bytes()).hexdigest()
        data = json.loads((state / FILE).read_text(encoding="utf-8"))
        partners = data["raw"]["partners"]
        return bool(head) and data["key"] == f"{head} {digest}" and pid in partners
    except (OSError, ValueError, TypeError, KeyError):
        return False
