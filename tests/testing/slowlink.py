"""A remote reached over a slow link, for the tests of what openbook says while it waits:
a stand-in for ssh (`GIT_SSH_COMMAND`) that waits, then runs the git command it is asked
for here."""

from __future__ import annotations

from pathlib import Path

_SSH = """#!/bin/sh
# ssh to a host that answers slowly: a connection waits, then the command runs here
{wait}
for last; do :; done
exec sh -c "$(printf '%s' "$last" | sed 's/^git-upload-pack/git upload-pack/')"
"""


def slow_ssh(folder: Path, seconds: float, *, first_only: bool = False) -> Path:
    """The stand-in, written into `folder`: each connection (or only the first) waits
    `seconds` before git answers. Set it as GIT_SSH_COMMAND; address ssh://localhost/PATH."""
    path = folder / "slow-ssh"
    wait = f"sleep {seconds}"
    if first_only:
        wait = f'[ -e "$0.waited" ] || {{ touch "$0.waited"; {wait}; }}'
    path.write_text(_SSH.format(wait=wait))
    path.chmod(0o755)
    return path
