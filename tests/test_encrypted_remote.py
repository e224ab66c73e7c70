"""An encrypted remote the host cannot read (SPEC section 11): two clones sync through a
bare repository that holds only age-encrypted git bundles. Keys are made on the spot."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import bare_remote, checkin_text, git, invoke, make_pair, write
from testing.crypt import (
    Crypt,
    assert_no_plaintext,
    bundle_names,
    fast_forwards_only,
    keygen,
    ok,
)


def test_offline_edits_on_both_sides_meet_through_the_encrypted_remote(crypt: Crypt) -> None:
    crypt.write(
        "bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body="Walnut morning.")
    )
    crypt.write(
        "alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice", body="Heron dusk.")
    )
    before = git(crypt.remote, "rev-parse", "main")
    ok(crypt.sync("bob"))
    ok(crypt.sync("alice"))
    ok(crypt.sync("bob"))
    assert (crypt.alice / "checkins/2026/2026-11-24-bob.md").is_file()
    assert (crypt.bob / "checkins/2026/2026-11-24-alice.md").is_file()
    assert git(crypt.alice, "rev-parse", "HEAD") == git(crypt.bob, "rev-parse", "HEAD")
    after = git(crypt.remote, "rev-parse", "main")
    git(crypt.remote, "merge-base", "--is-ancestor", before, after)
    assert_no_plaintext(crypt, "Walnut", "Heron")
    fast_forwards_only(crypt.remote)
    assert git(crypt.remote, "log", "--format=%an <%ae> %s", "main").splitlines() == (
        ["openbook <openbook@localhost> openbook bundle"]
        * len(git(crypt.remote, "rev-list", "main").splitlines())
    )


def test_the_remote_holds_one_bundle_per_sync_numbered_in_order(crypt: Crypt) -> None:
    names = git(crypt.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert [n[:15] for n in names] == ["bundles/000001-"]  # Alice had nothing new
    crypt.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    ok(crypt.sync("alice"))
    ok(crypt.sync("alice"))  # nothing new: no bundle
    names = git(crypt.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert [n[:15] for n in names] == ["bundles/000001-", "bundles/000002-"]


def test_a_conflict_is_exit_3_as_on_a_plain_remote(crypt: Crypt) -> None:
    rel = "checkins/2026/2026-11-24-bob.md"
    crypt.write("bob", rel, checkin_text("bob", body="First words."))
    ok(crypt.sync("bob"))
    ok(crypt.sync("alice"))
    crypt.write("bob", rel, checkin_text("bob", body="Bob's change."))
    crypt.write("alice", rel, checkin_text("bob", body="Alice's change."))
    git(crypt.alice, "-c", "commit.gpgsign=false", "commit", "-qam", "edit")
    ok(crypt.sync("bob"))
    res = crypt.sync("alice")
    assert res.exit_code == 3, (res.stdout, res.stderr)
    copies = list((crypt.alice / "checkins/2026").glob("*.conflict-bob-*.md"))
    assert len(copies) == 1 and "Bob's change." in copies[0].read_text()
    ok(crypt.sync("bob"))
    assert (crypt.bob / "checkins/2026" / copies[0].name).is_file()
    assert_no_plaintext(crypt, "First words", "change.")
    fast_forwards_only(crypt.remote)


def test_a_fresh_clone_opens_the_remote_with_the_partners_key(crypt: Crypt, tmp_path: Path) -> None:
    crypt.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body="Otter."))
    ok(crypt.sync("bob"))
    target = tmp_path / "alice-again"
    key = str(crypt.keys["alice"])
    res = invoke(["--as", "alice", "clone", str(crypt.remote), str(target), "--identity", key])
    ok(res)
    assert "Otter." in (target / "checkins/2026/2026-11-24-bob.md").read_text()
    assert git(target, "rev-parse", "HEAD") == git(crypt.bob, "rev-parse", "HEAD")
    git(target, "config", "user.signingkey", key + ".pub")
    target_sync = invoke(["sync"], vault=target, as_partner="alice")
    ok(target_sync)
    assert "Up to date" in target_sync.stdout
    write(target, "checkins/2026/2026-11-24-alice.md", checkin_text("alice", body="Kestrel."))
    ok(invoke(["sync"], vault=target, as_partner="alice"))
    ok(crypt.sync("bob"))
    assert (crypt.bob / "checkins/2026/2026-11-24-alice.md").is_file()
    assert_no_plaintext(crypt, "Otter", "Kestrel")


def test_a_clone_with_a_key_that_opens_nothing_is_refused(crypt: Crypt, tmp_path: Path) -> None:
    stranger = keygen(tmp_path / "keys" / "eve")
    target = tmp_path / "eve"
    res = invoke(
        ["--as", "alice", "clone", str(crypt.remote), str(target), "--identity", str(stranger)]
    )
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert "bundles/000001-" in res.stderr and "does not open with your key" in res.stderr
    assert not target.exists()


def test_remote_encrypt_refuses_a_remote_with_a_plain_history(crypt: Crypt) -> None:
    res = invoke(["remote", "encrypt", str(crypt.plain)], vault=crypt.bob, as_partner="bob")
    assert res.exit_code == 1
    assert "already holds a plain history" in res.stderr
    assert "Create a new, empty private repository" in res.stderr
    assert git(crypt.bob, "remote", "get-url", "origin") == str(crypt.remote)


def test_remote_encrypt_tells_a_partner_without_a_key_to_add_one(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    url = str(bare_remote(tmp_path / "crypt.git"))
    res = invoke(["remote", "encrypt", url], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 1
    assert "has no signing key in force" in res.stderr and "openbook keys add" in res.stderr
    assert git(pair.bob, "remote", "get-url", "origin") == str(pair.remote)


@pytest.mark.slow
def test_a_clone_of_many_bundles_applies_them_as_one_batch(crypt: Crypt, tmp_path: Path) -> None:
    from openbook.sync import encrypted

    for day in range(1, encrypted.BULK + 3):
        rel = f"checkins/2026/2026-10-{day:02d}-bob.md"
        write(crypt.bob, rel, checkin_text("bob", day=f"2026-10-{day:02d}", body=f"Day {day}."))
        git(crypt.bob, "add", "--", rel)
        git(crypt.bob, "commit", "-q", "-m", f"day {day}")
        assert encrypted.push(crypt.bob, "origin", "main", git(crypt.bob, "rev-parse", "HEAD"))
    assert len(bundle_names(crypt.remote)) == encrypted.BULK + 3
    target = tmp_path / "alice-again"
    key = str(crypt.keys["alice"])
    ok(invoke(["--as", "alice", "clone", str(crypt.remote), str(target), "--identity", key]))
    assert git(target, "rev-parse", "HEAD") == git(crypt.bob, "rev-parse", "HEAD")
    assert len(list((target / ".git/objects/pack").glob("*.pack"))) < 5
    ok(crypt.sync("alice"))
    assert "Day 22." in (crypt.alice / "checkins/2026/2026-10-22-bob.md").read_text()
    assert_no_plaintext(crypt, "Day 1.")


def test_sync_check_says_what_would_come_and_changes_nothing(crypt: Crypt) -> None:
    crypt.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    ok(crypt.sync("bob"))
    head = git(crypt.alice, "rev-parse", "HEAD")
    res = ok(crypt.sync("alice", "--check", "--json"))
    assert '"behind": 1' in res.stdout
    assert git(crypt.alice, "rev-parse", "HEAD") == head
    ok(crypt.sync("alice"))
    assert git(crypt.alice, "rev-parse", "HEAD") == git(crypt.bob, "rev-parse", "HEAD")


def test_a_plain_git_push_goes_only_to_the_encrypted_branch(crypt: Crypt) -> None:
    crypt.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body="Quince."))
    git(crypt.bob, "add", "-A")
    git(crypt.bob, "commit", "-qm", "by hand")
    before = git(crypt.remote, "rev-parse", "main")
    git(crypt.bob, "push", "-q", "origin")  # pushes the encrypted commit it already holds
    assert git(crypt.remote, "rev-parse", "main") == before
    assert_no_plaintext(crypt, "Quince")
    ok(crypt.sync("bob"))
    assert_no_plaintext(crypt, "Quince")


def test_remote_encrypt_names_a_key_type_age_cannot_encrypt_to(tmp_path: Path) -> None:
    import subprocess

    pair = make_pair(tmp_path)
    bob = keygen(tmp_path / "keys" / "bob")
    ok(invoke(["keys", "add", f"{bob}.pub"], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    alice = tmp_path / "keys" / "alice"
    args = ["ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-C", "alice", "-f", str(alice)]
    subprocess.run(args, check=True, capture_output=True)
    ok(invoke(["keys", "add", f"{alice}.pub"], vault=pair.alice, as_partner="alice"))
    ok(pair.sync("alice"))
    ok(pair.sync("bob"))
    url = str(bare_remote(tmp_path / "crypt.git"))
    res = invoke(["remote", "encrypt", url], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 1
    assert "ecdsa-sha2-nistp256" in res.stderr and "ssh-ed25519 or ssh-rsa" in res.stderr


def test_a_clone_without_a_key_says_to_give_one(crypt: Crypt, tmp_path: Path) -> None:
    target = tmp_path / "nokey"
    res = invoke(["--as", "alice", "clone", str(crypt.remote), str(target)])
    assert res.exit_code == 1
    assert "is an encrypted remote" in res.stderr and "--identity" in res.stderr
    assert not target.exists()
