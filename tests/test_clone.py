"""`openbook clone` and the remote URL rules."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from testing import ALICE, BOB, bare_remote, git, invoke, make_vault
from testing.crypt import Crypt

from openbook.errors import OpenbookError
from openbook.git.repo import check_remote_url


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    remote = bare_remote(tmp_path / "remote.git")
    bob = make_vault(tmp_path / "bob", "bob")
    git(bob, "remote", "add", "origin", str(remote))
    assert invoke(["sync"], vault=bob, as_partner="bob").exit_code == 0
    return remote


def test_clone_sets_partner_fsync_and_seen_head(remote: Path, tmp_path: Path) -> None:
    res = invoke(["clone", str(remote), str(tmp_path / "alice")], as_partner="alice")
    alice = tmp_path / "alice"
    assert (res.exit_code, res.stdout, res.stderr) == (
        0,
        f"Cloned the vault into {alice}, as alice: 0 errors, 0 warnings in 1 note.\n"
        f"Next for you: cd {alice}; openbook status shows what is due; openbook sync shares "
        "what you write.\n"
        "Next for Bob Example: openbook sync, to receive what you write.\n",
        "",
    )
    assert git(alice, "config", "openbook.partner") == "alice"
    assert git(alice, "config", "core.fsync") == "all"
    head = git(alice, "rev-parse", "HEAD")
    assert git(alice, "rev-parse", "refs/openbook/seen/origin/main") == head
    assert (alice / "openbook.yml").is_file()
    assert git(alice, "status", "--porcelain") == ""


def test_clone_needs_as(remote: Path, tmp_path: Path) -> None:
    res = invoke(["clone", str(remote), str(tmp_path / "x")])
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.splitlines() == [
        "Usage: openbook clone [OPTIONS] URL DIRECTORY",
        "Try 'openbook clone --help' for help.",
        "",
        "Error: say which partner you are with --as ID (before 'clone').",
    ]
    assert not (tmp_path / "x").exists()


def test_clone_refuses_an_unknown_partner_and_leaves_nothing(remote: Path, tmp_path: Path) -> None:
    res = invoke(["clone", str(remote), str(tmp_path / "carol")], as_partner="carol")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: 'carol' is not a partner in this vault; use one of: alice, bob.\n",
    )
    assert not (tmp_path / "carol").exists()


def test_clone_refuses_a_folder_that_is_not_empty(remote: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "mine.txt").write_text("keep me\n")
    res = invoke(["clone", str(remote), str(target)], as_partner="alice")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {target} already exists and is not empty; choose a new folder.\n",
    )
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    assert (target / "mine.txt").read_text() == "keep me\n"


def test_clone_of_an_unreachable_remote_is_exit_5(tmp_path: Path) -> None:
    # a port nothing listens on: the network is the problem, not the address
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    nowhere = f"git://127.0.0.1:{port}/nowhere.git"
    res = invoke(["clone", str(nowhere), str(tmp_path / "a")], as_partner="alice")
    assert (res.exit_code, res.stdout) == (5, "")
    # what git said sits in the brackets; the sentence around it is openbook's
    assert res.stderr.startswith(f"openbook: Could not clone {nowhere} (")
    assert res.stderr.endswith(
        "); nothing was cloned. Check the address and that you are online.\n"
    )
    assert res.stderr.count("\n") == 1
    assert not (tmp_path / "a").exists()


def test_clone_refuses_a_symlink_before_checkout(remote: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(remote), str(evil))
    (evil / "checkins" / "evil.md").symlink_to("/etc/passwd")
    git(evil, "add", "-A")
    git(evil, "commit", "-q", "-m", "evil")
    git(evil, "push", "-q", "origin", "main")
    res = invoke(["clone", str(remote), str(tmp_path / "alice")], as_partner="alice")
    assert (res.exit_code, res.stdout, res.stderr) == (
        4,
        "",
        f"openbook: Incoming changes from {remote} add a symbolic link at checkins/evil.md; "
        "openbook refuses them, and nothing was merged or pushed. A vault holds only notes in "
        "its folders; ask your partner to remove these with a new commit, then sync again.\n",
    )
    assert not (tmp_path / "alice").exists()


def test_clone_of_a_remote_whose_head_names_another_branch(remote: Path, tmp_path: Path) -> None:
    git(remote, "symbolic-ref", "HEAD", "refs/heads/trunk")
    res = invoke(["clone", str(remote), str(tmp_path / "alice")], as_partner="alice")
    assert res.exit_code == 0, res.stderr
    alice = tmp_path / "alice"
    head = git(remote, "rev-parse", "refs/heads/main")
    assert git(alice, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert git(alice, "rev-parse", "HEAD") == head
    assert git(alice, "config", "branch.main.merge") == "refs/heads/main"
    assert git(alice, "rev-parse", "refs/openbook/seen/origin/main") == head
    assert invoke(["sync"], vault=alice, as_partner="alice").exit_code == 0


def test_clone_of_a_repository_that_is_not_a_vault(tmp_path: Path) -> None:
    other = bare_remote(tmp_path / "other.git")
    work = tmp_path / "w"
    git(tmp_path, "clone", "-q", str(other), str(work))
    (work / "README.md").write_text("hello\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "x")
    git(work, "push", "-q", "origin", "main")
    res = invoke(["clone", str(other), str(tmp_path / "a")], as_partner="alice")
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {other} is not an openbook vault (no openbook.yml at its top); "
        "check the address.\n",
    )
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(
    "url",
    [
        "ssh://git@example.org/us/book.git",
        "https://example.org/us/book.git",
        "git://127.0.0.1:9418/book.git",
        "git@example.org:us/book.git",
        "example.org:book.git",
        "/srv/git/book.git",
        "file:///srv/git/book.git",
    ],
)
def test_allowed_remote_urls(url: str) -> None:
    assert check_remote_url(url) == url


@pytest.mark.parametrize("url", ["../book.git", "C-drive/book.git"])
def test_local_remote_paths_are_stored_absolute(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_remote_url(url) == str(tmp_path / url)


def test_init_remote_relative_path_syncs_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "-q", "--bare", "remote.git")
    monkeypatch.chdir(tmp_path)
    res = invoke(
        [
            "init",
            "book",
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--as",
            "bob",
            "--remote",
            "remote.git",
        ]
    )
    assert res.exit_code == 0, res.stderr
    assert git(tmp_path / "book", "remote", "get-url", "origin") == str(tmp_path / "remote.git")
    monkeypatch.chdir(tmp_path / "book" / "questions")
    res = invoke(["sync"])
    assert res.exit_code == 0, res.stderr
    assert git(tmp_path / "remote.git", "rev-parse", "main") == git(
        tmp_path / "book", "rev-parse", "HEAD"
    )


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "-oProxyCommand=touch /tmp/pwned",
        "--upload-pack=touch /tmp/pwned",
        "http://example.org/book.git",
        "ftp://example.org/x",
        "",
        "  ",
        "ssh://-oProxyCommand=x/path",
        "git@-oProxyCommand=x:path",
        "foo::bar",
        # the refusal must stay one line: control characters are shown escaped
        "https://example.org/a\nb",
        "ssh://host/path with\0nul",
    ],
)
def test_refused_remote_urls(url: str) -> None:
    with pytest.raises(OpenbookError) as refused:
        check_remote_url(url)
    assert str(refused.value) == (
        f"{url!r} is not a remote openbook can use; give an ssh://, https:// or git:// URL, "
        "user@host:path, or a local folder."
    )


def test_init_refuses_an_ext_remote(tmp_path: Path) -> None:
    res = invoke(
        [
            "init",
            str(tmp_path / "v"),
            "--partner",
            "alice",
            "--partner",
            "bob",
            "--remote",
            "ext::sh -c id",
        ],
        as_partner="bob",
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: 'ext::sh -c id' is not a remote openbook can use; give an ssh://, https:// "
        "or git:// URL, user@host:path, or a local folder.\n",
    )
    assert not (tmp_path / "v").exists()


def test_a_password_in_the_address_is_never_said(tmp_path: Path) -> None:
    """An https address may hold a password (name:secret@host): openbook's own words about
    the clone leave it out."""
    from openbook.git.urls import for_display

    assert for_display("https://alice:s3cret@example.org/r.git") == (
        "https://alice:***@example.org/r.git"
    )
    assert for_display("ssh://git@example.org/r.git") == "ssh://git@example.org/r.git"
    assert for_display("/home/alice/shared:1@x.git") == "/home/alice/shared:1@x.git"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"https://alice:s3cret@127.0.0.1:{port}/r.git"
    res = invoke(["clone", url, str(tmp_path / "a")], as_partner="alice")
    assert res.exit_code == 5, res.stderr
    assert "s3cret" not in res.stderr + res.stdout
    assert f"https://alice:***@127.0.0.1:{port}/r.git" in res.stderr


def test_a_password_in_a_remote_address_is_never_said_elsewhere(
    tmp_path: Path, crypt: Crypt
) -> None:
    """The same for every other message that names an address: encrypting to it (both
    keys in force, so the address is tried), a remote that holds no repository, and the
    step `setup` tells the other partner."""
    from openbook.start.nextsteps import next_lines
    from openbook.sync.transport import no_repository

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"https://bob:s3cret@127.0.0.1:{port}/r.git"
    args = ["remote", "encrypt", url, "--remote", "elsewhere"]
    res = invoke(args, vault=crypt.bob, as_partner="bob")
    assert res.exit_code == 5, res.stderr
    assert "s3cret" not in res.stderr + res.stdout
    root = make_vault(tmp_path / "v", "bob")
    git(root, "remote", "add", "origin", url)
    said = str(no_repository(root, "origin"))
    assert f"https://bob:***@127.0.0.1:{port}/r.git" in said and "s3cret" not in said
    lines = next_lines(root, "bob", joined=False, shared=True, accepted=True)
    assert any("choose join" in line for line in lines), lines
    assert "s3cret" not in " ".join(lines) and "bob:***@" in " ".join(lines)
