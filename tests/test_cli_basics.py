"""What every command shares, from the outside: a missing vault, an unknown partner, init,
the lock, a broken openbook.yml. Exit codes, stdout and stderr, each whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import (
    ALICE,
    BOB,
    git,
    invoke,
    subjects,
    write,
)

from openbook.check import result as check_result

# `invoke` fails the test on any exception other than an exit, with its traceback, so a
# test only has to say what the user sees: the exit code, stdout and stderr, each whole.


def test_invoke_fails_a_test_on_an_unexpected_exception(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug that would show a user a traceback never passes as a mere exit code."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in check")

    monkeypatch.setattr(check_result, "check_vault", broken)
    with pytest.raises(AssertionError) as failure:
        invoke(["check"], vault=vault)
    assert str(failure.value) == (
        f"openbook --vault {vault} check raised ValueError: a bug in check (a user would see a "
        "traceback)\nstdout: ''\nstderr: ''"
    )
    cause = failure.value.__cause__  # pytest prints its traceback with the failure
    assert isinstance(cause, ValueError) and str(cause) == "a bug in check"
    assert cause.__traceback__ is not None


def test_missing_vault_is_one_calm_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(["check"])
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: No openbook vault here: no openbook.yml in this folder or above it. cd into "
        "your vault, pass --vault PATH, or run 'openbook setup' or 'openbook demo'.\n",
    )


def test_unknown_partner_in_as(vault: Path) -> None:
    res = invoke(["new", "checkin", "--no-edit"], vault=vault, as_partner="carol")
    assert (res.exit_code, res.stdout, res.stderr) == (
        2,
        "",
        "openbook: 'carol' (from --as) is not a partner in openbook.yml; use one of: alice, bob.\n",
    )
    assert not (vault / "checkins/2026").exists()


def test_unknown_note_type_is_a_usage_error(vault: Path) -> None:
    res = invoke(["new", "diary", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.splitlines() == [
        "Usage: openbook new [OPTIONS] TYPE",
        "Try 'openbook new --help' for help.",
        "",
        "Error: Invalid value for 'TYPE': 'diary' is not one of 'agreement', 'checkin', "
        "'language', 'meeting', 'pause', 'plan-change', 'question', 'repair', 'review', "
        "'timeout'.",
    ]


def test_write_commands_refuse_inside_another_repository(tmp_path: Path) -> None:
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q")
    write(
        outer,
        "sub/openbook.yml",
        "version: 1\ntimezone: UTC\npartners:\n  alice: {name: A, email: a@x.org}\n"
        "  bob: {name: B, email: b@x.org}\n",
    )
    assert invoke(["check"], vault=outer / "sub").exit_code == 0
    res = invoke(["new", "checkin", "--no-edit"], vault=outer / "sub", as_partner="bob")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {outer / 'sub'} is a folder inside another git repository; openbook only "
        "writes to a vault that is its own repository. Copy it out and run 'openbook init' "
        "there.\n",
    )
    assert not (outer / "sub/checkins").exists()


def test_init_refuses_bad_partner_specs_and_non_empty_folders(tmp_path: Path) -> None:
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "v"), "--partner", "Bob!", "--partner", BOB]
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: --partner 'Bob!' is not `id` or `id:Name <email>`; ids are lowercase "
        "letters, digits and dashes, like alice.\n",
    )
    assert not (tmp_path / "v").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full/notes.txt").write_text("mine")
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "full"), "--partner", ALICE, "--partner", BOB]
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {tmp_path / 'full'} is not empty; choose a new or empty folder so nothing of "
        "yours is mixed in.\n",
    )
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]
    res = invoke(
        [
            "--as",
            "bob",
            "init",
            str(tmp_path / "v"),
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--remote",
            "ext::sh -c touch% /tmp/pwned",
        ]
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: 'ext::sh -c touch% /tmp/pwned' is not a remote openbook can use; give an "
        "ssh://, https:// or git:// URL, user@host:path, or a local folder.\n",
    )
    assert not (tmp_path / "v").exists()


def test_init_makes_a_checkable_vault_with_one_commit(tmp_path: Path) -> None:
    res = invoke(
        [
            "--as",
            "alice",
            "init",
            str(tmp_path / "v"),
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--timezone",
            "Europe/Berlin",
        ]
    )
    assert res.exit_code == 0, res.stderr
    root = tmp_path / "v"
    assert subjects(root) == ["vault: init vault"]
    assert git(root, "log", "-1", "--format=%an <%ae>") == "Alice Example <alice@example.org>"
    assert git(root, "config", "openbook.partner") == "alice"
    assert git(root, "config", "core.fsync") == "all"
    assert "4913" in (root / ".gitignore").read_text()
    assert invoke(["check"], vault=root).exit_code == 0
    assert git(root, "status", "--porcelain") == ""


def test_busy_lock_exits_6(vault: Path) -> None:
    import fcntl
    import os

    fd = os.open(vault / ".git/openbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    finally:
        os.close(fd)
    assert (res.exit_code, res.stdout, res.stderr) == (
        6,
        "",
        "openbook: Another openbook is working on this vault right now (lock "
        f"{vault / '.git/openbook.lock'}); wait a moment and try again.\n",
    )
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()


def test_the_vault_lock_holds_across_threads(vault: Path) -> None:
    import threading

    from openbook.errors import Busy
    from openbook.vault import Vault

    v = Vault(vault)
    outcome: list[str] = []

    def other() -> None:
        try:
            with v.lock(wait=0.2):
                outcome.append("entered")
        except Busy:
            outcome.append("busy")

    with v.lock(), v.lock():  # re-entrant in the same thread
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert outcome == ["busy"]
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert outcome == ["busy", "entered"]


def test_compiled_templates_are_cached_locally_and_render_the_same(vault: Path) -> None:
    first = invoke(["agenda"], vault=vault)
    cached = list((vault / ".git/openbook/templates").iterdir())
    assert cached, "no compiled template was cached"
    second = invoke(["agenda"], vault=vault)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert git(vault, "status", "--porcelain") == ""


def test_check_of_a_path_that_does_not_exist_is_a_usage_error(vault: Path) -> None:
    res = invoke(["check", str(vault / "nope.md")], vault=vault)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.splitlines() == [
        "Usage: openbook check [OPTIONS] [PATHS]...",
        "Try 'openbook check --help' for help.",
        "",
        f"Error: Invalid value for '[PATHS]...': Path '{vault / 'nope.md'}' does not exist.",
    ]


def test_a_broken_openbook_yml_is_reported_once_and_never_crashes(vault: Path) -> None:
    assert invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=vault).exit_code == 0
    (vault / "openbook.yml").write_text("version: 1\npartners: [oops\n")
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "openbook.yml:3:1: error: YAML syntax error: did not find expected ',' or ']' [config]",
        "1 error, 0 warnings in 2 notes",
    ]
    status = invoke(["status"], vault=vault)
    assert status.exit_code == 0 and "openbook.yml has 1 problem" in status.stdout
    # the file on disk is never used: every command keeps to the settings in force from
    # history and says once which file does not load (SPEC section 7)
    notice = (
        "openbook.yml does not load (line 3: YAML syntax error: did not find expected ',' or "
        "']'); openbook keeps to the settings you both accepted until it is fixed. Fix "
        "openbook.yml and commit it ('openbook check' shows where).\n"
    )
    for args in (["new", "checkin", "--no-edit"], ["agenda"], ["sync"], ["commit"]):
        res = invoke(args, vault=vault)
        assert res.stderr.startswith(notice) and res.stderr.count(notice) == 1, args
    assert invoke(["agenda"], vault=vault).exit_code == 0
    assert "openbook.yml" in git(vault, "status", "--porcelain")  # never committed broken
