"""Sync between two partners' clones: real git, a bare remote, git daemon."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from testing import (
    AGREEMENT,
    NOTE_PATHS,
    Pair,
    agreement_text,
    checkin_text,
    git,
    invoke,
    make_pair,
    make_vault,
    subjects,
    trailers,
    valid_note,
    write,
)

from openbook.errors import IntegrityAlert, OpenbookError
from openbook.sync.integrity import allowed_path
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
    assert "shared 1 change" in res.stdout
    head = git(bob, "rev-parse", "HEAD")
    assert git(remote, "rev-parse", "main") == head
    assert git(bob, "rev-parse", "refs/openbook/seen/origin/main") == head
    backups = git(bob, "for-each-ref", "--format=%(objectname)", "refs/openbook/backup/")
    assert backups.splitlines() == [head]
    state = json.loads((bob / ".git/openbook/last-sync.json").read_text())
    assert state["exit_code"] == 0 and state["result"] == "shared 1 change"
    status = invoke(["status"], vault=bob, as_partner="bob")
    assert "Last sync: today 20:30, shared 1 change." in status.stdout


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
    assert res.exit_code == 0, res.stderr
    assert "received 1 change" in res.stdout
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


def test_both_edit_the_same_agreement_keeps_both_versions(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("first words"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    ours = agreement_text("Bob's wording")
    theirs = agreement_text("Alice's wording")
    pair.write("alice", AGREEMENT, theirs)
    pair.write("bob", AGREEMENT, ours)
    assert pair.sync("alice").exit_code == 0
    alice_commit = pair.head("alice")
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stderr
    copy = f"agreements/A-001-no-private-contact.conflict-alice-{alice_commit[:7]}.md"
    assert (pair.bob / AGREEMENT).read_text() == ours
    assert (pair.bob / copy).read_text() == theirs
    assert f"{AGREEMENT}: you both changed it" in res.stdout and copy in res.stdout
    for path in pair.bob.rglob("*.md"):
        assert "<<<<<<<" not in path.read_text() and ">>>>>>>" not in path.read_text()
    assert not (pair.bob / ".git/MERGE_HEAD").exists()
    assert git(pair.bob, "status", "--porcelain") == ""
    assert trailers(pair.bob)["Openbook-Action"] == "conflict"
    git(pair.bob, "merge-base", "--is-ancestor", alice_commit, "HEAD")
    assert pair.head("bob") == pair.remote_head()
    # the copy is listed until it is reconciled and deleted
    check = invoke(["check"], vault=pair.bob)
    assert "[conflict-copy]" in check.stdout
    assert copy in invoke(["status"], vault=pair.bob, as_partner="bob").stdout
    log = invoke(["log"], vault=pair.bob, as_partner="bob")
    assert "conflict agreements/A-001-no-private-contact.md" in log.stdout
    # Alice receives both; deleting the copy after reconciling is an ordinary change
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / copy).read_text() == theirs
    (pair.alice / copy).unlink()
    assert pair.sync("alice").exit_code == 0
    assert trailers(pair.alice)["Openbook-Action"] == "delete"
    assert pair.sync("bob").exit_code == 0
    assert not (pair.bob / copy).exists()


def test_modify_delete_keeps_the_modified_version(pair: Pair) -> None:
    pair.write("alice", AGREEMENT, agreement_text("first words"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    # openbook never records deleting a proposed agreement: the partner uses plain git
    git(pair.alice, "rm", "-q", AGREEMENT)
    git(
        pair.alice,
        "-c",
        "user.name=Alice Example",
        "-c",
        "user.email=alice@example.org",
        "commit",
        "-q",
        "-m",
        "drop it",
    )
    assert pair.sync("alice").exit_code == 0
    changed = agreement_text("Bob changed it")
    pair.write("bob", AGREEMENT, changed)
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stderr
    assert "Alice deleted it and you changed it; your version is kept" in res.stdout
    assert (pair.bob / AGREEMENT).read_text() == changed
    assert trailers(pair.bob)["Openbook-Action"] == "conflict"
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / AGREEMENT).read_text() == changed


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


def test_a_force_pushed_remote_is_an_integrity_alert(pair: Pair) -> None:
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    lost = pair.head("bob")
    git(pair.bob, "reset", "-q", "--hard", "HEAD~1")
    git(pair.bob, "push", "-q", "--force", "origin", "main")
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    refs_before = git(
        pair.alice,
        "for-each-ref",
        "--format=%(refname) %(objectname)",
        "refs/heads/",
        "refs/openbook/seen/",
    )
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert lost[:7] in res.stderr and "rewritten" in res.stderr
    git(pair.alice, "merge-base", "--is-ancestor", lost, "HEAD")
    # her own note was committed, nothing else moved
    assert subjects(pair.alice)[0] == "checkin: new checkins/2026/2026-11-24-alice.md"
    assert git(pair.alice, "rev-parse", "refs/openbook/seen/origin/main") == lost
    assert pair.remote_head() != pair.head("alice")
    assert git(pair.alice, "rev-parse", "HEAD~1") == refs_before.split()[1]
    check = pair.sync("alice", "--check")
    assert check.exit_code == 4 and "Rewrite detected" in check.stderr
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state["exit_code"] == 4


def test_a_deleted_remote_branch_is_an_integrity_alert(pair: Pair) -> None:
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert "gone from origin" in res.stderr


def test_an_unreachable_remote_keeps_the_work_locally(pair: Pair, tmp_path: Path) -> None:
    git(pair.alice, "remote", "set-url", "origin", str(tmp_path / "unplugged-drive" / "r.git"))
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    res = pair.sync("alice")
    assert res.exit_code == 5
    assert "Saved locally, 1 change waiting" in res.stderr
    assert subjects(pair.alice)[0] == "checkin: new checkins/2026/2026-11-24-alice.md"
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state["exit_code"] == 5 and "1 change waiting" in state["result"]


def test_a_closed_network_port_is_unreachable_without_prompting(pair: Pair) -> None:
    port = _free_port()
    git(pair.alice, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/remote.git")
    res = pair.sync("alice")
    assert res.exit_code == 5
    assert "Saved locally, 0 changes waiting" in res.stderr


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


def _attacker_push(pair: Pair, tmp_path: Path, setup: str) -> Path:
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(pair.remote), str(evil))
    subprocess.run(["sh", "-c", setup], cwd=evil, check=True)
    git(evil, "add", "-A")
    git(evil, "commit", "-q", "-m", "checkin: new checkins/2026/evil.md")
    git(evil, "push", "-q", "origin", "main")
    return evil


def test_an_incoming_symlink_note_is_refused(pair: Pair, tmp_path: Path) -> None:
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("private journal\n")
    before = secret.stat()
    _attacker_push(pair, tmp_path, f"ln -s '{secret}' checkins/evil.md")
    head = pair.head("alice")
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert "a symbolic link at checkins/evil.md" in res.stderr
    assert not (pair.alice / "checkins/evil.md").exists()
    assert not (pair.alice / "checkins/evil.md").is_symlink()
    assert pair.head("alice") == head
    assert secret.read_text() == "private journal\n"
    assert secret.stat().st_mtime_ns == before.st_mtime_ns
    assert git(pair.alice, "status", "--porcelain") == ""


def test_incoming_files_outside_the_vault_folders_are_refused(pair: Pair, tmp_path: Path) -> None:
    _attacker_push(pair, tmp_path, "mkdir -p .githooks && echo 'rm -rf ~' > .githooks/post-merge")
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert ".githooks/post-merge, outside the vault's folders" in res.stderr
    assert not (pair.alice / ".githooks").exists()


def test_an_incoming_submodule_is_refused(pair: Pair, tmp_path: Path) -> None:
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(pair.remote), str(evil))
    git(
        evil,
        "update-index",
        "--add",
        "--cacheinfo",
        f"160000,{git(evil, 'rev-parse', 'HEAD')},checkins/sub",
    )
    git(evil, "commit", "-q", "-m", "sub")
    git(evil, "push", "-q", "origin", "main")
    res = pair.sync("alice")
    assert res.exit_code == 4
    assert "a submodule at checkins/sub" in res.stderr


@pytest.mark.parametrize(
    "path,ok",
    [
        ("openbook.yml", True),
        ("language.md", True),
        ("README.md", True),
        (".gitignore", True),
        ("checkins/2026/x.md", True),
        (".openbook/templates/checkin.md.j2", True),
        (".gitattributes", True),
        (".gitmodules", False),
        ("scripts/x.sh", False),
        (".openbook/hooks/x", False),
        ("journal/today.md", False),
        ("x.md", False),
    ],
)
def test_allowed_paths(path: str, ok: bool) -> None:
    assert allowed_path(path) is ok


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


def test_invalid_notes_stay_local_and_are_named(pair: Pair) -> None:
    pair.write("bob", "checkins/2026/2026-11-24-bob.md", checkin_text("bob", mood=9))
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "checkins/2026/2026-11-24-bob.md was not shared: it has errors" in res.stdout
    assert "checkins/2026/2026-11-24-bob.md" not in git(pair.remote, "ls-tree", "-r", "main")


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


def test_integrity_alert_raised_by_the_api(pair: Pair) -> None:
    seen = pair.head("alice")
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    with pytest.raises(IntegrityAlert) as err:
        sync(Vault(pair.alice), "alice")
    assert str(err.value) == (
        f"The branch main is gone from origin, though this clone saw it at {seen[:7]}; nothing "
        "was merged or pushed and your history is untouched. Talk with your partner before "
        "syncing again (README, 'Sharing with your partner', exit code 4)."
    )
    # the fetched-head ref is gone again, the seen head kept
    assert git(pair.alice, "for-each-ref", "refs/openbook/incoming/") == ""
    assert git(pair.alice, "rev-parse", "refs/openbook/seen/origin/main") == seen


# ---------------------------------------------------------------------- git daemon


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DAEMON = Path("/usr/lib/git-core/git-daemon")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    if not DAEMON.exists() and shutil.which("git-daemon") is None:
        pytest.skip("git-daemon is not installed")
    base = tmp_path / "served"
    base.mkdir()
    port = _free_port()
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={base}",
            "--export-all",
            "--enable=receive-pack",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield base, port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_same_flow_over_git_daemon(tmp_path: Path, daemon: tuple[Path, int]) -> None:
    base, port = daemon
    url = f"git://127.0.0.1:{port}/remote.git"
    work = tmp_path / "w"
    work.mkdir()
    from testing import bare_remote

    bare_remote(base / "remote.git")
    remote = base / "remote.git"
    bob = make_vault(work / "bob", "bob")
    git(bob, "remote", "add", "origin", url)
    assert invoke(["sync"], vault=bob, as_partner="bob").exit_code == 0
    res = invoke(["clone", url, str(work / "alice")], as_partner="alice")
    assert res.exit_code == 0, res.stderr
    pair = Pair(remote, work / "alice", bob)
    pair.write("alice", AGREEMENT, agreement_text("first"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", AGREEMENT, agreement_text("alice"))
    pair.write("bob", AGREEMENT, agreement_text("bob"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 3
    assert pair.sync("alice").exit_code == 0
    assert pair.head("alice") == pair.head("bob") == pair.remote_head()
    copies = Vault(pair.alice).conflict_copies()
    assert len(copies) == 1
    assert copies[0].startswith("agreements/A-001-no-private-contact.conflict-alice-")


# ---------------------------------------------------------------------- property


def test_the_property_test_writes_only_valid_notes(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    for note_type, path in NOTE_PATHS.items():
        for n in (0, 7, 59):
            write(root, path, valid_note(note_type, f"bob wrote {n}", n))
            res = invoke(["check", str(root / path)], vault=root)
            assert res.exit_code == 0, res.stdout + res.stderr
            assert "0 errors, 0 warnings" in res.stdout, res.stdout


def test_no_note_content_is_ever_lost(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Random edits of valid notes of every type on both sides and syncs: whatever is in
    the work tree when a sync starts is afterwards in the union of the work trees and the
    history, and every sync ends in 0 (merged) or 3 (conflict copies)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from testing import files_in_history

    step = st.tuples(
        st.sampled_from(["alice", "bob"]),
        st.sampled_from(["edit", "delete", "sync"]),
        st.sampled_from(sorted(NOTE_PATHS)),
        st.integers(0, 999),
    )

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(step, min_size=1, max_size=5))
    def run(steps: list[tuple[str, str, str, int]]) -> None:
        pair = make_pair(tmp_path_factory.mktemp("prop"))

        def everything() -> set[str]:
            found: set[str] = set()
            for root in (pair.alice, pair.bob):
                found |= {
                    p.read_text().strip() for p in root.rglob("*.md") if ".git" not in p.parts
                }
                found |= {t.strip() for t in files_in_history(root)}
            return found

        for who, action, note_type, n in steps:
            root = pair.root(who)
            path = NOTE_PATHS[note_type]
            if action == "edit":
                pair.write(who, path, valid_note(note_type, f"{who} wrote {n}", n))
            elif action == "delete" and (root / path).exists():
                (root / path).unlink()
            else:
                # whatever is in the work tree when a sync starts must never be lost
                before = {
                    p.read_text().strip() for p in root.rglob("*.md") if ".git" not in p.parts
                }
                res = pair.sync(who)
                assert res.exit_code in (0, 3), res.stderr
                assert "was not shared" not in res.stdout, res.stdout
                missing = before - everything()
                assert not missing, f"lost by a sync of {who}: {missing}"
        for who in ("alice", "bob"):
            before = everything()
            res = pair.sync(who)
            assert res.exit_code in (0, 3), res.stderr
            assert before <= everything()

    run()


def test_files_outside_the_vault_folders_are_never_shared(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("bob", ".obsidian/app.json", "{}")
    pair.write("bob", "notes.txt", "mine")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "notes.txt was not shared" in res.stdout
    assert pair.sync("alice").exit_code == 0
    assert not (pair.alice / "notes.txt").exists()
