"""sync verifies incoming commits when signatures are required: nothing forged is merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_trust import ALICE_ID, BOB_ID, commit, keys, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke


def _pushed_then_synced_by_alice(pair: Pair, sha: str) -> tuple[int, str]:
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    before = git(pair.alice, "rev-parse", "HEAD")
    res = invoke(["sync"], vault=pair.alice)
    assert git(pair.alice, "rev-parse", "HEAD") == before, "nothing was merged"
    return res.exit_code, res.stderr


@pytest.mark.parametrize(
    ("who", "config", "rule"),
    [
        (BOB_ID, ["commit.gpgsign=false"], "unsigned"),
        (ALICE_ID, [], "signer-not-committer"),
    ],
    ids=["unsigned", "as-alice-signed-by-bob"],
)
def test_sync_refuses_a_commit_that_does_not_verify(
    signed: Pair,  # noqa: F811
    who: dict[str, str],
    config: list[str],
    rule: str,
) -> None:
    author = who["email"].split("@")[0]
    sha = commit(signed.bob, "checkins/2026/x.md", checkin_text(author), who, *config)
    code, stderr = _pushed_then_synced_by_alice(signed, sha)
    assert code == 4
    assert stderr.startswith(f"openbook: Incoming commits from origin do not verify: {sha[:7]} ")
    assert f"[{rule}]" in stderr
    assert "Talk with each other before anything else" in stderr


def test_sync_merges_commits_that_verify(signed: Pair) -> None:  # noqa: F811
    assert (
        invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob).exit_code == 0
    )
    assert invoke(["sync"], vault=signed.bob).exit_code == 0
    res = invoke(["sync"], vault=signed.alice)
    assert res.exit_code == 0, res.stderr
    assert git(signed.alice, "rev-parse", "HEAD") == git(signed.bob, "rev-parse", "HEAD")


@pytest.mark.parametrize(
    "args",
    [
        ["new", "checkin", "--set", "mood=4", "--no-edit"],
        ["ask", "Can we talk on Sunday?", "--to", "alice"],
        ["commit"],
        ["pause", "--all"],
    ],
    ids=lambda a: a[0],
)
def test_a_key_that_cannot_sign_stops_every_write_before_it_writes(
    signed: Pair,  # noqa: F811
    tmp_path: Path,
    args: list[str],
) -> None:
    private = Path(git(signed.bob, "config", "user.signingkey")).with_suffix("")
    moved = tmp_path / "away"
    private.rename(moved)  # the private key is not on this machine right now
    try:
        if args == ["commit"]:
            (signed.bob / "checkins/2026").mkdir(parents=True, exist_ok=True)
            (signed.bob / "checkins/2026/2026-11-24-bob.md").write_text(checkin_text("bob"))
        before = signed.head("bob")
        res = invoke(args, vault=signed.bob)
        assert res.exit_code == 1, res.stdout
        assert res.stderr.startswith("openbook: This clone signs commits")
        assert res.stderr.rstrip().endswith("Nothing was written.")
        assert signed.head("bob") == before
    finally:
        moved.rename(private)
