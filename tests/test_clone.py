"""`openbook clone` and the remote URL rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, invoke, make_vault
from twoclones import bare_remote

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
    assert res.exit_code == 0, res.stderr
    alice = tmp_path / "alice"
    assert "as alice: 0 errors" in res.stdout
    assert git(alice, "config", "openbook.partner") == "alice"
    assert git(alice, "config", "core.fsync") == "all"
    head = git(alice, "rev-parse", "HEAD")
    assert git(alice, "rev-parse", "refs/openbook/seen/origin/main") == head
    assert (alice / "openbook.yml").is_file()
    assert git(alice, "status", "--porcelain") == ""


def test_clone_needs_as(remote: Path, tmp_path: Path) -> None:
    res = invoke(["clone", str(remote), str(tmp_path / "x")])
    assert res.exit_code == 2
    assert "--as" in res.stderr


def test_clone_refuses_an_unknown_partner_and_leaves_nothing(remote: Path, tmp_path: Path) -> None:
    res = invoke(["clone", str(remote), str(tmp_path / "carol")], as_partner="carol")
    assert res.exit_code == 1
    assert "'carol' is not a partner" in res.stderr and "alice, bob" in res.stderr
    assert not (tmp_path / "carol").exists()


def test_clone_refuses_a_folder_that_is_not_empty(remote: Path, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "mine.txt").write_text("keep me\n")
    res = invoke(["clone", str(remote), str(target)], as_partner="alice")
    assert res.exit_code == 1
    assert "not empty" in res.stderr
    assert (target / "mine.txt").read_text() == "keep me\n"


def test_clone_of_an_unreachable_remote_is_exit_5(tmp_path: Path) -> None:
    res = invoke(["clone", str(tmp_path / "nowhere.git"), str(tmp_path / "a")], as_partner="alice")
    assert res.exit_code == 5
    assert "nothing was cloned" in res.stderr
    assert not (tmp_path / "a").exists()


def test_clone_refuses_a_symlink_before_checkout(remote: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil"
    git(tmp_path, "clone", "-q", str(remote), str(evil))
    (evil / "checkins" / "evil.md").symlink_to("/etc/passwd")
    git(evil, "add", "-A")
    git(evil, "commit", "-q", "-m", "evil")
    git(evil, "push", "-q", "origin", "main")
    res = invoke(["clone", str(remote), str(tmp_path / "alice")], as_partner="alice")
    assert res.exit_code == 4
    assert "a symbolic link at checkins/evil.md" in res.stderr
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
    assert res.exit_code == 1
    assert "not an openbook vault" in res.stderr


@pytest.mark.parametrize(
    "url",
    [
        "ssh://git@example.org/us/book.git",
        "https://example.org/us/book.git",
        "git://127.0.0.1:9418/book.git",
        "git@example.org:us/book.git",
        "example.org:book.git",
        "/srv/git/book.git",
        "../book.git",
        "file:///srv/git/book.git",
        "C-drive/book.git",
    ],
)
def test_allowed_remote_urls(url: str) -> None:
    assert check_remote_url(url) == url


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
        "https://example.org/a\nb",
        "foo::bar",
        "ssh://host/path with\0nul",
    ],
)
def test_refused_remote_urls(url: str) -> None:
    with pytest.raises(OpenbookError, match="not a remote openbook can use"):
        check_remote_url(url)


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
    assert res.exit_code == 1
    assert "not a remote openbook can use" in res.stderr
    assert not (tmp_path / "v" / "openbook.yml").exists()
