"""`log` is strictly newest first, whatever order the commits' dates came in and through
merges, and `log` and `sync` speak plain words, not git's ("fold", "ref", "HEAD")."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, git, invoke


def _dates(vault: Path) -> list[str]:
    return [line[:16] for line in invoke(["log"], vault=vault).stdout.splitlines()]


def test_log_is_newest_first_with_dates_out_of_order_and_merges(vault: Path) -> None:
    build_vault(vault, {"a.md": "a\n"}, when="2026-11-20T10:00:00+01:00")
    build_vault(vault, {"b.md": "b\n"}, when="2026-11-19T09:00:00+01:00")  # before its parent
    build_vault(vault, {"c.md": "c\n"}, when="2026-11-21T11:00:00+01:00")
    git(vault, "switch", "-q", "-c", "side", "HEAD~2")
    build_vault(vault, {"d.md": "d\n"}, when="2026-11-22T12:00:00+01:00")
    git(vault, "switch", "-q", "-")
    env = {"GIT_AUTHOR_DATE": "2026-11-21T18:00:00+01:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    git(vault, "merge", "-q", "--no-edit", "--no-ff", "side", env=env)
    dates = _dates(vault)
    assert dates == sorted(dates, reverse=True), dates
    assert dates[:5] == [
        "2026-11-22 12:00",
        "2026-11-21 18:00",
        "2026-11-21 11:00",
        "2026-11-20 10:00",
        "2026-11-19 09:00",
    ]


def test_sync_preview_speaks_of_saves_not_folds_and_refs() -> None:
    from openbook.sync.fold import Plan, Run

    plan = Plan(runs=[Run("checkins/2026/2026-11-24-bob.md", 0, 3)])
    for text in plan.lines(None, preview=True) + plan.lines("refs/openbook/backup/x"):
        low = text.lower()
        assert "fold" not in low and "backup ref" not in low and "head" not in low, text
