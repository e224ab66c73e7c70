"""`log` and `status` from the outside."""

from __future__ import annotations

import json
from pathlib import Path

from testing import (
    build_vault,
    checkin_path,
    checkin_text,
    git,
    invoke,
    write,
)


def test_log_marks_late_edits_and_deletions(vault: Path) -> None:
    rel = checkin_path("bob", "2026-11-20")
    write(vault, rel, checkin_text("bob", "2026-11-20", body="first"))
    first = {"OPENBOOK_COMMIT_DATE": "2026-11-20T20:00:00+01:00"}  # before the edit
    assert invoke(["commit"], vault=vault, env=first).exit_code == 0
    write(vault, rel, checkin_text("bob", "2026-11-20", body="changed"))
    late = {"OPENBOOK_COMMIT_DATE": "2026-11-24T20:00:00+01:00"}
    assert invoke(["commit"], vault=vault, env=late).exit_code == 0
    res = invoke(["log", "--json"], vault=vault)
    entries = json.loads(res.stdout)
    assert entries[0]["action"] == "edit" and entries[0]["late_edit"] is True
    assert entries[1]["action"] == "new" and entries[1]["late_edit"] is False
    (vault / rel).unlink()
    assert invoke(["commit"], vault=vault).exit_code == 0
    text = invoke(["log"], vault=vault).stdout.splitlines()
    assert "[deleted, still in history]" in text[0]
    assert "[late edit]" in text[1]
    alice = invoke(["log", "--partner", "alice"], vault=vault).stdout.strip().splitlines()
    assert len(alice) == 1 and alice[0].endswith("accept openbook.yml")  # her joining


def test_log_names_the_partner_and_time_of_a_plain_git_commit(vault: Path) -> None:
    day = "2026-11-20"
    alice_at = "2026-11-20T21:15:00+01:00"
    build_vault(
        vault,
        {checkin_path("alice", day): checkin_text("alice", day)},
        as_partner="alice",
        when=alice_at,
        message="alice's own commit",
    )
    build_vault(vault, {"README.md": "ours\n"}, when="2026-11-21T08:00:00+01:00", message="x")
    res = invoke(["log", "--json"], vault=vault)
    assert (res.exit_code, res.stderr) == (0, "")
    seen = [
        (e["date"], e["partner"], e["author"], e["action"], e["type"], e["paths"])
        for e in json.loads(res.stdout)[:2]
    ]
    assert seen == [
        ("2026-11-21T08:00:00+01:00", None, "Test Runner", "new", "file", ["README.md"]),
        (alice_at, "alice", "Alice Example", "new", "checkin", [checkin_path("alice", day)]),
    ]


def test_log_lists_the_partners_commits_that_arrived_through_a_merge(vault: Path) -> None:
    git(vault, "checkout", "-q", "-b", "alice-side")
    write(vault, checkin_path("alice"), checkin_text("alice"))
    assert invoke(["commit"], vault=vault, as_partner="alice").exit_code == 0
    git(vault, "checkout", "-q", "main")
    assert invoke(["new", "checkin", "--body", "Here.", "--no-edit"], vault=vault).exit_code == 0
    git(vault, "merge", "-q", "--no-ff", "--no-edit", "alice-side")
    entries = json.loads(invoke(["log", "--json"], vault=vault).stdout)
    assert entries[0]["merge"] is True and entries[0]["action"] == "merge"
    mine = {(e["partner"], e["action"], tuple(e["paths"])) for e in entries}
    assert ("alice", "new", ("checkins/2026/2026-11-24-alice.md",)) in mine
    assert ("bob", "new", ("checkins/2026/2026-11-24-bob.md",)) in mine


def test_status_json_lists_what_is_due(vault: Path) -> None:
    assert invoke(["ask", "Where were you?", "--to", "alice"], vault=vault).exit_code == 0
    write(vault, checkin_path("bob"), checkin_text("bob"))
    data = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert data["me"] == "bob"
    assert data["uncommitted"] == ["checkins/2026/2026-11-24-bob.md"]
    assert [q["id"] for q in data["open_questions"]] == ["Q-0001"]
    assert data["open_questions"][0]["overdue"] is False
    due = {c["partner"]: c["written"] for c in data["checkins"]}
    assert due == {"alice": False, "bob": True}


def test_status_text_names_people_and_says_you(vault: Path) -> None:
    assert invoke(["ask", "Where were you?", "--to", "alice"], vault=vault).exit_code == 0
    new = ["new", "agreement", "--set", "title=Phone stays open", "--no-edit"]
    assert invoke(new, vault=vault).exit_code == 0
    as_alice = invoke(["status"], vault=vault, as_partner="alice").stdout
    assert "Q-0001 for you, today, answer by Thu 26 Nov 20:30." in as_alice
    assert "A-001 Phone stays open: proposed, waiting for you (openbook accept A-001)." in as_alice
    as_bob = invoke(["status"], vault=vault).stdout
    assert "Q-0001 for Alice Example, today" in as_bob
    assert "waiting for Alice Example" in as_bob


def test_status_names_the_files_that_would_not_be_shared_and_why(vault: Path) -> None:
    write(vault, "notes.txt", "mine")
    write(vault, "drawings/plan.json", "{}")
    write(vault, checkin_path("bob"), checkin_text("bob"))
    lines = invoke(["status"], vault=vault).stdout.splitlines()
    why = (
        "because it is outside the vault's note folders. If it is a note, move it into its "
        "folder; if not, move it"
    )
    assert lines[-5:] == [
        "Uncommitted: 1 change (openbook commit records them).",
        f"  {checkin_path('bob')}",
        f"Not shared: drawings/plan.json, {why} out of the vault.",
        f"Not shared: notes.txt, {why} out of the vault.",
        "Last sync: never (openbook sync shares your notes with your partner).",
    ]
    data = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert data["uncommitted"] == [checkin_path("bob")]
    outside = "it is outside the vault's note folders"
    move = "If it is a note, move it into its folder; if not, move it out of the vault."
    assert data["not_shared"] == [
        {"path": "drawings/plan.json", "why": outside, "fix": move},
        {"path": "notes.txt", "why": outside, "fix": move},
    ]


def test_status_and_sync_name_a_note_commit_holds_back_and_why(vault: Path) -> None:
    """A new note with nothing written in it is not 'uncommitted': commit will not take it,
    so status says why and what to do, and sync names it instead of promising it."""
    blank = invoke(["new", "checkin", "--date", "2026-11-23"], vault=vault, env={"EDITOR": "true"})
    assert blank.exit_code == 0, blank.stderr
    rel = checkin_path("bob", "2026-11-23")
    lines = invoke(["status"], vault=vault).stdout.splitlines()
    assert "Uncommitted: nothing, everything is in the log." in lines
    assert (
        f"Not shared: {rel}, because nothing is written in it yet. Write in it, then run "
        "'openbook commit'."
    ) in lines
    data = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert data["uncommitted"] == []
    assert [i["path"] for i in data["not_shared"]] == [rel]
    remote = vault.parent / "remote.git"
    git(vault.parent, "init", "-q", "--bare", "-b", "main", str(remote))
    git(vault, "remote", "add", "origin", str(remote))
    res = invoke(["sync"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "saved during the sync" not in res.stdout
    assert f"{rel} was not committed: nothing is written in it yet" in res.stdout
