"""Running openbook on a real pseudo-terminal, for the questions it asks only there."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path


def run_on_a_terminal(
    root: Path, args: list[str], answer: bytes, partner: str = "bob"
) -> tuple[int, str]:
    """Run openbook with a real pseudo-terminal, answer its question, return (code, screen)."""
    main, side = pty.openpty()
    env = {**os.environ, "OPENBOOK_PARTNER": partner, "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openbook", "--vault", str(root), *args],
        stdin=side,
        stdout=side,
        stderr=side,
        env=env,
        close_fds=True,
    )
    os.close(side)
    screen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
            if not answered and b"[y/N]" in screen:
                os.write(main, answer)
                answered = True
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    os.close(main)
    return code, screen.decode("utf-8", "replace").replace("\r\n", "\n")


def in_order(screen: str, *parts: str) -> bool:
    """Whether the screen shows each of `parts`, each after the one before."""
    at = 0
    for part in parts:
        found = screen.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True
