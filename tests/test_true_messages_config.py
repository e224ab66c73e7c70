"""When openbook.yml cannot be read, every message says so, with the first line of why and
how to fix it, instead of blaming who this clone is."""

from __future__ import annotations

from pathlib import Path

from testing import git, invoke

BROKEN = """\
version: 1
timezone: Europe/Berlin
partners:
  alice: {name: Alice Example, email: alice@example.org}
  bob: {name: Bob Example, email: bob@example.org}
timezone: [
"""
WHY = "line 7: YAML syntax error: did not find expected node content"


def _broken(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    git(root, "init", "-q")
    (root / "openbook.yml").write_text(BROKEN)
    git(root, "add", "openbook.yml")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "settings")
    git(root, "config", "openbook.partner", "bob")
    return root


def test_status_says_the_settings_could_not_be_read(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    out = invoke(["status"], vault=root).stdout
    assert "does not know who you are" not in out
    assert (
        f"  openbook.yml could not be read, so openbook cannot tell who you are ({WHY}). "
        "Fix that line in openbook.yml ('openbook check' shows every problem)."
    ) in out.splitlines()


def test_a_command_that_needs_the_settings_says_they_could_not_be_read(tmp_path: Path) -> None:
    root = _broken(tmp_path)
    res = invoke(["remind"], vault=root)
    assert res.stderr == (
        f"openbook: openbook.yml could not be read ({WHY}). Fix that line in openbook.yml, "
        "then try again ('openbook check' shows every problem).\n"
    )
