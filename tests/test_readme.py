"""The README's command reference is the real `--help` of every command."""

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


def test_readme_reference_matches_help() -> None:
    path = REPO / "README.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    expected = reference()
    if os.environ.get("OPENBOOK_WRITE_README"):
        path.write_text(head + START + "\n" + expected + END + tail, encoding="utf-8")
        text = path.read_text(encoding="utf-8")
    current = text.split(START, 1)[1].split(END, 1)[0]
    assert current.strip() == expected.strip(), (
        "README command reference is out of date; run "
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
