from __future__ import annotations

import json
import signal
import threading
from typing import Any

import click

from openbook.errors import EXIT_FAILURE

from ._common import acting_partner, get_vault, json_option


def _seconds(value: str, option: str) -> float:
    from openbook.words import duration_problem, parse_duration

    span = parse_duration(value)
    if span is None:
        raise click.BadParameter(duration_problem(value), param_hint=option)
    return span.total_seconds()


def format_event(event: dict[str, Any], once: bool = False) -> list[str]:
    """The calm, short lines shown for one watch event."""
    kind = event.get("event")
    if kind == "started":
        how = "checking every moment" if event["observer"] == "polling" else "listening"
        lines = [
            f"watching {event['vault']} as {event['partner']} ({how}); notes are "
            f"committed {event['quiet']:g}s after you stop typing. Ctrl-C stops."
        ]
        if event.get("sync_every"):
            lines.append(f"syncing with your partner every {event['sync_every']:g}s.")
        return lines
    if kind == "committed":
        path, action = event["path"], event["action"]
        if action == "delete":
            return [f"committed the deletion of {path}; it stays in the shared history"]
        return [f"committed {path}"]
    if kind == "invalid":
        then = "then run 'openbook commit'" if once else "save again, watch commits it then"
        return [f"not committed {event['path']}: fix this and {then}", *event["lines"]]
    if kind == "sync":
        return (
            [*event.get("lines", []), event["message"]]
            if event["exit_code"]
            else [event["message"]]
        )
    if kind in ("notice", "draft", "held"):
        return [str(event["message"])]
    if kind == "stopped":
        return ["stopped."]
    return []


@click.command("watch")
@click.option(
    "--quiet",
    "quiet",
    default="3s",
    show_default=True,
    metavar="DURATION",
    help="How long the notes must stay untouched before they are committed.",
)
@click.option(
    "--sync-every",
    "sync_every",
    metavar="DURATION",
    help="Also sync with your partner this often (e.g. 10m), and after each burst of commits.",
)
@click.option(
    "--poll",
    is_flag=True,
    help="Look for changes by polling instead of OS events (network drives).",
)
@click.option(
    "--once",
    is_flag=True,
    help="Commit what is pending now and exit (for cron and systemd timers).",
)
@json_option("Print one JSON object per event.")
@click.pass_context
def watch_command(
    ctx: click.Context, quiet: str, sync_every: str | None, poll: bool, once: bool, as_json: bool
) -> None:
    """Check and commit notes as you save them, in any editor.

    A note is committed, as you, a few seconds after you stop typing. A note with
    errors is not committed: watch shows the problem once and commits the note as
    soon as it is fixed. Editor files (swap, backup, lock files) are never committed.
    Stop with Ctrl-C; a commit in progress finishes first.

    \b
    Examples:
      openbook watch
      openbook watch --sync-every 10m
      openbook watch --once          # from cron or a systemd timer
    """
    from openbook.watch.loop import Watcher

    quiet_s = _seconds(quiet, "--quiet")
    sync_s = _seconds(sync_every, "--sync-every") if sync_every else None
    vault = get_vault(ctx)
    vault.require_writable()
    vault.require_config()
    me = acting_partner(ctx, vault)

    def show(event: dict[str, Any]) -> None:
        if as_json:
            click.echo(json.dumps(event, ensure_ascii=False, default=str))
        else:
            for line in format_event(event, once):
                click.echo(line)

    watcher = Watcher(vault, me, quiet=quiet_s, sync_every=sync_s, poll=poll, emit=show)
    if once:
        outcome = watcher.once()
        code = watcher.sync_now() if sync_s else None
        told = outcome.committed or outcome.invalid or outcome.drafts or outcome.held
        if not told and not as_json:
            click.echo("Nothing to commit; everything is already in the log.")
        if outcome.invalid:
            ctx.exit(EXIT_FAILURE)
        if code:
            ctx.exit(code)
        return

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        watcher.stop()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        watcher.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
