"""Plain git agrees with openbook: each clone keeps `.git/openbook/allowed_signers` from the
keys in openbook.yml, set as `gpg.ssh.allowedSignersFile`, so `git verify-commit` and
`git log --show-signature` say "Good" for what `openbook verify` accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_trust import ALICE_ID, BOB_ID, commit, keygen, keys, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke

pytestmark = pytest.mark.slow


def _verify_commit(root: Path, sha: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "verify-commit", sha], cwd=root, capture_output=True, text=True, check=False
    )


def _allowed(root: Path) -> str:
    return (root / ".git" / "openbook" / "allowed_signers").read_text()


def test_plain_git_says_good_where_openbook_verify_does(
    signed: Pair,  # noqa: F811
    keys: dict[str, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    res = invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob)
    assert res.exit_code == 0
    assert signed.sync("bob").exit_code == 0
    assert signed.sync("alice").exit_code == 0
    for who in ("alice", "bob"):
        root = signed.root(who)
        assert git(root, "config", "gpg.ssh.allowedSignersFile") == str(
            root / ".git" / "openbook" / "allowed_signers"
        )
        text = _allowed(root)
        for name in ("alice", "bob"):
            key = " ".join(keys[name].read_text().split()[:2])
            assert f'{name}@example.org namespaces="git" {key}' in text
    sha = signed.head("bob")
    for who in ("alice", "bob"):
        res = _verify_commit(signed.root(who), sha)
        assert res.returncode == 0, res.stderr
        assert 'Good "git" signature for bob@example.org' in res.stderr
        shown = git(signed.root(who), "log", "-1", "--show-signature", sha)
        assert 'Good "git" signature for bob@example.org' in shown
    # an unsigned commit is not good for git either, as for openbook verify
    bad = commit(
        signed.bob, "checkins/2026/x.md", checkin_text("bob"), BOB_ID, "commit.gpgsign=false"
    )
    assert _verify_commit(signed.bob, bad).returncode != 0
    # a fresh clone writes the file too
    fresh = tmp_path / "fresh"
    assert invoke(["--as", "alice", "clone", str(signed.remote), str(fresh)]).exit_code == 0
    assert _verify_commit(fresh, sha).returncode == 0


def test_a_rotated_key_is_listed_for_its_older_commits(
    signed: Pair,  # noqa: F811
    tmp_path: Path,
) -> None:
    old_commit = signed.head("bob")
    new_key = keygen(tmp_path / "keys" / "bob2")
    res = invoke(["keys", "add", str(new_key)], vault=signed.bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    text = _allowed(signed.bob)
    new_text = " ".join(new_key.read_text().split()[:2])
    lines = text.splitlines()
    assert any("valid-before=" in line for line in lines if line.startswith("bob@"))
    assert any(
        "valid-after=" in line and new_text in line for line in lines if line.startswith("bob@")
    )
    res = invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob)
    assert res.exit_code == 0
    new_commit = signed.head("bob")
    assert signed.sync("bob").exit_code == 0
    # the clones were copied from a template: refresh git's stat data of openbook.yml
    git(signed.alice, "update-index", "-q", "--refresh", check=False)
    res = signed.sync("alice")
    assert res.exit_code == 0, res.stderr
    for who in ("alice", "bob"):
        for sha in (old_commit, new_commit):
            res = _verify_commit(signed.root(who), sha)
            assert res.returncode == 0, (who, sha, res.stderr, _allowed(signed.root(who)))
