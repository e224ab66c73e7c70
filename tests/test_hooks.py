"""`openbook hooks install`: a pre-commit hook that checks staged notes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from testing import checkin_text, git, invoke, subjects, write


def _commit(root: Path, message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_install_writes_an_executable_hook(vault: Path) -> None:
    res = invoke(["hooks", "install"], vault=vault)
    assert res.exit_code == 0, res.stderr
    hook = vault / ".git/hooks/pre-commit"
    assert os.access(hook, os.X_OK)
    assert "-m openbook hooks run-pre-commit" in hook.read_text()
    assert str(hook) in res.stdout
    # installing again is harmless
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0


def test_the_hook_stops_a_plain_git_commit_of_a_bad_note(vault: Path) -> None:
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0
    write(vault, "checkins/2026/2026-11-24-bob.md", checkin_text("bob", mood=9))
    git(vault, "add", "-A")
    proc = _commit(vault, "bad")
    assert proc.returncode == 1
    assert "checkins/2026/2026-11-24-bob.md:" in proc.stderr and "[field-value]" in proc.stderr
    assert "the commit was stopped" in proc.stderr
    assert subjects(vault)[0] == "vault: init vault"


def test_the_hook_lets_a_good_note_through(vault: Path) -> None:
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0
    write(vault, "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    git(vault, "add", "-A")
    proc = _commit(vault, "good")
    assert proc.returncode == 0, proc.stderr
    assert subjects(vault)[0] == "good"


def test_an_existing_hook_is_kept_without_force(vault: Path) -> None:
    hook = vault / ".git/hooks/pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho mine\n")
    res = invoke(["hooks", "install"], vault=vault)
    assert res.exit_code == 1
    assert "already exists" in res.stderr and "--force" in res.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    res = invoke(["hooks", "install", "--force"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert (vault / ".git/hooks/pre-commit.openbook-backup").read_text() == "#!/bin/sh\necho mine\n"
    assert "openbook pre-commit hook" in hook.read_text()


def test_hooks_are_never_installed_by_clone_or_sync(tmp_path: Path) -> None:
    from testing import make_pair

    pair = make_pair(tmp_path)
    for root in (pair.alice, pair.bob):
        assert not (root / ".git/hooks/pre-commit").exists()


def test_hooks_help_has_an_example() -> None:
    res = invoke(["hooks", "install", "--help"])
    assert res.exit_code == 0
    assert "openbook hooks install" in res.stdout
