"""A `git` first on PATH that notes each command line, then runs the real git: how
tests count the git processes a command starts."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def counting_git(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put the logging `git` first on PATH (under `tmp/gitlog`); the log file it writes,
    one line of arguments per git process, empty to begin with."""
    real = shutil.which("git")
    assert real is not None
    folder = tmp / "gitlog"
    folder.mkdir()
    log = folder / "log"
    log.write_text("")
    script = folder / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log
