from __future__ import annotations

from pathlib import Path

import click

from ._common import consenting_partner, get_vault


@click.group("remote")
def remote_command() -> None:
    """Where you share your vault: an encrypted remote the host cannot read."""


@remote_command.command("encrypt")
@click.argument("url")
@click.option(
    "--remote",
    "name",
    default="origin",
    show_default=True,
    metavar="NAME",
    help="The git remote to make encrypted (added when missing).",
)
@click.option(
    "--identity",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="KEY",
    help="Your SSH private key matching your signing key (default: beside it).",
)
@click.pass_context
def remote_encrypt_command(ctx: click.Context, url: str, name: str, identity: str | None) -> None:
    """Share through URL encrypted, so that the host cannot read your notes.

    URL is an empty private repository (on a git host, a server or a drive). What you
    share there is a series of bundles encrypted to both partners' signing keys
    ('openbook keys add' first, each from their own copy); a remote that already holds
    a plain history is refused. Each of you runs it once in your own copy.

    \b
    Example:
      openbook remote encrypt git@example.org:us/ourbook-encrypted.git
    """
    from openbook.sync.encrypt_setup import encrypt_remote

    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    given = Path(identity) if identity else None
    for line in encrypt_remote(vault, me, url, name, given):
        click.echo(line)
    if not vault.file_config.encrypted:  # using it only is a setting both keep
        click.echo(
            "To share only through it, propose it: 'openbook propose sharing --encrypted'; "
            "until your partner accepts, sync shares through both remotes."
        )
