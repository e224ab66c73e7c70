"""The click command group: every command, loaded lazily so that `--help` stays fast.
`openbook.cli.main` runs it for everything it does not answer itself."""

from __future__ import annotations

import importlib
from typing import Any

import click

from openbook import __version__
from openbook.cli import COMMANDS


def _remember(key: str) -> Any:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            root = ctx.find_root()
            root.ensure_object(dict)
            root.obj[key] = value

    return callback


def _add_global_options(command: click.Command) -> None:
    """`--vault` and `--as` work after the command name too (`openbook init --as bob`)."""
    names = {opt for p in command.params for opt in getattr(p, "opts", [])}
    if "--as" not in names:
        command.params.append(
            click.Option(
                ["--as", "as_partner"],
                metavar="PARTNER",
                expose_value=False,
                is_eager=True,
                callback=_remember("as_partner"),
                help="Act as this partner (same as the global --as).",
            )
        )
    if "--vault" not in names:
        command.params.append(
            click.Option(
                ["--vault", "vault_path"],
                metavar="PATH",
                expose_value=False,
                is_eager=True,
                callback=_remember("vault_path"),
                help="The vault folder (same as the global --vault).",
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_global_options(sub)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"openbook.commands.{entry[0]}")
        command: click.Command = getattr(module, entry[1])
        _add_global_options(command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # one-line help from the table, without importing every command
        rows = [(name, entry[2]) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from openbook.errors import OpenbookError

        try:
            return super().invoke(ctx)
        except OpenbookError as exc:
            click.echo(f"openbook: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("openbook: stopped.", err=True)
            ctx.exit(130)
        finally:
            from openbook.git.ahead import forget_ahead

            forget_ahead()


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={
        "help_option_names": ["-h", "--help"],
        "max_content_width": 100,
        "terminal_width": 100,
    },
)
@click.option(
    "--vault",
    "vault_path",
    metavar="PATH",
    type=click.Path(file_okay=False),
    envvar="OPENBOOK_VAULT",
    help="The vault folder (default: $OPENBOOK_VAULT, else the folder holding openbook.yml "
    "at or above the current one).",
)
@click.option(
    "--as",
    "as_partner",
    metavar="PARTNER",
    help="Act as this partner (default: $OPENBOOK_PARTNER, else git config openbook.partner).",
)
@click.version_option(__version__, "--version", prog_name="openbook")
@click.pass_context
def cli(ctx: click.Context, vault_path: str | None, as_partner: str | None) -> None:
    """openbook keeps your check-ins, questions, agreements and weekly ritual as plain
    Markdown notes in a private git repository you both share.

    Every change is a commit signed with your name: a transparency log you can both read.
    openbook is not therapy; `openbook resources` says where to find help.

    Start with `openbook demo` to look around, or `openbook setup` to begin. With no
    command, openbook says where you are and what to do next.
    """
    ctx.ensure_object(dict)
    ctx.obj["vault_path"] = vault_path
    ctx.obj["as_partner"] = as_partner
    if ctx.invoked_subcommand is None:
        from openbook.commands.welcome import welcome

        welcome(ctx)
