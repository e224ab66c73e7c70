"""The weekly agenda: the nine sections, edge cases, HTML, --save. (How it counts is in
test_counting*.py; numbers that must never appear, in test_counting_harm.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testing import EXAMPLE, git, invoke, subjects, trailers, write
from testing.ritual import CONFIG, at, commit_checkin, commit_files

HEADINGS = [
    "## Opening",
    "## Appreciations",
    "## What went right",
    "## Transparency",
    "## Open questions",
    "## Agreements",
    "## The week ahead",
    "## One topic",
    "## Close",
]


def checkin(
    root: Path, who: str, day: str, time: str = "20:00", extra: str = "", body: str = ""
) -> None:
    write(
        root,
        f"checkins/{day[:4]}/{day}-{who}.md",
        f'---\ntype: checkin\nauthor: {who}\ndate: {day}\ntime: "{time}"\n{extra}---\n{body}',
    )


def agenda(vault: Path, *args: str) -> str:
    res = invoke(["agenda", *args], vault=vault)
    assert res.exit_code == 0, res.stderr
    return res.stdout


def agenda_json(vault: Path, *args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(agenda(vault, "--json", *args))


def example_ok() -> bool:
    res = invoke(["check"], vault=EXAMPLE)
    return res.exit_code == 0


def headings(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("## ")]


# ------------------------------------------------------------------ the example vault


@pytest.mark.skipif(not (EXAMPLE / "openbook.yml").exists(), reason="example vault missing")
def test_example_agenda_has_the_nine_sections_in_order() -> None:
    assert example_ok()
    text = agenda(EXAMPLE, "--date", "2026-11-22")
    assert headings(text) == HEADINGS
    assert "Bob Example checked in as agreed on 6 days." in text


@pytest.mark.skipif(not (EXAMPLE / "openbook.yml").exists(), reason="example vault missing")
@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_example_agenda_has_no_numbers_that_harm(fmt: str) -> None:
    for day in ("2026-11-22", "2026-11-29", "2026-10-25"):
        for short in ([], ["--short"]):
            text = agenda(EXAMPLE, "--date", day, "--format", fmt, *short).lower()
            text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)  # CSS widths
            for word in (
                "%",
                "score",
                "streak",
                "rank",
                "points",
                "percent",
                "trust level",
                "questions asked",
                "asked by",
                " vs ",
                "versus",
                "better than",
                "worse than",
                "triggered",
            ):
                assert word not in text, (day, fmt, word)
            assert not re.search(r"\d+\s*questions?\b", text), (day, fmt)


@pytest.mark.skipif(not (EXAMPLE / "openbook.yml").exists(), reason="example vault missing")
def test_example_json_carries_the_keys_of_the_spec() -> None:
    data = agenda_json(EXAMPLE, "--date", "2026-11-22")
    for key in (
        "date",
        "week",
        "period",
        "checkins",
        "open_questions",
        "agreements_due",
        "agreements_proposed",
        "agreements_paused",
        "agreements_retiring",
        "agreements_deleted",
        "plan_changes",
        "fingerprint",
        "last_meeting",
        "topic",
        "queued_topics",
        "conflict_copies",
    ):
        assert key in data, key
    assert data["date"] == "2026-11-22"
    assert data["week"] == "2026-W47"
    assert set(data["period"]) >= {"start", "end"}
    for counts in data["checkins"].values():
        assert set(counts) >= {"expected", "received", "late"}
    for q in data["open_questions"]:
        assert set(q) >= {"id", "asked_by", "to", "asked", "age_days", "overdue"}
    asked = [q["asked"] for q in data["open_questions"]]
    assert asked == sorted(asked)
    # the same data through --format json
    assert json.loads(agenda(EXAMPLE, "--date", "2026-11-22", "--format", "json")) == data


# ------------------------------------------------------------------- sections


def test_week_with_nothing_at_all_renders(vault: Path) -> None:
    text = agenda(vault, "--date", "2026-11-29")
    assert headings(text) == HEADINGS
    assert "No open questions." in text
    assert "No topic was raised this week." in text
    assert "not chosen yet" in text  # no timeout word in language.md yet
    data = agenda_json(vault, "--date", "2026-11-29")
    assert data["last_meeting"] is None
    assert data["period"] == {"start": "2026-11-23", "end": "2026-11-29"}
    assert data["topic"] is None


def test_no_checkin_schedule_and_a_partner_without_checkins(vault: Path) -> None:
    unscheduled = CONFIG.split("checkins:")[0] + 'meeting: {on: sunday, at: "19:00"}\n'
    commit_files(vault, {"openbook.yml": unscheduled}, at("2026-11-10", "09:00"))
    commit_checkin(vault, "bob", "2026-11-20", "20:00")
    data = agenda_json(vault, "--date", "2026-11-22")
    assert data["checkins"]["bob"]["expected"] is None
    assert data["checkins"]["bob"]["received"] == 1
    assert data["checkins"]["alice"]["received"] == 0
    text = agenda(vault, "--date", "2026-11-22")
    assert "No check-in schedule agreed yet; 1 check-in written." in text
    assert "No check-in schedule agreed yet." in text


def test_period_starts_after_the_last_meeting(vault: Path) -> None:
    write(
        vault,
        "meetings/2026/2026-W46.md",
        "---\ntype: meeting\ndate: 2026-11-12\nweek: 2026-W46\nparticipants: [alice, bob]\n---\n",
    )
    data = agenda_json(vault, "--date", "2026-11-22")
    assert data["period"] == {"start": "2026-11-13", "end": "2026-11-22"}
    assert data["last_meeting"] == "2026-11-12"


def test_invalid_notes_are_left_out_and_listed_once(vault: Path) -> None:
    checkin(vault, "bob", "2026-11-20", extra="mood: 9\n")
    write(vault, "questions/Q-0001.md", "---\ntype: question\nid: Q-0001\n---\n")
    res = invoke(["agenda", "--date", "2026-11-22"], vault=vault)
    assert res.exit_code == 0, res.stderr
    lines = [ln for ln in res.stdout.splitlines() if "could not be read" in ln]
    assert lines == ["> 2 notes could not be read and are left out; run openbook check."]
    assert headings(res.stdout) == HEADINGS
    assert agenda_json(vault, "--date", "2026-11-22")["checkins"]["bob"]["received"] == 0


def test_conflict_copies_are_listed_at_the_top(vault: Path) -> None:
    checkin(vault, "bob", "2026-11-20")
    write(
        vault,
        "checkins/2026/2026-11-20-bob.conflict-alice-abcdef1.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-20\n---\n",
    )
    text = agenda(vault, "--date", "2026-11-22")
    top = text.split("## Opening")[0]
    assert "checkins/2026/2026-11-20-bob.conflict-alice-abcdef1.md" in top
    assert agenda_json(vault, "--date", "2026-11-22")["conflict_copies"] == [
        "checkins/2026/2026-11-20-bob.conflict-alice-abcdef1.md"
    ]


def test_questions_oldest_first_overdue_and_answered_before_asked(vault: Path) -> None:
    write(
        vault,
        "questions/Q-0001.md",
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-21 10:00\nstatus: open\n---\nWhere were you?\n",
    )
    write(
        vault,
        "questions/Q-0002.md",
        "---\ntype: question\nid: Q-0002\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-17 10:00\nstatus: open\n---\nWho called?\n",
    )
    write(
        vault,
        "questions/Q-0003.md",
        "---\ntype: question\nid: Q-0003\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-18 10:00\nstatus: answered\nanswered: 2026-11-17 09:00\n---\n",
    )
    write(
        vault,
        "questions/Q-0004.md",
        "---\ntype: question\nid: Q-0004\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-18 10:00\nstatus: with-therapist\n---\nA hard one.\n",
    )
    data = agenda_json(vault, "--date", "2026-11-22")
    assert [q["id"] for q in data["open_questions"]] == ["Q-0002", "Q-0001"]
    assert data["open_questions"][0]["overdue"] is True
    assert data["open_questions"][0]["age_days"] == 5
    assert data["open_questions"][1]["overdue"] is False
    assert data["questions_with_therapist"] == ["Q-0004"]
    text = agenda(vault, "--date", "2026-11-22")
    assert "Q-0003 was answered before it was asked" in text.split("## Opening")[0]
    assert "A hard one" not in text  # with-therapist: by id only
    assert "With our therapist: Q-0004 (moved by Bob Example)." in text  # not yet committed


def test_agreements_proposed_due_without_review_and_named_in_a_setback(vault: Path) -> None:
    write(
        vault,
        "agreements/A-001-contact.md",
        "---\ntype: agreement\nid: A-001\ntitle: No private contact\nstatus: active\n"
        "proposed_by: bob\naccepted_by: [alice, bob]\nnext_review: 2026-11-20\n"
        "if_crossed: Tell Alice the same evening.\n---\n",
    )
    write(
        vault,
        "agreements/A-002-phone.md",
        "---\ntype: agreement\nid: A-002\ntitle: Phone open\nstatus: active\n"
        "proposed_by: bob\naccepted_by: [alice, bob]\n---\n",
    )
    write(
        vault,
        "agreements/A-003-events.md",
        "---\ntype: agreement\nid: A-003\ntitle: Work events\nstatus: proposed\n"
        "proposed_by: bob\naccepted_by: [bob]\n---\n",
    )
    write(
        vault,
        "repairs/2026/2026-11-19-reply.md",
        "---\ntype: repair\nauthor: bob\ndate: 2026-11-19\nkind: setback\n"
        "self_reported: true\nagreements: [A-001]\nstatus: open\n---\n# I replied\n",
    )
    checkin(vault, "bob", "2026-11-18", extra="discuss: [the holiday party]\n")
    data = agenda_json(vault, "--date", "2026-11-22")
    assert data["agreements_due"] == ["A-001"]
    assert data["agreements_proposed"] == ["A-003"]
    assert [a["id"] for a in data["agreement_details"]["no_review"]] == ["A-002"]
    assert data["topic"]["kind"] == "setback"
    assert data["topic"]["text"] == "I replied"
    assert [t["text"] for t in data["queued_topics"]] == ["the holiday party"]
    text = agenda(vault, "--date", "2026-11-22")
    assert "If crossed: Tell Alice the same evening." in text
    assert "A-002 Phone open: has no review date yet" in text
    assert "waiting for Alice Example" in text
    assert "Setback on 2026-11-19, self-reported" in text


def test_short_form_and_close(vault: Path) -> None:
    data = agenda_json(vault, "--short", "--date", "2026-11-22")
    assert data["minutes"] == 20
    assert data["format"] == "short"
    assert data["close"]["next_review"] == "2026-11-29"
    assert data["close"]["is_review"] is False
    text = agenda(vault, "--short", "--date", "2026-11-29")
    assert "about 20 minutes" in text
    assert "What can I do to make you feel loved this week?" in text
    assert "This is the last meeting of the month" in text
    assert headings(text) == [
        "## Opening",
        "## Appreciations",
        "## Anything that can't wait",
        "## Close",
    ]
    assert "Or postpone: no reason needed." in text


def test_html_is_self_contained_and_escaped(vault: Path) -> None:
    checkin(vault, "bob", "2026-11-20", extra="discuss: ['<script>alert(1)</script>']\n")
    html = agenda(vault, "--date", "2026-11-22", "--format", "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html
    assert "<svg" in html and "break-inside: avoid" in html
    for h in HEADINGS:
        assert f"<h2>{h[3:]}</h2>" in html


def test_each_partner_has_a_chart_of_their_own(vault: Path) -> None:
    """One figure per partner inside that partner's own block, on that partner's own
    scale and labelled with that partner's own schedule: never two on one scale."""
    commit_files(vault, {"openbook.yml": CONFIG}, at("2026-11-02", "09:00"))
    for day in ("2026-11-16", "2026-11-17", "2026-11-18"):
        commit_checkin(vault, "bob", day, "20:00")
    commit_checkin(vault, "alice", "2026-11-22", "18:00")
    html = agenda(vault, "--date", "2026-11-22", "--format", "html")
    blocks = re.findall(r'<div class="partner">(.*?)</div>', html, flags=re.S)
    assert len(blocks) == 2
    for block, name, schedule in (
        (blocks[0], "Alice Example", "every Sunday by 20:00"),
        (blocks[1], "Bob Example", "every day by 21:00"),
    ):
        assert block.count("<svg") == 1
        assert f"{name} ({schedule})" in block
        other = "Bob Example" if name == "Alice Example" else "Alice Example"
        assert other not in block
    # alice's one check-in of one fills her own scale as bob's three of seven fill his
    alice_bars = re.findall(r'height="([\d.]+)" fill="#4a6b5d"', blocks[0])
    assert alice_bars[-1] == "60.0"
    assert "1 of 1" in blocks[0] and "3 of 6" in blocks[1]  # Sunday is due at 21:00
    # the chart starts at the vault's first week (W45), not eight weeks back
    data = agenda_json(vault, "--date", "2026-11-22")
    assert [w["week"] for w in data["checkin_weeks"]] == ["2026-W45", "2026-W46", "2026-W47"]


def test_output_file(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "agenda.md"
    res = invoke(["agenda", "--date", "2026-11-22", "-o", str(out)], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert headings(out.read_text(encoding="utf-8")) == HEADINGS


def test_json_and_format_disagree_is_a_usage_error(vault: Path) -> None:
    res = invoke(["agenda", "--json", "--format", "html"], vault=vault)
    assert res.exit_code == 2


# ---------------------------------------------------------------------------- --save


def test_save_writes_and_commits_the_meeting_note_once(vault: Path) -> None:
    res = invoke(["agenda", "--date", "2026-11-22", "--save"], vault=vault)
    assert res.exit_code == 0, res.stderr
    path = vault / "meetings/2026/2026-W47.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntype: meeting\ndate: 2026-11-22\nweek: 2026-W47\n")
    assert "facilitator: bob" in text and "decisions: []" in text
    assert "## Minutes" in text and "## Decisions" in text
    assert [h for h in HEADINGS if h in text] == HEADINGS
    assert subjects(vault)[0] == "meeting: new meetings/2026/2026-W47.md"
    assert trailers(vault) == {
        "Openbook-Action": "new",
        "Openbook-Type": "meeting",
        "Openbook-Partner": "bob",
    }
    assert invoke(["check"], vault=vault).exit_code == 0
    before = git(vault, "rev-parse", "HEAD")
    again = invoke(["agenda", "--date", "2026-11-22", "--save"], vault=vault)
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    assert path.read_text(encoding="utf-8") == text
    assert git(vault, "rev-parse", "HEAD") == before


@pytest.mark.skipif(not (EXAMPLE / "openbook.yml").exists(), reason="example vault missing")
def test_save_refuses_in_a_vault_inside_another_repository() -> None:
    res = invoke(["agenda", "--date", "2026-11-29", "--save"], vault=EXAMPLE, as_partner="bob")
    assert res.exit_code == 1
    assert "inside another git repository" in res.stderr
    assert not (EXAMPLE / "meetings/2026/2026-W48.md").exists()


def test_help_has_an_example() -> None:
    res = invoke(["agenda", "--help"])
    assert res.exit_code == 0
    assert "openbook agenda --format html -o agenda.html" in res.stdout
