"""Honest exit codes (SPEC 4, 5): when notes with errors, or the deletion of a binding
agreement, are left out of a sync, everything else is synced, the problems are printed
as `check` prints them, and sync exits 1."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from testing import AGREEMENT, Pair, agreement_text, checkin_text, git, invoke, make_pair

BAD = "checkins/2026/2026-11-24-bob.md"
GOOD = "checkins/2026/2026-11-23-bob.md"
MOOD = f"{BAD}:5:7: error: mood must be between 1 and 5, got 9 [field-value]"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def shared(pair: Pair) -> list[str]:
    return git(pair.remote, "ls-tree", "-r", "--name-only", "main").splitlines()


def test_a_note_with_errors_is_left_out_and_named_like_check(pair: Pair) -> None:
    pair.write("bob", BAD, checkin_text("bob", mood=9))
    pair.write("bob", GOOD, checkin_text("bob", "2026-11-23"))
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, "")
    assert res.stdout == (
        "Synced with origin: committed 1 change, shared 1 change.\n"
        f"{MOOD}\n"
        f"1 note with errors was not shared ({BAD}); fix it as shown above and sync again. "
        "Everything else was synced.\n"
    )
    check = invoke(["check", str(pair.bob / BAD)], vault=pair.bob)
    assert check.stdout.splitlines()[0] == MOOD
    assert GOOD in shared(pair) and BAD not in shared(pair)
    state = json.loads((pair.bob / ".git/openbook/last-sync.json").read_text())
    assert (state["exit_code"], state["result"]) == (
        1,
        "committed 1 change, shared 1 change, 1 change left out",
    )
    status = invoke(["status"], vault=pair.bob, as_partner="bob")
    assert (
        "Last sync: today 20:30, committed 1 change, shared 1 change, 1 change "
        "left out." in status.stdout
    )
    data = json.loads(pair.sync("bob", "--json").stdout)
    assert (data["exit_code"], data["refused"], data["problems"]) == (1, [BAD], [MOOD])
    # fixed: shared, exit 0
    pair.write("bob", BAD, checkin_text("bob"))
    fixed = pair.sync("bob")
    assert (fixed.exit_code, fixed.stdout) == (
        0,
        "Synced with origin: committed 1 change, shared 1 change.\n",
    )


def test_a_deleted_binding_agreement_is_not_recorded_and_named(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("Words."))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    (pair.bob / AGREEMENT).unlink()
    pair.write("bob", GOOD, checkin_text("bob", "2026-11-23"))
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, "")
    assert res.stdout == (
        "Synced with origin: committed 1 change, shared 1 change.\n"
        f"Not committed: deleting {AGREEMENT} would end A-001 without both of you; an "
        "agreement ends with 'openbook retire A-001'. The file stays deleted here; restore it "
        f"with 'git checkout -- {AGREEMENT}'.\n"
    )
    assert AGREEMENT in shared(pair) and GOOD in shared(pair)


def test_offline_still_names_what_was_left_out(pair: Pair) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.bob, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    pair.write("bob", BAD, checkin_text("bob", mood=9))
    res = pair.sync("bob")
    assert (res.exit_code, res.stdout) == (5, "")
    lines = res.stderr.splitlines()
    assert lines[0].startswith("Saved locally, 0 changes waiting: could not reach origin (")
    assert lines[1:] == [
        MOOD,
        f"1 note with errors was not shared ({BAD}); fix it as shown above and sync again.",
    ]


def test_a_conflict_outranks_a_note_left_out(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("First."))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", AGREEMENT, agreement_text("Alice's."))
    assert pair.sync("alice").exit_code == 0
    pair.write("bob", AGREEMENT, agreement_text("Bob's."))
    pair.write("bob", BAD, checkin_text("bob", mood=9))
    res = pair.sync("bob")
    assert res.exit_code == 3
    assert MOOD in res.stdout.splitlines()
