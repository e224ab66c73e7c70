from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

TRY_NEXT = (
    ("status", "who you are, what is due, what is waiting"),
    ("log", "every change: by whom, and when"),
    ("agenda", "tonight's meeting, as shown below"),
)


@click.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--quiet", is_flag=True, help="Only print the demo vault's path.")
def demo_command(directory: str | None, quiet: bool) -> None:
    """Build a demo vault with eight weeks of history by two partners, then show it.

    DIRECTORY must be new or empty (default: a new temporary folder). Needs no setup
    and no network. It first says where the vault is and what to try next, then shows
    the agenda of the story's last Sunday.
    """
    from openbook.start.demo import DEMO_NOW, build_demo

    target = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="openbook-demo-"))
    os.environ.setdefault("OPENBOOK_NOW", DEMO_NOW)
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        root = build_demo(target, progress)
    finally:
        progress.close()
    if quiet:
        click.echo(str(root))
        return
    for line in first_screen(root, program()):
        click.echo(line)
    _agenda(root)


class _Progress:
    """A progress bar on stderr while the history is committed, on a terminal only; it
    is erased when done, so what stays on the screen is what matters."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=total, label="Building the demo vault", file=sys.stderr, width=30
            )
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            # up one line and clear it: the finished bar leaves nothing behind
            sys.stderr.write("\x1b[1A\r\x1b[2K")
            sys.stderr.flush()
            self.bar = None


def program() -> str:
    """How to run openbook again from any folder: `openbook` when that is on PATH and is
    this program, else the full path of the program that is running (for example
    .venv/bin/openbook), so the commands shown work without activating anything."""
    argv0 = sys.argv[0] if sys.argv else ""
    me = Path(argv0) if argv0 else None
    if me is None or me.name not in ("openbook", "openbook.exe") or not me.is_file():
        return "openbook"
    on_path = shutil.which("openbook")
    if on_path and Path(on_path).resolve() == me.resolve():
        return "openbook"
    return shlex.quote(str(me.absolute()))


def first_screen(root: Path, prog: str) -> list[str]:
    """What was built and where, whose copy it is, the story's day, what to try next."""
    from openbook.git import repo as gitrepo
    from openbook.start.demo import DEMO_CLOCK, DEMO_DAY
    from openbook.vault import Vault

    cfg = Vault(root).require_config()
    me = gitrepo.config_get(root, "openbook.partner") or next(iter(cfg.partners))
    first = {pid: (p.name or pid).split()[0] for pid, p in cfg.partners.items()}
    other = next((first[p] for p in first if p != me), me)
    width = max(len(f"{prog} {cmd}") for cmd, _ in TRY_NEXT)
    lines = [
        f"Built a demo vault in {root}",
        f"  Eight weeks of notes by {first[me]} and {other}, a fictional couple. "
        f"This copy is {first[me]}'s ({me}).",
        f"  The story stops on {DEMO_DAY}, before that evening's meeting.",
        "Try next (the second line sets openbook's clock to the story's, so the numbers match):",
        f"  cd {shlex.quote(str(root))}",
        f"  export OPENBOOK_NOW={DEMO_CLOCK}",
    ]
    lines += [f"  {f'{prog} {cmd}':<{width}}   # {what}" for cmd, what in TRY_NEXT]
    lines.append("Sample data about two fictional people: delete the folder when you are done.")
    return lines


def _agenda(root: Path) -> None:
    from openbook.ritual.agenda import build_agenda, render_agenda
    from openbook.vault import Vault

    vault = Vault(root)
    when = vault.now()
    click.echo("")
    click.echo(f"== openbook agenda, as on {when:%A} {when.day} {when:%B %Y at %H:%M}")
    click.echo("")
    click.echo(render_agenda(vault, build_agenda(vault), "md").rstrip())
