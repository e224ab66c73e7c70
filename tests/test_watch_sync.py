"""openbook watch with --sync-every: two clones, a bare remote, real time."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from testing import git, invoke, subjects
from testing.watching import NOTE, of_kind, settle_a_while, wait_for, watching

from openbook.vault import Vault

# ------------------------------------------------------------------------------ sync


def test_syncs_after_a_burst_of_commits(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
    assert [e["exit_code"] for e in of_kind(events, "sync")] == [0, 0]
    assert pair.remote_head() == pair.head("bob")
    assert NOTE in git(pair.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_an_unreachable_remote_is_calm_and_watch_keeps_committing(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the network is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.bob, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
    syncs = of_kind(events, "sync")
    assert [e["exit_code"] for e in syncs] == [5, 5]
    assert "committed here and will be shared at the next sync" in syncs[1]["message"]
    assert [e["path"] for e in of_kind(events, "committed")] == [NOTE]


@pytest.mark.slow
def test_an_integrity_alert_stops_syncing_but_not_committing(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    with watching(pair.bob, sync_every=0.5) as (watcher, events):
        wait_for(lambda: bool(of_kind(events, "sync")), "the sync at start")
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: bool(of_kind(events, "committed")), "the commit")
        settle_a_while()
        assert watcher.sync_stopped
    syncs = of_kind(events, "sync")
    assert len(syncs) == 1  # never again until the people have looked
    assert syncs[0]["exit_code"] == 4
    assert syncs[0]["message"].startswith("sync stopped")
    assert "restart watch" in syncs[0]["message"]
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_a_sync_conflict_keeps_both_and_watch_keeps_running(tmp_path: Path) -> None:
    from testing import AGREEMENT, agreement_text, checkin_text, make_pair

    pair = make_pair(tmp_path)
    pair.write("bob", AGREEMENT, agreement_text("First wording.", proposed_by="bob"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    # both change the agreement while apart: Alice shares hers, Bob's is saved, not yet shared
    pair.write("alice", AGREEMENT, agreement_text("Alice's wording.", proposed_by="bob"))
    assert pair.sync("alice").exit_code == 0
    pair.write("bob", AGREEMENT, agreement_text("Bob's wording.", proposed_by="bob"))

    def codes() -> list[int]:
        return [e["exit_code"] for e in of_kind(events, "sync")]

    with watching(pair.bob, sync_every=3600) as (_, events):
        wait_for(lambda: 3 in codes(), "the sync that keeps both versions")
        seen = len(codes())
        pair.write("bob", NOTE, checkin_text("bob"))
        wait_for(lambda: len(codes()) > seen, "a sync after the conflict")
    conflict = next(e for e in of_kind(events, "sync") if e["exit_code"] == 3)
    assert "reconcile the two together" in conflict["message"]
    assert codes()[-1] == 0, "watch keeps running and syncing after the conflict"
    assert NOTE in [e["path"] for e in of_kind(events, "committed")]
    copies = Vault(pair.bob).conflict_copies()
    assert len(copies) == 1 and copies[0].startswith("agreements/A-001-no-private-contact.")
    assert git(pair.bob, "status", "--porcelain") == ""


def test_once_with_sync_reports_an_unreachable_remote_as_exit_5(tmp_path: Path) -> None:
    from testing import checkin_text, make_pair

    pair = make_pair(tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the network is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    git(pair.bob, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/r.git")
    pair.write("bob", NOTE, checkin_text("bob"))
    res = invoke(["watch", "--once", "--sync-every", "10m"], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 5
    lines = res.stdout.splitlines()
    assert lines[0] == f"committed {NOTE}"
    assert lines[-1] == (
        "the remote could not be reached; your notes are committed here "
        "and will be shared at the next sync."
    )
    assert subjects(pair.bob)[0] == f"checkin: new {NOTE}"


def test_text_lines_are_short_and_calm() -> None:
    from openbook.commands.watch import format_event

    assert format_event({"event": "committed", "path": NOTE, "action": "edit"}) == [
        f"committed {NOTE}"
    ]
    assert format_event({"event": "committed", "path": NOTE, "action": "delete"}) == [
        f"committed the deletion of {NOTE}; it stays in the shared history"
    ]
    line = f"{NOTE}:5:7: error: mood must be between 1 and 5, got 9 [field-value]"
    shown = format_event({"event": "invalid", "path": NOTE, "lines": [line]})
    assert shown == [f"not committed {NOTE}: fix this and save again, watch commits it then", line]
    assert format_event({"event": "stopped"}) == ["stopped."]
