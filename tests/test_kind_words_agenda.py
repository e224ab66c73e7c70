"""The agenda's *What went right* lists what went right, without the denominator: "Bob
checked in as agreed on 6 days"; the "of 7" belongs in Transparency (SPEC section 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing.ritual import at, commit_checkin, commit_files, ok, section, vault_at


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """Bob checks in daily by 21:00, Alice every Sunday by 20:00, since 2 Nov."""
    return vault_at(tmp_path / "v", at("2026-11-02", "09:00"))


def _week_of_checkins(week: Path) -> None:
    for day in ("2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"):
        commit_checkin(week, "bob", day, "21:30" if day == "2026-11-18" else "20:45")
    body = "\n## Appreciation\n\nHe cooked on Friday.\n"
    note = f"---\ntype: checkin\nauthor: alice\ndate: 2026-11-22\n---\n{body}"
    commit_files(week, {"checkins/2026/2026-11-22-alice.md": note}, at("2026-11-22", "18:30"))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_what_went_right_says_what_was_kept_without_the_denominator(week: Path, fmt: str) -> None:
    _week_of_checkins(week)
    text = ok(["agenda", "--date", "2026-11-22", "--format", fmt], week)
    if fmt == "md":
        assert section(text, "What went right") == [
            "Alice Example's weekly check-in came as agreed.",
            "Bob Example checked in as agreed on 3 days.",
        ]
        assert "4 of 6 check-ins, 1 after 21:00 (every day by 21:00)." in section(
            text, "Transparency"
        )
    else:
        right = text.split('id="went-right"')[1].split("</section>")[0]
        assert "Bob Example checked in as agreed on 3 days." in right
        assert " of " not in right
    assert "happened as agreed" not in text
