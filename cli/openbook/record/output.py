"""Files openbook writes for the person (an agenda, a calendar, an export), never notes.

Written inside the vault they would nag: `status` would list them and `commit` would never
take them. So a file written inside the vault is listed in this clone's own
`.git/info/exclude`: it stays on this machine, and no command mentions it again.
"""

from __future__ import annotations

from pathlib import Path

from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write, inside
from openbook.git import repo as gitrepo
from openbook.vault import Vault


def write_output(vault: Vault | None, output: str, data: bytes) -> str:
    """Write `data` to `output`; returns what to add to the sentence that says so (where
    the file stays, when it is inside the vault; else nothing)."""
    target = Path(output).expanduser()
    target = (target if target.is_absolute() else Path.cwd() / target).resolve()
    if ".git" in target.parts:
        raise OpenbookError(f"{output} is inside a .git folder; choose another file.")
    if target.is_dir():
        example = Path(output) / "agenda.html"
        raise OpenbookError(f"{output} is a folder; give a file name, e.g. -o {example}.")
    if not target.parent.is_dir():
        raise OpenbookError(
            f"the folder {target.parent} does not exist; create it (mkdir -p "
            f"{target.parent}) or pick another."
        )
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise OpenbookError(
            f"could not write {output} ({exc.strerror}); check the folder exists and is yours."
        ) from None
    return keep_local(vault, target)


def keep_local(vault: Vault | None, target: Path) -> str:
    """List `target` in .git/info/exclude when it lies inside the vault; say so."""
    if vault is None or vault.git_dir is None:
        return ""
    root = vault.root.resolve()
    if not inside(root, target):
        return ""
    gitrepo.exclude_locally(vault.root, target)
    return " (inside the vault, so it is kept on this machine only: openbook never shares it)"
