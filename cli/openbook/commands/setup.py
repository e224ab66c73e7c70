from __future__ import annotations

from pathlib import Path

import click

from ._common import as_override


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--partner",
    "partners",
    multiple=True,
    required=True,
    metavar="SPEC",
    help="A partner as `id` or `id:Name <email>`. Give it twice, once for each.",
)
@click.option(
    "--timezone",
    "timezone",
    metavar="ZONE",
    help="IANA time zone, e.g. Europe/Berlin (default: this computer's).",
)
@click.option("--remote", metavar="URL", help="The private git remote you will both sync with.")
@click.pass_context
def init_command(
    ctx: click.Context,
    directory: str,
    partners: tuple[str, ...],
    timezone: str | None,
    remote: str | None,
) -> None:
    """Create a new vault in DIRECTORY: openbook.yml, language.md, folders, a git repo
    and a first commit, authored by the partner given with --as.

    \b
    Example:
      openbook init ourbook --as bob \\
        --partner "alice:Alice Example <alice@example.org>" \\
        --partner "bob:Bob Example <bob@example.org>"
    """
    from openbook.start.setup import create_vault, first_screen

    me = as_override(ctx)
    if not me:
        raise click.UsageError("say which partner you are with --as ID (before 'init').")
    path = create_vault(Path(directory), list(partners), me, timezone=timezone, remote=remote)
    for line in first_screen(path, me, remote=remote is not None):
        click.echo(line)
