"""`openbook doctor`: what is wrong with this clone, in plain words, and the one safe next step."""

from __future__ import annotations

from dataclasses import dataclass

from openbook.git.state import clear_index_lock, git_dir_of, unsafe_state
from openbook.vault import Vault


@dataclass
class Finding:
    what: str
    next_step: str


def diagnose(vault: Vault) -> list[Finding]:
    """Everything that would stop a write or a sync, each with the command that ends it."""
    findings = []
    gd = git_dir_of(vault.root)
    if gd is not None and (gd / "index.lock").exists():
        findings.append(
            Finding(
                f"{gd / 'index.lock'} is left over from a git program that stopped; while it is "
                "there, nothing can be committed.",
                "If no other git program (an editor's git panel, a git app) is running, run "
                "'openbook doctor --fix'.",
            )
        )
    else:
        state = unsafe_state(vault.root)
        if state:
            sentence, _, step = state.partition("; ")
            findings.append(Finding(sentence + ".", step[:1].upper() + step[1:]))
    if not vault.config.ok:
        first = vault.config.problems[0]
        findings.append(
            Finding(
                f"openbook.yml:{first.line}: {first.message}.",
                "Fix openbook.yml, then run 'openbook check'.",
            )
        )
    return findings


def fix(vault: Vault) -> list[str]:
    """Clear what is safe to clear once the user has confirmed; returns what was done."""
    done = []
    cleared = clear_index_lock(vault.root)
    if cleared is not None:
        done.append(f"removed {cleared}")
    return done
