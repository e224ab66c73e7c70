from __future__ import annotations

from dataclasses import asdict

import click

from openbook.errors import EXIT_FAILURE, shown

from ._common import echo_json, get_vault, json_option


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@json_option("Same as --format json.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--no-cache", is_flag=True, help="Re-read every note instead of using the cache.")
@click.pass_context
def check_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    as_json: bool,
    strict: bool,
    no_cache: bool,
) -> None:
    """Validate every note and report all problems in one run.

    Each line is `path:line:column: severity: message [rule]`. With PATH arguments, only
    problems in those files or folders are shown (the rules that span notes still use the
    whole vault). Exit 0 when there are no errors, 1 when there are.
    """
    import os

    from openbook.check.result import check_vault

    vault = get_vault(ctx)
    result = check_vault(vault, use_cache=not no_cache)
    problems = result.problems
    if paths:
        wanted: list[str] = []
        for given in paths:
            full = os.path.abspath(given)
            root = str(vault.root)
            inside = full.startswith(root)
            rel = os.path.relpath(full, root).replace(os.sep, "/") if inside else given
            wanted.append(rel.rstrip("/"))
        problems = [
            pr
            for pr in problems
            if any(pr.path == w or pr.path.startswith(w + "/") or w in (".", "") for w in wanted)
        ]
        result.problems = problems
    if as_json or fmt == "json":
        echo_json({"notes": result.notes, "problems": [asdict(p) for p in problems]})
    else:
        for p in problems:
            click.echo(shown(p.format()))
        click.echo(result.summary())
    if result.errors or (strict and result.warnings):
        ctx.exit(EXIT_FAILURE)
