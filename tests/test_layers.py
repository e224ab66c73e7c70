"""ENGINEERING.md's layer list, pyproject.toml's import-linter contract and the modules on
disk say the same thing."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "cli" / "openbook"
ENGINEERING = REPO.parent / "shared" / "ENGINEERING.md"
_NAMES = re.compile(r"^((?:[a-z_]+(?:\.py|/)(?:,\s*)?)+)")


def engineering_layers(text: str) -> list[set[str]]:
    """The layers of the block under "The shape of the package", top first."""
    section = text.split("## The shape of the package", 1)[1]
    block = section.split("```", 2)[1]
    layers = []
    for line in block.splitlines():
        m = _NAMES.match(line)
        if m:
            names = re.findall(r"([a-z_]+)(?:\.py|/)", m[1])
            layers.append({f"openbook.{name}" for name in names})
    return layers


def contract_layers() -> list[set[str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [{n.strip().strip("()") for n in re.split(r"[:|]", entry)} for entry in layers]


def modules_on_disk() -> set[str]:
    found = set()
    for entry in PACKAGE.iterdir():
        if entry.is_dir() and (entry / "__init__.py").exists():
            found.add(f"openbook.{entry.name}")
        elif entry.suffix == ".py" and entry.stem not in ("__init__", "__main__"):
            found.add(f"openbook.{entry.stem}")
    return found


def test_the_contract_lists_the_layers_of_engineering_md_in_its_order() -> None:
    if not ENGINEERING.is_file():
        pytest.skip(f"{ENGINEERING} is not beside this checkout")
    expected = engineering_layers(ENGINEERING.read_text(encoding="utf-8"))
    assert len(expected) > 10
    assert contract_layers() == expected


def test_every_module_on_disk_sits_in_the_contract() -> None:
    listed = set().union(*contract_layers())
    assert modules_on_disk() - listed == set()


def test_the_block_reader_reads_names_before_their_description() -> None:
    text = "## The shape of the package\n```\ncli.py, commands/   click\n  more words\n"
    text += "vault.py, config.py the vault\nrender.py, errors.py\n```\n"
    assert engineering_layers(text) == [
        {"openbook.cli", "openbook.commands"},
        {"openbook.vault", "openbook.config"},
        {"openbook.render", "openbook.errors"},
    ]
