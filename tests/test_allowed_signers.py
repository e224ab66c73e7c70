"""Plain git agrees with openbook: each clone keeps `.git/openbook/allowed_signers` from the
keys in openbook.yml, set as `gpg.ssh.allowedSignersFile`, so `git verify-commit` and
`git log --show-signature` say "Good" for what `openbook verify` accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_trust import ALICE_ID, BOB_ID, commit, keygen, keys, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke

from openbook.trust import allowed

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


def _head_file(root: Path) -> str:
    return (root / ".git" / "openbook" / "allowed_signers.head").read_text().split()[0]


def test_the_file_stands_until_history_could_change_it(
    signed: Pair,  # noqa: F811
    keys: dict[str, Path],  # noqa: F811
) -> None:
    """Commits that leave openbook.yml alone keep the file; a change of openbook.yml, one
    made only in a merge (no parent has it), or an edit by hand writes it again."""
    alice, bob = signed.alice, signed.bob
    assert signed.sync("alice").exit_code == 0
    before = _allowed(alice)
    commit(bob, "checkins/2026/x.md", checkin_text("bob"), BOB_ID)
    assert signed.sync("bob").exit_code == 0
    assert signed.sync("alice").exit_code == 0
    assert _allowed(alice) == before and _head_file(alice) == signed.head("alice")
    # a key for Bob that only a merge brings (as plain git lists it, consent aside)
    eve = " ".join(keys["eve"].read_text().split()[:2])
    side = commit(bob, "checkins/2026/y.md", checkin_text("bob"), BOB_ID)
    git(bob, "reset", "-q", "--hard", "HEAD~1")
    git(bob, "merge", "-q", "--no-commit", "--no-ff", side)
    text = (
        (bob / "openbook.yml")
        .read_text()
        .replace(" ".join(keys["bob"].read_text().split()[:2]), eve)
    )
    (bob / "openbook.yml").write_text(text)
    git(bob, "add", "openbook.yml")
    git(bob, "commit", "-q", "-m", "merge")
    git(bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    signed.sync("alice")  # refused or not, the file follows what Alice's HEAD holds
    git(alice, "fetch", "-q", "origin")
    git(alice, "reset", "-q", "--hard", "origin/main")
    allowed.write(alice)
    assert eve in _allowed(alice)
    # an edit by hand is undone
    path = alice / ".git" / "openbook" / "allowed_signers"
    path.write_text("bob@example.org " + eve + "\n")
    allowed.write(alice)
    assert _allowed(alice).count(eve) == 1 and "alice@example.org" in _allowed(alice)


def test_a_merge_that_leaves_openbook_yml_alone_keeps_the_file(
    signed: Pair,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keys: dict[str, Path],  # noqa: F811
) -> None:
    """Both partners wrote: Alice's sync merges. openbook.yml's history is not walked
    again, and the file is the one a writing from scratch gives. When Bob's side rotates
    his key with plain git, the merge brings it and the file is written again."""
    from testing.gitlog import counting_git

    alice, bob = signed.alice, signed.bob
    assert signed.sync("alice").exit_code == 0
    commit(bob, "checkins/2026/x.md", checkin_text("bob"), BOB_ID)
    assert signed.sync("bob").exit_code == 0
    commit(alice, "checkins/2026/y.md", checkin_text("alice"), ALICE_ID)
    log = counting_git(tmp_path, monkeypatch)
    assert signed.sync("alice").exit_code == 0
    monkeypatch.undo()
    assert len(git(alice, "rev-list", "--parents", "-1", "HEAD").split()) == 3  # a merge
    walks = [c for c in log.read_text().splitlines() if c.endswith("-- openbook.yml")]
    assert not walks, walks
    assert _head_file(alice) == signed.head("alice")
    kept = _allowed(alice)
    (alice / ".git" / "openbook" / "allowed_signers.head").unlink()
    allowed.write(alice)
    assert _allowed(alice) == kept
    # Bob's side changes openbook.yml (his key, with plain git); Alice merges it
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    eve = " ".join(keys["eve"].read_text().split()[:2])
    text = (bob / "openbook.yml").read_text()
    (bob / "openbook.yml").write_text(
        text.replace(" ".join(keys["bob"].read_text().split()[:2]), eve)
    )
    commit(bob, "openbook.yml", (bob / "openbook.yml").read_text(), BOB_ID)
    git(bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    commit(alice, "checkins/2026/z.md", checkin_text("alice"), ALICE_ID)
    git(alice, "fetch", "-q", "origin")
    git(alice, "merge", "-q", "--no-edit", "origin/main")
    allowed.write(alice)
    assert eve in _allowed(alice)
    assert _head_file(alice) == signed.head("alice")
