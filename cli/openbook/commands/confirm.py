from __future__ import annotations

import click

from ._common import consenting_partner, echo_json, get_vault, json_option


@click.command("confirm")
@click.argument("path", metavar="PATH")
@json_option("Print the result as JSON.")
@click.pass_context
def confirm_command(ctx: click.Context, path: str, as_json: bool) -> None:
    """Confirm a note your partner wrote for you under your name ("by bob for alice"):
    it counts as yours from then on.

    Only the partner the note is under can confirm it, from their own copy.

    \b
    Examples:
      openbook confirm checkins/2026/2026-11-24-alice.md
    """
    from openbook.record.confirm import confirm

    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    result = confirm(vault, me, path)
    if as_json:
        echo_json(result.as_dict())
    else:
        click.echo(result.message)
