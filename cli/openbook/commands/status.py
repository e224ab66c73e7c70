from __future__ import annotations

import datetime as dt

import click

from ._common import as_override, echo_json, get_vault, plural
from .write import DATE


def _ago(days: int) -> str:
    return "today" if days == 0 else ("1 day old" if days == 1 else f"{days} days old")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """Who you are, check-ins due, open questions and their age, agreements due for
    review, uncommitted changes and the last sync."""
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
    names = vault.config.partners
    click.echo(f"Vault {ov.vault}" + (f", you are {names[me].name} ({me})." if me else "."))
    if me is None:
        click.echo("  This clone does not know who you are: run 'git config openbook.partner ID'.")
    if ov.config_problems:
        click.echo(
            f"  openbook.yml has {plural(len(ov.config_problems), 'problem')}: "
            f"{ov.config_problems[0]}"
        )
        click.echo("  Fix openbook.yml first ('openbook check' lists everything).")
    for c in ov.conflict_copies:
        click.echo(f"  Conflict copy to reconcile: {c} (keep what you both want, then delete it).")
    if ov.invalid_notes:
        click.echo(
            f"  {plural(len(ov.invalid_notes), 'note')} could not be read; run 'openbook check'."
        )
    click.echo("Check-ins:")
    if not ov.checkins:
        click.echo("  No check-in schedule in openbook.yml.")
    for due in ov.checkins:
        who = "You" if due.partner == me else names[due.partner].name
        when = "today" if due.every == "day" else f"this week (since {due.since.isoformat()})"
        if due.written:
            click.echo(f"  {who}: the check-in for {when} is written.")
        else:
            by = f" by {due.by.strftime('%H:%M')}" if due.by else ""
            click.echo(f"  {who}: a check-in is due {when}{by}.")
    click.echo("Open questions:")
    if not ov.open_questions:
        click.echo("  None open.")
    for q in ov.open_questions:
        answer_by = dt.datetime.fromisoformat(q["answer_by"]).strftime("%a %d %b %H:%M")
        mark = ("answer was due " if q["overdue"] else "answer by ") + answer_by
        to = "you" if q["to"] == me else (names[q["to"]].name if q["to"] in names else q["to"])
        click.echo(f"  {q['id']} for {to}, {_ago(q['age_days'])}, {mark}.")
    click.echo("Agreements:")
    if not ov.agreements_due and not ov.agreements_waiting:
        click.echo("  Nothing due for review and nothing waiting for consent.")
    for a in ov.agreements_due:
        click.echo(f"  {a['id']} {a['title']}: due for review since {a['next_review']}.")
    for a in ov.agreements_waiting:
        click.echo(
            f"  {a['id']} {a['title']}: proposed, waiting for "
            + (", ".join("you" if p == me else names[p].name for p in a["waiting_for"]) or "nobody")
            + f" (openbook accept {a['id']})."
        )
    if ov.uncommitted:
        click.echo(
            f"Uncommitted: {plural(len(ov.uncommitted), 'change')} (openbook commit records them)."
        )
        for path in ov.uncommitted[:10]:
            click.echo(f"  {path}")
    else:
        click.echo("Uncommitted: nothing, everything is in the log.")
    if ov.last_sync:
        click.echo(
            f"Last sync: {ov.last_sync.get('time', '?')}, {ov.last_sync.get('result', '?')}."
        )
    else:
        click.echo("Last sync: never (openbook sync shares your notes with your partner).")


@click.command("log")
@click.option("--since", type=DATE, help="Only changes on or after this date.")
@click.option("--type", "note_type", metavar="TYPE", help="Only notes of this type.")
@click.option("--partner", metavar="ID", help="Only changes made by this partner.")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print the log as JSON.")
@click.pass_context
def log_command(
    ctx: click.Context,
    since: dt.date | None,
    note_type: str | None,
    partner: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """The transparency log: every change from git history, newest first.

    Edits made more than 48 hours after a note's own date are marked `late edit`, and
    every deletion is marked (a deleted note stays in the history).
    """
    from openbook.check.result import check_vault
    from openbook.git.ledger import history, note_dates_of

    vault = get_vault(ctx)
    if partner and partner not in vault.config.partners:
        raise click.BadParameter(
            f"'{partner}' is not a partner in openbook.yml.", param_hint="--partner"
        )
    dates = note_dates_of(check_vault(vault).parsed)
    entries = history(vault, since=since, note_type=note_type, partner=partner, note_dates=dates)
    if limit:
        entries = entries[:limit]
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    if not entries:
        click.echo(
            "No changes in the log yet."
            if not (since or note_type or partner)
            else "No changes match."
        )
    for e in entries:
        when = dt.datetime.fromisoformat(e.date).strftime("%Y-%m-%d %H:%M")
        marks = []
        if e.late_edit:
            marks.append("late edit")
        if e.deleted:
            marks.append("deleted, still in history")
        mark = f"  [{', '.join(marks)}]" if marks else ""
        target = e.subject.split(": ", 1)[-1] if ": " in e.subject else e.subject
        click.echo(f"{when}  {e.sha[:7]}  {(e.partner or e.author):<8} {target}{mark}")
