"""`openbook` run as a real process, as a user runs it, with Python's import log: what it
printed, its exit code, and whether it answered before click and the YAML reader loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CLI = [sys.executable, "-X", "importtime", "-c", "from openbook.cli import main; main()"]


class Ran:
    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.code = done.returncode
        self.stdout = done.stdout
        lines = done.stderr.splitlines()
        self.stderr = "".join(f"{x}\n" for x in lines if not x.startswith("import time:"))
        self.loaded = {x.rsplit("|", 1)[-1].strip() for x in lines if x.startswith("import time:")}

    @property
    def light(self) -> bool:
        """Answered before click, the YAML reader and the command tree were loaded."""
        return not {"click", "yaml", "openbook.commands.root"} & self.loaded

    @property
    def said(self) -> tuple[int, str, str]:
        return (self.code, self.stdout, self.stderr)


def run_openbook(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> Ran:
    full = {**os.environ, **(env or {})}
    done = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, cwd=cwd, env=full, check=False
    )
    return Ran(done)


def running(marker: str, settle: float = 0.2) -> list[str]:
    """The processes (ids) whose command line holds `marker`, after `settle` seconds for
    those just stopped to be gone (Linux /proc)."""
    import time

    time.sleep(settle)
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(entry)
        except OSError:
            continue
    return found
