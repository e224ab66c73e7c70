from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from openbook.errors import EXIT_UNREACHABLE
from openbook.words import plural

if TYPE_CHECKING:
    from collections.abc import Callable

    from openbook.sync.remotes import RemoteSetup
    from openbook.sync.result import SyncResult
    from openbook.vault import Vault

from ._common import acting_partner, as_override, echo_json, get_vault, interactive, json_option


@click.command("clone")
@click.argument("url")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option(
    "--introduction",
    metavar="SHA",
    default=None,
    help="The introduction your partner reads from 'openbook keys list'; refused if it differs.",
)
@click.option(
    "--identity",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="KEY",
    help="Your SSH private key, to open an encrypted remote (default ~/.ssh/id_ed25519).",
)
@click.pass_context
def clone_command(
    ctx: click.Context, url: str, directory: str, introduction: str | None, identity: str | None
) -> None:
    """Clone the shared vault from URL into DIRECTORY, as the partner given with --as.

    URL is an ssh://, https:// or git:// address, user@host:path, or a local folder.
    The clone is checked before anything is written to DIRECTORY: symbolic links,
    submodules and files outside the vault's folders are refused. An encrypted remote
    ('openbook remote encrypt') is opened with your private key (--identity).

    \b
    Example:
      openbook --as alice clone git@example.org:us/ourbook.git ourbook
    """
    from openbook.check.result import check_vault
    from openbook.git import repo as gitrepo
    from openbook.sync.clone import clone
    from openbook.vault import Vault

    me = as_override(ctx)
    if not me:
        raise click.UsageError("say which partner you are with --as ID (before 'clone').")
    key = Path(identity) if identity else None
    root = clone(url, Path(directory), me, introduction, key, progress=_on_a_terminal())
    result = check_vault(Vault(root))
    click.echo(f"Cloned the vault into {root}, as {me}: {result.summary()}.")
    intro = gitrepo.rev(root, "refs/openbook/introduction")
    if intro and not introduction:
        click.echo(
            f"Signatures are required from the introduction {intro[:7]}, which this clone "
            "trusted on first use: compare 'openbook fingerprint' with your partner's at "
            "your next meeting."
        )
    if result.errors:
        click.echo("Run 'openbook check' there to see what needs fixing.")
    accepted = _offer_joining(root, me)
    from openbook.start.nextsteps import next_lines

    for line in next_lines(root, me, joined=True, shared=True, accepted=accepted):
        click.echo(line)  # what each of you does next, one line each


def _on_a_terminal() -> Callable[[str], None] | None:
    """Where a line on progress goes: standard error, when it is a terminal."""
    return (lambda line: click.echo(line, err=True)) if sys.stderr.isatty() else None


def _offer_joining(root: Path, me: str) -> bool:
    """Joining: the vault's first settings bind only once this partner accepts them."""
    from openbook.errors import shown as escaped
    from openbook.ritual.settings_consent import accept_settings
    from openbook.sync.clone import joining_offer
    from openbook.vault import Vault

    offer = joining_offer(root, me)
    if offer is None:
        return True
    click.echo(offer.message)
    for line in offer.changes:
        click.echo(f"  {escaped(line)}")
    if interactive() and click.confirm("Accept these settings now?", default=False):
        click.echo(accept_settings(Vault(root), me, offer.version).message)
        return True
    click.echo(
        "Nothing is in force until you accept them: no check-in is expected and no answer "
        "time runs. When you agree: cd " + str(root) + " && openbook accept settings"
    )
    return False


@click.command("sync")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Only say what a sync would do (ahead, behind, conflicts, rewrites); change nothing.",
)
@click.option(
    "--remote",
    default="origin",
    show_default=True,
    metavar="NAME",
    help="The git remote to sync with.",
)
@click.option(
    "--no-fold",
    "no_fold",
    is_flag=True,
    help="Share every local save of a note as it was committed, not folded into one.",
)
@click.option(
    "--accept-unverified",
    "accept",
    multiple=True,
    metavar="SHA",
    help="Take in the incoming commits that do not verify, up to SHA, marked unverified: "
    "your own signed commit records it (nothing they claim counts). Repeatable.",
)
@json_option("Print the result as JSON.")
@click.pass_context
def sync_command(
    ctx: click.Context,
    check_only: bool,
    remote: str,
    no_fold: bool,
    accept: tuple[str, ...],
    as_json: bool,
) -> None:
    """Share your changes and receive your partner's.

    Commits pending changes (checked first), fetches, makes sure the shared history was
    not rewritten, merges (never rebases) and pushes (never forces). When you both
    changed the same note, yours stays in place and your partner's version is kept
    beside it as NAME.conflict-PARTNER-SHA.md until you reconcile and delete it.

    Notes you both added under one name or id are both kept: yours is renumbered.
    Shared settings (openbook.yml, language.md, templates) merge key by key.
    Your saves of one note that your partner has not received yet go as one commit
    (the originals stay in a backup ref); notes marked draft: true are not shared.

    \b
    When your partner's new commits cannot be merged (they do not verify, or shared
    history was rewritten), yours still go to the remote on openbook/hold-YOU, which
    your partner's sync merges. After talking it over, --accept-unverified SHA takes in
    what did not verify, marked unverified ('openbook doctor' names SHA).

    \b
    Exit codes: 0 done, 1 notes with errors were left out (everything else was synced),
    your own commits would be refused by your partner's copy (nothing pushed; see
    'openbook doctor') or the remote address is not a repository, 3 conflict copies to
    reconcile, 4 shared history was rewritten, incoming commits do not verify or incoming
    files are unsafe (nothing merged; your own commits went to the hold branch),
    5 remote unreachable (your work is saved locally), 6 busy or git is
    mid-merge/rebase (nothing changed).

    \b
    Examples:
      openbook sync
      openbook sync --check
    """
    vault = get_vault(ctx)
    me = acting_partner(ctx, vault)
    result = None
    if not (accept or check_only):
        # nothing to do is answered from the refs, before the full sync is even loaded
        from openbook.sync.quiet import quiet_sync

        result = quiet_sync(vault, remote)
    if result is not None:
        results = [result]
    else:
        from openbook.git.repo import config_read_once

        with config_read_once():  # the clone's settings as they are when the sync begins
            results = _full_syncs(ctx, vault, me, remote, check_only, no_fold, accept, as_json)
        result = results[-1]
    if as_json:
        data = results[0].as_dict()
        if len(results) > 1:  # the encrypted remote(s) synced as well
            data["also"] = [r.as_dict() for r in results[1:]]
        echo_json(data)
    else:
        _show(result, check_only)
    codes = [r.exit_code for r in results if r.exit_code]
    worst = next((c for c in (4, 6, 3, 1, 5) if c in codes), codes[0] if codes else 0)
    if worst:
        ctx.exit(worst)


def _show(result: Any, check_only: bool) -> None:
    for line in result.lines:
        click.echo(line, err=result.exit_code == EXIT_UNREACHABLE)
    if result.conflicts and not check_only:
        click.echo(f"{plural(len(result.conflicts), 'file')} to reconcile.")


def _full_syncs(
    ctx: click.Context,
    vault: Vault,
    me: str,
    remote: str,
    check_only: bool,
    no_fold: bool,
    accept: tuple[str, ...],
    as_json: bool,
) -> list[SyncResult]:
    """The full sync, through each remote this vault shares through (`_remotes`)."""
    from openbook.sync.remotes import remote_setup

    setup = remote_setup(vault.root)  # every remote's settings, read once
    first, *others = _remotes(ctx, setup, vault, remote, check_only or bool(accept))
    alone = first == remote and not others and not as_json
    if vault.config.encrypted and alone and not setup.encrypted(remote):
        click.echo(
            "You both chose to share only through an encrypted remote, and this copy "
            "has none yet: add it with 'openbook remote encrypt URL --remote crypt' "
            f"(the address your partner uses); until then '{remote}' is used."
        )
    if first != remote and not as_json:
        click.echo(
            f"You both chose to share only through the encrypted remote; '{remote}' is "
            f"left as it is and '{first}' is used."
        )
    results = [_full_sync(vault, me, first, check_only, no_fold, accept, setup)]
    for other in others:
        if not as_json:
            _show(results[-1], check_only)  # what the first sync did, before the next
        results.append(_full_sync(vault, me, other, check_only, no_fold, (), setup))
    return results


def _remotes(
    ctx: click.Context, setup: RemoteSetup, vault: Vault, remote: str, skip: bool
) -> list[str]:
    """The remotes this sync shares through (SPEC section 11): while a vault moves to an
    encrypted remote, the plain one and the encrypted one(s); once both partners accepted
    `sync: {encrypted: true}`, the encrypted one(s) only. `--remote` syncs one only."""
    given = ctx.get_parameter_source("remote") != click.core.ParameterSource.DEFAULT
    if given:
        return [remote]
    found = setup.encrypted_remotes()
    if remote in found or not found:
        return [remote]
    if vault.config.encrypted:
        return found[:1] if skip else found
    return [remote] if skip else [remote, *found]


def _full_sync(
    vault: Vault,
    me: str,
    remote: str,
    check_only: bool,
    no_fold: bool,
    accept: tuple[str, ...],
    setup: RemoteSetup,
) -> SyncResult:
    from openbook.sync.run import sync

    own = vault.own_partner()
    if accept and own is not None and me != own:
        raise click.UsageError(
            f"This copy is {own}'s; {me} accepts unverified commits from their own copy."
        )
    if accept and check_only:
        raise click.UsageError("--accept-unverified changes history; use it without --check.")
    return sync(
        vault,
        me,
        remote=remote,
        check_only=check_only,
        fold=not no_fold,
        accept=accept,
        progress=_on_a_terminal(),
        setup=setup,
    )
