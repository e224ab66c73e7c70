"""Sync judges only the commits after the heads it judged last, starting from the trust
state in force there (trust/seed.py). Bob attacks with plain git; Alice's sync refuses
exactly what a pass over the whole history refuses, and a start is kept only where
every incoming commit verified."""

# ruff: noqa: F811
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_authenticated_history import first_commit, plain, tree_with
from test_trust import ALICE_ID, BOB_ID, commit, keys, ok, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke

from openbook.trust import seed as seeding
from openbook.trust.verify import verify_range
from openbook.trust.yamledit import set_value

SEED = Path(".git") / "openbook" / seeding.FILE


def _unsigned(bob: Path, keys: dict[str, Path]) -> str:
    return commit(bob, "checkins/2026/x.md", checkin_text("bob"), BOB_ID, "commit.gpgsign=false")


def _by_eve(bob: Path, keys: dict[str, Path]) -> str:
    return commit(bob, "checkins/2026/x.md", "x\n", BOB_ID, f"user.signingkey={keys['eve']}")


def _alices_key_by_bob(bob: Path, keys: dict[str, Path]) -> str:
    text = set_value(
        (bob / "openbook.yml").read_text(),
        ("partners", "alice", "signing_key"),
        keys["eve"].read_text().strip(),
    )
    return commit(bob, "openbook.yml", text, BOB_ID)


def _as_alice_committed_by_bob(bob: Path, keys: dict[str, Path]) -> str:
    text = checkin_text("alice")
    return commit(
        bob, "checkins/2026/x.md", text, ALICE_ID, f"user.signingkey={keys['alice']}", by=BOB_ID
    )


def _good_then_unsigned(bob: Path, keys: dict[str, Path]) -> str:
    commit(bob, "checkins/2026/y.md", checkin_text("bob"), BOB_ID)
    return _unsigned(bob, keys)


ATTACKS: dict[str, tuple[Callable[[Path, dict[str, Path]], str], str]] = {
    "unsigned": (_unsigned, "unsigned"),
    "signed by an unknown key": (_by_eve, "unknown-key"),
    "Alice's key changed by Bob": (_alices_key_by_bob, "key-change-not-by-owner"),
    "Alice's commit made by Bob": (_as_alice_committed_by_bob, "signer-not-committer"),
    "a good commit, then an unsigned one": (_good_then_unsigned, "unsigned"),
}


def _without_seed(root: Path, base: str, head: str) -> list[str]:
    """verify_range as a pass over the whole history gives it (the seed kept aside)."""
    path = root / SEED
    kept = path.read_bytes()
    path.unlink()
    try:
        return [f"{p.commit} {p.rule}" for p in verify_range(root, base, head)]
    finally:
        path.write_bytes(kept)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_seeded_sync_refuses_what_the_whole_history_refuses(
    signed: Pair, keys: dict[str, Path], attack: str
) -> None:
    make, rule = ATTACKS[attack]
    alice, bob = signed.alice, signed.bob
    commit(bob, "checkins/2026/2026-11-21-bob.md", checkin_text("bob"), BOB_ID)
    ok(signed.sync("bob"))
    ok(signed.sync("alice"))  # a sync that verified: where the next one starts
    start = [seed[0] for seed in seeding.saved(alice)]
    assert start
    bad = make(bob, keys)
    git(bob, "push", "-q", "-f", "origin", "HEAD:refs/heads/main")
    before = signed.head("alice")
    res = signed.sync("alice")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert f"[{rule}]" in res.stderr and bad[:7] in res.stderr, res.stderr
    assert signed.head("alice") == before
    # a sync that refused keeps no start: the next one starts where this one did
    kept = seeding.saved(alice)
    assert [seed[0] for seed in kept] == start
    # the seeded pass did apply, and says what the whole history says
    git(alice, "fetch", "-q", "origin")
    incoming = git(alice, "rev-parse", "origin/main")
    assert seeding.from_seed(alice, [incoming, before], kept, signatures=False) is not None
    seeded = [f"{p.commit} {p.rule}" for p in verify_range(alice, before, incoming)]
    assert seeded == _without_seed(alice, before, incoming)
    assert f"{bad} {rule}" in seeded


def test_the_start_moves_to_each_head_that_verified(signed: Pair) -> None:
    alice, bob = signed.alice, signed.bob
    commit(bob, "checkins/2026/y.md", checkin_text("bob"), BOB_ID)
    ok(signed.sync("bob"))
    pushed = signed.head("bob")
    ok(signed.sync("alice"))
    assert pushed in [seed[0] for seed in seeding.saved(alice)]


def test_history_from_before_the_start_is_read_whole(signed: Pair) -> None:
    """A merge of older history, or a second root, is never judged from the start."""
    alice, bob = signed.alice, signed.bob
    old = first_commit(bob)
    tree = tree_with(bob, "checkins/2026/x.md", checkin_text("alice"), old)
    side = plain(bob, "commit-tree", tree, "-p", old, "-m", "as alice", who=ALICE_ID)
    key = git(bob, "config", "user.signingkey")
    merge_tree = git(bob, "merge-tree", "--write-tree", "HEAD", side).splitlines()[0]
    merged = plain(bob, "commit-tree", merge_tree, "-p", "HEAD", "-p", side, "-m", "m", sign=key)
    git(bob, "push", "-q", "-f", "origin", f"{merged}:refs/heads/main")
    kept = seeding.saved(alice)
    assert kept
    git(alice, "fetch", "-q", "origin")
    head = signed.head("alice")
    assert seeding.from_seed(alice, [merged, head], kept, signatures=False) is None
    res = signed.sync("alice")
    assert res.exit_code == 4 and "[outside-introduction]" in res.stderr, res.stderr


@pytest.mark.parametrize("damage", ["missing commit", "not json", "old version"])
def test_a_damaged_start_reads_everything(signed: Pair, damage: str) -> None:
    alice, bob = signed.alice, signed.bob
    path = alice / SEED
    data = json.loads(path.read_text())
    if damage == "missing commit":
        data["seeds"][0]["commit"] = "1" * 40
        path.write_text(json.dumps(data))
    elif damage == "not json":
        path.write_text("{")
    else:
        data["version"] = -1
        path.write_text(json.dumps(data))
    bad = _unsigned(bob, {})
    git(bob, "push", "-q", "-f", "origin", "HEAD:refs/heads/main")
    res = signed.sync("alice")
    assert res.exit_code == 4 and f"{bad[:7]}" in res.stderr, res.stderr


def test_a_fresh_clone_starts_from_the_head_it_verified(signed: Pair, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    res = invoke(["--as", "alice", "clone", str(signed.remote), str(fresh)])
    assert res.exit_code == 0, res.stderr
    assert [seed[0] for seed in seeding.saved(fresh)] == [git(fresh, "rev-parse", "HEAD")]
    bad = _unsigned(signed.bob, {})
    git(signed.bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    res = invoke(["sync"], vault=fresh, as_partner="alice")
    assert res.exit_code == 4 and f"{bad[:7]}" in res.stderr, res.stderr


def _both_write_and_sync(pair: Pair, days: int) -> None:
    """Each day both write a check-in, then Bob syncs and Alice syncs (a merge each)."""
    for day in range(days):
        for who, root in (("alice", pair.alice), ("bob", pair.bob)):
            who_id = ALICE_ID if who == "alice" else BOB_ID
            commit(root, f"checkins/2026/2026-11-2{day}-{who}.md", checkin_text(who), who_id)
        ok(pair.sync("bob"))
        ok(pair.sync("alice"))


def test_a_merge_of_the_two_starts_whose_tree_neither_parent_has(
    signed: Pair, keys: dict[str, Path]
) -> None:
    """Bob signs a merge of Alice's merge and her two starts (in another order), whose
    openbook.yml gives Alice Eve's key (no parent says so): judged from the starts and
    refused, as the whole history refuses it."""
    alice, bob = signed.alice, signed.bob
    _both_write_and_sync(signed, days=1)
    kept = seeding.saved(alice)
    starts = [seed[0] for seed in kept]
    assert len(starts) == 2
    git(bob, "fetch", "-q", "origin")
    yml = git(bob, "show", "origin/main:openbook.yml") + "\n"
    eve = keys["eve"].read_text().strip()
    tree = tree_with(
        bob,
        "openbook.yml",
        set_value(yml, ("partners", "alice", "signing_key"), eve),
        "origin/main",
    )
    key = git(bob, "config", "user.signingkey")
    shared = git(bob, "rev-parse", "origin/main")  # Alice's merge of the two
    parents = [arg for sha in [shared, *reversed(starts)] for arg in ("-p", sha)]
    evil = plain(bob, "commit-tree", tree, *parents, "-m", "join", sign=key)
    git(bob, "push", "-q", "origin", f"{evil}:refs/heads/main")
    before = signed.head("alice")
    git(alice, "fetch", "-q", "origin")
    assert seeding.from_seed(alice, [evil, before], kept, signatures=False) is not None
    seeded = [f"{p.commit} {p.rule}" for p in verify_range(alice, before, evil)]
    assert seeded == _without_seed(alice, before, evil)
    assert f"{evil} key-change-not-by-owner" in seeded
    res = signed.sync("alice")
    assert res.exit_code == 4 and evil[:7] in res.stderr, res.stderr
    assert signed.head("alice") == before


def test_after_merges_on_both_sides_the_next_sync_starts_from_both_heads(
    signed: Pair, keys: dict[str, Path]
) -> None:
    """Both write between syncs, so each sync merges; the heads it judged are kept, and
    the merge made of them is judged from them, as the whole history judges it."""
    alice, bob = signed.alice, signed.bob
    _both_write_and_sync(signed, days=2)
    assert len(git(alice, "rev-list", "--merges", "HEAD").split()) >= 2
    bad = _unsigned(bob, keys)
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    git(bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    commit(alice, "checkins/2026/2026-11-23-alice.md", checkin_text("alice"), ALICE_ID)
    before = signed.head("alice")
    kept = seeding.saved(alice)
    git(alice, "fetch", "-q", "origin")
    incoming = git(alice, "rev-parse", "origin/main")
    assert seeding.from_seed(alice, [incoming, before], kept, signatures=False) is not None
    for one in kept:  # neither head alone reaches what came since
        assert seeding.from_seed(alice, [incoming, before], [one], signatures=False) is None
    seeded = [f"{p.commit} {p.rule}" for p in verify_range(alice, before, incoming)]
    assert seeded == _without_seed(alice, before, incoming)
    assert f"{bad} unsigned" in seeded
    res = signed.sync("alice")
    assert res.exit_code == 4 and bad[:7] in res.stderr, res.stderr


def test_a_refused_commit_under_a_good_one_is_refused_again_after_more_arrive(
    signed: Pair, keys: dict[str, Path]
) -> None:
    """Bob's unsigned commit, then a signed one on top: refused. Bob adds another signed
    commit; Alice's next sync still judges the unsigned one (no start is kept above it)."""
    alice, bob = signed.alice, signed.bob
    bad = _unsigned(bob, keys)
    commit(bob, "checkins/2026/2026-11-25-bob.md", checkin_text("bob"), BOB_ID)
    git(bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    before = signed.head("alice")
    start = [seed[0] for seed in seeding.saved(alice)]
    res = signed.sync("alice")
    assert res.exit_code == 4 and bad[:7] in res.stderr, res.stderr
    assert [seed[0] for seed in seeding.saved(alice)] == start
    commit(bob, "checkins/2026/2026-11-26-bob.md", checkin_text("bob"), BOB_ID)
    git(bob, "push", "-q", "origin", "HEAD:refs/heads/main")
    res = signed.sync("alice")
    assert res.exit_code == 4 and bad[:7] in res.stderr, res.stderr
    assert signed.head("alice") == before


def test_our_own_commit_with_a_problem_keeps_no_start_above_it(signed: Pair) -> None:
    """Alice's own unsigned commit under a signed one: sync will not share them (exit 1),
    and keeps no start above the unsigned one, so every later check of what goes out
    (and `doctor`'s re-signing) still reads it."""
    alice = signed.alice
    start = [seed[0] for seed in seeding.saved(alice)]
    unsigned = commit(
        alice,
        "checkins/2026/2026-11-25-alice.md",
        checkin_text("alice"),
        ALICE_ID,
        "commit.gpgsign=false",
    )
    commit(alice, "checkins/2026/2026-11-26-alice.md", checkin_text("alice"), ALICE_ID)
    res = signed.sync("alice")
    assert res.exit_code == 1 and unsigned[:7] in res.stderr, res.stderr
    assert [seed[0] for seed in seeding.saved(alice)] == start
