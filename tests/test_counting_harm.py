"""Numbers that harm never appear (GUIDE.md): in no output of the agenda (Markdown, HTML,
JSON), `status` (text, JSON) or the review is there a '0 of', a percentage, a score, a
streak, a ranking, a count of questions asked, or an 'N of M' whose M is larger than the
period allows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from testing import invoke
from testing.ritual import at, commit_checkin, commit_files, harmful, ok, vault_at

from openbook.start.demo import build_demo


def days_of(data: dict) -> int:  # type: ignore[type-arg]
    period = data["period"]
    start, end = (dt.date.fromisoformat(period[k]) for k in ("start", "end"))
    return (end - start).days + 1


def every_output(root: Path, day: str | None = None, **env: str) -> list[tuple[str, str, int]]:
    """(what, text, the period's days) of each output for the meeting on `day`."""
    when = ["--date", day] if day else []
    res = invoke(["agenda", "--json", *when], vault=root, env=env or None)
    assert res.exit_code == 0, res.stderr
    import json

    days = days_of(json.loads(res.stdout))
    out = [("agenda json", res.stdout, days)]
    for fmt in ("md", "html"):
        for short in ([], ["--short"]):
            text = ok(["agenda", "--format", fmt, *short, *when], root, **env)
            out.append((f"agenda {fmt} {short}", text, days))
    for args in (["status"], ["status", "--json"]):
        for who in ("alice", "bob"):
            out.append((f"{args} {who}", ok(args, root, who, **env), days))
    return out


def assert_kind(outputs: list[tuple[str, str, int]]) -> None:
    for what, text, days in outputs:
        assert harmful(text, days) == [], what


def test_the_harm_check_can_fail() -> None:
    assert harmful("Alice: 0 of 26 check-ins happened as agreed", 30) == ["0 of"]
    assert harmful("Bob: 6 of 197 check-ins happened as agreed", 7) == ["6 of 197"]
    assert harmful("a trust score of 80%", 7) == ["%", "score"]
    assert harmful("3 questions asked this week", 7) == ["questions asked", "3 questions"]
    assert harmful("6 of 7 check-ins, 1 after 21:00", 7) == []


def test_a_vault_created_late_in_november(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's couple: created on Friday 27 November, nothing written yet by alice."""
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-29", "18:00"))
    root = vault_at(tmp_path / "v", at("2026-11-27", "10:00"))
    commit_checkin(root, "bob", "2026-11-27", "20:00")
    commit_checkin(root, "bob", "2026-11-28", "21:20")
    assert_kind(every_output(root))
    review = ok(["review"], root, "bob")
    text = (root / review.strip()).read_text(encoding="utf-8")
    assert harmful(text, 3) == []
    assert "Alice Example: no check-ins due yet (every Sunday by 20:00)." in text
    assert "Bob Example: 2 of 2 check-ins, 1 after 21:00 (every day by 21:00)." in text


def test_a_long_silence_is_counted_as_seven_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENBOOK_NOW", at("2027-06-06", "12:00"))
    root = vault_at(tmp_path / "v", at("2026-11-02", "09:00"))
    commit_files(
        root,
        {
            "meetings/2026/2026-W47.md": "---\ntype: meeting\ndate: 2026-11-22\n"
            "week: 2026-W47\nparticipants: [alice, bob]\n---\n"
        },
        at("2026-11-22", "20:00"),
    )
    for day in ("2027-06-01", "2027-06-03"):
        commit_checkin(root, "bob", day, "20:00")
    outputs = every_output(root)
    assert_kind(outputs)
    assert "Bob Example: 2 of 6 check-ins happened as agreed." in outputs[1][1]
    assert "welcome back" in outputs[1][1]


def test_the_demo_vault_over_its_weeks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_demo(tmp_path / "demo")
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-22", "17:30"))
    for day in ("2026-10-04", "2026-10-25", "2026-11-15", "2026-11-22", "2026-11-29"):
        assert_kind(every_output(root, day))
    text = ok(["review", "--month", "2026-11"], root, "alice")
    review = (root / text.strip()).read_text(encoding="utf-8")
    assert harmful(review, 22) == []
