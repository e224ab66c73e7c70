from __future__ import annotations

from typing import Any

import click

from ._common import consenting_partner, echo_json, get_vault, interactive, json_option


def _show(result: Any, as_json: bool) -> None:
    if as_json:
        echo_json(result.as_dict())
    else:
        click.echo(result.message)


@click.command("answer")
@click.argument("qid", metavar="Q-ID")
@click.option(
    "--text",
    metavar="TEXT",
    help="Your answer; it is added under the note's '## Answer' heading. Without "
    "it, write the answer in the note (before or after) and commit it.",
)
@json_option("Print the result as JSON.")
@click.pass_context
def answer_command(ctx: click.Context, qid: str, text: str | None, as_json: bool) -> None:
    """Answer question Q-ID: sets `status: answered` and `answered` to now, and commits.

    Only the partner the question is for can answer it.

    \b
    Examples:
      openbook answer Q-0007 --text "I told him we are working on us, nothing more."
      openbook answer Q-0007
    """
    from openbook.record.consent import answer

    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    _show(answer(vault, me, qid.strip().upper(), text), as_json)


def _accept_settings(
    vault: Any, me: str, yes: bool, as_json: bool, names: list[str] | None = None
) -> None:
    from openbook.errors import OpenbookError
    from openbook.errors import shown as escaped
    from openbook.record.agreeing import NEVER_GATHERED, speaks_of_gathering
    from openbook.ritual.settings_consent import accept_settings, proposal_for

    digest = None
    if not yes:
        shown = proposal_for(vault, me, names)
        click.echo(shown.message)
        for line in shown.changes:
            click.echo(f"  {escaped(line)}")
        for line in shown.prompts:  # each template's prompts added and removed
            click.echo(f"  {escaped(line)}")
        added = [x for x in shown.prompts if x.strip().startswith("adds:")]
        if speaks_of_gathering(*shown.changes, *added):
            click.echo(NEVER_GATHERED)
        if not interactive():
            raise OpenbookError(
                "Nothing was accepted: without a terminal, 'openbook accept settings --yes' "
                "accepts what is shown above."
            )
        if not click.confirm("Accept these settings?", default=False):
            click.echo("Nothing was accepted; the settings you both accepted stay in force.")
            return
        digest = shown.version
    result = accept_settings(vault, me, digest, names)
    if as_json:
        echo_json({"accepted": "settings", "changes": result.changes, "commit": result.commit})
        return
    if digest is None:
        for line in result.changes:
            click.echo(f"  {escaped(line)}")
    click.echo(result.message)


@click.command("accept")
@click.argument("aid", metavar="A-ID|settings")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--yes", is_flag=True, help="Accept what is shown without asking.")
@json_option("Print the result as JSON.")
@click.pass_context
def accept_command(
    ctx: click.Context, aid: str, names: tuple[str, ...], yes: bool, as_json: bool
) -> None:
    """Consent to agreement A-ID, or to the settings your partner proposed (`settings`:
    all that wait, or only the NAMEs given, such as `meeting` or `checkins.bob`).

    An agreement becomes active, and new settings come into force, only when both of you
    have accepted.

    It first shows what you are accepting (an agreement's words, what it asks of whom,
    how you will see it, its review date, what would let you relax it) and, on a
    terminal, asks before consenting; you consent to exactly those words. Without a
    terminal, nothing is accepted unless --yes is given, and what was accepted is printed.

    \b
    Examples:
      openbook accept A-003
      openbook accept settings
      openbook accept settings meeting
    """
    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    if aid.strip().lower() == "settings":
        _accept_settings(vault, me, yes, as_json, list(names) or None)
        return
    if names:
        raise click.UsageError("Only 'accept settings' takes setting names.")
    _accept_agreement(vault, me, aid.strip().upper(), yes, as_json)


def _accept_agreement(vault: Any, me: str, aid: str, yes: bool, as_json: bool) -> None:
    """Show the words, ask on a terminal (or take --yes), accept exactly what was shown."""
    from openbook.errors import OpenbookError
    from openbook.record.agreeing import accept, shown_agreement

    shown = shown_agreement(vault, aid)
    if not yes:
        if not interactive():
            for line in shown.lines:
                click.echo(line)
            raise OpenbookError(
                f"Nothing was accepted: without a terminal, 'openbook accept {aid} --yes' "
                "accepts what is shown above."
            )
        for line in shown.lines:
            click.echo(line)
        if not click.confirm(f"Accept {aid} as it is written above?", default=False):
            click.echo(f"Nothing was accepted; {aid} stays as it was.")
            return
    result = accept(vault, me, aid, shown.version)
    if as_json:
        echo_json({**result.as_dict(), "shown": shown.lines})
        return
    if yes:
        click.echo("You accepted these words:")
        for line in shown.lines:
            click.echo(line)
    click.echo(result.message)


@click.command("pause")
@click.argument("aid", metavar="A-ID", required=False)
@click.option("--all", "everything", is_flag=True, help="Pause everything for both of you.")
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="With --all: the pause ends by itself on this day.",
)
@json_option("Print the result as JSON.")
@click.pass_context
def pause_command(
    ctx: click.Context, aid: str | None, everything: bool, until: Any, as_json: bool
) -> None:
    """Pause agreement A-ID, or everything with --all. No reason is needed.

    A paused agreement becomes active again when you run `openbook resume A-ID`; the
    check-in schedules that serve it pause with it. With --all, no schedule, deadline or
    count runs for either of you until the one who paused runs `openbook resume` (or the
    --until day comes); nothing is counted as missed.

    \b
    Examples:
      openbook pause A-004
      openbook pause --all
      openbook pause --all --until 2026-12-01
    """
    from openbook.record import consent, pauses

    if everything == bool(aid):
        raise click.UsageError("Give an agreement id (openbook pause A-004) or --all.")
    if until is not None and not everything:
        raise click.UsageError("--until goes with --all.")
    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    if everything:
        _show(pauses.pause_all(vault, me, until.date() if until else None), as_json)
    else:
        _show(consent.pause(vault, me, str(aid).strip().upper()), as_json)


@click.command("resume")
@click.argument("aid", metavar="[A-ID]", required=False)
@json_option("Print the result as JSON.")
@click.pass_context
def resume_command(ctx: click.Context, aid: str | None, as_json: bool) -> None:
    """End the pause you began with `openbook pause --all`, or `openbook pause A-ID`.

    Only the partner who paused can end it; schedules and deadlines run again from now.

    \b
    Examples:
      openbook resume
      openbook resume A-004
    """
    from openbook.record.pauses import resume, resume_agreement

    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    if aid:
        _show(resume_agreement(vault, me, str(aid).strip().upper()), as_json)
    else:
        _show(resume(vault, me), as_json)


@click.command("retire")
@click.argument("aid", metavar="A-ID")
@json_option("Print the result as JSON.")
@click.pass_context
def retire_command(ctx: click.Context, aid: str, as_json: bool) -> None:
    """Retire agreement A-ID. Retiring needs both of you: the first `retire` records the
    request, the second completes it. The one who proposed an agreement that was never in
    force withdraws it alone. The agreement stays in the history.

    \b
    Example:
      openbook retire A-004
    """
    from openbook.record.agreeing import retire

    vault = get_vault(ctx)
    _show(retire(vault, consenting_partner(ctx, vault), aid.strip().upper()), as_json)


@click.command("decline")
@click.argument("what", metavar="A-ID|settings")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@json_option("Print the result as JSON.")
@click.pass_context
def decline_command(ctx: click.Context, what: str, names: tuple[str, ...], as_json: bool) -> None:
    """Say no to agreement A-ID as your partner wrote it, or to the settings your partner
    proposed (`settings`: all that wait, or only the NAMEs given). Nothing else changes:
    the agreements and settings you both accepted stay in force, and what you declined
    leaves the agenda and status. Declining your own settings proposal withdraws it.

    \b
    Examples:
      openbook decline A-004
      openbook decline settings
      openbook decline settings checkins.bob
    """
    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    if what.strip().lower() != "settings":
        if names:
            raise click.UsageError("Only 'decline settings' takes setting names.")
        from openbook.record.agreeing import decline

        _show(decline(vault, me, what.strip().upper()), as_json)
        return
    from openbook.errors import shown as escaped
    from openbook.ritual.settings_consent import decline_settings

    result = decline_settings(vault, me, list(names) or None)
    if as_json:
        echo_json({"declined": "settings", "changes": result.changes, "commit": result.commit})
        return
    for line in result.changes:
        click.echo(f"  {escaped(line)}")
    click.echo(result.message)
