"""pause --all: everything stops for both, no reason asked; only the pauser resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, invoke, make_pair, subjects, trailers
from testing.plain import commit_and_push

NOTE = "pauses/2026/2026-11-24-2030-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def test_pause_all_commits_a_pause_note_by_the_pauser(pair: Pair) -> None:
    res = invoke(["pause", "--all"], vault=pair.alice)
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Everything is paused for both of you until you run 'openbook resume': no check-in, "
        "answer or deadline is expected, and nothing is counted. No reason is needed.\n"
    )
    text = (pair.alice / NOTE).read_text()
    assert text.startswith(
        "---\ntype: pause\nby: alice\nsince: 2026-11-24 20:30\nuntil:\nresumed:\n---\n"
    )
    assert subjects(pair.alice)[0] == f"pause: new {NOTE}"
    assert trailers(pair.alice)["Openbook-Type"] == "pause"
    head = pair.head("alice")
    res = invoke(["pause", "--all"], vault=pair.alice)  # a pause is never refused
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Your pause since Tue 24 Nov 20:30 still holds; nothing new was written. End it with "
        "'openbook resume' when you are ready.\n"
    )
    assert pair.head("alice") == head


def test_only_the_partner_who_paused_can_resume(pair: Pair) -> None:
    assert invoke(["pause", "--all"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    res = invoke(["resume"], vault=pair.bob)
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: Paused by Alice Example since Tue 24 Nov 20:30; only Alice Example "
        "can end it, with 'openbook resume' on their own copy.\n"
    )
    res = invoke(["resume", "--json"], vault=pair.alice, env={"OPENBOOK_NOW": "2026-11-25T09:15"})
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["status"] == "resumed"
    assert "resumed: 2026-11-25 09:15" in (pair.alice / NOTE).read_text()
    res = invoke(["resume"], vault=pair.alice, env={"OPENBOOK_NOW": "2026-11-25T09:20"})
    assert res.stderr == "openbook: Nothing is paused right now; there is nothing to resume.\n"


def test_pause_until_a_day_ends_by_itself(pair: Pair) -> None:
    res = invoke(["pause", "--all", "--until", "2026-11-27"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "until 2026-11-27:" in res.stdout
    res = invoke(["resume"], vault=pair.bob, env={"OPENBOOK_NOW": "2026-11-28T10:00"})
    assert res.stderr == "openbook: Nothing is paused right now; there is nothing to resume.\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["pause"], "Give an agreement id (openbook pause A-004) or --all."),
        (["pause", "A-001", "--all"], "Give an agreement id (openbook pause A-004) or --all."),
        (["pause", "A-001", "--until", "2026-12-01"], "--until goes with --all."),
    ],
)
def test_pause_usage_errors(pair: Pair, args: list[str], error: str) -> None:
    res = invoke(args, vault=pair.bob)
    assert res.exit_code == 2
    assert res.stderr.endswith(f"Error: {error}\n")


def test_until_in_the_past_is_refused(pair: Pair) -> None:
    res = invoke(["pause", "--all", "--until", "2026-11-20"], vault=pair.bob)
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: --until 2026-11-20 is not in the future; give a later date, or leave it out.\n"
    )


def _status_paused(root: Path, who: str) -> dict[str, object] | None:
    res = invoke(["status", "--json"], vault=root, as_partner=who)
    paused = json.loads(res.stdout)["paused"]
    return paused if isinstance(paused, dict) else None


def test_the_other_partner_cannot_end_a_pause_with_plain_git(pair: Pair) -> None:
    """Bob paused; Alice writes `resumed:` into his pause note with plain git, as herself.
    Bob's sync merges it and sets it aside (exit 1: the claim does not count), the pause
    still holds on both clones, and `check` names the forged end."""
    note = "pauses/2026/2026-11-24-2030-bob.md"
    assert invoke(["pause", "--all"], vault=pair.bob).exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    text = (pair.alice / note).read_text()
    forged = text.replace("resumed:\n", "resumed: 2026-11-24 21:00\n")
    assert forged != text
    commit_and_push(pair.alice, "alice", {note: forged}, "end the pause")
    assert _status_paused(pair.alice, "alice") is not None
    check = invoke(["check"], vault=pair.alice, as_partner="alice")
    assert check.exit_code == 1
    assert (
        f"{note}:6:1: error: Bob Example is named as ending the pause, but alice@example.org wrote"
    ) in check.stdout
    res = pair.sync("bob")
    assert res.exit_code == 1, res.stdout + res.stderr
    assert "is named as ending the pause in " + note + "; it does not count" in res.stdout
    assert pair.remote_head() == pair.head("bob")
    assert _status_paused(pair.bob, "bob") is not None


def test_a_pause_written_in_the_other_partners_name_never_holds(pair: Pair) -> None:
    """Alice commits a pause note saying Bob paused: it holds for no one, and Bob's sync
    merges it and sets the claim aside."""
    note = "pauses/2026/2026-11-24-2000-bob.md"
    text = "---\ntype: pause\nby: bob\nsince: 2026-11-24 20:00\nuntil:\nresumed:\n---\n"
    commit_and_push(pair.alice, "alice", {note: text}, "pause as bob")
    assert _status_paused(pair.alice, "alice") is None
    assert (
        "named as the one who paused everything"
        in invoke(["check"], vault=pair.alice, as_partner="alice").stdout
    )
    res = pair.sync("bob")
    assert res.exit_code == 1, res.stdout + res.stderr
    assert "does not count" in res.stdout
    assert _status_paused(pair.bob, "bob") is None
