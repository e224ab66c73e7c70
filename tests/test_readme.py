"""The README: short, safety first, the two commands on top. The command reference in
docs/reference.md is the real `--help` of every command."""

from __future__ import annotations

import os
import re

from testing import REPO, invoke

from openbook.cli import COMMANDS

START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def _help(*args: str) -> str:
    res = invoke([*args, "--help"])
    assert res.exit_code == 0, res.stderr
    return res.stdout.rstrip()


def reference() -> str:
    parts = ["", "### `openbook`", "", "```", _help(), "```"]
    for name in COMMANDS:
        parts += ["", f"### `openbook {name}`", "", "```", _help(name), "```"]
        sub = re.search(r"^Commands:\n((?:  \S.*\n?)+)", _help(name), re.M)
        if sub:
            for line in sub.group(1).splitlines():
                child = line.split()[0]
                parts += [
                    "",
                    f"### `openbook {name} {child}`",
                    "",
                    "```",
                    _help(name, child),
                    "```",
                ]
    return "\n".join(parts) + "\n"


REFERENCE = REPO / "docs" / "reference.md"
REFERENCE_HEAD = """# Command reference

Every openbook command takes `--help`. This page is that output for every command, and
a test (tests/test_readme.py) keeps the two identical. After changing a command's
options, refresh it with `OPENBOOK_WRITE_README=1 .venv/bin/python -m pytest
tests/test_readme.py`.

"""


def test_reference_matches_help() -> None:
    expected = reference()
    if os.environ.get("OPENBOOK_WRITE_README"):
        REFERENCE.write_text(
            REFERENCE_HEAD + START + "\n" + expected + END + "\n", encoding="utf-8"
        )
    text = REFERENCE.read_text(encoding="utf-8")
    current = text.split(START, 1)[1].split(END, 1)[0]
    assert current.strip() == expected.strip(), (
        "docs/reference.md is out of date; run "
        "OPENBOOK_WRITE_README=1 python -m pytest tests/test_readme.py"
    )


def test_every_command_has_help_with_a_description() -> None:
    for name in COMMANDS:
        lines = _help(name).splitlines()
        assert lines[0].startswith(f"Usage: openbook {name} "), name
        # a blank line, then the description: an indented sentence, not the options table
        assert lines[1] == "" and lines[2].startswith("  ") and lines[2][2:3].isupper(), name
        assert "Options:" in lines and lines.index("Options:") > 3, name


def test_readme_starts_with_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", text, re.S)
    assert "openbook demo" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert blocks[1].strip() in ci


def test_readme_is_short_and_says_first_what_openbook_is_not() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 250
    top = "\n".join(lines[:25])
    assert "**openbook is not therapy.**" in top
    assert "not for a relationship where one partner fears the other" in top
    assert "crisis" in top and "therapist" in top
    assert "(docs/resources.md)" in top
    assert not any(line.startswith("Usage: openbook") for line in lines)


def test_every_relative_link_in_readme_and_docs_points_to_a_file() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (page.parent / target).is_file(), f"{page.name}: {target}"
