"""Git hooks the local user installs: pre-commit checks staged notes.

Hooks are never part of the shared repository (safety invariant 5): they live in this
clone's .git/hooks and are written only by `openbook hooks install`, run by this user.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.notes.parse import MAX_FILE_BYTES, Problem, parse_bytes
from openbook.notetypes.registry import is_draft
from openbook.record.pending import binding_agreement_at, deletion_refusal, draft_line
from openbook.vault import Vault

MARKER = "# openbook pre-commit hook"


def hook_script(python: str | None = None) -> str:
    """The pre-commit hook: this Python's openbook, else `openbook` on PATH."""
    py = shlex.quote(python or sys.executable)
    return f"""#!/bin/sh
{MARKER} (written by 'openbook hooks install'): checks staged notes before
# every commit, whichever tool makes it. Skip once with 'git commit --no-verify'.
if [ -x {py} ]; then
  exec {py} -m openbook hooks run-pre-commit
elif command -v openbook >/dev/null 2>&1; then
  exec openbook hooks run-pre-commit
fi
echo "openbook: the pre-commit hook cannot find openbook;" \
  "reinstall it with 'openbook hooks install --force'." >&2
exit 1
"""


def hooks_dir(vault: Vault) -> Path:
    raw = gitrepo.out(vault.root, "rev-parse", "--git-path", "hooks")
    path = Path(raw)
    return path if path.is_absolute() else (vault.root / path)


def install(vault: Vault, *, force: bool = False) -> tuple[Path, Path | None]:
    """Write the pre-commit hook. Returns (hook path, backup of a replaced hook or None).

    An existing hook that openbook did not write is kept unless `force`; with `force`
    it is moved aside to pre-commit.openbook-backup first.
    """
    vault.require_writable()
    folder = hooks_dir(vault)
    folder.mkdir(parents=True, exist_ok=True)
    hook = folder / "pre-commit"
    script = hook_script()
    backup: Path | None = None
    if hook.exists() or hook.is_symlink():
        try:
            current = hook.read_text(encoding="utf-8", errors="replace")
        except OSError:
            current = ""
        if MARKER not in current:
            if not force:
                raise OpenbookError(
                    f"{hook} already exists and openbook did not write it; it was left alone. "
                    "Run 'openbook hooks install --force' to move it aside to "
                    "pre-commit.openbook-backup and install openbook's hook."
                )
            backup = folder / "pre-commit.openbook-backup"
            os.replace(hook, backup)
    atomic_write(hook, script.encode("utf-8"))
    hook.chmod(0o755)
    return hook, backup


def staged_paths(vault: Vault) -> list[str]:
    """Vault-relative paths of notes added, copied or modified in the index."""
    raw = gitrepo.run(
        vault.root,
        [
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=ACMRT",
            "--relative",
            "--",
            ".",
        ],
        strip=False,
    ).stdout
    return sorted(p for p in raw.split("\0") if p.endswith(".md"))


def pre_commit_problems(vault: Vault) -> tuple[list[str], list[Problem]]:
    """(staged notes, their problems) with the whole vault's cross-note rules applied."""
    from openbook.check.result import check_vault

    paths = staged_paths(vault)
    deleted = gitrepo.run(
        vault.root,
        [
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-renames",
            "--diff-filter=D",
            "--",
            "agreements",
        ],
        strip=False,
    ).stdout.split("\0")
    ended = [
        Problem(path, 1, 1, "error", "status-consistency", deletion_refusal(path, agreement))
        for path in sorted(p for p in deleted if p)
        if (agreement := binding_agreement_at(vault, path)) is not None
    ]
    if not paths:
        return [], ended
    wanted = set(paths)
    result = check_vault(vault)
    drafts = [_draft_problem(vault, path) for path in paths if path in result.drafts()]
    return paths, ended + drafts + [p for p in result.problems if p.path in wanted]


def _draft_problem(vault: Vault, path: str) -> Problem:
    """A staged draft stops the commit: a draft stays on this machine (docs/vault.md)."""
    line, col = 1, 1
    try:
        with open(vault.root / path, "rb") as fh:
            note = parse_bytes(path, fh.read(MAX_FILE_BYTES + 1))
        if is_draft(note.meta):
            line, col = note.keypos("draft")
    except OSError:
        pass
    return Problem(path, line, col, "error", "draft", draft_line(path))
