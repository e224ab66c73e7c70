"""The demo's story agrees with its own history: every date its notes give for A-004's
pause is the day history shows the pause beginning, and so is what `openbook demo`
prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from testing import git, invoke


@pytest.mark.slow
def test_the_story_names_the_day_history_shows_a_004_paused(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    res = invoke(["demo", str(root)])
    assert res.exit_code == 0, res.stderr
    paused = git(root, "log", "--format=%ad", "--date=short", "--", "pauses/*a-004*")
    day = paused.splitlines()[-1]  # the commit that began the pause
    assert day == "2026-11-07"
    said = []
    for note in root.rglob("*.md"):
        text = note.read_text(encoding="utf-8")
        said += re.findall(r"[Pp]aused by Alice on (\d{4}-\d\d-\d\d)", text)
    assert said and set(said) == {day}
    assert "A-004 A message when Bob heads home: paused by Alice Example since Sat 7 Nov" in (
        res.stdout
    )
