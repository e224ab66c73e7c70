from __future__ import annotations

import click


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash")
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(openbook completion bash)"   (add it to ~/.bashrc)
    zsh:   eval "$(openbook completion zsh)"    (add it to ~/.zshrc)
    fish:  openbook completion fish > ~/.config/fish/completions/openbook.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    comp = cls(ctx.find_root().command, {}, "openbook", "_OPENBOOK_COMPLETE")
    click.echo(comp.source())
