"""Where to find help travels with openbook: `openbook resources` prints it from the
installed package (no vault, no repository needed), and what points at it names that
command, not a file an installed copy does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testing import ALICE, BOB, invoke

REPO = Path(__file__).resolve().parents[1]


def test_resources_prints_the_repositorys_resources_page_without_a_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(["resources"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (REPO / "docs/resources.md").read_text(encoding="utf-8")
    assert res.stderr == ""


def test_the_wheel_ships_the_page_where_the_command_reads_it() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    force = text.split("[tool.hatch.build.targets.wheel.force-include]", 1)[1].split("\n[", 1)[0]
    assert '"docs/resources.md" = "openbook/_docs/resources.md"' in force
    sdist = re.search(r"\[tool.hatch.build.targets.sdist\]\ninclude = \[(.*)\]", text)
    assert sdist and '"docs/resources.md"' in sdist[1]


def test_init_points_at_the_command(tmp_path: Path) -> None:
    res = invoke(["--as", "bob", "init", str(tmp_path / "v"), "--partner", ALICE, "--partner", BOB])
    assert res.exit_code == 0, res.stderr
    said = res.stdout + res.stderr
    assert "openbook resources" in said, said
    assert "docs/resources.md" not in said
