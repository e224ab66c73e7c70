"""What the agenda and `status` ask of git, remembered by the commit it depends on.

A commit never changes, so what is read from it is read once: the paths written by
commits admitted without proof as of HEAD (`trust.acknowledge.admitted_paths`), and the
fingerprint digits of the shared head. Both are kept in .git/openbook/ under the commit
they were read at; git's own files say which commit that is (no git process), and when
they do not say it plainly, git is asked as before. The history counting reads is read
once a command (`history`), for as long as HEAD names the same commit.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from openbook.errors import GitError
from openbook.fsutil import atomic_write
from openbook.git.state import head_from_files, ref_from_files
from openbook.ritual.history import VaultHistory, read_history
from openbook.trust.acknowledge import admitted_paths
from openbook.trust.fingerprint import SEEN, fingerprint, fingerprint_at
from openbook.vault import Vault

ADMITTED_FILE = "admitted-paths.json"  # check/since.py keeps "admitted.json"
FINGERPRINT_FILE = "fingerprint.json"

_HISTORY: dict[tuple[str, str], VaultHistory] = {}


def own_head(vault: Vault) -> str | None:
    """The commit HEAD names, from git's files; None when they do not say it plainly."""
    gd = vault.git_dir
    return head_from_files(gd) if gd is not None and vault.is_own_repo else None


def history(vault: Vault) -> VaultHistory:
    """`read_history`, read once while HEAD names the same commit."""
    head = own_head(vault)
    if head is None:
        return read_history(vault)
    key = (str(vault.root), head)
    known = _HISTORY.get(key)
    if known is None:
        _HISTORY.clear()
        known = _HISTORY[key] = read_history(vault)
    return known


def admitted(vault: Vault) -> dict[str, list[str]]:
    """{path: admitted commits that changed it} as of HEAD (`admitted_paths`)."""
    head = own_head(vault)
    state = vault.state_dir()
    if head is None or state is None:
        return admitted_paths(vault.root, ["HEAD"])
    data = _read(state / ADMITTED_FILE)
    if data is not None and data.get("head") == head and isinstance(data.get("paths"), dict):
        return {str(p): [str(s) for s in shas] for p, shas in data["paths"].items()}
    found = admitted_paths(vault.root, [head])
    _write(state / ADMITTED_FILE, {"head": head, "paths": found})
    return found


def fingerprint_digits(vault: Vault) -> str | None:
    """The digits of the shared head's fingerprint (SPEC section 7), None before the first
    commit or when it cannot be read."""
    gd, state = vault.git_dir, vault.state_dir()
    shared = _shared_head(gd) if gd is not None and vault.is_own_repo else None
    try:
        if shared is None or state is None:
            fp = fingerprint(vault)
            return fp.digits if fp else None
        data = _read(state / FINGERPRINT_FILE)
        if (
            data is not None
            and data.get("commit") == shared
            and isinstance(data.get("digits"), str)
        ):
            return str(data["digits"])
        digits = fingerprint_at(vault.root, shared).digits
    except GitError:
        return None
    _write(state / FINGERPRINT_FILE, {"commit": shared, "digits": digits})
    return digits


def _shared_head(git_dir: Path) -> str | None:
    """`trust.fingerprint.shared_head` from git's files: the last head both sides agreed
    on through sync, else HEAD; None when the files do not say it plainly."""
    try:
        text = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    branch = text[len("ref: refs/heads/") :] if text.startswith("ref: refs/heads/") else "main"
    head = head_from_files(git_dir)
    if head is None:
        return None
    seen = ref_from_files(git_dir, SEEN.format(remote="origin", branch=branch))
    return seen or head


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(path: Path, data: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):  # not remembered: asked again next time
        atomic_write(path, json.dumps(data).encode("utf-8"))
