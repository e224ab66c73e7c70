"""An agreement ends through consent: a plain deletion is never recorded by openbook."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from testing import Pair, agreement_text, git, invoke, make_pair, subjects

PATH = "agreements/A-001-no-private-contact.md"


@pytest.fixture
def active(tmp_path: Path) -> Pair:
    """A-001 proposed by Alice, accepted by both from their own clones, shared."""
    pair = make_pair(tmp_path)
    pair.write("alice", PATH, agreement_text("We tell each other about any contact."))
    assert invoke(["commit"], vault=pair.alice).exit_code == 0
    assert invoke(["accept", "A-001", "--yes"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    res = invoke(["accept", "A-001", "--yes"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert "status: active" in (pair.alice / PATH).read_text()
    return pair


REFUSAL = (
    f"not committed: deleting {PATH} would end A-001 without both of you; an agreement ends "
    f"with 'openbook retire A-001'. The file stays deleted here; restore it with "
    f"'git checkout -- {PATH}'.\n"
)


def test_commit_refuses_to_record_deleting_an_active_agreement(active: Pair) -> None:
    before = active.head("bob")
    (active.bob / PATH).unlink()
    res = invoke(["commit"], vault=active.bob)
    assert res.exit_code == 1
    assert res.stderr == REFUSAL
    assert active.head("bob") == before
    assert not (active.bob / PATH).exists(), "the file stays deleted in the work tree"
    res = active.sync("bob")
    assert res.exit_code in (0, 1)
    assert (active.alice / PATH).exists()
    assert active.sync("alice").exit_code == 0
    assert (active.alice / PATH).exists()
    assert "delete" not in " ".join(subjects(active.remote))


def test_the_pre_commit_hook_refuses_a_plain_git_deletion(active: Pair) -> None:
    assert invoke(["hooks", "install"], vault=active.bob).exit_code == 0
    git(active.bob, "rm", "-q", PATH)
    res = subprocess.run(
        ["git", "commit", "-m", "drop A-001"], cwd=active.bob, capture_output=True, text=True
    )
    assert res.returncode == 1
    assert f"{PATH}:1:1: error: {REFUSAL.rstrip()} [status-consistency]" in res.stderr


def test_retired_agreements_may_be_deleted(active: Pair) -> None:
    assert invoke(["retire", "A-001"], vault=active.bob).exit_code == 0
    assert active.sync("bob").exit_code == 0
    assert active.sync("alice").exit_code == 0
    assert invoke(["retire", "A-001"], vault=active.alice).exit_code == 0
    assert "status: retired" in (active.alice / PATH).read_text()
    (active.alice / PATH).unlink()
    res = invoke(["commit"], vault=active.alice)
    assert res.exit_code == 0, res.stderr
    assert subjects(active.alice)[0] == f"agreement: delete {PATH}"
