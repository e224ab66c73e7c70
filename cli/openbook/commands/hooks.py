from __future__ import annotations

import click

from openbook.errors import EXIT_FAILURE
from openbook.words import plural

from ._common import get_vault


@click.group("hooks")
def hooks_command() -> None:
    """Git hooks for this clone: `install` adds a pre-commit hook that runs
    `openbook check` on staged notes, so commits made with plain git, an editor's git
    panel or another client are checked too.

    Hooks live only in this clone's .git/hooks; they are never shared and are installed
    only when you run this command yourself.

    \b
    Example:
      openbook hooks install
    """


@hooks_command.command("install")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing pre-commit hook (it is moved aside to pre-commit.openbook-backup).",
)
@click.pass_context
def install_command(ctx: click.Context, force: bool) -> None:
    """Install the pre-commit hook that checks staged notes.

    An existing hook that openbook did not write is left alone unless you pass --force.

    \b
    Example:
      openbook hooks install
    """
    from openbook.record.hooks import install

    vault = get_vault(ctx)
    hook, backup = install(vault, force=force)
    if backup:
        click.echo(f"Moved the previous hook aside to {backup}.")
    click.echo(f"Installed {hook}: every commit now checks the staged notes first.")


@hooks_command.command("run-pre-commit", hidden=True)
@click.pass_context
def run_pre_commit_command(ctx: click.Context) -> None:
    """What the pre-commit hook runs: check the staged notes, exit 1 on errors."""
    from openbook.record.hooks import pre_commit_problems

    vault = get_vault(ctx)
    _paths, problems = pre_commit_problems(vault)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        click.echo(p.format(), err=True)
    if errors:
        click.echo(
            f"openbook: the commit was stopped: {plural(len(errors), 'error')} in the staged "
            "notes. Fix them (openbook check shows them), then commit again.",
            err=True,
        )
        ctx.exit(EXIT_FAILURE)
