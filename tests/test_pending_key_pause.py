"""A pause signed by a replaced key not yet accepted counts at once (SPEC section 7): a
pause only ever removes expectations, and a partner who lost a laptop must still be able
to pause. Nothing else such a commit claims counts until the key is accepted."""

# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

from test_trust import keygen, keys, ok, signed  # noqa: F401
from testing import Pair, invoke


def test_a_pause_signed_by_a_pending_key_counts_at_once(signed: Pair, tmp_path: Path) -> None:
    new = keygen(tmp_path / "keys" / "bob-new")
    ok(invoke(["keys", "replace", str(new)], vault=signed.bob, as_partner="bob"))
    ok(invoke(["pause", "--all"], vault=signed.bob))
    ok(signed.sync("bob"))
    ok(signed.sync("alice"))
    check = invoke(["check"], vault=signed.alice)
    assert "consent-unproven" not in check.stdout, check.stdout
    status = invoke(["status"], vault=signed.alice).stdout
    assert "Paused by Bob Example since" in status, status
