"""Both partners changed the same note: both versions are kept (a conflict copy beside
the note, or the modified version when the other side deleted it), never markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import AGREEMENT, Pair, agreement_text, git, invoke, make_pair, trailers


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def test_both_edit_the_same_agreement_keeps_both_versions(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("first words"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    ours = agreement_text("Bob's wording")
    theirs = agreement_text("Alice's wording")
    pair.write("alice", AGREEMENT, theirs)
    pair.write("bob", AGREEMENT, ours)
    assert pair.sync("alice").exit_code == 0
    alice_commit = pair.head("alice")
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stderr
    copy = f"agreements/A-001-no-private-contact.conflict-alice-{alice_commit[:7]}.md"
    assert (pair.bob / AGREEMENT).read_text() == ours
    assert (pair.bob / copy).read_text() == theirs
    assert f"{AGREEMENT}: you both changed it" in res.stdout and copy in res.stdout
    for path in pair.bob.rglob("*.md"):
        assert "<<<<<<<" not in path.read_text() and ">>>>>>>" not in path.read_text()
    assert not (pair.bob / ".git/MERGE_HEAD").exists()
    assert git(pair.bob, "status", "--porcelain") == ""
    assert trailers(pair.bob)["Openbook-Action"] == "conflict"
    git(pair.bob, "merge-base", "--is-ancestor", alice_commit, "HEAD")
    assert pair.head("bob") == pair.remote_head()
    # the copy is listed until it is reconciled and deleted
    check = invoke(["check"], vault=pair.bob)
    assert "[conflict-copy]" in check.stdout
    assert copy in invoke(["status"], vault=pair.bob, as_partner="bob").stdout
    log = invoke(["log"], vault=pair.bob, as_partner="bob")
    assert "conflict agreements/A-001-no-private-contact.md" in log.stdout
    # Alice receives both; deleting the copy after reconciling is an ordinary change
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / copy).read_text() == theirs
    (pair.alice / copy).unlink()
    assert pair.sync("alice").exit_code == 0
    assert trailers(pair.alice)["Openbook-Action"] == "delete"
    assert pair.sync("bob").exit_code == 0
    assert not (pair.bob / copy).exists()


def test_modify_delete_keeps_the_modified_version(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("first words"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    # openbook never records deleting a proposed agreement: the partner uses plain git
    git(pair.alice, "rm", "-q", AGREEMENT)
    git(
        pair.alice,
        "-c",
        "user.name=Alice Example",
        "-c",
        "user.email=alice@example.org",
        "commit",
        "-q",
        "-m",
        "drop it",
    )
    assert pair.sync("alice").exit_code == 0
    changed = agreement_text("Bob changed it")
    pair.write("bob", AGREEMENT, changed)
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stderr
    assert "Alice deleted it and you changed it; your version is kept" in res.stdout
    assert (pair.bob / AGREEMENT).read_text() == changed
    assert trailers(pair.bob)["Openbook-Action"] == "conflict"
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / AGREEMENT).read_text() == changed
