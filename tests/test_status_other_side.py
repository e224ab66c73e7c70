"""Nothing is hidden from the other partner: a pause, a request to retire, an agreement
deleted with plain git and an open timeout, each seen from the OTHER clone's `status`
(text and JSON) and agenda (Markdown, HTML and JSON) after a sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair
from testing.ritual import agenda_json, at, ok, section, status_json

ALICE_ENV = {
    "GIT_AUTHOR_NAME": "Alice Example",
    "GIT_AUTHOR_EMAIL": "alice@example.org",
    "GIT_COMMITTER_NAME": "Alice Example",
    "GIT_COMMITTER_EMAIL": "alice@example.org",
}


def act(pair: Pair, who: str, when: str, *args: str) -> str:
    res = invoke(
        list(args), vault=pair.root(who), as_partner=who, env={"OPENBOOK_COMMIT_DATE": when}
    )
    assert res.exit_code == 0, res.stderr
    return res.stdout


def synced(pair: Pair, *order: str) -> None:
    for who in order:
        res = pair.sync(who)
        assert res.exit_code == 0, res.stderr


@pytest.fixture(scope="module")
def pair(module_isolated: Path, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """Three agreements both have accepted; then Alice pauses A-002, Bob asks to retire
    A-001, Alice deletes A-003's file with plain git and calls a timeout. Built once: the
    tests only read it."""
    p = make_pair(tmp_path_factory.mktemp("other-side"))
    for title in ("Phone stays open", "Daily check-in", "No private contact"):
        act(
            p,
            "bob",
            at("2026-11-20", "10:00"),
            "new",
            "agreement",
            f"--set=title={title}",
            "--no-edit",
        )
    synced(p, "bob", "alice")
    for aid in ("A-001", "A-002", "A-003"):
        act(p, "alice", at("2026-11-20", "12:00"), "accept", aid, "--yes")
    synced(p, "alice", "bob")
    when = at("2026-11-21", "09:15")
    env = {"OPENBOOK_COMMIT_DATE": when, "OPENBOOK_NOW": "2026-11-21T09:15"}
    assert invoke(["pause", "A-002"], vault=p.alice, as_partner="alice", env=env).exit_code == 0
    act(p, "bob", at("2026-11-21", "10:00"), "retire", "A-001")
    git(p.alice, "rm", "-q", "agreements/A-003-no-private-contact.md")
    stamp = {**ALICE_ENV, "GIT_AUTHOR_DATE": at("2026-11-22", "08:00")}
    git(
        p.alice,
        "commit",
        "-q",
        "-m",
        "tidy up",
        env={**stamp, "GIT_COMMITTER_DATE": at("2026-11-22", "08:00")},
    )
    act(p, "alice", at("2026-11-24", "20:10"), "new", "timeout", "--no-edit")
    synced(p, "alice", "bob", "alice")
    return p


def test_bob_sees_alices_pause_deletion_and_timeout(pair: Pair) -> None:
    data = status_json(pair.bob)
    assert data["agreements_paused"] == [
        {
            "id": "A-002",
            "title": "Daily check-in",
            "path": "agreements/A-002-daily-check-in.md",
            "paused_by": ["alice"],
            "since": at("2026-11-21", "09:15"),
        }
    ]
    deleted = data["agreements_deleted"]
    assert [(d["id"], d["status"], d["deleted_by"]) for d in deleted] == [
        ("A-003", "active", "alice")
    ]
    assert deleted[0]["deleted_at"] == at("2026-11-22", "08:00")
    assert [t["called_by"] for t in data["open_timeouts"]] == ["alice"]
    assert data["open_timeouts"][0]["return_by"].startswith("2026-11-24T")
    text = ok(["status"], pair.bob)
    assert "Nothing due for review and nothing waiting for consent" not in text
    assert (
        "  A-002 Daily check-in: paused by Alice Example since Sat 21 Nov 09:15; only Alice "
        "Example can end it." in text
    )
    assert (
        "  A-003 No private contact: its file was deleted by Alice Example on Sun 22 Nov 08:00 "
        "while active, without being retired; it is still in the history" in text
    )
    assert "Timeouts:\n  Alice Example: Timeout called Tue 24 Nov 20:30; back by 21:30." in text
    assert "  A-001 Phone stays open: you asked to retire it; waiting for Alice Example" in text


def test_alice_sees_bobs_request_to_retire(pair: Pair) -> None:
    data = status_json(pair.alice)
    assert data["agreements_retiring"] == [
        {
            "id": "A-001",
            "title": "Phone stays open",
            "path": "agreements/A-001-phone-stays-open.md",
            "requested_by": ["bob"],
            "waiting_for": ["alice"],
        }
    ]
    text = ok(["status"], pair.alice)
    assert (
        "  A-001 Phone stays open: Bob Example asked to retire it; waiting for you "
        "(openbook retire A-001)." in text
    )


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_agenda_names_all_of_it_on_both_sides(pair: Pair, who: str) -> None:
    root = pair.root(who)
    data = agenda_json(root)
    assert data["agreements_paused"] == ["A-002"]
    assert data["agreements_retiring"] == ["A-001"]
    assert data["agreements_deleted"] == ["A-003"]
    assert [t["called_by"] for t in data["open_timeouts"]] == ["alice"]
    text = ok(["agenda"], root)
    lines = section(text, "Agreements")
    assert lines[0].startswith("A-002 Daily check-in: paused by Alice Example since Sat 21 Nov")
    assert lines[1].startswith("A-001 Phone stays open: Bob Example asked to retire it")
    assert lines[2].startswith("A-003 No private contact: its file was deleted by Alice Example")
    assert any(
        line == "Timeout called Tue 24 Nov 20:30; back by 21:30."
        for line in section(text, "Transparency")
    )
    html = ok(["agenda", "--format", "html"], root)
    for aid in ("A-001", "A-002", "A-003"):
        assert f"<li>{aid} " in html
