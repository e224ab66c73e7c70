"""A partner who uses plain git in their clone (no openbook): commits as that partner of
openbook.yml, pushes, and builds what a careless or hostile partner could push."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from openbook.config import load_config

from . import git, write


def identity(root: Path, who: str) -> dict[str, str]:
    partner = load_config(root).partners[who]
    return {
        "GIT_AUTHOR_NAME": partner.name,
        "GIT_AUTHOR_EMAIL": partner.email,
        "GIT_COMMITTER_NAME": partner.name,
        "GIT_COMMITTER_EMAIL": partner.email,
    }


def commit(root: Path, who: str, message: str = "plain git") -> str:
    """`git add -A` and commit everything as `who`; returns the new HEAD."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", message, env=identity(root, who))
    return git(root, "rev-parse", "HEAD")


def push(root: Path) -> None:
    git(root, "push", "-q", "origin", "HEAD:main")


def commit_and_push(root: Path, who: str, files: dict[str, str | bytes], message: str) -> str:
    """Write `files`, commit them as `who` with plain git and push; returns the commit."""
    for rel, text in files.items():
        write(root, rel, text)
    sha = commit(root, who, message)
    push(root)
    return sha


def add_blob(root: Path, path: str, data: bytes, mode: str = "100644") -> None:
    """Stage `data` at `path` without writing the file (for names no disk accepts)."""
    proc = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=root,
        input=data,
        capture_output=True,
        check=True,
        env=dict(os.environ),
    )
    oid = proc.stdout.decode().strip()
    git(root, "update-index", "--add", "--cacheinfo", f"{mode},{oid},{path}")


def commit_index(root: Path, who: str, message: str) -> str:
    """Commit what is staged (plumbing-made entries included) as `who`."""
    git(root, "commit", "-q", "--no-verify", "-m", message, env=identity(root, who))
    return git(root, "rev-parse", "HEAD")
