"""Commands that reach outside the vault: calendar, remind, export (SPEC section 8)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from openbook.notetypes import NAMES

from ._common import (
    acting_partner,
    as_override,
    echo_json,
    get_vault,
    interactive,
    json_option,
    output_option,
)
from .write import DATE


@click.command("calendar")
@output_option("Write the .ics file to FILE (default: print it).")
@click.option(
    "--discreet",
    is_flag=True,
    help='Neutral titles ("Time together", "Note to write", "Reply due") and no '
    "descriptions, for a calendar others can see.",
)
@click.pass_context
def calendar_command(ctx: click.Context, output: str | None, discreet: bool) -> None:
    """Your calendar as an .ics file: the weekly meeting, the monthly review, your own
    check-in deadline, agreements' next reviews, and the answers you owe as to-dos.

    Import it into any calendar program. Importing it again updates the same events
    instead of adding copies. Nothing in it is about your partner's check-ins.

    \b
    Examples:
      openbook calendar -o openbook.ics
      openbook calendar --discreet -o ~/shared/us.ics
    """
    from openbook.outside.ics import calendar_bytes
    from openbook.record.output import write_output

    vault = get_vault(ctx)
    me = acting_partner(ctx, vault)
    data = calendar_bytes(vault, me, discreet=discreet)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    kept = write_output(vault, output, data)
    click.echo(f"openbook: wrote {output}{kept}; import it into your calendar.", err=True)


@click.command("remind")
@json_option('Print {"due": [{"kind", "what", "due"}]}.')
@click.option(
    "--notify",
    is_flag=True,
    help="Also show it as a desktop notification (notify-send on Linux, macOS's own).",
)
@click.option(
    "--install",
    is_flag=True,
    help="Run 'openbook remind --notify' every 15 minutes: a systemd user timer on Linux, "
    "a launchd agent on macOS. Prints the one command that starts it.",
)
@click.pass_context
def remind_command(ctx: click.Context, as_json: bool, notify: bool, install: bool) -> None:
    """What you have due now or within the next two hours: your check-in, an answer you
    owe, coming back from a timeout, the weekly meeting.

    Prints nothing at all when everything is done. It speaks only of your own things.

    \b
    Examples:
      openbook remind
      openbook remind --json
      openbook remind --install
    """
    from openbook.outside.remind import due_soon, remind_lines, send_notification

    vault = get_vault(ctx)
    me = acting_partner(ctx, vault)
    if install:
        from openbook.outside.remind_install import install as install_units

        done = install_units(vault.root, as_override(ctx))
        for path in done.files:
            click.echo(f"openbook: {'wrote' if done.changed else 'unchanged'} {path}", err=True)
        click.echo("To start it now and at every login, run:", err=True)
        click.echo(f"  {done.next_step}", err=True)
        return
    items = due_soon(vault, me)
    if as_json:
        echo_json({"due": [d.as_dict() for d in items]})
    lines = remind_lines(items, vault.now(), vault.tz)
    if not as_json:
        for line in lines:
            click.echo(line)
    if notify and lines:
        outcome = send_notification("openbook", "\n".join(lines))
        if outcome == "missing":
            click.echo(
                "openbook: no desktop notification was sent: notify-send is not installed "
                "here (on Debian or Ubuntu: apt install libnotify-bin).",
                err=True,
            )
        elif outcome == "failed":
            click.echo(
                "openbook: no desktop notification was sent: no notification service "
                "answered (is a desktop session running?).",
                err=True,
            )


@click.command("export")
@click.option("--since", type=DATE, help="Only notes dated on or after this day.")
@click.option("--until", type=DATE, help="Only notes dated on or before this day.")
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(NAMES),
    help="Only notes of this type (repeat for several).",
)
@output_option(
    "Where to write the export (outside the vault, unless you give its full path).",
    required=True,
)
@click.option("--pdf", is_flag=True, help="Write a PDF (through headless Chromium).")
@click.option("--yes", is_flag=True, help="Do not ask before exporting.")
@click.pass_context
def export_command(
    ctx: click.Context,
    since: dt.date | None,
    until: dt.date | None,
    types: tuple[str, ...],
    output: str,
    pdf: bool,
    yes: bool,
) -> None:
    """Write the chosen notes as one printable page (for a therapist): HTML, or a PDF.

    It lists what will be in it and asks first. The export is recorded in the log (the
    range and the types, never the file's name), so your partner sees that it was made.

    \b
    Examples:
      openbook export --since 2026-11-01 -o ~/Documents/november.html
      openbook export --type checkin --type question -o ~/Documents/us.pdf --pdf
    """
    from openbook.errors import OpenbookError, shown
    from openbook.outside.export import export, export_target, listing, select_notes

    vault = get_vault(ctx)
    me = acting_partner(ctx, vault)
    vault.require_writable()
    target = export_target(vault, output, pdf=pdf)
    sel = select_notes(vault, since, until, types)
    names = {pid: p.name for pid, p in vault.config.partners.items()}
    click.echo(f"The export will hold {sel.summary()}, {sel.range_text()}:")
    for line in listing(sel, names):
        click.echo(f"  {shown(line)}")
    click.echo(f"It goes to {target}, and the log will show that you made an export.")
    if not yes:
        if not interactive():
            raise OpenbookError(
                "There is no terminal here to confirm on; nothing was exported. "
                "Run it again with --yes to export these notes."
            )
        if not click.confirm("Export these notes?", default=False):
            click.echo("Nothing was exported.")
            return
    sha = export(vault, me, sel, target, pdf=pdf)
    click.echo(f"openbook: wrote {target}; the export is in the log as {sha[:7]}.", err=True)
