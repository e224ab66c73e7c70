"""Fixtures only: an isolated HOME and git config, a pinned "now", real vaults.

The helpers tests call by name (invoke, build_vault, git, write, ...) live in tests/testing/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from testing import NOW, invoke, make_vault
from testing.crypt import Crypt, copy_crypt


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """A HOME and git config of the test's own, a pinned "now", nothing of the person
    running the tests (their agent, editor, vault or git identity)."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("OPENBOOK_NOW", NOW)
    monkeypatch.setenv("OPENBOOK_LOCK_WAIT", "1")
    for var in (
        "SSH_AUTH_SOCK",  # no test signs through the agent of the person running it
        "OPENBOOK_VAULT",
        "OPENBOOK_PARTNER",
        "VISUAL",
        "EDITOR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "OPENBOOK_COMMIT_DATE",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_DATE",
    ):
        monkeypatch.delenv(var, raising=False)
    # a pinned identity for git commands run by tests themselves (openbook sets its own)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = tests@openbook.invalid\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
    )
    return home


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="module")
def module_isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`isolated` for a scene built once per module and only read by its tests."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield isolate(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def run() -> Callable[..., Result]:
    return invoke


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A fresh vault of Alice and Bob, acting as bob, with one commit."""
    return make_vault(tmp_path / "vault")


@pytest.fixture
def crypt(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Crypt:
    """Two partners' clones around an encrypted remote, copied from one built per run."""
    return copy_crypt(tmp_path, tmp_path_factory)
