"""The receiving partner is told what arrived, by kind (SPEC 5): `Received 3 changes from
Alice: 1 check-in, 1 answer to Q-0007, 1 conflict copy to reconcile`, one line per shared
setting the partner changed, and the same lines in `watch --sync-every` events. Trailers
are hints only; the partner is the commit's author, found by email in openbook.yml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import (
    AGREEMENT,
    Pair,
    agreement_text,
    checkin_text,
    git,
    invoke,
    make_pair,
    question_text,
    write,
)
from testing.plain import commit, commit_and_push, push

from openbook.vault import Vault
from openbook.watch.loop import Watcher

NOTE = "checkins/2026/2026-11-24-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def test_what_arrived_by_kind(pair: Pair) -> None:
    pair.write("bob", "questions/Q-0007.md", question_text("Q-0007", asked_by="bob", to="alice"))
    pair.write("bob", AGREEMENT, agreement_text("First words.", proposed_by="bob"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    pair.write("bob", AGREEMENT, agreement_text("Bob's words.", proposed_by="bob"))
    assert pair.sync("bob").exit_code == 0
    answered = invoke(["answer", "Q-0007", "--text", "At my sister's."], vault=pair.alice)
    assert answered.exit_code == 0, answered.stderr
    pair.write("alice", NOTE, checkin_text("alice"))
    pair.write("alice", AGREEMENT, agreement_text("Alice's words.", proposed_by="bob"))
    assert pair.sync("alice").exit_code == 3  # her merge keeps Bob's version as a copy
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Received 4 changes from Alice: 1 check-in, 1 answer to Q-0007, 1 edited agreement, "
        "1 conflict copy to reconcile.\n"
    )
    data = json.loads(pair.sync("bob", "--json").stdout)
    assert data["arrivals"] == [] and data["received"] == 0  # nothing new the second time


def test_consent_and_deletions_are_told(pair: Pair) -> None:
    pair.write("bob", AGREEMENT, agreement_text("Words.", proposed_by="bob"))
    pair.write("bob", "checkins/2026/2026-11-23-bob.md", checkin_text("bob", "2026-11-23"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    accepted = invoke(["accept", "A-001", "--yes"], vault=pair.alice, as_partner="alice")
    assert accepted.exit_code == 0, accepted.stderr
    (pair.alice / "checkins/2026/2026-11-23-bob.md").unlink()
    assert pair.sync("alice").exit_code == 0
    res = pair.sync("bob")
    assert res.stdout == (
        "Received 2 changes from Alice: 1 acceptance of A-001, 1 deleted check-in.\n"
    )


def test_settings_changes_have_a_line_each(pair: Pair) -> None:
    files = {
        ".gitignore": (pair.alice / ".gitignore").read_text() + "*.bak\n",
        ".openbook/templates/checkin.md.j2": "## Feelings\n",
        "language.md": (pair.alice / "language.md")
        .read_text()
        .replace("timeout_word:\n", "timeout_word: pineapple\n"),
        "openbook.yml": (pair.alice / "openbook.yml").read_text().replace("48h", "24h"),
    }
    commit_and_push(pair.alice, "alice", files, "settings")
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    lines = res.stdout.splitlines()
    assert lines[:4] == [
        "Alice changed .gitignore.",
        "Alice added the check-in template.",
        "Alice changed language.md.",
        "Alice changed openbook.yml.",
    ]
    # a change of binding settings is a proposal, and sync names it (SPEC section 10)
    assert len(lines) == 5 and lines[4].startswith("Alice Example proposed new settings on ")
    assert "answers within 24h, was 48h" in lines[4]
    assert lines[4].endswith(
        "Nothing changes unless you accept; 'openbook accept settings' shows it, and you may "
        "say no."
    )
    status = json.loads((pair.bob / ".git/openbook/last-sync.json").read_text())
    assert status["result"] == "received 4 changes"


def test_trailers_are_hints_and_the_author_is_found_by_email(pair: Pair) -> None:
    write(pair.alice, NOTE, checkin_text("alice"))
    git(pair.alice, "add", "-A")
    forged = "checkin: answer\n\nOpenbook-Action: answer\nOpenbook-Partner: bob\n"
    git(pair.alice, "commit", "-q", "-m", forged)  # the test runner's identity: no partner
    push(pair.alice)
    res = pair.sync("bob")
    assert res.stdout == "Received 1 change from someone not in openbook.yml: 1 check-in.\n"
    write(pair.alice, NOTE, checkin_text("alice", mood=2))
    git(pair.alice, "add", "-A")
    commit(pair.alice, "alice", forged)
    push(pair.alice)
    res = pair.sync("bob")
    assert res.stdout == "Received 1 change from Alice: 1 edited check-in.\n"


def test_watch_sync_events_carry_the_same_lines(pair: Pair) -> None:
    pair.write("alice", NOTE, checkin_text("alice"))
    assert pair.sync("alice").exit_code == 0
    events: list[dict[str, object]] = []
    watcher = Watcher(Vault(pair.bob), "bob", sync_every=600, emit=events.append)
    assert watcher.sync_now() == 0
    (event,) = [e for e in events if e["event"] == "sync"]
    assert event["arrivals"] == ["Received 1 change from Alice: 1 check-in."]
    assert event["lines"] == ["Received 1 change from Alice: 1 check-in."]
    assert event["message"] == (
        "synced with your partner. Received 1 change from Alice: 1 check-in."
    )
