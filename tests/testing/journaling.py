"""Helpers of the journal tests: the entry, its folder, an $EDITOR script, a vault's bytes."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from testing import git

SECRET = "Zebra-lantern 4471: the night I almost called her."
ENTRY_ID = "2026-11-24-2030"  # from the pinned OPENBOOK_NOW


def journal_dir(home: Path) -> Path:
    return home / ".local/share/openbook/journal"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def editor(tmp: Path, name: str, script: str) -> str:
    """An $EDITOR: a small shell script run on the file to edit ("$1")."""
    path = tmp / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def everything_in(root: Path) -> bytes:
    """Every byte under `root` (work tree, .git/ and its caches), plus every git object of
    every ref, uncompressed, and `git log -p --all`."""
    out = [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]
    objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=root,
        capture_output=True,
        check=True,
    )
    out.append(objects.stdout)
    out.append(git(root, "log", "-p", "--all").encode("utf-8"))
    return b"\n".join(out)
