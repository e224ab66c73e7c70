"""Good times together, named by either partner in a check-in's `good_time`, lead *What
went right* beside what the couple did together; they are recalled, never counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import build_vault, checkin_path, checkin_text, invoke


def _went_right(vault: Path) -> list[str]:
    res = invoke(["agenda", "--date", "2026-11-29", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    return list(json.loads(res.stdout)["went_right"])


def test_a_good_time_of_the_week_is_recalled_in_the_writers_words(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for who, day, good in (
        ("bob", "2026-11-10", "An older walk"),
        ("alice", "2026-11-25", "Dinner at the lake, just us"),
        ("bob", "2026-11-26", "We laughed at the film!"),
    ):  # each written on its day: a check-in written ahead does not count
        text = checkin_text(who, day, extra=f"good_time: {good}\n")
        build_vault(vault, {checkin_path(who, day): text}, when=f"{day}T20:00:00+01:00")
    monkeypatch.setenv("OPENBOOK_NOW", "2026-11-29T12:00:00+01:00")
    lines = _went_right(vault)
    assert lines[:2] == [
        "A good time together on Wed 25 Nov (Alice Example): Dinner at the lake, just us.",
        "A good time together on Thu 26 Nov (Bob Example): We laughed at the film!",
    ]
    assert not any("older walk" in line for line in lines)
    text = invoke(["agenda", "--date", "2026-11-29"], vault=vault).stdout
    assert "- A good time together on Wed 25 Nov (Alice Example)" in text


def test_no_good_time_written_means_no_line_and_no_count(vault: Path) -> None:
    build_vault(vault, {checkin_path("bob", "2026-11-26"): checkin_text("bob", "2026-11-26")})
    assert not any("good time" in line for line in _went_right(vault))


def test_a_good_time_must_be_text(vault: Path) -> None:
    build_vault(
        vault,
        {
            checkin_path("bob", "2026-11-26"): checkin_text(
                "bob", "2026-11-26", extra="good_time: [1]\n"
            )
        },
    )
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert "good_time" in res.stdout
