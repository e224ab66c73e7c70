from __future__ import annotations

import datetime as dt

import click

from openbook.errors import shown

from ._common import acting_partner, echo_json, get_vault, json_option, output_option
from .write import DATE


@click.command("agenda")
@click.option(
    "--date",
    "day",
    type=DATE,
    help="The meeting date (default: the next meeting day on or after today).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    default=None,
    help="md (default), a printable html page, or json.",
)
@json_option("Same as --format json.")
@click.option(
    "--short",
    is_flag=True,
    help="The 20-minute short form, for a week when one of you is not calm.",
)
@click.option(
    "--save",
    is_flag=True,
    help="Write the agenda as this week's meeting note (meetings/YYYY/YYYY-Www.md) "
    "and commit it. Never overwrites an existing meeting note.",
)
@output_option("Write the agenda to FILE instead of printing it.")
@click.pass_context
def agenda_command(
    ctx: click.Context,
    day: dt.date | None,
    fmt: str | None,
    as_json: bool,
    short: bool,
    save: bool,
    output: str | None,
) -> None:
    """The agenda for the weekly ritual: appreciations first, what went right, the
    transparency update, open questions, agreements, the week ahead, one topic only,
    and a kind close.

    It covers the days since the last meeting note, at most 14, up to the meeting date;
    after a longer gap (or before the first meeting) the last seven days. Counts say what
    happened, each partner against the schedule in force each day, from the vault's
    first day on; a check-in counts as agreed when its first commit came by the deadline.

    \b
    Examples:
      openbook agenda
      openbook agenda --short
      openbook agenda --format html -o agenda.html
      openbook agenda --date 2026-11-22 --json
      openbook agenda --save
    """
    from openbook.ritual.agenda import build_agenda, render_agenda
    from openbook.ritual.meeting import save_meeting

    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} disagree; use one of them.")
    fmt = "json" if as_json else (fmt or "md")
    vault = get_vault(ctx)
    if save:
        vault.require_writable()
        me = acting_partner(ctx, vault)
    data = build_agenda(vault, day=day, short=short)
    text = render_agenda(vault, data, fmt)
    saved: tuple[str, str] | None = None
    if save:
        markdown = text if fmt == "md" else render_agenda(vault, data, "md")
        saved = save_meeting(vault, me, data, markdown)
    if output:
        from openbook.record.output import write_output

        kept = write_output(vault, output, text.encode("utf-8"))
        click.echo(f"Agenda written to {output}{kept}.")
    elif fmt == "json":
        click.echo(text, nl=False)
    else:
        click.echo(shown(text, newlines=True), nl=not text.endswith("\n"))
    if saved:
        click.echo(
            f"Saved as {saved[0]} and committed; add the minutes there after the meeting.", err=True
        )


@click.command("review")
@click.option(
    "--month", metavar="YYYY-MM", help="The month to review (default: the current month)."
)
@json_option("Print the result as JSON.")
@click.pass_context
def review_command(ctx: click.Context, month: str | None, as_json: bool) -> None:
    """Create the month's review note (reviews/YYYY-MM.md), prefilled from the vault, and
    commit it: every active agreement to keep, revise, relax or retire, the month at a
    glance as plain counts, three small wins each, stubborn challenges, two focus items
    at most, and "do we want outside help?". Run it again before the month is over to
    bring the review's counts up to date (a new commit; what you wrote stays); once the
    month is over, the review is never overwritten.

    \b
    Examples:
      openbook review
      openbook review --month 2026-11
    """
    from openbook.ritual.review import create_review, parse_month

    vault = get_vault(ctx)
    vault.require_writable()
    me = acting_partner(ctx, vault)
    period = parse_month(month) if month else None
    rel, sha = create_review(vault, me, period)
    if as_json:
        echo_json({"path": rel, "commit": sha, "type": "review"})
    else:
        click.echo(rel)
