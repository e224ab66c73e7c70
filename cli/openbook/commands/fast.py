"""What `openbook` answers before click and the command tree load: the version, a sync
with nothing to do and a verify with nothing new, each from what a full run remembered.

Only the plainest command lines are answered here (`--vault`, `--as` and, for sync,
`--remote`); anything else, and any doubt about the answer, goes to the click command
line (commands/root.py), which then says exactly what it always says. The answers here
are the same lines, on the same streams, with the same exit codes.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Sequence

    from openbook.vault import Vault

VERSION_LINE = "openbook, version {version}"
# the options each answered command takes; any other word leaves it to click
_TAKES = {"sync": ("--vault", "--as", "--remote"), "verify": ("--vault", "--as")}


def answer(argv: Sequence[str]) -> int | None:
    """The exit code once the command line in `argv` is answered here; None: run click."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # shell completion is click's
    if list(argv) == ["--version"]:
        from openbook import __version__

        return _say(VERSION_LINE.format(version=__version__))
    from openbook.commands.argv import parse

    parsed = parse(argv, _TAKES)
    if parsed is None:
        return None
    command, given = parsed
    from openbook.errors import Busy

    try:
        if command == "sync":
            return _sync(given)
        return _verify(given)
    except Busy as exc:  # the vault's lock: said as the command line says it
        sys.stderr.write(f"openbook: {exc}\n")
        sys.stderr.flush()
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("openbook: stopped.\n")
        return 130


def _say(line: str) -> int:
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away: exit 1, as click does
        return 1
    return 0


def _vault(given: dict[str, str]) -> Vault | None:
    """The vault as `--vault` or $OPENBOOK_VAULT or the current folder names it, when the
    command line would find it without a word to say (no pause waiting to be committed)."""
    from openbook.errors import OpenbookError
    from openbook.vault import Vault

    path = given.get("--vault")
    chosen = path or os.environ.get("OPENBOOK_VAULT")
    if chosen and not os.path.isdir(chosen):
        return None  # click or the vault finder says what is wrong with it
    try:
        vault = Vault.find(path)
    except OpenbookError:
        return None
    state = vault.state_dir() if vault.is_own_repo else None
    if state is not None and (state / "pending-pause").exists():
        return None  # committed first, by the command line
    return vault


def _sync(given: dict[str, str]) -> int | None:
    from openbook.sync.quick import quiet_line, vault_root

    remote = given.get("--remote", "origin")
    if not (remote.isascii() and remote.isprintable()):
        return None  # said exactly as click writes it: left to click
    root = vault_root(given.get("--vault"))
    if root is None:
        return None
    line = quiet_line(root, given.get("--as"), remote)
    return None if line is None else _say(line)


def _verify(given: dict[str, str]) -> int | None:
    from openbook.trust.remembered import nothing_new

    vault = _vault(given)
    if vault is None:
        return None
    if "--as" in given and not _named(vault, given["--as"]):
        return None  # --as is checked against the settings in force: the command line's
    said = nothing_new(vault)
    return None if said is None else _say(said)


def _named(vault: Vault, pid: str) -> bool:
    """Whether `pid` is a partner in the settings in force remembered for this HEAD."""
    from openbook.ritual.inforce_cache import partner_in_force

    state = vault.state_dir()
    return state is not None and partner_in_force(vault.root, state, pid)
