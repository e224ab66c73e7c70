"""`openbook propose ...`: propose a binding setting by command (SPEC section 10)."""

from __future__ import annotations

import difflib
from typing import Any

import click

from openbook.config import WEEKDAYS, parse_duration, parse_hhmm
from openbook.words import duration_problem

from ._common import consenting_partner, echo_json, get_vault, json_option


def _time(value: str, flag: str) -> str:
    parsed = parse_hhmm(value)
    if parsed is None:
        raise click.BadParameter(f"'{value}' is not a time like 21:00.", param_hint=flag)
    return f"{parsed:%H:%M}"


def _day(value: str, flag: str) -> str:
    day = value.strip().lower()
    if day not in WEEKDAYS:
        raise click.BadParameter(f"'{value}' is not a weekday, like sunday.", param_hint=flag)
    return day


def _duration(value: str, flag: str) -> str:
    if parse_duration(value) is None:
        raise click.BadParameter(duration_problem(value), param_hint=flag)
    return value.strip()


def _known_partner(ctx: click.Context, partner: str) -> dict[str, Any]:
    """PARTNER's entry in openbook.yml; a usage error naming the partners otherwise."""
    vault = get_vault(ctx)
    known = vault.require_config().partners
    if partner not in known:
        near = difflib.get_close_matches(partner, list(known), n=1)
        hint = f" Did you mean '{near[0]}'?" if near else f" The partners are {', '.join(known)}."
        raise click.BadParameter(f"'{partner}' is not a partner.{hint}", param_hint="PARTNER")
    entry = (vault.config.raw.get("partners") or {}).get(partner)
    return dict(entry) if isinstance(entry, dict) else {}


def _send(ctx: click.Context, path: tuple[str, ...], value: Any, as_json: bool) -> None:
    """Commit the proposal and say, in plain words, what it changes and who decides."""
    from openbook.record.propose import propose
    from openbook.ritual.settings import differences

    vault = get_vault(ctx)
    me = consenting_partner(ctx, vault)
    done = propose(vault, me, path, value)
    changes = differences(done.old_text, done.new_text) if done.commit else []
    others = [p.name for pid, p in vault.config.partners.items() if pid != me]
    other = " and ".join(others) or "your partner"
    if done.commit is None:
        text = f"openbook.yml already says that for {done.setting}; nothing was proposed."
    else:
        what = "; ".join(changes) or done.setting
        text = (
            f"You proposed: {what}. Nothing changes unless {other} accepts; {other} can "
            "read it with 'openbook accept settings' and say no. Share it with "
            "'openbook sync'."
        )
    if as_json:
        echo_json(
            {"setting": done.setting, "commit": done.commit, "changes": changes, "message": text}
        )
    else:
        click.echo(text)


@click.group("propose")
def propose_command() -> None:
    """Propose a setting you both keep: a check-in schedule, the meeting, the answer
    time, the timeout range or the time zone.

    Each proposal is committed as yours; nothing changes until your partner accepts it
    with 'openbook accept settings' (or says no with 'openbook decline settings').
    openbook.yml stays the record: editing it by hand works too.

    \b
    Examples:
      openbook propose checkins bob --every day --by 21:00
      openbook propose checkins alice --every week --on sunday --by 20:00
      openbook propose meeting --on sunday --at 19:00 --minutes 60
      openbook propose answer-within 48h
      openbook propose timeouts --min 20m --max 2h
      openbook propose timezone Europe/Berlin
      openbook propose partner bob --name "Bob Example" --email bob@example.org
      openbook propose sharing --encrypted

    Signatures are proposed with 'openbook keys require', templates by committing a
    changed file in .openbook/templates/.
    """


@propose_command.command("checkins")
@click.argument("partner")
@click.option("--every", type=click.Choice(["day", "week"]), help="How often.")
@click.option("--on", "on_day", metavar="DAY", help="The weekday, with --every week.")
@click.option("--by", "by", metavar="HH:MM", help="The time a check-in is due by.")
@click.option("--agreement", metavar="A-ID", help="The agreement this schedule serves.")
@click.option("--none", "none", is_flag=True, help="No check-in schedule for PARTNER.")
@json_option("Print the result as JSON.")
@click.pass_context
def checkins_command(
    ctx: click.Context,
    partner: str,
    every: str | None,
    on_day: str | None,
    by: str | None,
    agreement: str | None,
    none: bool,
    as_json: bool,
) -> None:
    """Propose PARTNER's check-in schedule (or --none)."""
    _known_partner(ctx, partner)
    if none:
        _send(ctx, ("checkins", partner), None, as_json)
        return
    if every is None or by is None:
        raise click.UsageError(
            "Say how often and by when, like: openbook propose checkins "
            f"{partner} --every day --by 21:00 (or --none for no schedule)."
        )
    value: dict[str, Any] = {"every": every}
    if every == "week":
        value["on"] = _day(on_day or "sunday", "--on")
    value["by"] = _time(by, "--by")
    if agreement:
        value["agreement"] = agreement.strip().upper()
    _send(ctx, ("checkins", partner), value, as_json)


@propose_command.command("meeting")
@click.option("--on", "on_day", metavar="DAY", required=True, help="The weekday.")
@click.option("--at", "at", metavar="HH:MM", required=True, help="The time it starts.")
@click.option("--minutes", type=click.IntRange(10, 240), help="How long, in minutes.")
@json_option("Print the result as JSON.")
@click.pass_context
def meeting_command(
    ctx: click.Context, on_day: str, at: str, minutes: int | None, as_json: bool
) -> None:
    """Propose the weekly meeting's day and time."""
    value: dict[str, Any] = {"on": _day(on_day, "--on"), "at": _time(at, "--at")}
    if minutes is not None:
        value["minutes"] = minutes
    _send(ctx, ("meeting",), value, as_json)


@propose_command.command("answer-within")
@click.argument("duration")
@json_option("Print the result as JSON.")
@click.pass_context
def answer_within_command(ctx: click.Context, duration: str, as_json: bool) -> None:
    """Propose how long an answer to a question may take (like 48h)."""
    _send(ctx, ("questions", "answer_within"), _duration(duration, "DURATION"), as_json)


@propose_command.command("timeouts")
@click.option("--min", "low", metavar="DURATION", required=True, help="At least (20m or more).")
@click.option("--max", "high", metavar="DURATION", required=True, help="At most (24h or less).")
@json_option("Print the result as JSON.")
@click.pass_context
def timeouts_command(ctx: click.Context, low: str, high: str, as_json: bool) -> None:
    """Propose the range a timeout lasts, within 20 minutes to 24 hours."""
    value = {"min": _duration(low, "--min"), "max": _duration(high, "--max")}
    _send(ctx, ("timeouts",), value, as_json)


@propose_command.command("timezone")
@click.argument("zone")
@json_option("Print the result as JSON.")
@click.pass_context
def timezone_command(ctx: click.Context, zone: str, as_json: bool) -> None:
    """Propose the time zone your days and deadlines are counted in (an IANA name)."""
    import zoneinfo

    names = sorted(zoneinfo.available_timezones())
    if zone not in names:
        near = difflib.get_close_matches(zone, names, n=3, cutoff=0.5)
        hint = f" The closest names: {', '.join(near)}." if near else ""
        raise click.BadParameter(
            f"'{zone}' is not a time zone name, like Europe/Berlin.{hint}", param_hint="ZONE"
        )
    _send(ctx, ("timezone",), zone, as_json)


@propose_command.command("partner")
@click.argument("partner")
@click.option("--name", metavar="NAME", help="The name shown on what PARTNER writes.")
@click.option("--email", metavar="EMAIL", help="The email of PARTNER's commits.")
@json_option("Print the result as JSON.")
@click.pass_context
def partner_command(
    ctx: click.Context, partner: str, name: str | None, email: str | None, as_json: bool
) -> None:
    """Propose a partner's name or email as the vault shows them."""
    entry = _known_partner(ctx, partner)
    if name is None and email is None:
        raise click.UsageError(
            f"Say what changes, like: openbook propose partner {partner} --name NAME --email EMAIL."
        )
    if name is not None:
        name = " ".join(name.split())
        if not name or any(c in name for c in "<>"):
            raise click.BadParameter("a name is plain words, without < or >.", param_hint="--name")
        entry["name"] = name
    if email is not None:
        email = email.strip()
        if "@" not in email or any(c in email for c in "<> "):
            raise click.BadParameter(
                f"'{email}' is not an email address: it needs an @.", param_hint="--email"
            )
        entry["email"] = email
    _send(ctx, ("partners", partner), entry, as_json)


@propose_command.command("sharing")
@click.option(
    "--encrypted/--plain",
    "encrypted",
    required=True,
    help="Share only through the encrypted remote, or through a plain one again.",
)
@json_option("Print the result as JSON.")
@click.pass_context
def sharing_command(ctx: click.Context, encrypted: bool, as_json: bool) -> None:
    """Propose sharing only through the encrypted remote ('openbook remote encrypt'); until
    your partner accepts, sync shares through both remotes."""
    _send(ctx, ("sync", "encrypted"), encrypted, as_json)
