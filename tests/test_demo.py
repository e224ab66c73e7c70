"""`openbook demo` and the example vault it is built from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from testing import EXAMPLE, git, invoke


def test_example_vault_passes_check() -> None:
    res = invoke(["check", "--strict"], vault=EXAMPLE)
    assert res.exit_code == 0, res.stdout
    notes = int(res.stdout.strip().rsplit(" in ", 1)[1].split()[0])
    assert notes >= 25


def test_example_vault_has_every_type() -> None:
    for folder in (
        "checkins",
        "plan-changes",
        "questions",
        "agreements",
        "timeouts",
        "repairs",
        "meetings",
        "reviews",
    ):
        assert list((EXAMPLE / folder).rglob("*.md")), folder
    assert (EXAMPLE / "language.md").is_file()


@pytest.mark.slow
def test_demo_builds_history_by_both_partners_at_the_notes_dates(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    res = invoke(["demo", str(target)])
    assert res.exit_code == 0, res.stderr
    authors = set(git(target, "log", "--format=%an").splitlines())
    assert authors == {"Alice Example", "Bob Example"}
    first = git(target, "log", "--reverse", "--format=%ad", "--date=short").splitlines()
    assert first[0] < "2026-10-01" and first[-1] >= "2026-11-20"
    assert git(target, "status", "--porcelain") == ""
    assert git(target, "config", "openbook.partner") == "alice"
    assert invoke(["check"], vault=target).exit_code == 0
    assert "## One topic" in res.stdout
    # the bob check-in of 2026-11-18 was committed at its own time, by bob
    line = git(
        target,
        "log",
        "--format=%an %ad",
        "--date=format:%Y-%m-%d %H:%M",
        "--",
        "checkins/2026/2026-11-18-bob.md",
    )
    assert line.startswith("Bob Example 2026-11-18 ")


def test_demo_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    res = invoke(["demo", str(tmp_path)])
    assert (res.exit_code, res.stdout, res.stderr.splitlines()) == (
        1,
        "",
        [
            f"openbook: {tmp_path} is not empty, and the demo never writes into a folder that "
            f"holds files; give it a new one: openbook demo {tmp_path}-2",
        ],
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_the_first_screen_says_where_whose_when_and_what_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENBOOK_NOW")  # the demo sets the story's own clock
    target = tmp_path / "demo"
    res = invoke(["demo", str(target)])
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""  # no progress lines when stderr is not a terminal
    first = res.stdout.splitlines()[:10]
    assert first == [
        f"Built a demo vault in {target}",
        "  Eight weeks of notes by Alice and Bob, a fictional couple. "
        "This copy is Alice's (alice).",
        "  The story stops on Sunday 22 November 2026 at 17:30, before that evening's meeting.",
        "Try next (the second line sets openbook's clock to the story's, so the numbers match):",
        f"  cd {target}",
        "  export OPENBOOK_NOW=2026-11-22T17:30",
        "  openbook status   # who you are, what is due, what is waiting",
        "  openbook log      # every change: by whom, and when",
        "  openbook agenda   # tonight's meeting, as shown below",
        "Sample data about two fictional people: delete the folder when you are done.",
    ]
    assert res.stdout.splitlines()[11] == (
        "== openbook agenda, as on Sunday 22 November 2026 at 17:30"
    )


@pytest.mark.slow
def test_the_next_commands_work_without_activating_anything(tmp_path: Path) -> None:
    """Run as `.venv/bin/openbook demo` with no openbook on PATH: the commands it shows
    use the program's full path, and pasting them works; the numbers are the demo's."""
    program = Path(sys.executable).parent / "openbook"
    if not program.is_file():
        pytest.skip("the openbook console script is not installed next to this Python")
    env = {k: v for k, v in os.environ.items() if k != "OPENBOOK_NOW"}
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep) if not (Path(d) / "openbook").exists()
    )
    target = tmp_path / "demo"
    out = subprocess.run(
        [str(program), "demo", str(target)], capture_output=True, text=True, env=env, check=True
    ).stdout
    shown = [line.strip() for line in out.splitlines()[:10]]
    assert f"{program} status   # who you are, what is due, what is waiting" in shown
    script = "\n".join(line.split("  #")[0] for line in shown[4:7])
    status = subprocess.run(
        ["bash", "-ec", script], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith(f"Vault {target}, you are Alice Example (alice).")
    assert "Q-0007 for Bob Example, 2 days old" in status.stdout
