from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ._common import acting_partner, echo_json, get_vault, json_option


@click.group("journal")
def journal_command() -> None:
    """Your private journal: entries for you alone, kept on this machine, outside the vault.

    The journal never enters the shared repository, and no other openbook command reads
    it. It works with or without a vault. `journal share` is the only bridge: it opens a
    new check-in with an entry's words, and commits it only if you save it.

    \b
    It lives in $OPENBOOK_JOURNAL, else `git config --global openbook.journal`, else
    ~/.local/share/openbook/journal/ (folder readable by you only). A folder inside a
    git repository or a vault is refused. To encrypt new entries to your SSH key:
      git config --global openbook.journal-key ~/.ssh/id_ed25519.pub

    \b
    Examples:
      openbook journal new
      openbook journal new --body "Hard evening. I went for a walk and it helped."
      openbook journal list
      openbook journal share 2026-11-24-2105
    """


F = TypeVar("F", bound=Callable[..., Any])


def _no_vault(command: F) -> F:
    """--vault and --as mean nothing to the journal itself: accept them, hide them."""
    for flag in ("--vault", "--as"):
        command = click.option(flag, hidden=True, expose_value=False)(command)
    return command


def _editor_set() -> bool:
    return bool(os.environ.get("VISUAL") or os.environ.get("EDITOR"))


@journal_command.command("new")
@_no_vault
@click.option("--body", metavar="TEXT", help="The entry's text (without it, your editor opens).")
@click.option(
    "--mood",
    type=click.IntRange(1, 5),
    metavar="1-5",
    help="How you feel, from 1 (low) to 5 (good); optional.",
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeatable).")
@click.option(
    "--edit/--no-edit",
    default=None,
    help="Open $VISUAL or $EDITOR (default: when there is no --body and an editor is set).",
)
@json_option("Print the result as JSON.")
def new_command(
    body: str | None, mood: int | None, tags: tuple[str, ...], edit: bool | None, as_json: bool
) -> None:
    """Write a new journal entry. An entry left empty is not saved.

    Without --body, your editor opens on a new entry; without an editor, the text is
    read from standard input. Prints the new entry's id.

    \b
    Examples:
      openbook journal new
      openbook journal new --body "Today I noticed I could breathe again." --mood 3
    """
    from openbook.journal import place, store

    journal = store.Journal.open()
    when = place.now()
    if body is not None and not body.strip() and not edit:
        raise click.UsageError("the entry is empty; write it in quotes after --body.")
    if edit is None:
        edit = body is None and _editor_set()
    if edit:
        draft = store.compose(body or "", when, mood=mood, tags=list(tags), blanks=True)
        with place.scratch(draft, "journal-entry.md") as path:
            click.edit(filename=str(path))
            text = path.read_text(encoding="utf-8", errors="replace")
    elif body is None and sys.stdin.isatty():
        raise click.UsageError("no editor is set; pass --body TEXT or set $EDITOR.")
    else:
        words = body if body is not None else sys.stdin.read()
        text = store.compose(words, when, mood=mood, tags=list(tags))
    if store.is_empty(text):
        click.echo("Nothing saved: the entry was left empty.", err=True)
        return
    entry = journal.add(text, when)
    if as_json:
        echo_json({"id": entry.id, "encrypted": entry.encrypted})
    else:
        click.echo(entry.id)


@journal_command.command("list")
@_no_vault
@json_option("Print the entries as JSON.")
def list_command(as_json: bool) -> None:
    """List your journal entries, oldest first: id, date and first line. An entry
    encrypted to a key that is not here is named on stderr, the others are listed.

    \b
    JSON: {"entries": [{"id", "date", "first_line"}]}, and when some cannot be
    opened, "unreadable": [{"id", "file", "why"}]
    """
    from openbook.journal import store

    readable, unopened = store.Journal.open().listing()
    entries = [e.summary() for e in readable]
    if unopened:
        click.echo(f"openbook: {store.unopened_line(unopened)}", err=True)
    if as_json:
        unreadable = {"unreadable": [u.as_dict() for u in unopened]} if unopened else {}
        echo_json({"entries": entries, **unreadable})
        return
    if not entries and not unopened:
        click.echo("Your journal is empty. Write an entry with 'openbook journal new'.")
    for e in entries:
        line = e["first_line"]
        click.echo(f"{e['id']:<17}  {line[:70] + '…' if len(line) > 71 else line}")


@journal_command.command("show")
@_no_vault
@click.argument("entry_id", metavar="ID")
def show_command(entry_id: str) -> None:
    """Print journal entry ID (decrypted, when it is encrypted).

    \b
    Example:
      openbook journal show 2026-11-24-2105
    """
    from openbook.journal import store

    entry = store.Journal.open().read(entry_id)
    click.echo(entry.text, nl=not entry.text.endswith("\n"))


@journal_command.command("share")
@click.argument("entry_id", metavar="ID")
@click.pass_context
def share_command(ctx: click.Context, entry_id: str) -> None:
    """Open a new check-in in the vault with the words of journal entry ID.

    Run it inside your vault (or with --vault). Your editor opens on the check-in; it is
    validated and committed, like `openbook new checkin --edit`, only if you save a
    change. Close the editor without saving and nothing is shared. Only the words you
    save reach the vault; nothing says they came from the journal.

    \b
    Example:
      openbook journal share 2026-11-24-2105
    """
    from openbook.errors import ValidationFailed
    from openbook.journal import share, store

    journal = store.Journal.open()
    vault = get_vault(ctx)
    vault.require_writable()
    me = acting_partner(ctx, vault)
    words = journal.read(entry_id).body

    def edit(path: object) -> None:
        click.edit(filename=str(path))

    result = share.share_as_checkin(vault, me, words, edit)
    if result is None:
        click.echo("Nothing shared: the check-in was closed without a change.", err=True)
        return
    if result.commit is None:
        for p in result.problems:
            click.echo(p.format(), err=True)
        raise ValidationFailed(
            f"{result.relpath} is saved but not committed because of the problems above; "
            "fix them, then run 'openbook commit'."
        )
    click.echo(result.relpath)
