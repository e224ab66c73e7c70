"""After an integrity alert: `openbook doctor` says what differs and the safe ways forward,
and `openbook doctor --accept-remote` then `openbook sync` bring both histories together
without losing a note of either side. The partner rewrites the remote with plain git."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, invoke, make_pair, question_text, write

PLAN = "plan-changes/2026/2026-11-24-1730-bob.md"
PLAN_TEXT = (
    "---\ntype: plan-change\nauthor: bob\nsent: 2026-11-24 16:00\nplan_at: 2026-11-24 17:30\n"
    "was: home at 17:30\nnow: home at 18:30\n---\n\nThe train is late.\n"
)
BOB_CHECKIN = "checkins/2026/2026-11-24-bob.md"
ALICE_Q = "questions/Q-0001.md"
ALICE_CHECKIN = "checkins/2026/2026-11-24-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _shared_then_rewritten(pair: Pair) -> str:
    """Bob and Alice share a check-in and a question (and Alice's merge of the two); then
    Bob drops all three from the remote with plain git and pushes a plan change instead.
    Returns the commit that Alice had seen on the remote and that is gone from it now."""
    pair.write("bob", BOB_CHECKIN, checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", ALICE_Q, question_text("Q-0001", asked_by="alice", to="bob"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    seen = pair.head("alice")
    git(pair.bob, "reset", "-q", "--hard", "HEAD~2")
    write(pair.bob, PLAN, PLAN_TEXT)
    git(pair.bob, "add", "--", PLAN)
    git(
        pair.bob,
        "-c",
        "user.name=Bob Example",
        "-c",
        "user.email=bob@example.org",
        "commit",
        "-q",
        "-m",
        "plan change",
    )
    git(pair.bob, "push", "-q", "--force", "origin", "main")
    return seen


def _notes(root: Path) -> set[str]:
    listed = git(root, "ls-files", "--", "checkins", "questions", "plan-changes").split()
    return {path for path in listed if path.endswith(".md")}


@pytest.mark.slow
def test_a_rewritten_remote_is_explained_and_recovered_with_openbook_commands(
    pair: Pair,
) -> None:
    lost = _shared_then_rewritten(pair)
    pair.write("alice", ALICE_CHECKIN, checkin_text("alice"))
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert "Run 'openbook doctor': it shows what differs and the safe ways forward" in res.stderr

    res = invoke(["doctor"], vault=pair.alice)
    assert res.exit_code == 1, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(
        f"The shared history on origin was rewritten: its main no longer holds {lost[:7]} ("
    )
    assert "  Missing on origin: 3 commits this clone had seen there, still in your copy:" in lines
    assert any(line.endswith(f"question: new {ALICE_Q}") for line in lines)
    assert any(line.endswith(f"checkin: new {BOB_CHECKIN}") for line in lines)
    assert "  New on origin: 1 commit your copy does not have yet:" in lines
    assert any(line.endswith("Bob Example: plan change") for line in lines)
    backups = [line for line in lines if line.startswith("  Backups: ")]
    assert backups and backups[0].endswith("so nothing lives only there.")
    assert (
        "    1. Keep both histories: run 'openbook doctor --accept-remote', then "
        "'openbook sync'. The 3 missing commits go back to origin, the new ones arrive here, "
        "and your partner's next sync receives it all."
    ) in lines
    assert "update-ref" not in res.stdout
    data = json.loads(invoke(["doctor", "--json"], vault=pair.alice).stdout)
    finding = data["findings"][0]
    assert finding["kind"] == "history-rewritten"
    assert finding["commands"] == ["openbook doctor --accept-remote", "openbook sync"]

    head_before = pair.head("alice")
    res = invoke(["doctor", "--accept-remote"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[1:] == [
        f"Accepted origin's new main ({pair.remote_head()[:7]}) as the shared history.",
        "Next: 'openbook sync' merges the two histories: 3 commits missing on origin come back, "
        "and 1 new commit from there arrives; nothing of either side is lost. Tell your "
        "partner what you did.",
    ]
    backup = res.stdout.split("Saved this clone's history as ", 1)[1].split(".\n", 1)[0]
    assert git(pair.alice, "rev-parse", backup) == head_before
    assert pair.head("alice") == head_before  # no commit moved

    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    everything = {BOB_CHECKIN, ALICE_Q, ALICE_CHECKIN, PLAN}
    assert _notes(pair.alice) == everything
    assert _notes(pair.bob) == everything
    assert pair.head("alice") == pair.head("bob") == pair.remote_head()
    git(pair.alice, "merge-base", "--is-ancestor", lost, "HEAD")
    for who in ("alice", "bob"):
        res = invoke(["doctor"], vault=pair.root(who))
        assert (res.exit_code, res.stdout) == (0, "All is well: this clone can write and sync.\n")


def test_a_deleted_remote_branch_is_shared_again(pair: Pair) -> None:
    pair.write("bob", BOB_CHECKIN, checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    assert pair.sync("alice").exit_code == 4
    res = invoke(["doctor"], vault=pair.alice)
    assert res.exit_code == 1
    assert res.stdout.startswith("The branch main is gone from origin, though this clone saw it")
    assert "'openbook doctor --accept-remote', then 'openbook sync'" in res.stdout
    res = invoke(["doctor", "--accept-remote"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "Next: 'openbook sync' shares your whole history as origin's main again" in res.stdout
    assert pair.sync("alice").exit_code == 0
    assert pair.remote_head() == pair.head("alice")
    assert pair.sync("bob").exit_code == 0
    assert _notes(pair.bob) == {BOB_CHECKIN}


def test_nothing_to_accept_when_the_remote_holds_everything(pair: Pair) -> None:
    refs = git(pair.alice, "for-each-ref")
    res = invoke(["doctor", "--accept-remote"], vault=pair.alice)
    assert (res.exit_code, res.stdout) == (
        0,
        "origin's main still holds everything this clone saw there; nothing to accept. "
        "Run 'openbook sync'.\n",
    )
    assert git(pair.alice, "for-each-ref") == refs


def test_an_unreachable_remote_is_named_with_the_next_command(pair: Pair, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on: the network is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.alice, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    res = invoke(["doctor", "--json"], vault=pair.alice)
    assert res.exit_code == 1
    (finding,) = json.loads(res.stdout)["findings"]
    assert finding["kind"] == "remote-unreachable"
    assert finding["commands"] == ["openbook sync"]
