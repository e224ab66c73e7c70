"""Counting (SPEC section 6): when a check-in counts as agreed, late or written later, the
same for the agenda, the review and `status`. Every note here is a real commit made at a
chosen time, so the tests know exactly when each one arrived."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, write
from testing.ritual import (
    CONFIG,
    agenda_json,
    at,
    commit_checkin,
    commit_files,
    ok,
    section,
    status_json,
    vault_at,
)


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """A vault with bob daily by 21:00 and alice every Sunday by 20:00, since 2 Nov."""
    return vault_at(tmp_path / "v", at("2026-11-02", "09:00"))


def test_counts_lateness_and_notice(week: Path) -> None:
    for day in ("2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"):
        if day == "2026-11-18":  # the plan change reaches the log when it was sent
            plan = "---\ntype: plan-change\nauthor: bob\nsent: 2026-11-18 15:00\n"
            plan += "plan_at: 2026-11-18 18:00\nwas: home at 6\nnow: home at 7\n---\n"
            commit_files(week, {"plan-changes/2026/2026-11-18-1500-bob.md": plan}, at(day, "15:00"))
        commit_checkin(week, "bob", day, "21:30" if day == "2026-11-18" else "20:45")
    body = "\n## Appreciation\n\n*What is one thing?*\n\nHe cooked on Friday.\n\n## Needs\n"
    commit_files(
        week,
        {
            "checkins/2026/2026-11-22-alice.md": "---\ntype: checkin\nauthor: alice\n"
            f"date: 2026-11-22\n---\n{body}",
        },
        at("2026-11-22", "18:30"),
    )
    data = agenda_json(week, "--date", "2026-11-22")
    assert data["period"] == {"start": "2026-11-16", "end": "2026-11-22"}
    # Sunday's check-in is due at 21:00, after the 19:00 meeting: not counted yet
    bob = data["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (6, 5, 1)
    assert bob["late_paths"] == ["checkins/2026/2026-11-18-bob.md"]
    assert (data["checkins"]["alice"]["expected"], data["checkins"]["alice"]["received"]) == (1, 1)
    assert data["plan_change_details"][0]["notice_minutes"] == 180
    text = ok(["agenda", "--date", "2026-11-22"], week)
    assert "5 of 6 check-ins, 1 after 21:00 (every day by 21:00)." in section(text, "Transparency")
    assert section(text, "What went right") == [
        "Alice Example's weekly check-in came as agreed.",
        "Bob Example checked in as agreed on 4 days.",
        "1 plan change, announced ahead.",
    ]
    assert "announced 3 hours ahead" in text
    assert "He cooked on Friday." in text
    assert "What is one thing?" not in text


def test_ten_minutes_after_the_deadline_is_late_whatever_the_note_says(week: Path) -> None:
    """Lateness is when the note arrived, not what it says about itself."""
    commit_checkin(week, "bob", "2026-11-19", "21:10", time="20:30")  # says 20:30, came 21:10
    commit_checkin(week, "bob", "2026-11-20", "20:50", time="22:30")  # says 22:30, came 20:50
    bob = agenda_json(week, "--date", "2026-11-22")["checkins"]["bob"]
    assert bob["late_paths"] == ["checkins/2026/2026-11-19-bob.md"]
    assert (bob["received"], bob["late"], bob["written_later"]) == (2, 1, 0)
    text = ok(["agenda", "--date", "2026-11-22"], week)
    assert "2 of 6 check-ins, 1 after 21:00 (every day by 21:00)." in text
    assert "Bob Example checked in as agreed on 1 day." in text


def test_a_backdated_checkin_is_written_later_and_late(week: Path) -> None:
    """Written on 16 December with --date 2026-12-03: shown as written later, counted as
    late, with the time the note gives shown as written."""
    commit_checkin(week, "bob", "2026-12-02", "20:00")
    env = {
        "OPENBOOK_NOW": at("2026-12-16", "09:10"),
        "OPENBOOK_COMMIT_DATE": at("2026-12-16", "09:10"),
    }
    new = ["new", "checkin", "--date", "2026-12-03", "--set", "time=20:00"]
    ok([*new, "--no-edit", "--body", "Feelings: tired."], week, "bob", **env)
    review = ok(["review", "--month", "2026-12"], week, "bob", **env)
    text = (week / review.strip()).read_text(encoding="utf-8")
    glance = section(text, "The month at a glance")
    assert glance[0] == "Alice Example: 2 check-ins due, none received yet (every Sunday by 20:00)."
    assert glance[1] == (
        "Bob Example: 2 of 15 check-ins, 1 after 21:00 (1 written later) (every day by 21:00)."
    )
    assert glance[2] == (
        "The check-in for Thu 3 Dec was written later: first committed Wed 16 Dec 09:10; "
        "the note says 20:00 (checkins/2026/2026-12-03-bob.md)."
    )
    assert "Written before the month is over: it counts up to 16 December." in text
    log = ok(["log"], week, **env).splitlines()
    assert log[1].endswith("new checkins/2026/2026-12-03-bob.md  [written later]")


def test_an_uncommitted_checkin_arrives_no_earlier_than_now(week: Path) -> None:
    # now is Tuesday 2026-11-24 20:30: Monday's check-in was due, Tuesday's is not yet
    data = agenda_json(week)
    assert data["date"] == "2026-11-29"
    assert data["checkins"]["bob"]["expected"] == 1
    write(
        week,
        "checkins/2026/2026-11-24-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\nFeelings.\n",
    )
    bob = agenda_json(week)["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (2, 1, 0)
    # past the deadline it would arrive late, whatever time it says
    bob = agenda_json(week, OPENBOOK_NOW=at("2026-11-24", "21:40"))["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (2, 1, 1)


def test_daylight_saving_week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Europe/Berlin leaves summer time on Sunday 2026-10-25: a day of 25 hours."""
    monkeypatch.setenv("OPENBOOK_NOW", "2026-10-26T09:00:00+01:00")
    root = vault_at(tmp_path / "v", at("2026-10-01", "09:00"))
    for day in ("2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23"):
        commit_checkin(root, "bob", day, "20:59")
    plan = "---\ntype: plan-change\nauthor: bob\nsent: 2026-10-24 20:00\n"
    plan += "plan_at: 2026-10-25 20:00\nwas: dinner at 8\nnow: dinner at 9\n---\n"
    commit_files(
        root, {"plan-changes/2026/2026-10-24-2000-bob.md": plan}, at("2026-10-24", "20:00")
    )
    commit_checkin(root, "bob", "2026-10-24", "21:01")  # summer time: 19:01 UTC
    commit_files(
        root,
        {
            "timeouts/2026/2026-10-25-0130-alice.md": "---\ntype: timeout\ncalled_by: alice\n"
            "called: 2026-10-25 01:30\nreturn_by: 2026-10-25 03:30\n"
            "returned: 2026-10-25 03:20\n---\n",
        },
        at("2026-10-25", "12:00"),
    )
    commit_checkin(root, "bob", "2026-10-25", "18:00")  # winter time
    commit_checkin(root, "alice", "2026-10-25", "18:59")
    data = agenda_json(root, "--date", "2026-10-25")
    assert data["week"] == "2026-W43"
    bob = data["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (7, 7, 1)
    assert data["checkins"]["alice"]["late"] == 0
    # 24 hours on the clock, 25 real hours
    assert data["plan_change_details"][0]["notice_minutes"] == 25 * 60
    assert data["timeouts"][0]["on_time"] is True
    text = ok(["agenda", "--date", "2026-10-25"], root)
    assert "announced 1 day 1 hour ahead" in text
    assert "7 of 7 check-ins, 1 after 21:00" in text
    assert "Came back from 1 timeout, on time." in section(text, "What went right")


# ------------------------------------------- agenda and status count the same way


def test_overdue_is_one_rule_for_agenda_and_status(vault: Path) -> None:
    # now is Tuesday 2026-11-24 20:30. Q-0001 was asked four days ago but its own
    # answer_by is on Thursday: not overdue (SPEC section 6). Q-0002 has no answer_by
    # and is past asked + 48h: overdue. Q-0003's own answer_by, 4 hours after it was
    # asked, is sooner than the agreed 48 hours: Bob's wish, never a deadline (SPEC 10).
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
    want = {"Q-0001": False, "Q-0002": True, "Q-0003": False}
    data = agenda_json(vault)
    assert {q["id"]: q["overdue"] for q in data["open_questions"]} == want
    assert {q["id"]: q["past_answer_by"] for q in data["open_questions"]} == want
    assert {q["id"]: q["overdue"] for q in status_json(vault)["open_questions"]} == want
    text = ok(["agenda"], vault)
    assert "answer by 2026-11-26 10:00. Where were you?" in text
    assert "answer by 2026-11-23 10:00: answer was due, let's make time for it." in text
    assert "Q-0001: answer due Thu 26 Nov 10:00." in text  # in the week ahead
    status = ok(["status"], vault)
    assert "Q-0001 for you, 4 days old, answer by Thu 26 Nov 10:00." in status
    assert (
        "Q-0003 for Alice Example, today, answer by Thu 26 Nov 08:00; "
        "you hoped for an answer by Tue 24 Nov 12:00." in status
    )
    assert "answer by 2026-11-26 08:00; Bob Example hoped for an answer by 2026-11-24 12:00" in text
    assert "Q-0002 for you, 3 days old, answer was due Mon 23 Nov 10:00." in status


def test_status_weekly_checkin_counts_for_the_coming_slot(week: Path) -> None:
    # now is Tuesday 2026-11-24. Alice checks in weekly, by Sunday 20:00: Sunday 22's
    # check-in counted for last week, so this week's (Mon 23 to Sun 29) is not written.
    commit_checkin(week, "alice", "2026-11-22", "19:00")
    due = {c["partner"]: c for c in status_json(week)["checkins"]}
    assert due["alice"] == {
        "partner": "alice",
        "every": "week",
        "due_on": "2026-11-29",
        "by": "20:00",
        "written": False,
        "deadline": "2026-11-29T20:00:00+01:00",
        "passed": False,
        "first": False,
    }
    as_alice = ok(["status"], week, "alice")
    assert "You: a check-in is due this week (since 2026-11-23) by 20:00." in as_alice
    assert agenda_json(week)["checkins"]["alice"]["received"] == 0
    commit_checkin(week, "alice", "2026-11-23", "21:00")
    due = {c["partner"]: c for c in status_json(week)["checkins"]}
    assert due["alice"]["written"] is True
    assert due["bob"] == {**due["bob"], "due_on": "2026-11-24", "written": False}
    assert agenda_json(week)["checkins"]["alice"]["received"] == 1
    as_alice = ok(["status"], week, "alice")
    assert "You: the check-in for this week (since 2026-11-23) is written." in as_alice


def test_status_says_a_passed_deadline_was_due(week: Path) -> None:
    late = {"OPENBOOK_NOW": at("2026-11-24", "21:15")}
    assert "  You: a check-in was due today at 21:00." in ok(["status"], week, "bob", **late)
    due = {c["partner"]: c for c in status_json(week, **late)["checkins"]}
    assert due["bob"]["passed"] is True and due["alice"]["passed"] is False
    assert "  You: a check-in is due today by 21:00." in ok(["status"], week, "bob")


def test_status_names_the_first_checkin_of_a_vault_made_after_the_deadline(
    tmp_path: Path,
) -> None:
    """A vault made on Thursday at 21:30, after bob's 21:00: Thursday is not his."""
    root = vault_at(tmp_path / "v", at("2026-11-19", "21:30"))
    now = {"OPENBOOK_NOW": at("2026-11-19", "21:45")}
    text = ok(["status"], root, "bob", **now)
    assert "  You: the first check-in is due Fri 20 Nov by 21:00." in text
    assert "was due" not in text


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
            "relax_unsaid": False,  # its kind is not transparency or safeguard
        }
    ]


def test_a_folder_without_history_counts_with_the_current_schedule(tmp_path: Path) -> None:
    """A vault folder inside a larger repository has no history of its own: the current
    openbook.yml holds for every day, and a check-in's own time is all that says when it
    came."""
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q")
    write(outer, "sub/openbook.yml", CONFIG)
    write(
        outer,
        "sub/checkins/2026/2026-11-20-bob.md",
        '---\ntype: checkin\nauthor: bob\ndate: 2026-11-20\ntime: "21:30"\n---\nx\n',
    )
    data = agenda_json(outer / "sub", "--date", "2026-11-22")
    bob = data["checkins"]["bob"]
    assert (bob["expected"], bob["received"], bob["late"]) == (6, 1, 1)
    assert [w["week"] for w in data["checkin_weeks"]] == ["2026-W47"]
