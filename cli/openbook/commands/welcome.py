"""`openbook` with no command: where you are, and what to do next."""

from __future__ import annotations

import click

STATUS_LINES = 4


def welcome(ctx: click.Context) -> None:
    """In a vault: the first lines of `status` and the three most likely next commands;
    outside one: `setup` and `demo`."""
    from openbook.errors import OpenbookError, VaultNotFound
    from openbook.ritual.overview import gather
    from openbook.ritual.status_text import status_lines
    from openbook.start.nextsteps import OUTSIDE, next_commands

    from ._common import as_override, get_vault

    try:
        vault = get_vault(ctx)
    except VaultNotFound:
        for line in OUTSIDE:
            click.echo(line)
        return
    try:
        me: str | None = vault.partner(as_override(ctx))
    except OpenbookError:
        me = None
    ov = gather(vault, me)
    for line in status_lines(ov, vault.config.partners, me)[:STATUS_LINES]:
        click.echo(line)
    click.echo("Next:")
    pairs = next_commands(ov.as_dict(), me)
    width = max(len(cmd) for cmd, _ in pairs)
    for cmd, why in pairs:
        click.echo(f"  {cmd.ljust(width)}  {why}")
    click.echo("'openbook status' shows everything; 'openbook --help' lists every command.")
