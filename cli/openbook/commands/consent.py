from __future__ import annotations

from typing import Any

import click

from ._common import acting_partner, echo_json, get_vault, json_option


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
    me = acting_partner(ctx, vault)
    _show(answer(vault, me, qid.strip().upper(), text), as_json)


def _agreement_command(name: str, doc: str) -> click.Command:
    """accept, pause and retire: the same shape, a different step of consent."""

    @click.command(name, help=doc)
    @click.argument("aid", metavar="A-ID")
    @json_option("Print the result as JSON.")
    @click.pass_context
    def command(ctx: click.Context, aid: str, as_json: bool) -> None:
        from openbook.record import consent

        vault = get_vault(ctx)
        me = acting_partner(ctx, vault)
        _show(getattr(consent, name)(vault, me, aid.strip().upper()), as_json)

    return command


accept_command = _agreement_command(
    "accept",
    """Consent to agreement A-ID. It becomes active only when both of you have accepted.

    \b
    Example:
      openbook accept A-003
    """,
)

pause_command = _agreement_command(
    "pause",
    """Pause active agreement A-ID. Either of you may pause, without giving a reason;
    it becomes active again when you run `openbook accept A-ID`.

    \b
    Example:
      openbook pause A-004
    """,
)

retire_command = _agreement_command(
    "retire",
    """Retire agreement A-ID. Retiring needs both of you: the first `retire` records the
    request, the second completes it. The agreement stays in the history.

    \b
    Example:
      openbook retire A-004
    """,
)
