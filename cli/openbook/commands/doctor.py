from __future__ import annotations

import click

from openbook.commands._common import echo_json, get_vault, json_option
from openbook.errors import EXIT_FAILURE


@click.command("doctor")
@click.option("--fix", "do_fix", is_flag=True, help="Clear a leftover git lock after asking.")
@click.option("--yes", is_flag=True, help="With --fix: do not ask.")
@json_option("Print the findings as JSON.")
@click.pass_context
def doctor_command(ctx: click.Context, do_fix: bool, yes: bool, as_json: bool) -> None:
    """Say what stops this clone from writing or syncing, and the safe next step.

    With --fix, clear a leftover .git/index.lock once you confirm that no other git
    program is running. doctor never changes notes or history.
    """
    from dataclasses import asdict

    from openbook.start.doctor import diagnose, fix

    vault = get_vault(ctx)
    findings = diagnose(vault)
    if do_fix and findings:
        if not yes:
            click.confirm(
                "Is every other git program (editor git panels, git apps) closed?", abort=True
            )
        for line in fix(vault):
            click.echo(f"openbook: {line}", err=True)
        findings = diagnose(vault)
    if as_json:
        echo_json({"findings": [asdict(f) for f in findings]})
    elif not findings:
        click.echo("All is well: this clone can write and sync.")
    else:
        for f in findings:
            click.echo(f"{f.what}\n  {f.next_step}")
    if findings:
        ctx.exit(EXIT_FAILURE)
