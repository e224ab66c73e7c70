"""Key changes on an encrypted remote (SPEC section 11): later bundles are encrypted to
the keys in force, and once a replaced key is accepted the next sync shares the whole
history to it, so a partner who lost a laptop can clone again with the new key."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import checkin_text, git, invoke
from testing.crypt import Crypt, assert_no_plaintext, bundle_names, keygen, ok


@pytest.mark.slow
def test_a_replaced_key_reads_everything_once_accepted(crypt: Crypt, tmp_path: Path) -> None:
    crypt.write(
        "alice",
        "checkins/2026/2026-11-23-alice.md",
        checkin_text("alice", day="2026-11-23", body="Before."),
    )
    ok(crypt.sync("alice"))
    new = keygen(crypt.base / "keys" / "bob-new")
    ok(invoke(["keys", "replace", f"{new}.pub"], vault=crypt.bob, as_partner="bob"))
    ok(crypt.sync("bob"))  # still encrypted to the keys in force: the new one is pending
    ok(crypt.sync("alice"))
    target = tmp_path / "bob-again"
    res = invoke(["--as", "bob", "clone", str(crypt.remote), str(target), "--identity", str(new)])
    assert res.exit_code == 4 and "does not open with your key" in res.stderr
    ok(invoke(["accept", "settings", "--yes"], vault=crypt.alice, as_partner="alice"))
    ok(crypt.sync("alice"))  # the whole history, to Alice's key and Bob's new one
    count = len(bundle_names(crypt.remote))
    res = invoke(["--as", "bob", "clone", str(crypt.remote), str(target), "--identity", str(new)])
    ok(res)
    assert git(target, "rev-parse", "HEAD") == git(crypt.alice, "rev-parse", "HEAD")
    assert "Before." in (target / "checkins/2026/2026-11-23-alice.md").read_text()
    # Bob's old copy reads the new bundles with the key it now signs with
    ok(crypt.sync("bob"))
    assert git(crypt.bob, "rev-parse", "HEAD") == git(crypt.alice, "rev-parse", "HEAD")
    # later bundles are encrypted to the keys in force, and only hold what is new
    crypt.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice", body="After."))
    ok(crypt.sync("alice"))
    assert len(bundle_names(crypt.remote)) == count + 1
    git(target, "config", "user.signingkey", f"{new}.pub")
    ok(invoke(["sync"], vault=target, as_partner="bob"))
    assert "After." in (target / "checkins/2026/2026-11-24-alice.md").read_text()
    assert_no_plaintext(crypt, "Before.", "After.")
