from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click


@click.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--quiet", is_flag=True, help="Only print the demo vault's path.")
def demo_command(directory: str | None, quiet: bool) -> None:
    """Build a demo vault with eight weeks of history by two partners, then show it.

    DIRECTORY must be new or empty (default: a new temporary folder). Needs no setup
    and no network. Afterwards, try: cd DIRECTORY && openbook status && openbook log.
    """
    from openbook.start.demo import DEMO_NOW, build_demo

    target = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="openbook-demo-"))
    os.environ.setdefault("OPENBOOK_NOW", DEMO_NOW)

    def progress(line: str) -> None:
        if not quiet:
            click.echo(f"  {line}", err=True)

    if not quiet:
        click.echo(f"Building a demo vault in {target} ...", err=True)
    root = build_demo(target, progress)
    if quiet:
        click.echo(str(root))
        return
    _show(root)
    click.echo("")
    click.echo(f"The demo vault is in {root}. Explore it with:")
    click.echo(f"  cd {root} && openbook status && openbook log && openbook agenda")
    click.echo("It is sample data about two fictional people; delete the folder when done.")


def _show(root: Path) -> None:
    from openbook.git.ledger import history
    from openbook.vault import Vault

    vault = Vault(root)
    click.echo("")
    click.echo("== openbook log (the newest ten changes)")
    for e in history(vault)[:10]:
        click.echo(f"{e.date[:16].replace('T', ' ')}  {e.partner or e.author:<6} {e.subject}")
    try:
        from openbook.ritual.agenda import build_agenda, render_agenda
    except ImportError:
        from openbook.ritual.overview import gather

        ov = gather(vault, "alice")
        click.echo("")
        click.echo("== openbook status")
        click.echo(
            f"{len(ov.open_questions)} open questions, "
            f"{len(ov.agreements_due)} agreements due for review."
        )
        return
    click.echo("")
    click.echo("== openbook agenda")
    click.echo(render_agenda(vault, build_agenda(vault), "md").rstrip())
