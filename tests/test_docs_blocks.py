"""Every ```sh block of the README and of docs/ runs, in order, as a newcomer types it.

One bash session per page (so `cd` and `export` carry from one block to the next, as in a
terminal), `set -e`, a fresh HOME with no git identity, and no `openbook` on PATH: the
README must say how to reach it. The only changes made to what the pages say are listed
below, each with its reason: blocks that cannot run here (SKIP), stand-ins for the
network and for the install (STAND_INS), where a page starts (PRELUDES), and blocks that
run on the other partner's computer, a second HOME (ELSEWHERE). Where a command opens an
editor, $EDITOR stands in for the person: it adds a sentence and saves.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from testing import REPO

pytestmark = pytest.mark.slow

PROGRAM = Path(sys.executable).parent / "openbook"

SKIP: dict[str, dict[str, str]] = {
    "README.md": {
        ".venv/bin/python -m pytest": "it runs this very test suite; .ci/run runs it verbatim",
    },
    "docs/watch.md": {
        "openbook watch --once": "`openbook watch` runs until Ctrl-C",
        "systemctl --user": "needs a systemd user session",
        "launchctl": "needs macOS",
    },
}

STAND_INS: dict[str, str] = {
    # the package is installed already; .venv/bin/openbook below is it
    "python3 -m venv .venv && .venv/bin/pip install -q . && ": "",
    # the home server is this computer
    "ssh you@homeserver ": "bash -c ",
    # the git host is a bare repository in HOME (the one the home server block makes)
    "git@example.org:us/ourbook.git": '"$DOCS_REMOTE"',
    # ssh-keygen asks for a passphrase on a terminal; here the person presses Enter
    "ssh-keygen -t ed25519 -f ~/.ssh/id_ed25519": (
        "mkdir -p ~/.ssh && ssh-keygen -q -t ed25519 -N '' -f ~/.ssh/id_ed25519"
    ),
}

PRELUDES: dict[str, str] = {
    # the page starts in the vault the README's "Start your own vault" makes
    "docs/sync.md": (
        "openbook init ~/ourbook --as bob --partner 'alice:Alice Example <alice@example.org>'"
        " --partner 'bob:Bob Example <bob@example.org>' >/dev/null\ncd ~/ourbook"
    ),
    # the page's entry ids are those of entries written on 24 November 2026 at 21:05, and
    # `journal share` runs inside a vault
    "docs/journal.md": (
        "export OPENBOOK_NOW=2026-11-24T21:05\n"
        "openbook init ~/ourbook --as alice --partner alice --partner bob >/dev/null\n"
        "cd ~/ourbook"
    ),
    # the private repository the page's two partners share through
    "docs/setup.md": 'git init -q --bare -b main "$DOCS_REMOTE"',
}

ELSEWHERE: dict[str, tuple[str, ...]] = {
    "docs/sync.md": ("openbook --as alice clone",),
    "docs/setup.md": ("openbook --as alice clone",),
}

# What a page's session must have printed: the blocks did what the page says they do.
EXPECT: dict[str, tuple[str, ...]] = {
    "README.md": (
        "/.venv/bin/openbook status   # who you are",  # the demo's next steps, full path
        "Vault {home}/openbook-demo, you are Alice Example (alice).",
        "A-005 is active",
        "Q-0007 is answered.",
        "Received 1 change from Bob: 1 answer to Q-0007.",
        "Your copy is in ~/ourbook.",
        "Everything is paused for both of you",
    ),
    "docs/sync.md": ("Synced with origin: shared", "Cloned the vault into", "All is well"),
    "docs/journal.md": ("Hard evening. I went for a walk and it helped.",),
    "docs/setup.md": (
        "Added your key SHA256:",
        "Alice Example's check-ins: every Sunday by 20:00",
        "You accepted the new settings",
    ),
}


@dataclass
class Block:
    line: int
    text: str


def blocks(page: str) -> list[Block]:
    text = (REPO / page).read_text(encoding="utf-8")
    found = []
    for m in re.finditer(r"^( *)```sh\n(.*?)^\1```", text, re.S | re.M):
        line = text.count("\n", 0, m.start()) + 1
        found.append(Block(line, textwrap.dedent(m.group(2))))
    return found


PAGES = [
    p
    for p in ["README.md", *sorted(f"docs/{f.name}" for f in (REPO / "docs").glob("*.md"))]
    if blocks(p)
]


def _script(page: str) -> tuple[str, list[str]]:
    """The bash session for one page, and the blocks it skipped (with reasons)."""
    skip = SKIP.get(page, {})
    parts = ["set -e", "trap 'echo \"failed in the block at line $DOCS_LINE\" >&2' ERR"]
    parts.append(PRELUDES.get(page, ""))
    skipped = []
    for block in blocks(page):
        reasons = [why for needle, why in skip.items() if needle in block.text]
        if reasons:
            skipped.append(f"{page}:{block.line}: {reasons[0]}")
            continue
        text = block.text
        for old, new in STAND_INS.items():
            text = text.replace(old, new)
        if any(needle in text for needle in ELSEWHERE.get(page, ())):
            text = f'(\nexport HOME="$OTHER_HOME"\ncd ~\n{text}\n)'
        parts += [f"DOCS_LINE={block.line}", text]
    return "\n".join(parts) + "\n", skipped


def _environment(tmp: Path) -> tuple[dict[str, str], Path]:
    home, other, project = tmp / "home", tmp / "other-home", tmp / "project"
    for folder in (home, other, project / ".venv" / "bin", tmp / "tmp"):
        folder.mkdir(parents=True)
    venv = project / ".venv"
    (venv / "bin" / "openbook").symlink_to(PROGRAM)
    (venv / "bin" / "activate").write_text(
        f'VIRTUAL_ENV="{venv}"\nexport VIRTUAL_ENV\nPATH="$VIRTUAL_ENV/bin:$PATH"\nexport PATH\n'
    )
    # the editor stands in for a person: it adds a sentence, saves and closes
    editor = tmp / "editor"
    editor.write_text('#!/bin/sh\nprintf "\\nWritten in the editor.\\n" >> "$1"\n')
    editor.chmod(0o755)
    keep = ("PATH", "LANG", "LC_ALL", "TERM", "SHELL", "USER", "LOGNAME")
    env = {k: v for k, v in os.environ.items() if k in keep}
    # no openbook on PATH: the README must say how to reach it
    env["PATH"] = os.pathsep.join(
        d
        for d in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if d and not (Path(d) / "openbook").exists()
    )
    env.update(
        HOME=str(home),
        OTHER_HOME=str(other),
        DOCS_REMOTE=str(home / "ourbook.git"),
        TMPDIR=str(tmp / "tmp"),
        GIT_CONFIG_NOSYSTEM="1",
        OPENBOOK_NETWORK_TIMEOUT="30",
        EDITOR=str(editor),
        VISUAL=str(editor),
    )
    return env, project


@pytest.mark.parametrize("page", PAGES)
def test_every_command_block_runs(page: str, tmp_path: Path) -> None:
    if not PROGRAM.is_file():
        pytest.skip("the openbook console script is not installed next to this Python")
    env, project = _environment(tmp_path)
    if page != "README.md":  # the other pages assume the README's `source .venv/bin/activate`
        env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    script, skipped = _script(page)
    path = tmp_path / "session.sh"
    path.write_text(script, encoding="utf-8")
    res = subprocess.run(
        ["bash", "--noprofile", "--norc", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, f"{page}\n{res.stderr[-3000:]}\n{res.stdout[-2000:]}"
    assert "command not found" not in res.stderr
    for expected in EXPECT.get(page, ()):
        assert expected.format(home=env["HOME"]) in res.stdout, (expected, res.stdout[-3000:])
    for line in skipped:  # shown with -rs... and in -v output
        print("skipped", line)


def test_every_skip_and_stand_in_is_still_needed() -> None:
    """The lists above name blocks that exist: a block that changed is run again."""
    for page, skip in SKIP.items():
        texts = [b.text for b in blocks(page)]
        for needle in skip:
            assert any(needle in t for t in texts), (page, needle)
    every = "\n".join(b.text for page in PAGES for b in blocks(page))
    for old in STAND_INS:
        assert old in every, old
    for page, needles in ELSEWHERE.items():
        assert all(any(n in b.text for b in blocks(page)) for n in needles), page


def test_the_readme_tour_starts_from_the_two_commands() -> None:
    first = blocks("README.md")[:3]
    assert first[0].text.strip().endswith(".venv/bin/openbook demo")
    assert first[2].text.startswith("source .venv/bin/activate")
    assert "export OPENBOOK_NOW=2026-11-22T17:30" in first[2].text
