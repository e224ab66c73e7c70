"""Shared fixtures: an isolated HOME and git config, a pinned "now", real vaults."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from openbook.cli import cli

NOW = "2026-11-24T20:30:00+01:00"
ALICE = "alice:Alice Example <alice@example.org>"
BOB = "bob:Bob Example <bob@example.org>"
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "example-vault"


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("OPENBOOK_NOW", NOW)
    monkeypatch.setenv("OPENBOOK_LOCK_WAIT", "1")
    for var in (
        "OPENBOOK_VAULT",
        "OPENBOOK_PARTNER",
        "VISUAL",
        "EDITOR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "OPENBOOK_COMMIT_DATE",
    ):
        monkeypatch.delenv(var, raising=False)
    # a pinned identity for git commands run by tests themselves (openbook sets its own)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = tests@openbook.invalid\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
    )
    return home


def invoke(
    args: list[str],
    *,
    vault: Path | None = None,
    as_partner: str | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run the CLI in-process; stdout and stderr are kept apart."""
    full: list[str] = []
    if vault is not None:
        full += ["--vault", str(vault)]
    if as_partner is not None:
        full += ["--as", as_partner]
    full += args
    return CliRunner().invoke(
        cli, full, input=input, env=env, catch_exceptions=False, prog_name="openbook"
    )


@pytest.fixture
def run() -> Callable[..., Result]:
    return invoke


def make_vault(path: Path, me: str = "bob") -> Path:
    from openbook.start.setup import create_vault

    return create_vault(path, [ALICE, BOB], me, timezone="Europe/Berlin")


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A fresh vault of Alice and Bob, acting as bob, with one commit."""
    return make_vault(tmp_path / "vault")


def git(cwd: Path, *args: str, check: bool = True) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {res.stderr}")
    return res.stdout.strip()


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def subjects(root: Path) -> list[str]:
    return git(root, "log", "--format=%s").splitlines()


def trailers(root: Path, rev: str = "HEAD") -> dict[str, Any]:
    text = git(root, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
