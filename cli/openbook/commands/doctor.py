from __future__ import annotations

import click

from openbook.commands._common import echo_json, get_vault, json_option
from openbook.errors import EXIT_FAILURE


@click.command("doctor")
@click.option(
    "--fix",
    "do_fix",
    is_flag=True,
    help="After asking: clear a leftover git lock, and sign again your commits that were "
    "never shared and that your partner's copy would refuse.",
)
@click.option("--yes", is_flag=True, help="With --fix: do not ask.")
@click.option(
    "--accept-remote",
    is_flag=True,
    help="After an integrity alert: keep your history in a backup and take the remote's "
    "new history as shared, so the next sync merges both (nothing is lost).",
)
@json_option("Print the findings as JSON.")
@click.pass_context
def doctor_command(
    ctx: click.Context, do_fix: bool, yes: bool, accept_remote: bool, as_json: bool
) -> None:
    """Say what stops this clone from writing or syncing, and the safe next steps.

    When your copy has synced before, doctor also fetches the shared history and, after an
    integrity alert (exit 4 from sync), shows what differs: which commits are missing
    from the remote, what your backups hold, and the safe ways forward. With
    --accept-remote, take one of them: your history is saved as a backup, the remote's
    new history is taken as shared, and the next 'openbook sync' merges the two.

    When signatures are required, doctor also names commits that do not verify: incoming
    ones (take them in with 'openbook sync --accept-unverified SHA' once you have talked),
    and your own that your partner's copy would refuse, and says what your hold branch
    (openbook/hold-YOU) holds.

    With --fix, once you confirm that no other git program is running: clear a leftover
    .git/index.lock, and make again, signed with your key, your commits that were never
    shared and that do not verify (same notes, parents and dates; the originals stay in
    a backup ref). doctor never changes notes, nor any history already shared.
    """
    from dataclasses import asdict

    from openbook.start.doctor import diagnose, fix
    from openbook.start.rewrite import accept_remote as accept

    vault = get_vault(ctx)
    if accept_remote:
        lines = accept(vault)
        if as_json:
            echo_json({"done": lines})
        else:
            for line in lines:
                click.echo(line)
        return
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
            click.echo(f.what)
            for line in f.details:
                click.echo(f"  {line}")
            for line in f.next_step.splitlines():
                click.echo(f"  {line}")
    if findings:
        ctx.exit(EXIT_FAILURE)
