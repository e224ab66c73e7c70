"""`openbook export` says how many notes it holds, and the page holds exactly those: a
pause note is a note of the vault like the others, listed, counted and written."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, checkin_path, checkin_text, git, invoke


def test_a_pause_is_counted_once_and_written(vault: Path, tmp_path: Path) -> None:
    day = "2026-11-20"
    build_vault(vault, {checkin_path("bob", day): checkin_text("bob", day)})
    paused = invoke(["pause", "--all"], vault=vault, as_partner="bob")
    assert paused.exit_code == 0, paused.stderr
    out = tmp_path / "all.html"
    res = invoke(["export", "-o", str(out), "--yes"], vault=vault, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    announced = res.stdout.splitlines()
    assert announced[0].startswith("The export will hold 3 notes (")
    listed = [line.strip().split("  (")[0] for line in announced[1:] if line.startswith("  ")]
    assert len(listed) == 3 and any(p.startswith("pauses/") for p in listed), listed
    page = out.read_text(encoding="utf-8")
    assert page.count("<article>") == 3
    for path in listed:
        assert f">{path}<" in page or path in page, path
    log = git(vault, "log", "-1", "--format=%B")
    assert "Exported 3 notes (" in log
