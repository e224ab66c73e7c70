"""`openbook remind --install`: run `openbook remind --notify` every 15 minutes.

On Linux a systemd user timer and its service under ~/.config/systemd/user/ (the
timer is `Persistent=true`, so a run missed while the laptop slept happens at wake-up);
on macOS a launchd agent under ~/Library/LaunchAgents/. Nothing is enabled here: the
person runs the one command we print, so nothing starts behind their back.
"""

from __future__ import annotations

import os
import plistlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write

UNIT = "openbook-remind"
LABEL = "org.openbook.remind"
EVERY_MINUTES = 15
_PLAIN_WORD = re.compile(r"^[A-Za-z0-9_./:@+=,-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Installed:
    files: list[Path]
    changed: bool  # False when the files already said exactly this
    next_step: str  # the command that starts it


def remind_argv(vault_root: Path, as_partner: str | None) -> list[str]:
    """How the timer runs openbook: this Python, this vault, as this partner."""
    argv = [sys.executable, "-m", "openbook", "--vault", str(vault_root)]
    if as_partner:
        argv += ["--as", as_partner]
    return [*argv, "remind", "--notify"]


def systemd_word(arg: str) -> str:
    """One argument of ExecStart, quoted for systemd (`%` and `$` escaped)."""
    if _CONTROL.search(arg):
        raise OpenbookError(
            f"{arg!r} holds a control character, which a systemd unit cannot carry; "
            "move the vault to a plain folder name."
        )
    arg = arg.replace("%", "%%").replace("$", "$$")
    if _PLAIN_WORD.match(arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def systemd_units(argv: list[str]) -> dict[str, str]:
    """The service and the timer, by file name."""
    service = (
        "# Written by `openbook remind --install`: what you have due in the next two hours,\n"
        "# as a desktop notification. Remove with:\n"
        f"#   systemctl --user disable --now {UNIT}.timer\n"
        f"#   rm ~/.config/systemd/user/{UNIT}.service ~/.config/systemd/user/{UNIT}.timer\n"
        "\n"
        "[Unit]\n"
        "Description=openbook remind: what you have due in the next two hours\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={' '.join(systemd_word(a) for a in argv)}\n"
        "Environment=PYTHONUNBUFFERED=1\n"
        "NoNewPrivileges=yes\n"
    )
    timer = (
        f"# Written by `openbook remind --install`: runs {UNIT}.service every "
        f"{EVERY_MINUTES} minutes.\n"
        "\n"
        "[Unit]\n"
        f"Description=openbook remind every {EVERY_MINUTES} minutes\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar=*:0/{EVERY_MINUTES}\n"
        "Persistent=true\n"
        "AccuracySec=1min\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def launchd_plist(argv: list[str], home: Path) -> bytes:
    """The launchd agent, written by plistlib."""
    log = str(home / "Library" / "Logs" / "openbook-remind.log")
    agent = {
        "Label": LABEL,
        "ProgramArguments": argv,
        "StartInterval": EVERY_MINUTES * 60,
        "RunAtLoad": True,
        "ProcessType": "Background",
        "EnvironmentVariables": {
            "PATH": "/usr/bin:/bin:/opt/homebrew/bin:/usr/local/bin",
            "PYTHONUNBUFFERED": "1",
        },
        "StandardOutPath": log,
        "StandardErrorPath": log,
    }
    return plistlib.dumps(agent, sort_keys=False)


def _write(files: dict[Path, bytes]) -> bool:
    changed = False
    for path, data in files.items():
        try:
            if path.is_file() and path.read_bytes() == data:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)
        except OSError as exc:
            raise OpenbookError(
                f"could not write {path} ({exc.strerror or exc}); check that folder's "
                "permissions and try again."
            ) from None
        changed = True
    return changed


def install(
    vault_root: Path,
    as_partner: str | None,
    *,
    platform: str | None = None,
    home: Path | None = None,
) -> Installed:
    """Write the timer (Linux and other systemd systems) or the launchd agent (macOS)."""
    platform = platform or sys.platform
    home = home or Path(os.path.expanduser("~"))
    argv = remind_argv(vault_root, as_partner)
    if platform == "darwin":
        path = home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        changed = _write({path: launchd_plist(argv, home)})
        step = f"launchctl bootstrap gui/$(id -u) {path}"
        return Installed([path], changed, step)
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    folder = config / "systemd" / "user"
    units = {folder / name: text.encode("utf-8") for name, text in systemd_units(argv).items()}
    changed = _write(units)
    step = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer"
    return Installed(list(units), changed, step)
