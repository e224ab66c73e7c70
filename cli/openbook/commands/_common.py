"""What every command shares: the vault from the context, the acting partner, JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from openbook.config import Config
from openbook.vault import Terms, Vault, config_notice


def get_vault(ctx: click.Context) -> Vault:
    """The vault, once `--as` (when given) is known to name one of its partners; new notes
    and agendas in it use the terms both partners accepted (SPEC section 10)."""
    obj = ctx.find_root().obj or {}
    vault = Vault.find(obj.get("vault_path"))
    vault.terms_provider = _terms_in_force(vault)
    vault.config_provider = _config_in_force(vault)
    _check_as(vault, obj.get("as_partner"))
    _commit_waiting_pause(vault)
    return vault


def _commit_waiting_pause(vault: Vault) -> None:
    """A pause or resume made while git was mid-rebase or on a detached HEAD waits in
    .git/openbook/pending-pause; the first command run once the branch is usable commits
    it with its own time (SPEC section 10)."""
    state = vault.state_dir() if vault.is_own_repo else None
    if state is None or not (state / "pending-pause").exists():
        return
    from openbook.errors import Busy
    from openbook.record.pause_anyway import commit_pending_pause

    try:
        sha = commit_pending_pause(vault)
    except Busy:
        return  # another openbook holds the vault: the next command commits it
    if sha is not None:
        click.echo(
            f"The pause made while git was busy is now committed ({sha[:7]}); "
            "'openbook sync' shares it.",
            err=True,
        )


def _terms_in_force(vault: Vault) -> Callable[[], Terms]:
    """The terms in force, read from history the first time a command asks for them."""
    provider: Callable[[], Terms] | None = None

    def provide() -> Terms:
        nonlocal provider
        if provider is None:
            from openbook.ritual.binding import terms_provider

            provider = terms_provider(vault)
        return provider()

    return provide


def _config_in_force(vault: Vault) -> Callable[[Config], Config]:
    """openbook.yml with the settings in force; says once, on stderr, when the file does
    not load and the settings in force are used instead."""
    told: list[bool] = []

    def provide(found: Config) -> Config:
        from openbook.ritual import inforce_cache

        state = vault.state_dir() if vault.is_own_repo else None
        cfg, key = inforce_cache.cached(vault.root, state, found)
        if cfg is None:
            from openbook.ritual.binding import config_provider

            cfg = config_provider(vault)(found)
            inforce_cache.remember(state, key, found, cfg)
        if cfg.set_aside and not told:
            told.append(True)
            click.echo(config_notice(cfg.set_aside), err=True)
        return cfg

    return provide


def _check_as(vault: Vault, value: str | None) -> None:
    """An unknown id in --as is a usage error (exit 2) that names it, for every command."""
    from openbook.config import CONFIG_NAME
    from openbook.errors import EXIT_USAGE, OpenbookError

    if not value:
        return
    try:
        partners = vault.config.partners
    except OSError:
        return  # no readable openbook.yml: the command says so itself
    if partners and value not in partners and not vault.config.problems:
        names = ", ".join(sorted(partners))
        raise OpenbookError(
            f"'{value}' (from --as) is not a partner in {CONFIG_NAME}; use one of: {names}.",
            exit_code=EXIT_USAGE,
        )


def acting_partner(ctx: click.Context, vault: Vault) -> str:
    obj = ctx.find_root().obj or {}
    return vault.partner(obj.get("as_partner"))


def consenting_partner(ctx: click.Context, vault: Vault) -> str:
    """The acting partner for a consent (accept, pause, retire, answer, resume): only this
    clone's own partner; consent is never given for someone else."""
    acting = acting_partner(ctx, vault)
    own = vault.own_partner()
    if own is not None and acting != own:
        raise click.UsageError(
            f"This copy is {own}'s; {acting} consents from their own copy (each partner "
            "accepts, pauses, retires, answers and resumes for themself)."
        )
    return acting


def as_override(ctx: click.Context) -> str | None:
    obj = ctx.find_root().obj or {}
    value = obj.get("as_partner")
    return str(value) if value else None


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return sorted(value) if isinstance(value, set) else list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_default)


def echo_json(data: Any) -> None:
    click.echo(dumps(data))


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


F = TypeVar("F", bound=Callable[..., Any])


def json_option(help_text: str = "Print the result as JSON.") -> Callable[[F], F]:
    """The `--json` flag every command that shows data takes (passed as `as_json`)."""
    return click.option("--json", "as_json", is_flag=True, help=help_text)


def output_option(help_text: str, *, required: bool = False) -> Callable[[F], F]:
    """The `-o/--output FILE` option of the commands that write a file (passed as `output`)."""
    return click.option(
        "-o",
        "--output",
        "output",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        required=required,
        help=help_text,
    )
