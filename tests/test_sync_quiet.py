"""A sync with nothing to do is answered from the refs (sync/quiet.py): the same words,
the same JSON and the same last-sync record as the full sync, in a handful of git
processes; anything new on either side still takes the full sync. Real git, a bare
remote, two clones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, invoke, make_pair
from testing.gitlog import counting_git
from testing.terminal import in_order, run_on_a_terminal

UP_TO_DATE = "Up to date with origin; nothing to share or receive.\n"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    made = make_pair(tmp_path)
    assert made.sync("alice").exit_code == 0  # Alice's clone has synced once
    return made


def test_nothing_to_do_says_up_to_date_in_a_few_git_processes(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = pair.sync("alice", "--json")  # the full sync notes that it had nothing to say
    log = counting_git(tmp_path, monkeypatch)
    quick = pair.sync("alice", "--json")
    assert quick.exit_code == 0, quick.stderr
    assert json.loads(quick.stdout) == json.loads(full.stdout)
    assert len(log.read_text().splitlines()) <= 6
    res = pair.sync("alice")
    assert (res.exit_code, res.stdout, res.stderr) == (0, UP_TO_DATE, "")
    state = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    assert state["result"] == "up to date" and state["exit_code"] == 0


def test_a_partner_commit_after_a_quiet_sync_still_arrives(pair: Pair) -> None:
    pair.sync("alice")
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    assert pair.head("alice") == pair.remote_head()
    assert (pair.alice / checkin_path("bob")).is_file()


def test_a_pending_note_after_a_quiet_sync_is_shared(pair: Pair) -> None:
    pair.sync("alice")
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    assert "shared 1 change" in res.stdout
    assert pair.remote_head() == pair.head("alice")


@pytest.mark.parametrize("how", ["an edit of a shared note", "a note in a new folder"])
def test_a_change_git_status_or_ls_files_lists_takes_the_full_sync(pair: Pair, how: str) -> None:
    """The quick answer asks for the changes and the untracked files apart: either one
    listed is work for the full sync."""
    path = checkin_path("alice")
    pair.write("alice", path, checkin_text("alice"))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("alice").stdout == UP_TO_DATE  # quiet again at this head
    if how == "an edit of a shared note":
        pair.write("alice", path, checkin_text("alice").replace("\n---\n", "\n---\nLater.\n", 1))
    else:  # untracked, in a folder git has never seen: ls-files finds it
        path = "checkins/2026/late/2026-11-23-alice.md"
        pair.write("alice", path, checkin_text("alice", "2026-11-23"))
    res = pair.sync("alice")
    assert "shared 1 change" in res.stdout, (res.stdout, res.stderr)
    assert git(pair.remote, "show", f"main:{path}") == (pair.alice / path).read_text().strip()


def test_a_hold_branch_on_the_remote_takes_the_full_sync(pair: Pair) -> None:
    pair.sync("alice")
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))
    git(pair.bob, "add", "--", checkin_path("bob"))
    env = {
        "GIT_AUTHOR_NAME": "Bob Example",
        "GIT_AUTHOR_EMAIL": "bob@example.org",
        "GIT_COMMITTER_NAME": "Bob Example",
        "GIT_COMMITTER_EMAIL": "bob@example.org",
    }
    git(pair.bob, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "checkin", env=env)
    git(pair.bob, "push", "-q", "origin", "HEAD:refs/heads/openbook/hold-bob")
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    assert (pair.alice / checkin_path("bob")).is_file()


def test_a_rewritten_remote_address_takes_the_full_sync(pair: Pair) -> None:
    pair.sync("alice")
    git(pair.alice, "config", "url.ext::sh -c touch% /tmp/pwned.insteadOf", str(pair.remote))
    res = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert res.exit_code == 1
    assert "is not a remote openbook can use" in res.stderr


def _many_from_bob(pair: Pair, count: int) -> None:
    """`count` small notes of Bob's, one commit each (git fast-import), pushed."""
    head = pair.head("bob")
    stamp = "Bob Example <bob@example.org> 1795000000 +0100"
    chunks = []
    for n in range(count):
        rel = f"repairs/2026/2026-11-22-bob-small-{n:04d}.md"
        text = (
            "---\ntype: repair\nauthor: bob\ndate: 2026-11-22\nkind: rupture\nstatus: open\n"
            f"---\n\nA small thing {n}.\n"
        ).encode()
        msg = f"repair: new {rel}\n".encode()
        chunk = f"commit refs/heads/main\nauthor {stamp}\ncommitter {stamp}\n".encode()
        chunk += b"data %d\n%s\n" % (len(msg), msg)
        if n == 0:
            chunk += f"from {head}\n".encode()
        chunk += f"M 100644 inline {rel}\n".encode() + b"data %d\n%s\n" % (len(text), text)
        chunks.append(chunk)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=pair.bob, input=b"".join(chunks), check=True
    )
    git(pair.bob, "reset", "-q", "--hard", "refs/heads/main")
    git(pair.bob, "push", "-q", "origin", "HEAD:main")


@pytest.mark.slow
def test_many_arriving_changes_are_named_on_a_terminal_first(pair: Pair) -> None:
    _many_from_bob(pair, 200)
    code, screen = run_on_a_terminal(pair.alice, ["sync"], b"", partner="alice")
    first, then = "Receiving 200 changes from origin; checking them...\n", "Received 200 changes"
    assert (code, in_order(screen, first, then)) == (0, True), screen


def test_verify_remembers_again_when_its_state_file_is_gone(pair: Pair) -> None:
    assert invoke(["verify"], vault=pair.alice, as_partner="alice").exit_code == 0
    state = pair.alice / ".git/openbook/verified.json"
    state.unlink()
    res = invoke(["verify"], vault=pair.alice, as_partner="alice")
    assert res.exit_code == 0, res.stderr
    assert json.loads(state.read_text())["commit"] == pair.head("alice")


def test_after_a_merge_the_next_sync_with_nothing_to_do_is_quiet(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    merged = pair.sync("alice")
    assert merged.exit_code == 0, merged.stderr
    assert len(git(pair.alice, "rev-parse", "HEAD^@").split()) == 2  # a merge commit
    log = counting_git(tmp_path, monkeypatch)
    res = pair.sync("alice")
    assert (res.exit_code, res.stdout) == (0, UP_TO_DATE)
    assert len(log.read_text().splitlines()) <= 6


def test_verify_with_nothing_new_says_what_it_said_and_starts_no_git(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = invoke(["verify"], vault=pair.alice, as_partner="alice")
    assert first.exit_code == 0, first.stderr
    log = counting_git(tmp_path, monkeypatch)
    again = invoke(["verify"], vault=pair.alice, as_partner="alice")
    assert (again.exit_code, again.stdout) == (0, first.stdout)
    assert log.read_text() == ""
