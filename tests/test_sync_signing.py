"""Commits sync makes itself (a renumbering, a merge) are signed like every other commit
when this clone signs: `git commit-tree` ignores commit.gpgsign, so sync passes `-S`
(trust.signing.commit_tree_sign_args). Keys are made on the spot, never an agent's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair


def _sign_with_a_new_key(root: Path, where: Path) -> None:
    key = where / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bob", "-f", str(key)],
        check=True,
        capture_output=True,
    )
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "user.signingkey", f"{key}.pub")
    git(root, "config", "commit.gpgsign", "true")


def _signed(root: Path, rev: str) -> bool:
    return "\ngpgsig " in git(root, "cat-file", "commit", rev)


@pytest.mark.parametrize("signs", [True, False])
def test_renumber_and_merge_commits_are_signed(tmp_path: Path, signs: bool) -> None:
    pair: Pair = make_pair(tmp_path)
    if signs:
        _sign_with_a_new_key(pair.bob, tmp_path)
    assert invoke(["ask", "Where?", "--to", "bob"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert invoke(["ask", "When?", "--to", "alice"], vault=pair.bob).exit_code == 0
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    merge = pair.head("bob")
    renumber = git(pair.bob, "rev-parse", "HEAD^1")
    assert git(pair.bob, "log", "-1", "--format=%s", renumber) == (
        "question: renumber questions/Q-0001.md to questions/Q-0002.md"
    )
    assert _signed(pair.bob, merge) is signs
    assert _signed(pair.bob, renumber) is signs
