from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from openbook.errors import EXIT_FAILURE
from openbook.notetypes import NAMES

if TYPE_CHECKING:
    from openbook.record.create import Created

from ._common import acting_partner, echo_json, get_vault, interactive, json_option


class _DateType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"'{value}' is not a date like 2026-11-24.", param, ctx)


DATE = _DateType()


def _create(
    ctx: click.Context,
    note_type: str,
    sets: dict[str, object],
    day: dt.date | None,
    body: str,
    edit: bool | None,
    as_json: bool,
) -> Created | None:
    from openbook.record.create import NoteKept, new_note, write_new_draft
    from openbook.record.safety import with_safety_lines

    if body.strip():  # openbook's safety lines, as the editor path adds them
        body = with_safety_lines(note_type, body.strip(), body.strip())

    vault = get_vault(ctx)
    vault.require_writable()
    me = acting_partner(ctx, vault)
    if edit is None and not body:
        if not (interactive() and (os.environ.get("VISUAL") or os.environ.get("EDITOR"))):
            # no editor to show the template in: leave the draft for the person to fill in
            d = write_new_draft(vault, me, note_type, sets=sets, day=day)
            if as_json:
                echo_json({"path": d.relpath, "commit": None, "type": note_type})
                return None
            click.echo(d.relpath)
            click.echo(
                f"No editor was opened (set $EDITOR, or run this in a terminal), so nothing "
                f"is committed yet: {d.relpath} is ready; write in it, then run "
                "'openbook commit'.",
                err=True,
            )
            return None
        edit = True
    try:
        created = new_note(
            vault, me, note_type, sets=sets, day=day, body=body, edit=_editor if edit else None
        )
    except NoteKept as kept:
        for line in kept.lines:
            click.echo(line, err=True)
        raise
    if as_json:
        echo_json(
            {
                "path": created.path,
                "commit": created.commit,
                "type": note_type,
                "said": list(created.said),
            }
        )
    else:
        click.echo(created.path)
    for sentence in created.said if not as_json else ():
        click.echo(sentence, err=True)
    return created


def _editor(path: Path) -> None:
    click.edit(filename=str(path))


class _NewCommand(click.Command):
    """`new`, whose help lists the note types from the registry, each with a few words."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        from openbook.notetypes.registry import TYPES  # only when help is shown

        with formatter.section("Note types"):
            formatter.write_dl([(t.name, t.about) for t in TYPES.values()])


@click.command("new", cls=_NewCommand)
@click.argument("note_type", metavar="TYPE", type=click.Choice(NAMES))
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a frontmatter field (YAML value), e.g. --set mood=4. Repeatable.",
)
@click.option("--date", "day", type=DATE, help="The note's own date (default: today).")
@click.option(
    "--body", default="", help="Text for the note's body (committed as it is, with no editor)."
)
@click.option(
    "--edit/--no-edit",
    default=None,
    help="Open $VISUAL or $EDITOR before committing (default: when interactive). Without "
    "an editor and without --no-edit or --body, the note is written for you to fill in "
    "and committed by 'openbook commit'.",
)
@json_option("Print the result as JSON.")
@click.pass_context
def new_command(
    ctx: click.Context,
    note_type: str,
    sets: tuple[str, ...],
    day: dt.date | None,
    body: str,
    edit: bool | None,
    as_json: bool,
) -> None:
    """Write a new note of TYPE, validate it and commit it.

    In an editor the note starts from its type's template; with --no-edit or --body its
    body is only what you give. A note with nothing written in it is not committed.
    Never overwrites an existing note. Prints the new note's path.

    \b
    Examples:
      openbook new checkin --set mood=4 --set on_track=yes --no-edit
      openbook new agreement --set title="Changed plans are announced ahead" --set kind=transparency
      openbook new plan-change --set plan_at="2026-11-24 18:00" --set was="home at 6" \\
                               --set now="home at 7"
    """
    from openbook.record.create import parse_set

    _create(ctx, note_type, parse_set(sets), day, body, edit, as_json)


@click.command("ask")
@click.argument("text")
@click.option(
    "--to", "to", metavar="PARTNER", help="Who the question is for (default: the other partner)."
)
@click.option(
    "--answer-by", metavar="DATETIME", help="When the answer is due (default: per openbook.yml)."
)
@click.option("--category", help="An optional category, e.g. timeline or feelings.")
@click.option("--repeat-of", metavar="Q-ID", help="The earlier question this one asks again.")
@json_option("Print the result as JSON.")
@click.pass_context
def ask_command(
    ctx: click.Context,
    text: str,
    to: str | None,
    answer_by: str | None,
    category: str | None,
    repeat_of: str | None,
    as_json: bool,
) -> None:
    """Ask your partner a question. TEXT becomes the body of a new question note.

    Asking again is part of healing and is never counted against anyone.
    """
    from openbook.record.create import parse_set

    sets: dict[str, object] = {}
    if to:
        sets["to"] = to
    if answer_by:
        sets.update(parse_set([f"answer_by={answer_by}"]))
    if category:
        sets["category"] = category
    if repeat_of:
        sets["repeat_of"] = repeat_of
    if not text.strip():
        raise click.UsageError("the question is empty; write it in quotes after ask.")
    created = _create(ctx, "question", sets, None, text, False, as_json)
    if created is not None and not as_json:
        from openbook.notes.parse import parse_bytes
        from openbook.ritual.wording import asked_lines

        vault = get_vault(ctx)
        meta = parse_bytes(created.path, (vault.root / created.path).read_bytes()).meta
        for line in asked_lines(meta, vault.terms().config, vault.now()):
            click.echo(line, err=True)


@click.command("commit")
@click.option(
    "-m",
    "--message",
    "message",
    metavar="TEXT",
    help="A note added to each commit's message (never required).",
)
@json_option("Print the result as JSON.")
@click.pass_context
def commit_command(ctx: click.Context, message: str | None, as_json: bool) -> None:
    """Validate and commit every pending change under the vault, one commit per note.

    Notes with errors are left uncommitted and listed; fix them and run commit again.
    So are new notes with nothing written in them yet, and new notes whose author
    field names the other partner (each partner writes their own notes).
    """
    from openbook.record.pending import commit_pending, deletion_refusal, held_lines

    vault = get_vault(ctx)
    vault.require_writable()
    me = acting_partner(ctx, vault)
    outcome = commit_pending(vault, me, note_message=message)
    if as_json:
        echo_json(
            {
                "committed": [
                    {"path": c.path, "action": c.action, "commit": c.sha} for c in outcome.committed
                ],
                "refused": outcome.refused,
                "outside": outcome.outside,
                "protected": sorted(outcome.protected),
                "blank": outcome.blank,
                "not_yours": sorted(outcome.not_yours),
                "drafts": sorted(outcome.drafts),
            }
        )
    else:
        for c in outcome.committed:
            click.echo(f"committed {c.path} ({c.action})")
        for path in outcome.refused:
            why = outcome.why.get(path, f"it has errors; run 'openbook check {path}'")
            click.echo(f"not committed {path}: {why}", err=True)
        for path in outcome.outside:
            click.echo(
                f"left out {path}: it is outside the vault's note folders, so it is not "
                "shared; move it into a note folder or keep it outside the vault",
                err=True,
            )
        for path, agreement in sorted(outcome.protected.items()):
            click.echo(deletion_refusal(path, agreement), err=True)
        held = held_lines(outcome, me)
        for line in held:
            click.echo(line, err=True)
        if not outcome.committed and not outcome.refused and not outcome.protected and not held:
            click.echo("Nothing to commit; everything is already in the log.")
    if outcome.refused or outcome.protected or outcome.blank or outcome.not_yours:
        ctx.exit(EXIT_FAILURE)
