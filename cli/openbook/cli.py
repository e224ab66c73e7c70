"""The command line: click only. Commands load lazily so that `--help` stays fast."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from openbook import __version__

# name -> (module under openbook.commands, function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "setup": ("guided", "setup_command", "Set up step by step: you, your partner, your vault."),
    "init": ("setup", "init_command", "Create a new vault for the two of you."),
    "demo": ("demo", "demo_command", "Build a demo vault with eight weeks of history."),
    "new": ("write", "new_command", "Write a new note from its template and commit it."),
    "ask": ("write", "ask_command", "Ask your partner a question."),
    "answer": ("consent", "answer_command", "Answer a question."),
    "accept": ("consent", "accept_command", "Consent to an agreement."),
    "pause": ("consent", "pause_command", "Pause an agreement, or everything (either of you)."),
    "resume": ("consent", "resume_command", "End the pause you began with pause --all."),
    "retire": ("consent", "retire_command", "Retire an agreement (needs both partners)."),
    "confirm": ("confirm", "confirm_command", "Confirm a note your partner wrote for you."),
    "decline": ("consent", "decline_command", "Say no to an agreement or settings proposed."),
    "propose": ("propose", "propose_command", "Propose a schedule or setting you both keep."),
    "timeout": ("timeouts", "timeout_command", "Call a timeout now; no reason is asked."),
    "back": ("timeouts", "back_command", "Record that you are back from your timeout."),
    "check": ("check", "check_command", "Validate the notes and report every problem."),
    "commit": ("write", "commit_command", "Validate and commit every pending change."),
    "status": ("status", "status_command", "Who you are, what is due, what is waiting."),
    "log": ("status", "log_command", "The transparency log: every change, from git history."),
    "agenda": ("agenda", "agenda_command", "The agenda for this week's ritual."),
    "review": ("agenda", "review_command", "Create this month's review note, prefilled."),
    "clone": ("sync", "clone_command", "Clone your partner's shared vault."),
    "sync": ("sync", "sync_command", "Share your changes and receive your partner's."),
    "remote": (
        "remote",
        "remote_command",
        "Share through an encrypted remote the host cannot read.",
    ),
    "watch": ("watch", "watch_command", "Check and commit notes as you save them."),
    "keys": ("trust", "keys_command", "Sign your commits with an SSH key; require signatures."),
    "verify": ("trust", "verify_command", "Check that every commit is signed by its author."),
    "fingerprint": ("trust", "fingerprint_command", "Digits to compare: same log on both sides?"),
    "calendar": ("outside", "calendar_command", "Your meetings and deadlines as an .ics file."),
    "remind": ("outside", "remind_command", "What you have due in the next two hours."),
    "export": ("outside", "export_command", "The chosen notes as a printable page or PDF."),
    "hooks": ("hooks", "hooks_command", "Install git hooks that check notes on commit."),
    "doctor": ("doctor", "doctor_command", "Say what stops writing or syncing, and what to do."),
    "resources": ("resources", "resources_command", "Where to find help: helplines, therapists."),
    "journal": ("journal", "journal_command", "Your private journal, kept outside the vault."),
    "completion": ("completion", "completion_command", "Print a shell completion script."),
}


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


def main() -> None:
    cli(prog_name="openbook")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())  # type: ignore[func-returns-value]
