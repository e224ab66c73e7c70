"""Pauses live in history, and claims are judged through merges (SPEC section 10, GUIDE
invariants 9 and 10): only the partner who paused ends a pause, whatever the files say,
and a hand-made merge that chooses what its tree says is judged like any commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, agreement_text, git, invoke, make_pair, write
from testing.plain import commit, push

NOTE = "pauses/2026/2026-11-24-2030-alice.md"
LATER = {"OPENBOOK_NOW": "2026-11-25T09:00"}


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _alice_pauses_and_bob_has_it(pair: Pair) -> None:
    assert invoke(["pause", "--all"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0


def _status(root: Path) -> dict[str, object]:
    res = invoke(["status", "--json"], vault=root, env=LATER)
    assert res.exit_code == 0, res.stderr
    data: dict[str, object] = json.loads(res.stdout)
    return data


def test_a_pause_note_deleted_by_the_other_partner_still_holds(pair: Pair) -> None:
    _alice_pauses_and_bob_has_it(pair)
    git(pair.bob, "rm", "-q", "--", NOTE)
    sha = commit(pair.bob, "bob", "remove the pause")
    push(pair.bob)
    assert pair.sync("alice").exit_code == 0
    assert not (pair.alice / NOTE).exists()
    for root in (pair.alice, pair.bob):
        paused = _status(root)["paused"]
        assert isinstance(paused, dict), root
        assert paused["by"] == "alice"
        assert (
            f"Alice Example's pause note was deleted by Bob Example's commit {sha[:7]}; the "
            "pause still holds until Alice Example resumes." in paused["text"]
        )
        text = invoke(["status"], vault=root, env=LATER).stdout
        assert "Paused: nothing is expected." in text
        assert "was deleted by Bob Example's commit" in text
    # Alice still ends it, and only she does
    res = invoke(["resume"], vault=pair.alice, env=LATER)
    assert res.exit_code == 0, res.stderr
    assert _status(pair.alice)["paused"] is None


def test_resumed_written_by_the_other_partner_does_not_end_the_pause(pair: Pair) -> None:
    _alice_pauses_and_bob_has_it(pair)
    text = (pair.bob / NOTE).read_text().replace("resumed:", "resumed: 2026-11-24 21:00")
    write(pair.bob, NOTE, text)
    sha = commit(pair.bob, "bob", "end alice's pause")
    push(pair.bob)
    res = pair.sync("alice")  # the claim is named, and set aside
    assert res.exit_code == 1, res.stderr
    assert "only Alice's own commit gives Alice's consent (consent-unproven)" in res.stdout
    for root in (pair.alice, pair.bob):
        paused = _status(root)["paused"]
        assert isinstance(paused, dict), root
        assert f"edited by Bob Example's commit {sha[:7]}" in paused["text"]


def _sync_later(pair: Pair, who: str) -> None:
    res = invoke(["sync"], vault=pair.root(who), as_partner=who, env=LATER)
    assert res.exit_code == 0, res.stderr


def test_a_hand_made_merge_that_drops_resumed_is_the_merge_authors(pair: Pair) -> None:
    _alice_pauses_and_bob_has_it(pair)
    paused_text = (pair.bob / NOTE).read_text()
    assert invoke(["resume"], vault=pair.alice, env=LATER).exit_code == 0
    _sync_later(pair, "alice")
    # Bob makes a commit of his own, then merges Alice's resume by hand, dropping it
    write(pair.bob, "README.md", "bob's line\n")
    commit(pair.bob, "bob", "readme")
    git(pair.bob, "fetch", "-q", "origin")
    git(pair.bob, "merge", "-q", "--no-commit", "--no-ff", "origin/main")
    write(pair.bob, NOTE, paused_text)
    merge = commit(pair.bob, "bob", "merge")
    assert len(git(pair.bob, "rev-list", "--parents", "-1", merge).split()) == 3
    push(pair.bob)
    _sync_later(pair, "alice")
    for root in (pair.alice, pair.bob):
        assert _status(root)["paused"] is None, root


def test_a_hand_made_merge_that_deletes_a_pause_note_is_named(pair: Pair) -> None:
    _alice_pauses_and_bob_has_it(pair)
    # Alice adds a check-in; Bob makes a commit of his own, merges hers by hand and drops
    # the pause note in the merge
    assert (
        invoke(
            ["new", "checkin", "--no-edit", "--body", "Home at six."], vault=pair.alice
        ).exit_code
        == 0
    )
    _sync_later(pair, "alice")
    write(pair.bob, "README.md", "bob's line\n")
    commit(pair.bob, "bob", "readme")
    git(pair.bob, "fetch", "-q", "origin")
    git(pair.bob, "merge", "-q", "--no-commit", "--no-ff", "origin/main")
    git(pair.bob, "rm", "-q", "--", NOTE)
    merge = commit(pair.bob, "bob", "merge")
    assert len(git(pair.bob, "rev-list", "--parents", "-1", merge).split()) == 3
    push(pair.bob)
    _sync_later(pair, "alice")
    for root in (pair.alice, pair.bob):
        paused = _status(root)["paused"]
        assert isinstance(paused, dict), root
        assert (
            f"Alice Example's pause note was deleted by Bob Example's commit {merge[:7]}; the "
            "pause still holds until Alice Example resumes." in paused["text"]
        ), paused["text"]


def test_a_hand_made_merge_that_re_adds_a_withdrawn_acceptance_does_not_count(
    pair: Pair,
) -> None:
    path = "agreements/A-001-walks.md"
    text = agreement_text("Walk.", "Walks", proposed_by="bob", accepted_by=["bob"])
    both = text.replace("accepted_by: [bob]", "accepted_by: [bob, alice]")
    write(pair.bob, path, text)
    commit(pair.bob, "bob", "A-001")
    push(pair.bob)
    assert pair.sync("alice").exit_code == 0
    # Alice accepts, then withdraws (her own commits)
    write(pair.alice, path, both)
    commit(pair.alice, "alice", "accept")
    write(pair.alice, path, text)
    commit(pair.alice, "alice", "withdraw")
    push(pair.alice)
    # Bob makes his own commit, then a merge whose tree puts Alice back
    write(pair.bob, "README.md", "bob\n")
    commit(pair.bob, "bob", "readme")
    git(pair.bob, "fetch", "-q", "origin")
    git(pair.bob, "merge", "-q", "--no-commit", "--no-ff", "origin/main")
    write(pair.bob, path, both)
    merge = commit(pair.bob, "bob", "merge")
    res = invoke(["check", "--json"], vault=pair.bob)
    found = [
        p
        for p in json.loads(res.stdout)["problems"]
        if p["rule"] == "consent-unproven" and p["path"] == path
    ]
    assert found, res.stdout
    assert merge[:7] in found[0]["message"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    res = invoke(["demo", str(target)])
    assert res.exit_code == 0, res.stderr
    return target


def test_pausing_an_agreement_pauses_the_schedule_that_serves_it(demo: Path) -> None:
    agreement = demo / "agreements/A-002-daily-check-in.md"
    before = agreement.read_bytes()
    assert "Bob Example: a check-in is due today by 21:00." in invoke(["status"], vault=demo).stdout
    res = invoke(["pause", "A-002"], vault=demo)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (
        "A-002 is paused. Bob Example's daily check-ins serve A-002, so they pause too. It "
        "becomes active again when you run 'openbook resume A-002'.\n"
    )
    assert agreement.read_bytes() == before  # the agreement file is never edited
    note = git(demo, "show", "--name-only", "--format=", "HEAD")
    assert note == "pauses/2026/2026-11-24-2030-alice-a-002.md"
    assert "agreement: A-002" in (demo / note).read_text()
    status = invoke(["status"], vault=demo).stdout
    assert "Bob Example: no check-in is expected while A-002 is paused." in status
    assert "A-002 Bob checks in every day by 21:00: paused by you since Tue 24 Nov" in status
    assert invoke(["check"], vault=demo).exit_code == 0
    res = invoke(["resume", "A-002"], vault=demo, env=LATER)
    assert res.exit_code == 0, res.stderr
    assert (
        "Bob Example: a check-in is due today" in invoke(["status"], vault=demo, env=LATER).stdout
    )


def test_pausing_an_agreement_no_schedule_serves_says_check_ins_continue(demo: Path) -> None:
    res = invoke(["pause", "A-003"], vault=demo)
    assert res.exit_code == 0, res.stderr
    assert (
        "No check-in schedule serves A-003, so check-ins continue; to pause everything, run "
        "'openbook pause --all'." in res.stdout
    )


def test_the_demo_pause_of_a_004_is_alices_own_in_history(demo: Path) -> None:
    data = json.loads(invoke(["status", "--json"], vault=demo).stdout)
    assert [(a["id"], a["paused_by"]) for a in data["agreements_paused"]] == [("A-004", ["alice"])]


def test_status_says_the_partner_has_not_received_the_pause_until_sync(pair: Pair) -> None:
    assert invoke(["pause", "--all"], vault=pair.alice).exit_code == 0
    status = invoke(["status"], vault=pair.alice).stdout
    assert "Bob Example has not received it yet: run 'openbook sync'." in status
    assert "No check-in schedule is agreed" not in status
    assert "Paused: nothing is expected." in status
    agenda = invoke(["agenda"], vault=pair.alice).stdout
    assert "No check-in schedule is agreed" not in agenda
    assert pair.sync("alice").exit_code == 0
    status = invoke(["status"], vault=pair.alice).stdout
    assert "has not received it yet" not in status
    assert "Paused by you since" in status


def test_an_acceptance_taken_out_by_the_other_partner_still_counts(pair: Pair) -> None:
    path = "agreements/A-001-walks.md"
    text = agreement_text("Walk.", "Walks", proposed_by="bob", accepted_by=["bob"])
    both = text.replace("accepted_by: [bob]", "accepted_by: [bob, alice]").replace(
        "status: proposed", "status: active"
    )
    write(pair.bob, path, text)
    commit(pair.bob, "bob", "A-001")
    push(pair.bob)
    assert pair.sync("alice").exit_code == 0
    write(pair.alice, path, both)
    commit(pair.alice, "alice", "accept")
    push(pair.alice)
    assert pair.sync("bob").exit_code == 0
    write(pair.bob, path, text)  # Bob takes Alice's acceptance out
    sha = commit(pair.bob, "bob", "not yet")
    res = invoke(["check", "--json"], vault=pair.bob)
    found = [p for p in json.loads(res.stdout)["problems"] if p["rule"] == "consent-unproven"]
    assert [(p["path"], p["line"]) for p in found] == [(path, 7)]  # accepted_by
    assert found[0]["message"].startswith(
        "Alice Example's consent still counts: bob@example.org took Alice Example out of "
        f"accepted_by in commit {sha[:7]}"
    )
    status = invoke(["status"], vault=pair.bob).stdout
    assert "A-001 Walks: proposed" not in status
