"""No dead ends (GUIDE invariant 9): a commit that does not verify never locks a partner
out. The receiver's own work travels on a hold branch, `sync --accept-unverified` admits
what did not verify, the sender's sync refuses to push what the partner would refuse, and
`doctor` re-signs such commits while they are still unshared."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_trust import ALICE_ID, BOB_ID, commit, keys, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke

pytestmark = pytest.mark.slow

BOB_NOTE = "checkins/2026/2026-11-24-bob.md"


def _unsigned_from_bob(pair: Pair, *, push: bool = True) -> str:
    sha = commit(pair.bob, BOB_NOTE, checkin_text("bob"), BOB_ID, "commit.gpgsign=false")
    if push:
        git(pair.bob, "push", "-q", "origin", "HEAD:main")
    return sha


def _alice_writes(pair: Pair) -> str:
    res = invoke(
        ["new", "checkin", "--set", "mood=4", "--no-edit"], vault=pair.alice, as_partner="alice"
    )
    assert res.exit_code == 0, res.stderr
    return pair.head("alice")


def _contains(root: Path, ancestor: str, rev: str = "HEAD") -> bool:
    args = ["git", "merge-base", "--is-ancestor", ancestor, rev]
    return subprocess.run(args, cwd=root, capture_output=True).returncode == 0


def _unverified(root: Path) -> list[str]:
    res = invoke(["verify", "--json"], vault=root)
    assert res.exit_code == 0, res.stdout
    return list(json.loads(res.stdout)["unverified"])


def test_an_unsigned_commit_no_longer_locks_the_partner_out(
    signed: Pair,  # noqa: F811
    tmp_path: Path,
) -> None:
    bad = _unsigned_from_bob(signed)
    mine = _alice_writes(signed)
    res = signed.sync("alice")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert not _contains(signed.alice, bad), "nothing of the remote's new history is merged"
    assert git(signed.remote, "rev-parse", "refs/heads/openbook/hold-alice") == mine
    said = res.stdout + res.stderr
    assert (
        "openbook/hold-alice" in said
        and "Your own 1 commit was shared on openbook/hold-alice, so Bob still receives it" in said
    )
    assert f"openbook sync --accept-unverified {bad[:7]}" in said

    # doctor tells the truth on the receiving side
    doc = invoke(["doctor"], vault=signed.alice, as_partner="alice")
    assert doc.exit_code == 1
    assert "All is well" not in doc.stdout
    assert bad[:7] in doc.stdout and "openbook sync --accept-unverified" in doc.stdout
    assert "openbook/hold-alice" in doc.stdout

    # Bob's sync fetches Alice's hold branch and merges it like main
    res = signed.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert _contains(signed.bob, mine)
    assert _contains(signed.remote, mine, "refs/heads/main")

    # only Alice admits what came into her copy
    res = invoke(["sync", "--accept-unverified", bad[:7]], vault=signed.alice, as_partner="bob")
    assert res.exit_code == 2
    res = invoke(["sync", "--accept-unverified", bad[:7]], vault=signed.alice, as_partner="alice")
    assert res.exit_code == 0, (res.stdout, res.stderr)
    assert _contains(signed.alice, bad)
    ack = git(signed.alice, "log", "-1", "--format=%H", "--grep=Openbook-Action: acknowledge")
    body = git(signed.alice, "log", "-1", "--format=%B", ack)
    assert f"Openbook-Unverified: {bad}" in body
    assert "Openbook-Partner: alice" in body
    assert git(signed.alice, "cat-file", "-p", ack).count("gpgsig") == 1

    assert signed.sync("bob").exit_code == 0
    assert signed.head("alice") == signed.head("bob") == signed.remote_head()
    assert bad in _unverified(signed.alice)
    assert bad in _unverified(signed.bob)
    fresh = tmp_path / "fresh"
    res = invoke(["--as", "alice", "clone", str(signed.remote), str(fresh)])
    assert res.exit_code == 0, res.stderr
    assert bad in _unverified(fresh)
    assert "unverified" in invoke(["verify"], vault=fresh).stdout
    # the admitted commit's text is marked in the log
    log = json.loads(invoke(["log", "--json"], vault=signed.alice).stdout)
    entries = [e for e in log if e["sha"].startswith(bad[:7])]
    assert entries and all("unverified" in e["marks"] for e in entries)
    assert "All is well" in invoke(["doctor"], vault=signed.alice).stdout
    # and wherever its text appears: the agenda and the export
    agenda = invoke(["agenda"], vault=signed.alice).stdout
    assert f"{BOB_NOTE} was written by 1 commit taken in without proof ({bad[:7]})" in agenda
    page = tmp_path / "export.html"
    res = invoke(["export", "--yes", "-o", str(page)], vault=signed.alice, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    assert "(unverified)" in page.read_text()


def test_the_sender_is_told_and_doctor_makes_the_commit_again(signed: Pair) -> None:  # noqa: F811
    bad = _unsigned_from_bob(signed, push=False)
    before = signed.remote_head()
    res = signed.sync("bob")
    assert res.exit_code == 1, (res.stdout, res.stderr)
    assert bad[:7] in res.stderr and "run 'openbook doctor'" in res.stderr
    assert signed.remote_head() == before, "nothing was pushed"

    doc = invoke(["doctor"], vault=signed.bob)
    assert doc.exit_code == 1 and "All is well" not in doc.stdout
    assert bad[:7] in doc.stdout and "openbook doctor --fix" in doc.stdout

    res = invoke(["doctor", "--fix", "--yes"], vault=signed.bob)
    assert res.exit_code == 0, (res.stdout, res.stderr)
    new = signed.head("bob")
    assert new != bad
    fmt = "--format=%T %P %an %ae %ad %cn %ce %cd %B"
    assert git(signed.bob, "log", "-1", fmt, new) == git(signed.bob, "log", "-1", fmt, bad)
    backups = git(signed.bob, "for-each-ref", "--format=%(objectname)", "refs/openbook/backup/")
    assert bad in backups.split()
    assert "gpgsig" in git(signed.bob, "cat-file", "-p", new)

    assert signed.sync("bob").exit_code == 0
    assert signed.remote_head() == new
    assert signed.sync("alice").exit_code == 0
    assert invoke(["verify"], vault=signed.alice).exit_code == 0


def test_doctor_never_says_all_is_well_while_sync_is_refused(signed: Pair) -> None:  # noqa: F811
    bad = _unsigned_from_bob(signed)
    assert signed.sync("alice").exit_code == 4
    for who in ("alice", "bob"):
        doc = invoke(["doctor"], vault=signed.root(who))
        assert doc.exit_code == 1, (who, doc.stdout)
        assert "All is well" not in doc.stdout
        assert bad[:7] in doc.stdout, (who, doc.stdout)
    # the sender is told that the partner's copy refuses it, and what the partner can do
    doc = invoke(["doctor"], vault=signed.bob).stdout
    assert "openbook sync --accept-unverified" in doc


def test_a_hold_branch_that_does_not_verify_never_stops_the_other_partner(
    signed: Pair,  # noqa: F811
) -> None:
    bad = commit(
        signed.alice,
        "checkins/2026/2026-11-24-alice.md",
        checkin_text("alice"),
        ALICE_ID,
        "commit.gpgsign=false",
    )
    git(signed.alice, "push", "-q", "origin", "HEAD:refs/heads/openbook/hold-alice")
    res = invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob)
    assert res.exit_code == 0
    res = signed.sync("bob")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert "Not merged from openbook/hold-alice" in res.stdout
    assert bad[:7] in res.stdout
    assert signed.remote_head() == signed.head("bob"), "Bob's own work went out"
    assert not _contains(signed.bob, bad)


def test_a_rewritten_history_still_lets_own_work_through(signed: Pair) -> None:  # noqa: F811
    res = invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob)
    assert res.exit_code == 0 and signed.sync("bob").exit_code == 0
    assert signed.sync("alice").exit_code == 0
    git(signed.bob, "push", "-q", "--force", "origin", "HEAD~1:main")  # drops a shared commit
    mine = _alice_writes(signed)
    res = signed.sync("alice")
    assert res.exit_code == 4
    assert "Shared history on origin was rewritten" in res.stderr
    assert "Your own 1 commit was shared on openbook/hold-alice" in res.stderr
    assert git(signed.remote, "rev-parse", "refs/heads/openbook/hold-alice") == mine
    doc = invoke(["doctor"], vault=signed.alice).stdout
    assert "openbook/hold-alice" in doc and "All is well" not in doc
