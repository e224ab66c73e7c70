"""Numbers that harm never appear (GUIDE.md): in no output of the agenda (Markdown, HTML,
JSON), `status` (text, JSON) or the review is there a '0 of', a percentage, a score, a
streak, a ranking, a count of questions asked, or an 'N of M' whose M is larger than the
period allows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from testing import build_vault, invoke
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
    assert "Bob Example checked in as agreed on 2 days." in outputs[1][1]
    assert "welcome back" in outputs[1][1]


@pytest.mark.slow
def test_the_demo_vault_over_its_weeks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_demo(tmp_path / "demo")
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-22", "17:30"))
    for day in ("2026-10-04", "2026-10-25", "2026-11-15", "2026-11-22", "2026-11-29"):
        assert_kind(every_output(root, day))
    text = ok(["review", "--month", "2026-11"], root, "alice")
    review = (root / text.strip()).read_text(encoding="utf-8")
    assert harmful(review, 22) == []


# ------------------------------------------------------------ the new views

SURVEILLANCE = re.compile(r"phone|location|password|screenshot|where were you", re.I)


def test_the_short_agenda_and_the_topics_stay_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week with a pause, a settings proposal, answers that hurt or need a talk, an
    overdue answer and an open timeout: the short form, the topics, the pause and
    proposal lines hold nothing that harms, and count nothing before the vault began."""
    monkeypatch.setenv("OPENBOOK_NOW", at("2026-11-29", "12:00"))
    root = vault_at(tmp_path / "v", at("2026-11-25", "10:00"))
    commit_checkin(root, "bob", "2026-11-25", "20:00")
    commit_checkin(root, "bob", "2026-11-26", "22:00")
    answered = (
        "---\ntype: question\nid: {q}\nasked_by: alice\nto: bob\nasked: 2026-11-26 09:00\n"
        "status: answered\nanswered: 2026-11-26 18:00\nlanded: {landed}\n---\nA question.\n"
    )
    build_vault(  # each answer is Bob's own commit, each question Alice's
        root,
        {
            "questions/Q-0001.md": answered.format(q="Q-0001", landed="hurt-more"),
            "questions/Q-0002.md": answered.format(q="Q-0002", landed="need-to-talk"),
            "questions/Q-0003.md": answered.format(q="Q-0003", landed="hurt-more"),
            "questions/Q-0004.md": "---\ntype: question\nid: Q-0004\nasked_by: alice\n"
            "to: bob\nasked: 2026-11-25 11:00\nstatus: open\n---\nA question.\n",
        },
        when=at("2026-11-26", "18:00"),
    )
    commit_files(
        root,
        {
            "timeouts/2026/2026-11-29-1100-alice.md": "---\ntype: timeout\ncalled_by: alice\n"
            "called: 2026-11-29 11:00\nreturn_by: 2026-11-29 13:00\n---\n",
            "pauses/2026/2026-11-28-0900-alice.md": "---\ntype: pause\nby: alice\n"
            "since: 2026-11-28 09:00\n---\n",
        },
        at("2026-11-28", "09:00"),
        who="alice",
    )
    cfg = (root / "openbook.yml").read_text().replace('by: "21:00"', 'by: "20:00"')
    build_vault(
        root,
        {"openbook.yml": cfg},
        as_partner="bob",
        when=at("2026-11-28", "10:00"),
        accepted=False,
    )
    outputs = every_output(root, "2026-11-29")
    assert_kind(outputs)
    for what, text, _ in outputs:
        low = text.lower()
        for word in ("failed", "violation", "compliance", "missed", "streak", "record"):
            assert word not in low, (what, word)
        assert not SURVEILLANCE.search(text), what
    short_md = ok(["agenda", "--short", "--date", "2026-11-29"], root)
    assert "Paused by Alice Example since" in short_md
    assert "Or postpone: no reason needed." in short_md
    assert (
        "Alice Example can read it with 'openbook accept settings'"
        in short_md.split("## Appreciations")[0]
    )
    full = ok(["agenda", "--date", "2026-11-29"], root)
    assert "The answer to Q-0001 landed hard" in full and "The answer to Q-0003" in full
    # each landed answer is its own topic by id: never "2 answers hurt", never who asked
    assert not re.search(r"\b\d+ (answers?|topics?|times?)\b", full.lower())
    # the week began on Wednesday: nothing is counted before
    assert not re.search(r"\b\d+ of ([5-9]|\d\d+)\b", full)


def test_the_review_sunset_and_relaxed_lines_stay_kind(vault: Path) -> None:
    build_vault(
        vault,
        {
            "agreements/A-001-contact.md": "---\ntype: agreement\nid: A-001\ntitle: Contact "
            "only at work\nstatus: active\nproposed_by: alice\naccepted_by: [alice, bob]\n"
            "sunset: 2026-11-10\n---\n",
            "reviews/2026-10.md": "---\ntype: review\nperiod: 2026-10\ndate: 2026-10-25\n"
            "participants: [alice, bob]\nagreements:\n  A-001: relax\n---\n",
        },
    )
    rel = ok(["review", "--month", "2026-11"], vault, "bob").strip()
    text = (vault / rel).read_text(encoding="utf-8")
    assert "## Safeguards relaxed so far" in text and "Sunset:" in text
    assert harmful(text, 23) == []
    for word in ("failed", "violation", "compliance", "overdue", "score", "progress:"):
        assert word not in text.lower(), word
    assert not re.search(r"\b\d+ (safeguards?|agreements?)\b", text)


@pytest.mark.slow
def test_the_examples_model_no_surveillance(tmp_path: Path) -> None:
    """The example vault, the demo built from it and the templates never model phone,
    location or password access; the docs name those once, as something for a therapist."""
    repo = Path(__file__).resolve().parents[1]
    demo = build_demo(tmp_path / "demo")
    for folder in (repo / "example-vault", repo / "templates", demo):
        for path in folder.rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                text = path.read_text(encoding="utf-8", errors="replace")
                assert not SURVEILLANCE.search(text), path
    titles = re.compile(r'title=?:?\s*"?[^"\n]*(phone|location|password)', re.I)
    docs = [repo / "README.md", *sorted((repo / "docs").glob("*.md"))]
    for path in docs:
        if path.name != "reference.md":  # generated from --help, checked below
            assert not titles.search(path.read_text(encoding="utf-8")), path
    help_text = invoke(["new", "--help"]).stdout
    assert not SURVEILLANCE.search(help_text)
    named = [
        line
        for path in docs
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"phones?, locations? or passwords?", line, re.I)
    ]
    assert len(named) == 1
    therapist = (repo / "docs/resources.md").read_text(encoding="utf-8")
    assert "Decisions about phones, locations or passwords belong in a conversation with a " in (
        therapist
    )
