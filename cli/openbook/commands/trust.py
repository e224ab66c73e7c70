from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from openbook.vault import Vault

from ._common import acting_partner, echo_json, get_vault, json_option


def _said(ctx: click.Context, as_json: bool, action: Any, *args: Any, **kwargs: Any) -> None:
    """Run a keys `action` as the acting partner and print its message (or its JSON)."""
    vault = get_vault(ctx)
    result = action(vault, acting_partner(ctx, vault), *args, **kwargs)
    if as_json:
        echo_json(result.as_dict())
    else:
        click.echo(result.message)


@click.group("keys")
def keys_command() -> None:
    """Sign your commits with an SSH key, so the log proves who wrote what.

    Each of you runs `openbook keys add` in your own copy; once both keys are in,
    `openbook keys require` makes `verify` and `sync` check every new commit.

    \b
    Examples:
      openbook keys add
      openbook keys list
      openbook keys require
    """


@keys_command.command("add")
@click.argument("pubkey", required=False, metavar="[PUBKEY]")
@json_option("Print the result as JSON.")
@click.pass_context
def keys_add_command(ctx: click.Context, pubkey: str | None, as_json: bool) -> None:
    """Put your SSH public key into openbook.yml and sign your commits with it.

    PUBKEY is the path of a .pub file or the key itself (default:
    ~/.ssh/id_ed25519.pub). The change is committed, signed with the key, and this
    clone's git config is set to sign every commit (gpg.format=ssh, user.signingkey,
    commit.gpgsign=true). No key yet? Make one with `ssh-keygen -t ed25519`.

    \b
    Examples:
      openbook keys add
      openbook keys add ~/.ssh/openbook_ed25519.pub
    """
    from openbook.trust.keys import add_key

    _said(ctx, as_json, add_key, pubkey)


@keys_command.command("list")
@json_option("Print the keys as JSON.")
@click.pass_context
def keys_list_command(ctx: click.Context, as_json: bool) -> None:
    """Show each partner's signing key fingerprint (SHA256:..., as ssh-keygen -l shows it).

    \b
    Example:
      openbook keys list
    """
    from openbook.trust.keys import list_keys
    from openbook.trust.verify import introduction

    vault = get_vault(ctx)
    infos = list_keys(vault)
    intro = introduction(vault.root) if vault.is_own_repo else None
    if as_json:
        echo_json(
            {
                "require_signatures": vault.config.require_signatures,
                "partners": [i.as_dict() for i in infos],
                "introduction": intro,
            }
        )
        return
    for info in infos:
        if info.key is not None:
            detail = f"{info.key.fingerprint} ({info.key.algorithm}"
            detail += f", {info.key.comment})" if info.key.comment else ")"
        else:
            detail = info.error or "no key yet ('openbook keys add')"
        click.echo(f"{info.partner}: {detail}")
    if intro:
        click.echo(
            f"Signatures are required since the introduction {intro['commit']} "
            f"({intro['date'][:16].replace('T', ' ')})."
        )
    else:
        click.echo(f"Signatures are not required.{_proposed(vault)}")


def _proposed(vault: Vault) -> str:
    """' Bob proposed requiring them; ...' when a change of the requirement waits."""
    from openbook.trust.verify import trust_state_at

    if not vault.is_own_repo:
        return ""
    pending = trust_state_at(vault.root, "HEAD").pending.get("require_signatures")
    if pending is None or pending.value is not True:
        return ""
    names = vault.config.partners
    by = names[pending.by].name if pending.by in names else pending.by
    other = next((p.name for pid, p in names.items() if pid != pending.by), "your partner")
    return (
        f" {by} proposed requiring them; they are required once {other} accepts "
        "('openbook accept settings')."
    )


@keys_command.command("require")
@click.option("--off", is_flag=True, help="Stop requiring signatures.")
@json_option("Print the result as JSON.")
@click.pass_context
def keys_require_command(ctx: click.Context, off: bool, as_json: bool) -> None:
    """Propose that every new commit be signed by its committer (refused until both of
    you have a key); `--off` proposes to stop. Either way it is a signed commit, and
    nothing changes until your partner accepts it (or runs the same command).

    \b
    Examples:
      openbook keys require
      openbook keys require --off
    """
    from openbook.trust.keys import require

    _said(ctx, as_json, require, on=not off)


@keys_command.command("replace")
@click.argument("pubkey", metavar="NEWPUB")
@json_option("Print the result as JSON.")
@click.pass_context
def keys_replace_command(ctx: click.Context, pubkey: str, as_json: bool) -> None:
    """Replace your lost key with NEWPUB, in a commit signed by the new key.

    Your partner compares the new fingerprint with you in person and accepts it with
    `openbook accept settings`; until then your commits are marked 'pending key'.

    \b
    Example:
      openbook keys replace ~/.ssh/id_ed25519.pub
    """
    from openbook.trust.keys import replace

    _said(ctx, as_json, replace, pubkey)


@click.command("verify")
@json_option("Print the result as JSON.")
@click.pass_context
def verify_command(ctx: click.Context, as_json: bool) -> None:
    """Check that every commit since signatures were required is signed by its author.

    Each problem is one line, `<sha7> <date> <author>: <message> [rule]` (dates in the
    vault's time zone), then a summary. Exit 0 when there is none, 4 when there are.
    The last commit checked is remembered (refs/openbook/verified), so the next run
    reads only what is new.

    \b
    Example:
      openbook verify
    """
    vault = get_vault(ctx)
    if not as_json:  # nothing new since the last verify: said without loading the verifier
        from openbook.trust.remembered import nothing_new

        said = nothing_new(vault)
        if said is not None:
            click.echo(said)
            return
    from openbook.errors import EXIT_INTEGRITY
    from openbook.trust.verify import verify

    result = verify(vault)
    if as_json:
        echo_json(result.as_dict())
    else:
        for problem in result.problems:
            click.echo(problem.format(vault.tz))
        for sha in result.unverified:
            click.echo(
                f"{sha[:7]}: admitted without proof by 'sync --accept-unverified' [unverified]"
            )
        for sha in result.pending_key:
            click.echo(f"{sha[:7]}: signed by a replaced key not yet accepted [pending key]")
        click.echo(result.summary())
    if result.problems:
        ctx.exit(EXIT_INTEGRITY)


@click.command("fingerprint")
@json_option("Print the fingerprint as JSON.")
@click.pass_context
def fingerprint_command(ctx: click.Context, as_json: bool) -> None:
    """Print the fingerprint of the shared log: six groups of five digits, then the date
    and short id of the commit it stands for.

    Read it out at the weekly meeting: when both copies print the same digits, you
    both see the same history and the same keys.

    \b
    Example:
      openbook fingerprint
    """
    from openbook.errors import OpenbookError
    from openbook.trust.fingerprint import fingerprint

    vault = get_vault(ctx)
    fp = fingerprint(vault)
    if fp is None:
        raise OpenbookError(f"{vault.root} has no commits yet; write a note first.")
    if as_json:
        from openbook.trust.verify import introduction

        intro = introduction(vault.root, fp.commit) if vault.is_own_repo else None
        echo_json({**fp.as_dict(), "introduction": intro})
    else:
        click.echo(fp.format(vault.tz))
