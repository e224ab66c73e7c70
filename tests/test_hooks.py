"""`openbook hooks install`: a pre-commit hook that checks staged notes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from testing import checkin_path, checkin_text, git, invoke, make_pair, subjects, write

INSTALLED = "Installed {hook}: every commit now checks the staged notes first.\n"


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
    hook = vault / ".git/hooks/pre-commit"
    assert (res.exit_code, res.stdout, res.stderr) == (0, INSTALLED.format(hook=hook), "")
    assert os.access(hook, os.X_OK)
    text = hook.read_text()
    assert "-m openbook hooks run-pre-commit" in text
    # installing again is harmless: the same hook, no backup of openbook's own
    again = invoke(["hooks", "install"], vault=vault)
    assert (again.exit_code, again.stdout, again.stderr) == (0, INSTALLED.format(hook=hook), "")
    assert hook.read_text() == text
    assert not (vault / ".git/hooks/pre-commit.openbook-backup").exists()


def test_the_hook_stops_a_plain_git_commit_of_a_bad_note(vault: Path) -> None:
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0
    write(vault, checkin_path("bob"), checkin_text("bob", mood=9))
    git(vault, "add", "-A")
    proc = _commit(vault, "bad")
    assert (proc.returncode, proc.stdout, proc.stderr.splitlines()) == (
        1,
        "",
        [
            "checkins/2026/2026-11-24-bob.md:5:7: error: mood must be between 1 and 5, got 9 "
            "[field-value]",
            "openbook: the commit was stopped: 1 error in the staged notes. Fix them "
            "(openbook check shows them), then commit again.",
        ],
    )
    assert subjects(vault)[0] == "settings: accept openbook.yml"  # the vault's last commit


def test_the_hook_lets_a_good_note_through(vault: Path) -> None:
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0
    write(vault, checkin_path("bob"), checkin_text("bob"))
    git(vault, "add", "-A")
    proc = _commit(vault, "good")
    assert proc.returncode == 0, proc.stderr
    assert subjects(vault)[0] == "good"


def test_an_existing_hook_is_kept_without_force(vault: Path) -> None:
    hook = vault / ".git/hooks/pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho mine\n")
    res = invoke(["hooks", "install"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {hook} already exists and openbook did not write it; it was left alone. "
        "Run 'openbook hooks install --force' to move it aside to pre-commit.openbook-backup "
        "and install openbook's hook.\n",
    )
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    res = invoke(["hooks", "install", "--force"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        0,
        f"Moved the previous hook aside to {hook}.openbook-backup.\n" + INSTALLED.format(hook=hook),
        "",
    )
    assert (vault / ".git/hooks/pre-commit.openbook-backup").read_text() == "#!/bin/sh\necho mine\n"
    assert "openbook pre-commit hook" in hook.read_text()


def test_hooks_are_never_installed_by_clone_or_sync(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)  # bob syncs the new vault, alice clones it
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    assert invoke(["commit"], vault=pair.alice, as_partner="alice").exit_code == 0
    for who in ("alice", "bob"):
        res = pair.sync(who)
        assert res.exit_code == 0, res.stderr
    assert pair.head("bob") == pair.head("alice")
    for root in (pair.alice, pair.bob):
        assert not (root / ".git/hooks/pre-commit").exists()


def test_hooks_help_has_an_example() -> None:
    res = invoke(["hooks", "install", "--help"])
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.startswith("Usage: openbook hooks install [OPTIONS]\n")
    # the usage line names the command anyway; the example is its own block
    assert "\n  Example:\n    openbook hooks install\n" in res.stdout
