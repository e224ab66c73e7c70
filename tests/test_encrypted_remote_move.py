"""Moving a vault from a plain remote to an encrypted one (SPEC section 11): while one
partner has the encrypted remote and the other not yet, sync shares through both."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, bare_remote, checkin_text, git, invoke, make_pair
from testing.crypt import keygen, ok, remote_objects


def _enrolled(tmp_path: Path) -> tuple[Pair, str]:
    """Both partners' keys enrolled and shared, and an empty bare remote for the bundles."""
    pair = make_pair(tmp_path)
    for who in ("bob", "alice"):
        key = keygen(tmp_path / "keys" / who)
        ok(invoke(["keys", "add", f"{key}.pub"], vault=pair.root(who), as_partner=who))
        ok(pair.sync(who))
    ok(pair.sync("bob"))
    return pair, str(bare_remote(tmp_path / "crypt.git"))


@pytest.mark.slow
def test_sync_shares_through_both_remotes_while_moving(tmp_path: Path) -> None:
    pair, crypt = _enrolled(tmp_path)
    res = invoke(
        ["remote", "encrypt", crypt, "--remote", "crypt"], vault=pair.bob, as_partner="bob"
    )
    ok(res)
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", body="Saffron."))
    res = ok(pair.sync("bob"))  # the plain remote, then the encrypted one
    assert "crypt" in res.stdout
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice", body="Fennel."))
    ok(pair.sync("alice"))  # still on the plain remote only
    assert (pair.alice / "checkins/2026/2026-11-24-bob.md").is_file()
    ok(pair.sync("bob"))  # receives Alice's note, shares it encrypted too
    ok(
        invoke(
            ["remote", "encrypt", crypt, "--remote", "crypt"], vault=pair.alice, as_partner="alice"
        )
    )
    ok(pair.sync("alice"))
    ok(invoke(["sync", "--remote", "crypt"], vault=pair.bob, as_partner="bob"))
    assert git(pair.alice, "rev-parse", "HEAD") == git(pair.bob, "rev-parse", "HEAD")
    # both moved: the plain remote goes, the encrypted one takes its name
    for who in ("alice", "bob"):
        git(pair.root(who), "remote", "remove", "origin")
        git(pair.root(who), "remote", "rename", "crypt", "origin")
    pair.write("bob", "checkins/2026/2026-11-23-bob.md", checkin_text("bob", day="2026-11-23"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    assert (pair.alice / "checkins/2026/2026-11-23-bob.md").is_file()
    data = remote_objects(Path(crypt))
    for word in (b"Saffron", b"Fennel", b"Alice", b"bob@example.org", b"checkins/"):
        assert word not in data


@pytest.mark.slow
def test_sharing_only_encrypted_binds_once_both_accepted(tmp_path: Path) -> None:
    pair, crypt = _enrolled(tmp_path)
    for who in ("bob", "alice"):
        args = ["remote", "encrypt", crypt, "--remote", "crypt"]
        res = ok(invoke(args, vault=pair.root(who), as_partner=who))
        assert "'openbook propose sharing --encrypted'" in res.stdout
        ok(pair.sync(who))
    res = ok(invoke(["propose", "sharing", "--encrypted"], vault=pair.bob, as_partner="bob"))
    assert "sharing only through the encrypted remote" in res.stdout
    first = "checkins/2026/2026-11-24-bob.md"
    pair.write("bob", first, checkin_text("bob", body="Saffron."))
    ok(pair.sync("bob"))  # Alice has not accepted: the plain remote still gets it
    assert first in git(pair.remote, "ls-tree", "-r", "--name-only", "main")
    ok(pair.sync("alice"))
    ok(invoke(["accept", "settings", "--yes"], vault=pair.alice, as_partner="alice"))
    res = ok(pair.sync("alice"))
    assert "share only through the encrypted remote; 'origin' is left as it is" in res.stdout
    ok(pair.sync("bob"))
    later = "checkins/2026/2026-11-23-bob.md"
    pair.write("bob", later, checkin_text("bob", day="2026-11-23", body="Fennel."))
    ok(pair.sync("bob"))
    assert later not in git(pair.remote, "ls-tree", "-r", "--name-only", "main")
    ok(pair.sync("alice"))
    assert (pair.alice / later).is_file()
    assert b"Fennel" not in remote_objects(Path(crypt))


@pytest.mark.slow
def test_a_copy_without_the_encrypted_remote_is_told_to_add_it(tmp_path: Path) -> None:
    pair, crypt = _enrolled(tmp_path)
    ok(invoke(["remote", "encrypt", crypt, "--remote", "crypt"], vault=pair.bob, as_partner="bob"))
    ok(invoke(["propose", "sharing", "--encrypted"], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    ok(invoke(["accept", "settings", "--yes"], vault=pair.alice, as_partner="alice"))
    res = ok(pair.sync("alice"))  # Alice has only the plain remote
    assert "this copy has none yet: add it with 'openbook remote encrypt URL" in res.stdout
    again = ok(pair.sync("alice"))  # and not a quiet "up to date" the next time either
    assert "this copy has none yet" in again.stdout
