"""The weekly agenda: sections, plain counts, edge cases, time zones, --save."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testing import EXAMPLE, git, invoke, subjects, trailers, write

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

CONFIG = """\
version: 1
timezone: Europe/Berlin
partners:
  alice: {name: Alice Example, email: alice@example.org}
  bob:   {name: Bob Example,   email: bob@example.org}
checkins:
  bob:   {every: day, by: "21:00"}
  alice: {every: week, on: sunday, by: "20:00"}
questions: {answer_within: 48h}
meeting:   {on: sunday, at: "19:00", minutes: 60}
"""


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
    assert "6 of 7 check-ins happened as agreed" in text


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
        "plan_changes",
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


# -------------------------------------------------------------------------- facts


def test_counts_lateness_and_notice(vault: Path) -> None:
    write(vault, "openbook.yml", CONFIG)
    for day in ("2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"):
        checkin(vault, "bob", day, "21:30" if day == "2026-11-18" else "20:45")
    checkin(
        vault,
        "alice",
        "2026-11-22",
        "19:00",
        body="\n## Appreciation\n\n*What is one thing?*\n\nHe cooked on Friday.\n\n## Needs\n",
    )
    write(
        vault,
        "plan-changes/2026/2026-11-18-1500-bob.md",
        "---\ntype: plan-change\nauthor: bob\nsent: 2026-11-18 15:00\n"
        "plan_at: 2026-11-18 18:00\nwas: home at 6\nnow: home at 7\n---\n",
    )
    data = agenda_json(vault, "--date", "2026-11-22")
    assert data["period"] == {"start": "2026-11-16", "end": "2026-11-22"}
    # Sunday's check-in is due at 21:00, after the 19:00 meeting: not counted yet
    assert data["checkins"]["bob"] == {
        **data["checkins"]["bob"],
        "expected": 6,
        "received": 5,
        "late": 1,
    }
    assert data["checkins"]["alice"]["expected"] == 1
    assert data["checkins"]["alice"]["received"] == 1
    assert data["plan_change_details"][0]["notice_minutes"] == 180
    text = agenda(vault, "--date", "2026-11-22")
    assert "5 of 6 check-ins, 1 after 21:00" in text
    assert "4 of 6 check-ins happened as agreed" in text
    assert "announced 3 hours ahead" in text
    assert "He cooked on Friday." in text
    assert "What is one thing?" not in text


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
    write(
        vault, "openbook.yml", CONFIG.split("checkins:")[0] + 'meeting: {on: sunday, at: "19:00"}\n'
    )
    checkin(vault, "bob", "2026-11-20")
    data = agenda_json(vault, "--date", "2026-11-22")
    assert data["checkins"]["bob"]["expected"] is None
    assert data["checkins"]["bob"]["received"] == 1
    assert data["checkins"]["alice"]["received"] == 0
    text = agenda(vault, "--date", "2026-11-22")
    assert "No check-in schedule in openbook.yml; 1 check-in written." in text
    assert "No check-in schedule in openbook.yml; 0 check-ins written." in text


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
    assert "With our therapist: Q-0004." in text


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


def test_daylight_saving_week(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Europe/Berlin leaves summer time on Sunday 2026-10-25: a day of 25 hours."""
    monkeypatch.setenv("OPENBOOK_NOW", "2026-10-26T09:00:00+01:00")
    write(vault, "openbook.yml", CONFIG)
    for day in ("2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-24"):
        checkin(vault, "bob", day, "20:59")
    checkin(vault, "bob", "2026-10-25", "21:01")
    checkin(vault, "alice", "2026-10-25", "19:59")
    write(
        vault,
        "plan-changes/2026/2026-10-24-2000-bob.md",
        "---\ntype: plan-change\nauthor: bob\nsent: 2026-10-24 20:00\n"
        "plan_at: 2026-10-25 20:00\nwas: dinner at 8\nnow: dinner at 9\n---\n",
    )
    write(
        vault,
        "timeouts/2026/2026-10-25-0130-alice.md",
        "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-10-25 01:30\n"
        "return_by: 2026-10-25 03:30\nreturned: 2026-10-25 03:20\n---\n",
    )
    data = agenda_json(vault, "--date", "2026-10-25")
    assert data["week"] == "2026-W43"
    assert data["checkins"]["bob"]["expected"] == 7
    assert data["checkins"]["bob"]["received"] == 7
    assert data["checkins"]["bob"]["late"] == 1
    assert data["checkins"]["alice"]["late"] == 0
    # 24 hours on the clock, 25 real hours
    assert data["plan_change_details"][0]["notice_minutes"] == 25 * 60
    assert data["timeouts"][0]["on_time"] is True
    text = agenda(vault, "--date", "2026-10-25")
    assert "announced 1 day 1 hour ahead" in text
    assert "7 of 7 check-ins, 1 after 21:00" in text


def test_expected_counts_only_what_was_due_by_now(vault: Path) -> None:
    # now is Tuesday 2026-11-24 20:30: Monday's check-in was due, Tuesday's is not yet
    data = agenda_json(vault)
    assert data["date"] == "2026-11-29"
    assert data["checkins"]["bob"]["expected"] == 1
    checkin(vault, "bob", "2026-11-24", "20:10")
    data = agenda_json(vault)
    assert data["checkins"]["bob"] == {**data["checkins"]["bob"], "expected": 2, "received": 1}


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
    assert headings(text) == HEADINGS


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


# ------------------------------------------- agenda and status count the same way


def status_json(vault: Path) -> dict:  # type: ignore[type-arg]
    res = invoke(["status", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_overdue_is_one_rule_for_agenda_and_status(vault: Path) -> None:
    # now is Tuesday 2026-11-24 20:30. Q-0001 was asked four days ago but its own
    # answer_by is on Thursday: not overdue (SPEC section 6). Q-0002 has no answer_by
    # and is past asked + 48h: overdue. Q-0003 is past its own answer_by.
    write(
        vault,
        "questions/Q-0001.md",
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\nasked: 2026-11-20 10:00\n"
        "answer_by: 2026-11-26 10:00\nstatus: open\n---\nWhere were you?\n",
    )
    write(
        vault,
        "questions/Q-0002.md",
        "---\ntype: question\nid: Q-0002\nasked_by: alice\nto: bob\nasked: 2026-11-21 10:00\n"
        "status: acknowledged\n---\nWho called?\n",
    )
    write(
        vault,
        "questions/Q-0003.md",
        "---\ntype: question\nid: Q-0003\nasked_by: bob\nto: alice\nasked: 2026-11-24 08:00\n"
        "answer_by: 2026-11-24 12:00\nstatus: open\n---\nWhen?\n",
    )
    want = {"Q-0001": False, "Q-0002": True, "Q-0003": True}
    data = agenda_json(vault)
    assert {q["id"]: q["overdue"] for q in data["open_questions"]} == want
    assert {q["id"]: q["past_answer_by"] for q in data["open_questions"]} == want
    assert {q["id"]: q["overdue"] for q in status_json(vault)["open_questions"]} == want
    text = agenda(vault)
    assert "answer by 2026-11-26 10:00. Where were you?" in text
    assert "answer by 2026-11-23 10:00: answer was due, let's make time for it." in text
    assert "older than agreed" not in text
    assert "Q-0001: answer due Thu 26 Nov 10:00." in text  # in the week ahead
    status = invoke(["status"], vault=vault).stdout
    assert "Q-0001 for you, 4 days old, answer by Thu 26 Nov 10:00." in status
    assert "Q-0002 for you, 3 days old, answer was due Mon 23 Nov 10:00." in status


def test_status_weekly_checkin_counts_for_the_coming_slot(vault: Path) -> None:
    # now is Tuesday 2026-11-24. Alice checks in weekly, by Sunday 20:00: Sunday 22's
    # check-in counted for last week, so this week's (Mon 23 to Sun 29) is not written.
    write(vault, "openbook.yml", CONFIG)
    checkin(vault, "alice", "2026-11-22", "19:00")
    due = {c["partner"]: c for c in status_json(vault)["checkins"]}
    assert due["alice"] == {
        "partner": "alice",
        "every": "week",
        "due_on": "2026-11-29",
        "by": "20:00",
        "written": False,
    }
    as_alice = invoke(["status"], vault=vault, as_partner="alice").stdout
    assert "You: a check-in is due this week (since 2026-11-23) by 20:00." in as_alice
    assert agenda_json(vault)["checkins"]["alice"]["received"] == 0
    checkin(vault, "alice", "2026-11-23", "21:00")
    due = {c["partner"]: c for c in status_json(vault)["checkins"]}
    assert due["alice"]["written"] is True
    assert due["bob"] == {**due["bob"], "due_on": "2026-11-24", "written": False}
    assert agenda_json(vault)["checkins"]["alice"]["received"] == 1
    as_alice = invoke(["status"], vault=vault, as_partner="alice").stdout
    assert "You: the check-in for this week (since 2026-11-23) is written." in as_alice


def test_review_date_without_next_review_is_one_rule(vault: Path) -> None:
    # active since 2026-10-20 with review_every 30d and no next_review: due 2026-11-19
    write(
        vault,
        "agreements/A-001-phone.md",
        "---\ntype: agreement\nid: A-001\ntitle: Phone stays open\nstatus: active\n"
        "proposed_by: alice\naccepted_by: [alice, bob]\nsince: 2026-10-20\n"
        'review_every: "30d"\n---\n',
    )
    assert agenda_json(vault)["agreements_due"] == ["A-001"]
    assert status_json(vault)["agreements_due"] == [
        {
            "id": "A-001",
            "title": "Phone stays open",
            "next_review": "2026-11-19",
            "path": "agreements/A-001-phone.md",
        }
    ]
