"""The remote side of sync: a rewritten or deleted shared history (exit 4), an address
that holds no repository (exit 1, "check the address"), a network that is down (exit 5),
and the whole flow over git daemon."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
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
    subjects,
)

from openbook.errors import IntegrityAlert
from openbook.sync.run import sync
from openbook.vault import Vault


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


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


def test_integrity_alert_raised_by_the_api(pair: Pair) -> None:
    seen = pair.head("alice")
    git(pair.remote, "update-ref", "-d", "refs/heads/main")
    with pytest.raises(IntegrityAlert) as err:
        sync(Vault(pair.alice), "alice")
    assert str(err.value) == (
        f"The branch main is gone from origin, though this clone saw it at {seen[:7]}; nothing "
        "was merged or pushed and your history is untouched. Talk with your partner before "
        "syncing again; 'openbook doctor' shows the safe ways forward."
    )
    # the fetched-head ref is gone again, the seen head kept
    assert git(pair.alice, "for-each-ref", "refs/openbook/incoming/") == ""
    assert git(pair.alice, "rev-parse", "refs/openbook/seen/origin/main") == seen


def not_a_repository(remote: str) -> str:
    return (
        f"openbook: origin ({remote}) is not a git repository: check the address with "
        "'git remote -v' and correct it with 'git remote set-url origin URL'. Your work is "
        "committed here.\n"
    )


@pytest.mark.parametrize("kind", ["missing", "plain folder", "file"])
def test_an_address_without_a_repository_is_exit_1(pair: Pair, tmp_path: Path, kind: str) -> None:
    """A path that does not exist, a folder that is not a repository, a file: the address
    is wrong, not the network; the note is committed locally all the same."""
    where = tmp_path / "unplugged-drive" / "r.git"
    if kind == "plain folder":
        where.mkdir(parents=True)
    elif kind == "file":
        where.parent.mkdir(parents=True)
        where.write_text("not a repository\n")
    git(pair.alice, "remote", "set-url", "origin", str(where))
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    res = pair.sync("alice")
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", not_a_repository(str(where)))
    assert subjects(pair.alice)[0] == "checkin: new checkins/2026/2026-11-24-alice.md"
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state == {"time": "2026-11-24T20:30:00+01:00", "result": "failed", "exit_code": 1}
    check = pair.sync("alice", "--check")
    assert (check.exit_code, check.stderr) == (1, not_a_repository(str(where)))


def test_a_closed_network_port_is_unreachable_without_prompting(pair: Pair) -> None:
    port = _free_port()
    git(pair.alice, "remote", "set-url", "origin", f"git://127.0.0.1:{port}/remote.git")
    res = pair.sync("alice")
    assert res.exit_code == 5
    assert "Saved locally, 0 changes waiting" in res.stderr


def test_an_unreachable_network_keeps_the_work_locally(pair: Pair) -> None:
    git(pair.alice, "remote", "set-url", "origin", f"git://127.0.0.1:{_free_port()}/r.git")
    pair.write("alice", "checkins/2026/2026-11-24-alice.md", checkin_text("alice"))
    res = pair.sync("alice")
    assert (res.exit_code, res.stdout) == (5, "")
    assert res.stderr.startswith("Saved locally, 1 change waiting: could not reach origin (")
    assert res.stderr.endswith("). Sync again when you are online.\n")
    assert subjects(pair.alice)[0] == "checkin: new checkins/2026/2026-11-24-alice.md"
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state["exit_code"] == 5 and state["result"] == "remote unreachable, 1 change waiting"


def test_clone_of_an_address_without_a_repository_is_exit_1(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere.git"
    res = invoke(["clone", str(nowhere), str(tmp_path / "a")], as_partner="alice")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {nowhere} is not a git repository: check the address; nothing was cloned.\n",
    )
    assert not (tmp_path / "a").exists()


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


@pytest.mark.slow
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


def test_a_daemon_without_that_repository_is_exit_1(
    tmp_path: Path, daemon: tuple[Path, int]
) -> None:
    """The server answers, but has no such repository: check the address, exit 1."""
    _, port = daemon
    bob = make_vault(tmp_path / "bob", "bob")
    url = f"git://127.0.0.1:{port}/nothing-here.git"
    git(bob, "remote", "add", "origin", url)
    res = invoke(["sync"], vault=bob, as_partner="bob")
    assert (res.exit_code, res.stdout, res.stderr) == (1, "", not_a_repository(url))
