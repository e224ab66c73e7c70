"""Sync between two partners' clones, the everyday flow: first sync, nothing to do, both
add notes, a push race, busy states, `sync --check` and the API. Real git, a bare remote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
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
    make_vault,
    trailers,
    undated,
)
from testing.plain import commit_and_push

from openbook.errors import OpenbookError
from openbook.sync.run import sync
from openbook.vault import Vault


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def test_first_sync_pushes_and_records_seen_head(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    remote.mkdir()
    git(remote, "init", "-q", "--bare", "-b", "main")
    bob = make_vault(tmp_path / "bob", "bob")
    git(bob, "remote", "add", "origin", str(remote))
    res = invoke(["sync"], vault=bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    assert "shared 2 changes" in res.stdout  # the vault's first commit and Alice's joining
    head = git(bob, "rev-parse", "HEAD")
    assert git(remote, "rev-parse", "main") == head
    assert git(bob, "rev-parse", "refs/openbook/seen/origin/main") == head
    backups = git(bob, "for-each-ref", "--format=%(objectname)", "refs/openbook/backup/")
    assert backups.splitlines() == [head]
    state = json.loads((bob / ".git/openbook/last-sync.json").read_text())
    assert state["exit_code"] == 0 and state["result"] == "shared 2 changes"
    status = invoke(["status"], vault=bob, as_partner="bob")
    assert "Last sync: today 20:30, shared 2 changes." in status.stdout


def test_second_sync_with_nothing_to_do_says_so(pair: Pair) -> None:
    before = pair.head("alice")
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("Up to date with origin")
    assert pair.head("alice") == before


def test_both_add_notes_on_the_same_day(pair: Pair) -> None:
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    res = pair.sync("alice")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Received 1 change from Bob: 1 check-in.\n"
        "Synced with origin: committed 1 change, shared 2 changes.\n"
    )
    assert trailers(pair.alice)["Openbook-Action"] == "merge"
    assert trailers(pair.alice)["Openbook-Partner"] == "alice"
    assert git(pair.alice, "rev-list", "--count", "--merges", "HEAD") == "1"
    assert pair.sync("bob").exit_code == 0
    for who in ("alice", "bob"):
        root = pair.root(who)
        assert (root / "checkins/2026/2026-11-24-alice.md").is_file()
        assert (root / "checkins/2026/2026-11-24-bob.md").is_file()
        assert git(root, "status", "--porcelain") == ""
    assert pair.head("alice") == pair.head("bob") == pair.remote_head()


def test_a_push_race_is_retried_by_merging_again(pair: Pair) -> None:
    """Bob pushes between Alice's fetch and her push (from her pre-push hook)."""
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    git(pair.bob, "add", "-A")
    git(pair.bob, "commit", "-q", "-m", "checkin: new checkins/2026/2026-11-24-bob.md")
    marker = pair.alice.parent / "raced"
    hook = pair.alice / ".git/hooks/pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{marker}' ]; then touch '{marker}'; "
        f"git -C '{pair.bob}' push -q origin main; fi\nexit 0\n"
    )
    hook.chmod(0o755)
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    assert marker.exists()
    assert (pair.alice / "checkins/2026/2026-11-24-bob.md").is_file()
    assert pair.head("alice") == pair.remote_head()
    assert trailers(pair.alice)["Openbook-Action"] == "merge"


def test_mid_merge_is_refused_and_nothing_changes(pair: Pair) -> None:
    git(pair.alice, "checkout", "-q", "-b", "side")
    pair.write("alice", "README.md", "side\n")
    git(pair.alice, "add", "README.md")
    git(pair.alice, "commit", "-q", "-m", "side")
    git(pair.alice, "checkout", "-q", "main")
    git(pair.alice, "merge", "-q", "--no-ff", "--no-commit", "side")
    assert (pair.alice / ".git/MERGE_HEAD").exists()
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    head = pair.head("alice")
    res = pair.sync("alice")
    assert res.exit_code == 6
    assert "middle of a merge" in res.stderr
    assert pair.head("alice") == head
    assert (pair.alice / ".git/MERGE_HEAD").exists()
    assert "?? checkins/" in git(pair.alice, "status", "--porcelain")


def test_detached_head_is_refused(pair: Pair) -> None:
    git(pair.alice, "checkout", "-q", "--detach")
    res = pair.sync("alice")
    assert res.exit_code == 6
    assert "detached HEAD" in res.stderr


def test_a_held_lock_is_busy(pair: Pair) -> None:
    with Vault(pair.alice).lock():
        proc = subprocess.run(
            [sys.executable, "-m", "openbook", "--vault", str(pair.alice), "--as", "alice", "sync"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "OPENBOOK_LOCK_WAIT": "0.2"},
        )
    assert proc.returncode == 6, proc.stderr
    assert "Another openbook" in proc.stderr


def test_sync_check_reports_and_changes_nothing(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("first"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", AGREEMENT, agreement_text("alice"))
    assert pair.sync("alice").exit_code == 0
    pair.write("bob", AGREEMENT, agreement_text("bob"))
    git(pair.bob, "commit", "-q", "-am", "bob edits")
    refs = git(pair.bob, "for-each-ref")
    last = (pair.bob / ".git/openbook/last-sync.json").read_text()
    res = pair.sync("bob", "--check")
    assert res.exit_code == 0, res.stderr
    assert "Diverged from origin: 1 change here, 1 change there" in res.stdout
    assert f"conflicts expected in {AGREEMENT}" in res.stdout
    assert git(pair.bob, "for-each-ref") == refs
    assert (pair.bob / ".git/openbook/last-sync.json").read_text() == last
    data = json.loads(pair.sync("bob", "--check", "--json").stdout)
    assert data["ahead"] == 1 and data["behind"] == 1
    assert data["conflicts_expected"] == [AGREEMENT]


def test_sync_api_returns_a_result(pair: Pair) -> None:
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    result = sync(Vault(pair.bob), "bob")
    assert result.exit_code == 0
    assert result.committed == ["checkins/2026/2026-11-24-bob.md"]
    assert result.as_dict()["pushed"] == 1
    assert result.head == pair.remote_head()


def test_a_configured_ext_remote_is_refused(pair: Pair) -> None:
    git(pair.alice, "config", "remote.origin.pushurl", "ext::sh -c touch% /tmp/pwned")
    head = pair.head("alice")
    with pytest.raises(OpenbookError) as err:
        sync(Vault(pair.alice), "alice")
    assert type(err.value) is OpenbookError and err.value.exit_code == 1
    assert str(err.value) == (
        "'ext::sh -c touch% /tmp/pwned' is not a remote openbook can use; give an ssh://, "
        "https:// or git:// URL, user@host:path, or a local folder."
    )
    assert pair.head("alice") == head


def test_files_outside_the_vault_folders_are_never_shared(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("bob", ".obsidian/app.json", "{}")
    pair.write("bob", "notes.txt", "mine")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "notes.txt was not shared" in res.stdout
    assert pair.sync("alice").exit_code == 0
    assert not (pair.alice / "notes.txt").exists()


def test_an_edit_in_the_same_second_as_the_index_is_shared_not_overwritten(pair: Pair) -> None:
    """git trusts a file's stat data only when the file is older than the index. An edit
    of the same size made in the second the index was written must still be seen by the
    commit before the sync, or the incoming change would overwrite it."""
    old = time.time_ns() - 100 * 10**9
    config = pair.bob / "openbook.yml"
    os.utime(config, ns=(old, old))
    git(pair.bob, "update-index", "-q", "--refresh")
    theirs = (pair.alice / "openbook.yml").read_text().replace("at: '19:00'", "at: '18:00'")
    commit_and_push(pair.alice, "alice", {"openbook.yml": theirs}, "meeting at six")
    config.write_text(config.read_text().replace("answer_within: 48h", "answer_within: 24h"))
    for path in (config, pair.bob / ".git/index"):
        os.utime(path, ns=(old, old))
    res = pair.sync("bob")
    assert (res.exit_code, undated(res.stdout)) == (
        0,
        "Alice changed openbook.yml.\nSynced with origin: committed 1 change, shared 2 changes.\n"
        "New settings came together from both of your changes on DAY: answers within 24h, "
        "was 48h; meeting at 18:00, was 19:00. Nothing changes unless you both accept; each "
        "of you can read it with 'openbook accept settings' and say no.\n",
    )
    text = config.read_text()
    assert "answer_within: 24h" in text and "at: '18:00'" in text
