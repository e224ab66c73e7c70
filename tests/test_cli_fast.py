"""`openbook` answers a sync with nothing to do, a verify with nothing new and --version
before click, the YAML reader or the command tree load (commands/fast.py): the same
lines, streams and exit codes as the command line; anything else, or anything new, still
runs the command itself. Run as a real process, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, invoke, quiet_pair
from testing.gitlog import counting_git
from testing.process import run_openbook

UP_TO_DATE = "Up to date with origin; nothing to share or receive.\n"
_run = run_openbook


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return quiet_pair(tmp_path)


def test_a_sync_with_nothing_to_do_is_answered_before_click_loads(pair: Pair) -> None:
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    assert ran.light
    again = _run("sync", "--as", "alice", cwd=pair.alice / "checkins")  # found from a folder
    assert (again.code, again.stdout, again.stderr) == (0, UP_TO_DATE, "")
    assert again.light


def test_a_new_note_beside_an_untouched_index_takes_the_full_sync(pair: Pair) -> None:
    assert _run("--vault", str(pair.alice), "--as", "alice", "sync").light
    index = (pair.alice / ".git/index").stat()
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    assert (pair.alice / ".git/index").stat().st_mtime_ns == index.st_mtime_ns
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert ran.code == 0, ran.stderr
    assert "shared 1 change" in ran.stdout
    assert pair.remote_head() == pair.head("alice")
    assert not ran.light


def test_an_unknown_partner_is_told_as_the_command_line_tells_it(pair: Pair) -> None:
    ran = _run("--vault", str(pair.alice), "--as", "carol", "sync")
    said = invoke(["sync"], vault=pair.alice, as_partner="carol")
    assert (ran.code, ran.stdout, ran.stderr) == (2, said.stdout, said.stderr)
    assert "'carol' (from --as) is not a partner" in ran.stderr


def test_an_edited_openbook_yml_is_read_again(pair: Pair) -> None:
    yml = pair.alice / "openbook.yml"
    kept = yml.read_bytes()
    try:
        git(pair.alice, "update-index", "--assume-unchanged", "openbook.yml")
        yml.write_bytes(kept.replace(b"timezone:", b"timezone: Nowhere/Land\nold_tz:", 1))
        ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
        assert not ran.light  # the settings noted for the old file do not answer
    finally:
        yml.write_bytes(kept)
        git(pair.alice, "update-index", "--no-assume-unchanged", "openbook.yml")


def test_a_partner_commit_after_a_quiet_sync_still_arrives(pair: Pair) -> None:
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert ran.code == 0, ran.stderr
    assert pair.head("alice") == pair.remote_head()
    assert (pair.alice / checkin_path("bob")).is_file()


def test_verify_with_nothing_new_is_answered_before_click_loads(pair: Pair) -> None:
    said = invoke(["verify"], vault=pair.alice)
    assert said.exit_code == 0, said.stderr
    ran = _run("--vault", str(pair.alice), "verify")
    assert (ran.code, ran.stdout, ran.stderr) == (0, said.stdout, "")
    assert ran.light
    json_form = _run("--vault", str(pair.alice), "verify", "--json")
    assert json_form.code == 0 and not json_form.light


def test_verify_as_a_partner_in_force_is_answered_early_and_a_stranger_is_told(
    pair: Pair,
) -> None:
    said = invoke(["verify"], vault=pair.alice, as_partner="alice")
    assert said.exit_code == 0, said.stderr
    invoke(["status"], vault=pair.alice)  # the settings in force are remembered for HEAD
    ran = _run("--vault", str(pair.alice), "--as", "alice", "verify")
    assert (ran.code, ran.stdout, ran.stderr) == (0, said.stdout, "")
    assert ran.light
    stranger = _run("--vault", str(pair.alice), "--as", "carol", "verify")
    told = invoke(["verify"], vault=pair.alice, as_partner="carol")
    assert (stranger.code, stranger.stderr) == (2, told.stderr) and "carol" in told.stderr
    assert not stranger.light


def test_the_version_and_help_read_as_before(pair: Pair) -> None:
    ran = _run("--version")
    assert (ran.code, ran.stdout) == (0, invoke(["--version"]).stdout)
    assert ran.light
    helped = _run("sync", "--help")
    assert (helped.code, helped.stdout) == (0, invoke(["sync", "--help"]).stdout)


def test_a_held_vault_is_told_as_the_command_line_tells_it(pair: Pair) -> None:
    import fcntl

    with (pair.alice / ".git/openbook.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
        said = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert (ran.code, ran.stdout, ran.stderr) == (6, said.stdout, said.stderr)
    assert "Another openbook is working on this vault" in ran.stderr


def test_a_sync_with_work_asks_git_no_more_than_the_command_line(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = counting_git(tmp_path, monkeypatch)
    pair.write("alice", checkin_path("alice"), checkin_text("alice"))
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert ran.code == 0 and "shared 1 change" in ran.stdout, ran.stderr
    asked = log.read_text().splitlines()
    # a sync with work connects once, to fetch: the quick answer never asks the remote
    # before it knows the work tree is clean (no second connection, no second prompt)
    assert not [a for a in asked if a.startswith("ls-remote ")], asked
    log.write_text("")
    day = "2026-11-23"
    pair.write("alice", checkin_path("alice", day), checkin_text("alice", day=day))
    said = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert said.exit_code == 0 and "shared 1 change" in said.stdout, said.stderr
    there = log.read_text().splitlines()
    questions = ("for-each-ref ", "status ", "ls-files ", "ls-remote ", "config -z --get-regexp")
    for question in questions:
        assert sum(a.startswith(question) for a in asked) == sum(
            a.startswith(question) for a in there
        ), question


# what the no-op sync must not load: the heavy standard modules, the YAML reader, click,
# GitPython, and openbook's own heavy layers
HEAVY = {
    "dataclasses",
    "typing",
    "tempfile",
    "pathlib",
    "click",
    "yaml",
    "git",
    "openbook.vault",
    "openbook.config",
    "openbook.git.repo",
    "openbook.git.plumbing",
    "openbook.sync.refs",
    "openbook.commands.replay",
    "hashlib",
}


def test_a_sync_with_nothing_to_do_loads_only_what_it_needs(pair: Pair) -> None:
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    assert not HEAVY & ran.loaded, HEAVY & ran.loaded


def test_a_sync_with_nothing_to_do_asks_git_five_questions(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run("--vault", str(pair.alice), "--as", "alice", "sync").code == 0
    log = counting_git(tmp_path, monkeypatch)  # the backup at this head is made by now
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    asked = [line.split(" ", 1)[0] for line in log.read_text().splitlines()]
    assert sorted(asked) == ["config", "for-each-ref", "ls-files", "ls-remote", "status"]


def _cached_tree(root: Path) -> tuple[int, str]:
    """(files, tree id) of the whole work tree as git's index notes it (its TREE
    extension: the first entry is the top folder's)."""
    data = (root / ".git/index").read_bytes()
    at = data.index(b"TREE", 12)
    size = int.from_bytes(data[at + 4 : at + 8], "big")
    ext = data[at + 8 : at + 8 + size]
    path, rest = ext.split(b"\0", 1)
    counts, rest = rest.split(b"\n", 1)
    assert path == b""
    return int(counts.split()[0]), rest[:20].hex()


def test_a_quiet_sync_after_a_clone_leaves_the_index_as_a_commit_leaves_it(
    pair: Pair,
) -> None:
    files = len(git(pair.alice, "ls-files").splitlines())
    # git status then compares HEAD with the index in one step, not folder by folder
    assert _cached_tree(pair.alice) == (files, git(pair.alice, "rev-parse", "HEAD^{tree}"))
    assert git(pair.alice, "status", "--porcelain") == ""


def test_a_lock_file_left_under_refs_is_cleared_by_the_full_sync(pair: Pair) -> None:
    left = pair.alice / ".git/refs/openbook/seen/origin/main.lock"
    left.write_text("")
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    assert not left.exists() and not ran.light  # the command line cleared it
    again = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (again.code, again.stdout) == (0, UP_TO_DATE) and again.light


def test_a_vault_named_through_a_link_or_the_environment_is_answered_early(
    pair: Pair, tmp_path: Path
) -> None:
    link = tmp_path / "link"
    link.symlink_to(pair.alice)
    for ran in (
        _run("--vault", str(link), "--as", "alice", "sync"),
        _run("--as", "alice", "sync", env={"OPENBOOK_VAULT": f"{pair.alice}/"}),
        _run("sync", "--remote", "origin", cwd=link / "checkins"),  # openbook.partner
    ):
        assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
        assert ran.light
    said = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert (said.exit_code, said.stdout) == (0, UP_TO_DATE)


def test_an_address_the_quick_answer_allows_is_one_the_command_line_allows() -> None:
    from openbook.errors import OpenbookError
    from openbook.git.urls import check_remote_url, usable

    for url in (
        "/srv/vault.git",
        "../vault.git",
        "~/vault.git",
        "file:///srv/vault.git",
        "ssh://me@host/vault.git",
        "ssh://-oProxyCommand=x/vault.git",
        "me@host:vault.git",
        "-me@host:vault.git",
        "ext::sh -c x",
        "http://host/vault.git",
        "host:x/vault.git",
        "a\x1bb",
        "",
    ):
        try:
            check_remote_url(url)
            allowed = True
        except OpenbookError:
            allowed = False
        assert usable(url) == allowed, url


def test_the_quick_answer_reads_the_files_and_refs_their_writers_name() -> None:
    from openbook import config
    from openbook.git import arrivals, index, state
    from openbook.ritual import overview
    from openbook.sync import hold, quick, quickfs, refs, transport
    from openbook.trust import allowed

    assert (quick.SEEN, quick.INCOMING, quick.TRACKING, quick.BACKUP_PREFIX) == (
        refs.SEEN,
        refs.INCOMING,
        refs.TRACKING,
        refs.BACKUP_PREFIX,
    )
    assert f"refs/heads/{hold.HOLD_PREFIX}*" == quick.HOLDS
    assert (quick.ARRIVALS_FILE, quickfs.PRIVATE_PREFIX) == (arrivals.FILE, index.PRIVATE_PREFIX)
    assert (*(marker for marker, *_ in state._IN_PROGRESS), "index.lock") == quick.UNSETTLED
    assert (quick.ALLOWED_FILE, quick.LAST_SYNC_FILE) == (allowed.FILE, overview.LAST_SYNC_FILE)
    assert (quick.CONFIG_FILE, quick.ALLOWED_PROTOCOLS) == (
        config.CONFIG_NAME,
        transport.ALLOWED_PROTOCOLS,
    )


def test_a_merge_under_way_is_told_as_the_command_line_tells_it(pair: Pair) -> None:
    (pair.alice / ".git/MERGE_HEAD").write_text(pair.head("alice") + "\n")
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync")
    said = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert (ran.code, ran.stdout, ran.stderr) == (said.exit_code, said.stdout, said.stderr)
    assert ran.code != 0 and "git merge --abort" in ran.stderr and not ran.light


def test_a_wrong_openbook_now_is_told_as_the_command_line_tells_it(pair: Pair) -> None:
    wrong = {"OPENBOOK_NOW": "soon"}
    ran = _run("--vault", str(pair.alice), "--as", "alice", "sync", env=wrong)
    said = invoke(["sync"], vault=pair.alice, as_partner="alice", env=wrong)
    assert (ran.code, ran.stdout, ran.stderr) == (said.exit_code, said.stdout, said.stderr)
    assert ran.code == 1 and "OPENBOOK_NOW='soon'" in ran.stderr and "Traceback" not in ran.stderr


def test_a_check_without_signatures_required_never_loads_the_signature_library(
    pair: Pair,
) -> None:
    """The cryptography library is loaded when a signature is checked or made, not by
    every command that reads history (about 10 ms of each start)."""
    ran = _run("--vault", str(pair.alice), "--as", "alice", "check")
    assert ran.code == 0, ran.stderr
    assert "openbook.trust.sshsig" in ran.loaded  # the reader of signatures is there
    assert not {m for m in ran.loaded if m.startswith("cryptography")}


@pytest.mark.parametrize("args", [("--version",), ("sync",), ("verify",)])
def test_an_early_answer_to_a_reader_that_went_away_exits_1_without_a_traceback(
    pair: Pair, args: tuple[str, ...]
) -> None:
    """As the command line does for any command (click): exit 1, nothing on stderr."""
    assert pair.sync("alice").exit_code == 0
    assert invoke(["verify"], vault=pair.alice).exit_code == 0
    assert run_openbook(*args, cwd=pair.alice, env={"OPENBOOK_PARTNER": "alice"}).light
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from openbook.cli import main; main()", *args],
            cwd=pair.alice,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OPENBOOK_PARTNER": "alice"},
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "")
