"""A hostile host or bad input on an encrypted remote (SPEC section 11): exit 4 with the
bundle named, nothing merged, and never plaintext on the remote, not even then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from testing import bare_remote, checkin_text, git, invoke
from testing.crypt import (
    Crypt,
    assert_no_plaintext,
    bundle_names,
    fast_forwards_only,
    host_commit,
    keygen,
    ok,
    sealed_bundle,
)

from openbook.sync import transport


def bob_shares(c: Crypt, body: str = "Lantern.") -> str:
    c.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body=body))
    ok(c.sync("bob"))
    return bundle_names(c.remote)[-1]


def alice_is_alerted(c: Crypt, *named: str) -> str:
    before = git(c.alice, "rev-parse", "HEAD")
    c.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice", body="Moth."))
    res = c.sync("alice")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    for text in named:
        assert text in res.stderr, res.stderr
    assert not (c.alice / "checkins/2026/2026-11-24-bob.md").exists()
    log = git(c.alice, "log", "--format=%H", "-3").splitlines()
    assert before in log and git(c.alice, "rev-list", "--merges", f"{before}..HEAD") == ""
    assert_no_plaintext(c, "Lantern", "Moth", bundles_only=False)
    doctor = invoke(["doctor"], vault=c.alice, as_partner="alice")
    assert named[0] in doctor.stdout + doctor.stderr
    assert_no_plaintext(c, "Lantern", "Moth", bundles_only=False)
    return res.stderr


def test_a_tampered_bundle_is_named_and_nothing_is_merged(crypt: Crypt) -> None:
    name = bob_shares(crypt)
    raw = subprocess.run(
        ["git", "cat-file", "blob", f"main:{name}"],
        cwd=crypt.remote,
        capture_output=True,
        check=True,
    ).stdout
    data = bytearray(raw)
    data[-20] ^= 0x01
    host_commit(crypt.remote, {name: bytes(data)})
    alice_is_alerted(crypt, name, "does not open with your key")


def test_a_bundle_for_someone_else_does_not_open(crypt: Crypt, tmp_path: Path) -> None:
    import pyrage
    from pyrage import ssh

    eve = keygen(tmp_path / "keys" / "eve")
    sealed = pyrage.encrypt(b"anything", [ssh.Recipient.from_str(Path(f"{eve}.pub").read_text())])
    name = "bundles/000002-00000000000000aa.age"
    host_commit(crypt.remote, {name: sealed})
    alice_is_alerted(crypt, name, "does not open")


def test_a_gap_in_the_sequence_is_an_alert(crypt: Crypt) -> None:
    bob_shares(crypt)
    name = "bundles/000009-00000000000000bb.age"
    host_commit(crypt.remote, {name: b"age"})
    alice_is_alerted(crypt, "bundle 000003", "missing from the sequence")


def test_a_removed_bundle_is_an_alert(crypt: Crypt) -> None:
    first = bundle_names(crypt.remote)[0]
    bob_shares(crypt)
    host_commit(crypt.remote, {}, drop=(first,))
    alice_is_alerted(crypt, "missing from the sequence")


def test_a_file_that_is_no_bundle_is_an_alert(crypt: Crypt) -> None:
    bob_shares(crypt)
    host_commit(crypt.remote, {"README.md": b"hello"})
    alice_is_alerted(crypt, "README.md", "is not a bundle openbook wrote")


def test_a_bundle_that_would_rewrite_applied_history_is_an_alert(crypt: Crypt) -> None:
    # a validly encrypted bundle (the keys are public) of an older history
    old = git(crypt.bob, "rev-parse", "HEAD~2")
    sealed = sealed_bundle(crypt, "bob", old)
    name = "bundles/000002-00000000000000cc.age"
    host_commit(crypt.remote, {name: sealed})
    alice_is_alerted(crypt, name, "would rewrite history you applied before")


def test_a_bundle_that_does_not_apply_is_an_alert(crypt: Crypt) -> None:
    bob_shares(crypt)
    head = git(crypt.bob, "rev-parse", "HEAD")
    # needs a commit Alice never received: made on Bob's side only
    crypt.write("bob", "checkins/2026/2026-11-23-bob.md", checkin_text("bob", day="2026-11-23"))
    git(crypt.bob, "-c", "commit.gpgsign=false", "add", "-A")
    git(crypt.bob, "-c", "commit.gpgsign=false", "commit", "-qm", "x")
    git(crypt.bob, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "y")
    tip = git(crypt.bob, "rev-parse", "HEAD")
    sealed = sealed_bundle(crypt, "bob", tip, f"{tip}~1")
    names = bundle_names(crypt.remote)
    name = f"bundles/{len(names) + 1:06d}-00000000000000dd.age"
    host_commit(crypt.remote, {name: sealed})
    assert head != tip
    alice_is_alerted(crypt, name, "does not apply")


def test_a_host_that_rolls_the_branch_back_is_an_alert(crypt: Crypt) -> None:
    before = git(crypt.remote, "rev-parse", "main")
    bob_shares(crypt)
    ok(crypt.sync("alice"))
    git(crypt.remote, "update-ref", "refs/heads/main", before)
    for who in ("alice", "bob"):
        res = crypt.sync(who)
        assert res.exit_code == 4, (res.stdout, res.stderr)
        assert "rolled back" in res.stderr
    assert git(crypt.remote, "rev-parse", "main") == before  # nothing pushed over it
    assert_no_plaintext(crypt, "Lantern")
    # the way forward: a new empty repository, in both copies
    fresh = str(bare_remote(crypt.base / "fresh.git"))
    crypt.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    for who in ("bob", "alice", "bob"):
        ok(invoke(["remote", "encrypt", fresh], vault=crypt.root(who), as_partner=who))
        ok(crypt.sync(who))
    assert (crypt.bob / "checkins/2026/2026-11-24-alice.md").is_file()
    assert git(crypt.alice, "rev-parse", "HEAD") == git(crypt.bob, "rev-parse", "HEAD")


def test_a_deleted_branch_is_an_alert(crypt: Crypt) -> None:
    git(crypt.remote, "update-ref", "-d", "refs/heads/main")
    res = crypt.sync("bob")
    assert res.exit_code == 4 and "is gone" in res.stderr
    assert git(crypt.remote, "for-each-ref") == ""


def test_a_concurrent_push_is_fetched_applied_and_retried(
    crypt: Crypt, monkeypatch: pytest.MonkeyPatch
) -> None:
    crypt.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body="Bob first."))
    crypt.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    real = transport.push_plain
    calls: list[str] = []

    def bob_pushes_first(root: Path, remote: str, branch: str, source: str = "HEAD") -> bool:
        if not calls:  # Bob's sync runs between Alice's fetch and her push
            cmd = [sys.executable, "-m", "openbook", "--vault", str(crypt.bob), "--as", "bob"]
            subprocess.run([*cmd, "sync"], check=True, capture_output=True)
        calls.append(source)
        return real(root, remote, branch, source)

    monkeypatch.setattr(transport, "push_plain", bob_pushes_first)
    ok(crypt.sync("alice"))
    assert len(calls) == 2  # rejected once, then pushed on top of Bob's bundle
    assert (crypt.alice / "checkins/2026/2026-11-24-bob.md").is_file()
    ok(crypt.sync("bob"))
    assert (crypt.bob / "checkins/2026/2026-11-24-alice.md").is_file()
    assert len(bundle_names(crypt.remote)) == 3
    fast_forwards_only(crypt.remote)
    assert_no_plaintext(crypt, "Bob first")
