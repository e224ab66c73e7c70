from __future__ import annotations

import click


@click.command("resources")
def resources_command() -> None:
    """Print where to find help: crisis lines, help if you are afraid of your partner,
    and how to find a couples therapist. Works anywhere, without a vault.

    \b
    Examples:
      openbook resources
      openbook resources | less
    """
    from openbook.render import builtin_dir

    page = builtin_dir("docs") / "resources.md"
    click.echo(page.read_text(encoding="utf-8"), nl=False)
