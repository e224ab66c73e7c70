"""`openbook setup`: the guided first run, one question at a time (the steps are in
openbook.start.guided; this module only asks and prints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from openbook.errors import EXIT_USAGE, OpenbookError
from openbook.start import guided
from openbook.start.guided import Staging, Step
from openbook.start.nextsteps import next_lines

from ._common import as_override, interactive

T = TypeVar("T")
STOPPED = 130


@dataclass
class Me:
    id: str
    name: str
    email: str


class Asker:
    """Asks on the terminal, or takes the flag's answer; a bad answer is asked again with
    the reason (on a terminal) or is a usage error naming the flag (without one)."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def say(self, text: str) -> None:
        """A line that leads into the next questions: only when they are asked."""
        if self.tty:
            click.echo(text)

    def __call__(
        self,
        question: str,
        given: str | None,
        check: Callable[[str], T],
        *,
        default: str | None = None,
        flag: str = "",
    ) -> T:
        if given is not None or not self.tty:
            try:
                return check(given if given is not None else default or "")
            except OpenbookError as exc:
                raise click.BadParameter(str(exc), param_hint=flag) from None

        def proc(value: str) -> T:
            try:
                return check(value)
            except OpenbookError as exc:
                raise click.UsageError(str(exc)) from None

        result: T = click.prompt(question, default=default, value_proc=proc)
        return result


def _said(step: Step) -> None:
    click.echo(f"  $ {step.command}")
    for line in step.said:
        click.echo(f"    {line}")


def _still(ask: Asker) -> Callable[[str], None] | None:
    """Where a line on slow network work goes: standard error, on a terminal."""
    return (lambda line: click.echo(f"  {line}", err=True)) if ask.tty else None


def _not_now(text: str) -> bool:
    return text.strip().lower() in guided.NOT_NOW


def _missing(ctx: click.Context, opts: dict[str, Any]) -> list[str]:
    missing = []
    if not opts["me_spec"] and not as_override(ctx):
        missing.append("--me ID")
    if not opts["partner_spec"] and not opts["join_url"]:
        missing.append("--partner SPEC (a new vault) or --join URL (your partner's)")
    if not opts["key"]:
        missing.append("--key PATH|none")
    if not opts["join_url"] and not opts["share"]:
        missing.append("--share URL|none")
    return missing


def _who_am_i(ask: Asker, ctx: click.Context, me_spec: str | None) -> Me:
    git_name, git_email = guided.git_identity()
    given_id, given_name, given_email = _spec_parts(me_spec or as_override(ctx))
    ask.say("First, who you are (the name your partner sees on what you write).")
    pid = ask(
        "Your id, one short word",
        given_id,
        guided.check_id,
        default=guided.suggested_id(git_name),
        flag="--me",
    )
    name = ask("Your name", given_name, guided.check_name, default=git_name or pid.capitalize())
    email = ask(
        "Your email",
        given_email or (None if ask.tty else git_email or f"{pid}@openbook.invalid"),
        guided.check_email,
        default=git_email,
        flag="--me",
    )
    return Me(pid, name, email)


def _spec_parts(text: str | None) -> tuple[str | None, str | None, str | None]:
    if not text:
        return None, None, None
    if ":" not in text:
        return text.strip(), None, None
    from openbook.start.setup import parse_partner_spec

    try:
        p = parse_partner_spec(text)
    except OpenbookError as exc:
        raise click.BadParameter(str(exc), param_hint="--me or --partner") from None
    email = p["email"] if "<" in text else None
    return p["id"], p["name"], email


def _key(ask: Asker, staging: Staging, me: Me, given: str | None) -> Path | None:
    """The public key to sign with: the one found, another, a new one, or none."""
    found = guided.found_key()
    offer = guided.home_path(found) if found else "new"
    question = (
        f"Sign your commits with the key {offer}? Press Enter, or give another .pub file, "
        "'new' to make one, or 'none'"
        if found
        else "No SSH key found. Make one now with ssh-keygen ('new'), give a .pub file, or 'none'"
    )

    def check(text: str) -> Path | str | None:
        word = text.strip().lower()
        if word in ("none", "not now", "no"):
            return None
        if word == "new":
            return "new"
        return guided.check_public_key(text)

    answer = ask(question, given, check, default=offer, flag="--key")
    if answer is None:
        return None
    if answer == "new":
        if not ask.tty:
            raise click.BadParameter(
                "ssh-keygen asks for a passphrase on a terminal; make the key first with "
                "'ssh-keygen -t ed25519' and give its .pub file.",
                param_hint="--key",
            )
        ask.say("ssh-keygen asks for a passphrase: it protects the key; Enter for none.")
        _said(guided.make_key(staging, me.email))
        return Path(f"{guided.DEFAULT_KEY.expanduser()}.pub")
    return Path(str(answer))


def _schedule(ask: Asker, staging: Staging, me: Me, given: str | None) -> None:
    ask.say("Optionally, propose your own check-in times now; your partner accepts or says no.")
    schedule = ask(
        "Your check-ins, like 'every day by 21:00' or 'every sunday by 20:00' (or 'none')",
        given,
        guided.parse_schedule,
        default="none",
        flag="--checkins",
    )
    if schedule is not None:
        _said(guided.propose_schedule(staging, me.id, schedule))


def _target(ask: Asker, given: str | None) -> Path:
    return ask(
        "Folder for your copy of the vault",
        given,
        guided.check_folder,
        default="~/openbook",
        flag="--dir",
    )


def _new_vault(ask: Asker, me: Me, opts: dict[str, Any]) -> tuple[Path, str, str | None]:
    """A new vault: partner, time zone, folder, key, address, a first proposal."""
    p_id, p_name, p_email = _spec_parts(opts["partner_spec"])
    ask.say("Your partner, as they will appear in the vault.")
    other = ask(
        "Your partner's id",
        p_id,
        lambda t: guided.check_id(t, not_=me.id),
        flag="--partner",
    )
    name = ask("Your partner's name", p_name, guided.check_name, default=other.capitalize())
    email = ask(
        "Your partner's email",
        p_email or (None if ask.tty else f"{other}@openbook.invalid"),
        guided.check_email,
        flag="--partner",
    )
    zone = ask(
        "Your time zone (days and deadlines count in it)",
        opts["timezone"],
        guided.check_timezone,
        default=guided.detected_timezone(),
        flag="--timezone",
    )
    target = _target(ask, opts["directory"])
    specs = [guided.spec(me.id, me.name, me.email), guided.spec(other, name, email)]
    with Staging(target) as staging:
        _said(guided.create(staging, me.id, specs, zone))
        pub = _key(ask, staging, me, opts["key"])
        if pub is not None:
            _said(guided.enrol_key(staging, me.id, pub))
        ask.say(
            "Where you share: an empty, private git repository only the two of you reach "
            "(docs/sync.md), or 'not now'."
        )
        url = ask(
            "Its address",
            opts["share"],
            lambda t: (
                None
                if _not_now(t)
                else guided.check_address(t, joining=False, progress=_still(ask))
            ),
            default="not now",
            flag="--share",
        )
        if url is not None:
            _said(guided.add_remote(staging, url))
        _schedule(ask, staging, me, opts["checkins"])
        root = staging.finish()
    return root, name, url


def _clone(ask: Asker, me: Me, staging: Staging, url: str) -> Me:
    """Clone into the staging folder; on a terminal, a wrong id is asked again."""
    while True:
        try:
            _said(guided.join(staging, url, me.id, _still(ask)))
            return me
        except OpenbookError as exc:
            if not ask.tty or "is not a partner" not in str(exc):
                raise
            click.echo(f"Error: {exc}")
            me = Me(ask("Your id in this vault", None, guided.check_id), me.name, me.email)


def _accept_first(ask: Asker, staging: Staging, me: str, given: bool | None) -> bool:
    from openbook.errors import shown
    from openbook.sync.clone import joining_offer

    offer = joining_offer(staging.root, me)
    if offer is None:
        return True
    click.echo(offer.message)
    for line in offer.changes:
        click.echo(f"  {shown(line)}")
    if given is None and ask.tty:
        given = click.confirm("Accept these settings now?", default=False)
    if given:
        _said(guided.accept_first(staging, me, offer.version))
        return True
    click.echo(
        "Nothing is in force until you accept them; when you agree: 'openbook accept settings'."
    )
    return False


def _join_vault(ask: Asker, me: Me, opts: dict[str, Any]) -> tuple[Path, Me, bool]:
    """Join the partner's vault: address, folder, clone, key, their settings, a proposal."""
    ask.say("The address of the private repository your partner shared the vault to.")
    url = ask(
        "Its address",
        opts["join_url"],
        lambda t: guided.check_address(t, joining=True, progress=_still(ask)),
        flag="--join",
    )
    target = _target(ask, opts["directory"])
    with Staging(target) as staging:
        me = _clone(ask, me, staging, url)
        listed = guided.listed_as(staging, me.id)
        if listed != (me.name, me.email):
            click.echo(
                f"The vault lists you as {listed[0]} <{listed[1]}>; to change it: "
                + guided.quoted(
                    "openbook", "propose", "partner", me.id, "--name", me.name, "--email", me.email
                )
            )
        pub = _key(ask, staging, me, opts["key"])
        if pub is not None:
            _said(guided.enrol_key(staging, me.id, pub))
        accepted = _accept_first(ask, staging, me.id, opts["accept"])
        _schedule(ask, staging, me, opts["checkins"])
        root = staging.finish()
    return root, me, accepted


@click.command("setup")
@click.option("--me", "me_spec", metavar="SPEC", help="You: `id` or `id:Name <email>`.")
@click.option("--partner", "partner_spec", metavar="SPEC", help="Your partner, for a new vault.")
@click.option("--join", "join_url", metavar="URL", help="Join the vault shared at URL.")
@click.option("--timezone", metavar="ZONE", help="Time zone of a new vault (default: detected).")
@click.option("--dir", "directory", metavar="DIR", help="Your copy's folder (default ~/openbook).")
@click.option("--key", metavar="PATH|new|none", help="The SSH public key you sign with.")
@click.option("--share", metavar="URL|none", help="An empty private repository to share into.")
@click.option("--checkins", metavar="TEXT|none", help="Propose yours: 'every day by 21:00'.")
@click.option(
    "--accept-settings/--no-accept-settings",
    "accept",
    default=None,
    help="When joining: accept the vault's first settings (default: ask).",
)
@click.pass_context
def setup_command(ctx: click.Context, /, **opts: Any) -> None:
    """Set up openbook, one question at a time, each with a safe default: who you are,
    who your partner is, a new vault or your partner's, your signing key, where you share,
    and your check-in times.

    Every step prints the plain command it ran, so next time you can type it yourself.
    Stopping halfway (Ctrl-C) leaves nothing half-made. Without a terminal, give the
    answers as options.

    \b
    Examples:
      openbook setup
      openbook setup --me alice --partner "bob:Bob Example <bob@example.org>" \\
        --key ~/.ssh/id_ed25519.pub --share git@example.org:us/ourbook.git
      openbook setup --me bob --join git@example.org:us/ourbook.git --key none
    """
    tty = interactive()
    missing = [] if tty else _missing(ctx, opts)
    if missing:
        raise OpenbookError(
            "openbook setup asks its questions on a terminal; without one, give: "
            + "; ".join(missing)
            + ".",
            exit_code=EXIT_USAGE,
        )
    made: list[Path] = []
    try:
        _run(ctx, Asker(tty), opts, made)
    except (KeyboardInterrupt, click.Abort):
        if made:
            click.echo(
                f"\nStopped: your copy in {guided.home_path(made[0])} is complete; "
                "'openbook sync' shares it when you are ready."
            )
        else:
            click.echo("\nStopped: nothing was made, and your folders and settings are as before.")
        ctx.exit(STOPPED)


def _run(ctx: click.Context, ask: Asker, opts: dict[str, Any], made: list[Path]) -> None:
    me = _who_am_i(ask, ctx, opts["me_spec"])
    joining = opts["join_url"] is not None
    if not joining and opts["partner_spec"] is None and ask.tty:
        joining = ask(
            "Start a new vault, or join the one your partner made? (new/join)",
            None,
            guided.check_new_or_join,
            default="new",
        )
    accepted = True
    if joining:
        root, me, accepted = _join_vault(ask, me, opts)
    else:
        root, _, _ = _new_vault(ask, me, opts)
    made.append(root)
    click.echo(f"Your copy is in {guided.home_path(root)}.")
    shared = guided.remote_of(root) is not None
    if shared:
        try:
            _said(guided.share(root, me.id))
        except OpenbookError as exc:
            click.echo(f"Not shared yet: {exc} Your copy is complete; 'openbook sync' shares it.")
    for line in next_lines(root, me.id, joined=joining, shared=shared, accepted=accepted):
        click.echo(line)
