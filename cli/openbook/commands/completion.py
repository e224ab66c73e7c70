from __future__ import annotations

import click


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), default="bash")
def completion_command(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(openbook completion bash)"   (add it to ~/.bashrc)
    zsh:   eval "$(openbook completion zsh)"    (add it to ~/.zshrc)
    fish:  openbook completion fish > ~/.config/fish/completions/openbook.fish
    """
    from click.shell_completion import get_completion_class

    from ..cli import cli

    cls = get_completion_class(shell)
    assert cls is not None
    comp = cls(cli, {}, "openbook", "_OPENBOOK_COMPLETE")
    click.echo(comp.source())
