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
    # a leading `-C folder` is left out of the line: runner.spawn names git's folder so
    noted = f'( if [ "$1" = -C ]; then shift 2; fi; echo "$*" ) >> "{log}"'
    script.write_text(f'#!/bin/sh\n{noted}\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log
