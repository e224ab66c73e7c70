"""`openbook timeout` and `openbook back` (the steps are in openbook.start.timeouts)."""

from __future__ import annotations

import datetime as dt

import click

from openbook.config import parse_duration

from ._common import acting_partner, consenting_partner, echo_json, get_vault, json_option


@click.command("timeout")
@click.option(
    "--for",
    "length",
    metavar="DURATION",
    help="How long, like 30m or 2h (default: the shortest time you both agreed).",
)
@click.option("--topic", metavar="TEXT", help="What you were talking about (optional).")
@json_option("Print the result as JSON.")
@click.pass_context
def timeout_command(
    ctx: click.Context, length: str | None, topic: str | None, as_json: bool
) -> None:
    """Call a timeout now: no reason is asked, and it is never refused.

    It is recorded in timeouts/ and committed; a length outside the range you both
    agreed (20 minutes to 24 hours at most) is recorded at the nearest bound, and you
    are told. When you are ready, 'openbook back' records that you came back.

    \b
    Examples:
      openbook timeout
      openbook timeout --for 1h --topic "Tuesday evening"
    """
    from openbook.start.timeouts import call_timeout

    span: dt.timedelta | None = None
    if length is not None:
        span = parse_duration(length)
        if span is None:
            raise click.BadParameter(
                f"'{length}' is not a duration like 30m or 2h.", param_hint="--for"
            )
    vault = get_vault(ctx)
    done = call_timeout(vault, acting_partner(ctx, vault), span, topic)
    if as_json:
        echo_json(done.as_dict())
        return
    click.echo(done.message)
    for sentence in done.said:
        click.echo(sentence)


@click.command("back")
@json_option("Print the result as JSON.")
@click.pass_context
def back_command(ctx: click.Context, as_json: bool) -> None:
    """Record that you are back from the timeout you called.

    Sets `returned` on your latest open timeout and commits it; only you can say you
    are back from yours.

    \b
    Example:
      openbook back
    """
    from openbook.start.timeouts import come_back

    vault = get_vault(ctx)
    done = come_back(vault, consenting_partner(ctx, vault))
    if as_json:
        echo_json(done.as_dict())
    else:
        click.echo(done.message)
