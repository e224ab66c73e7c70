"""`openbook` with no command answers "what now?": in a vault, the first lines of
`status` and the three most likely next commands; outside one, `setup` and `demo`."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import invoke, write


def test_outside_a_vault_it_suggests_setup_and_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke([])
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "This folder is not in an openbook vault."
    assert lines[1].split()[:2] == ["openbook", "setup"]
    assert lines[2].split()[:2] == ["openbook", "demo"]


def test_in_a_vault_it_shows_status_and_three_next_commands(vault: Path) -> None:
    res = invoke([], vault=vault)
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == f"Vault {vault}, you are Bob Example (bob)."
    assert lines[1] == "Check-ins:"
    steps = lines[lines.index("Next:") + 1 : -1]
    assert [s.split("  ")[1] for s in steps] == [
        "openbook new checkin",
        "openbook sync",
        "openbook ask TEXT",
    ]
    assert "your check-in, due by 21:00" in steps[0]


def test_what_waits_for_you_comes_first(vault: Path) -> None:
    write(vault, "checkins/2026/2026-11-24-bob.md", "---\ntype: checkin\n---\nHello\n")
    assert invoke(["timeout"], vault=vault).exit_code == 0
    res = invoke([], vault=vault)
    steps = [s.split()[:2] for s in res.stdout.splitlines() if s.startswith("  openbook")]
    assert steps[:2] == [["openbook", "commit"], ["openbook", "back"]]
