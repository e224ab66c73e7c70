from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import click

from openbook.errors import shown

from ._common import as_override, echo_json, get_vault, json_option
from .write import DATE


@click.command("status")
@json_option("Print the status as JSON.")
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """Who you are, check-ins due, open questions and their age, agreements due for
    review, waiting for consent, paused, waiting to be retired or deleted without being
    retired, open timeouts, uncommitted changes and the last sync."""
    from openbook.errors import OpenbookError
    from openbook.ritual.overview import gather

    vault = get_vault(ctx)
    try:
        me: str | None = vault.partner(as_override(ctx))
    except OpenbookError:
        me = None
    ov = gather(vault, me)
    if as_json:
        echo_json(ov.as_dict())
        return
    from openbook.ritual.status_text import status_lines

    for line in status_lines(ov, vault.config.partners, me):
        click.echo(shown(line))


@click.command("log")
@click.option("--since", type=DATE, help="Only changes on or after this date.")
@click.option("--type", "note_type", metavar="TYPE", help="Only notes of this type.")
@click.option("--partner", metavar="ID", help="Only changes made by this partner.")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Show at most this many.")
@json_option("Print the log as JSON.")
@click.pass_context
def log_command(
    ctx: click.Context,
    since: dt.date | None,
    note_type: str | None,
    partner: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """The transparency log: every change from git history, newest first, in the
    vault's time zone. Each change names the partner whose email authored it.

    Marks: `by bob for alice` (written on one partner's machine for the other),
    `written later` (first committed more than 48 hours after the note's own date),
    `late edit` (its own fields changed more than 48 hours after its date; an answer,
    `landed` or an acknowledgement is not one), `deleted` (a deleted note stays in
    the history) and `clock` (dated more than 10 minutes before a commit it was built
    on, or after this copy first saw it: it counts from a time the log can stand behind).
    """
    from openbook.check.result import check_vault
    from openbook.git.ledger import note_dates_of
    from openbook.ritual.logbook import log_entries

    vault = get_vault(ctx)
    if partner and partner not in vault.config.partners:
        raise click.BadParameter(
            f"'{partner}' is not a partner in openbook.yml.", param_hint="--partner"
        )
    dates = note_dates_of(check_vault(vault).parsed)
    entries = log_entries(
        vault, since=since, note_type=note_type, partner=partner, note_dates=dates
    )
    if limit:
        entries = entries[:limit]
    if as_json:
        echo_json([asdict(e) for e in entries])
        return
    from openbook.ritual.status_text import log_lines

    for line in log_lines(entries, filtered=bool(since or note_type or partner)):
        click.echo(shown(line))
