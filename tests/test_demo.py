"""`openbook demo` and the example vault it is built from."""

from __future__ import annotations

from pathlib import Path

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
    assert "== openbook log" in res.stdout
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
            f"Building a demo vault in {tmp_path} ...",
            f"openbook: {tmp_path} is not empty; give a new folder for the demo.",
        ],
    )
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"
