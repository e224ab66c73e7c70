"""`openbook calendar`: an .ics file for the acting partner (SPEC section 8), read back with
the icalendar library and expanded with recurring-ical-events; imported into khal where
it is installed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from testing import (
    agreement_text,
    build_vault,
    git,
    invoke,
    make_pair,
    make_vault,
    question_text,
)

BERLIN = ZoneInfo("Europe/Berlin")
CREATED = "2026-10-01T12:00:00+02:00"
A2 = "agreements/A-002-calls.md"
WEEKLY_ALICE = (
    'checkins:\n  bob: {every: day, by: "21:00"}\n  alice: {every: week, on: sunday, by: "20:00"}\n'
)


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vault created on 1 October 2026 (before the clocks go back on 25 October)."""
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", CREATED)
    root = make_vault(tmp_path / "vault")
    monkeypatch.delenv("OPENBOOK_COMMIT_DATE")
    return root


def calendar_of(root: Path, who: str = "bob", *args: str) -> icalendar.Calendar:
    res = invoke(["calendar", *args], vault=root, as_partner=who)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("BEGIN:VCALENDAR")
    return icalendar.Calendar.from_ical(res.stdout)


def components(cal: icalendar.Calendar, name: str) -> list[icalendar.cal.Component]:
    return [c for c in cal.walk(name)]


def by_summary(cal: icalendar.Calendar, start: str) -> list[icalendar.cal.Component]:
    return [c for c in cal.walk("VEVENT") if str(c.get("summary")).startswith(start)]


def occurrences(
    cal: icalendar.Calendar, start: dt.date, end: dt.date
) -> list[tuple[str, dt.datetime]]:
    events = recurring_ical_events.of(cal).between(start, end)
    return sorted((str(e["SUMMARY"]), e["DTSTART"].dt) for e in events)


def with_weekly_alice(root: Path) -> None:
    text = (root / "openbook.yml").read_text(encoding="utf-8")
    head, _, rest = text.partition("checkins:\n")
    rest = rest.split("\n", 2)[2]  # drop the two schedule lines init wrote
    build_vault(root, {"openbook.yml": head + WEEKLY_ALICE + rest})


def test_the_meeting_is_one_weekly_event_at_19_local_on_both_sides_of_the_clock_change(
    tmp_path: Path,
) -> None:
    vault = make_vault(tmp_path / "v", when="2026-10-01T09:00:00+02:00")  # before the change
    cal = calendar_of(vault)
    meetings = by_summary(cal, "Our weekly meeting")
    assert len(meetings) == 1
    meeting = meetings[0]
    assert meeting["RRULE"]["FREQ"] == ["WEEKLY"]
    assert meeting["RRULE"]["BYDAY"] == ["SU"]
    assert meeting["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]

    autumn = [
        when
        for title, when in occurrences(cal, dt.date(2026, 10, 17), dt.date(2026, 11, 2))
        if title == "Our weekly meeting"
    ]
    spring = [
        when
        for title, when in occurrences(cal, dt.date(2027, 3, 20), dt.date(2027, 4, 5))
        if title == "Our weekly meeting"
    ]
    for when in autumn + spring:
        local = when.astimezone(BERLIN)
        assert (local.hour, local.minute, local.weekday()) == (19, 0, 6)
    assert [w.astimezone(BERLIN).date().isoformat() for w in autumn] == [
        "2026-10-18",
        "2026-10-25",
        "2026-11-01",
    ]
    # the same 19:00 is a different UTC time before and after each change (the clocks
    # change on the mornings of 25 October 2026 and 28 March 2027, both Sundays)
    hours = [round(w.utcoffset().total_seconds() / 3600) for w in autumn + spring]
    assert hours == [2, 1, 1, 1, 2, 2]


def test_the_monthly_review_is_the_last_meeting_of_each_month(vault: Path) -> None:
    cal = calendar_of(vault)
    (review,) = by_summary(cal, "Our monthly review")
    assert review["RRULE"]["FREQ"] == ["MONTHLY"]
    assert review["RRULE"]["BYDAY"] == ["-1SU"]
    days = [
        when.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
        for title, when in occurrences(cal, dt.date(2026, 11, 1), dt.date(2027, 2, 1))
        if title == "Our monthly review"
    ]
    assert days == ["2026-11-29 19:00", "2026-12-27 19:00", "2027-01-31 19:00"]


def test_each_partner_gets_only_their_own_checkin_deadline(vault: Path) -> None:
    with_weekly_alice(vault)
    bob = calendar_of(vault, "bob")
    (daily,) = by_summary(bob, "Check-in due")
    assert str(daily["SUMMARY"]) == "Check-in due by 21:00"
    assert daily["RRULE"]["FREQ"] == ["DAILY"]
    assert daily["DTEND"].dt.astimezone(BERLIN).strftime("%H:%M") == "21:00"
    assert daily.walk("VALARM"), "the deadline comes with a reminder"

    alice = calendar_of(vault, "alice")
    (weekly,) = by_summary(alice, "Check-in due")
    assert str(weekly["SUMMARY"]) == "Check-in due by 20:00"
    assert weekly["RRULE"]["FREQ"] == ["WEEKLY"]
    assert weekly["RRULE"]["BYDAY"] == ["SU"]
    ends = [
        e["DTEND"].dt.astimezone(BERLIN).strftime("%a %H:%M")
        for e in recurring_ical_events.of(alice).between(
            dt.date(2026, 11, 1), dt.date(2026, 11, 16)
        )
        if str(e["SUMMARY"]).startswith("Check-in")
    ]
    assert ends == ["Sun 20:00"] * 2  # 8 and 15 November: the vault began on 2 November
    # uids differ per partner, so the two deadlines never overwrite each other
    assert daily["UID"] != weekly["UID"]


def test_active_agreements_reviews_and_the_answers_I_owe(vault: Path) -> None:
    build_vault(
        vault,
        {
            "agreements/A-001-no-private-contact.md": agreement_text(
                "x",
                status="active",
                accepted_by=["alice", "bob"],
                extra="next_review: 2026-12-01\n",
            ),
            A2: agreement_text("y", "Calls", aid="A-002", extra="next_review: 2026-12-05\n"),
            "questions/Q-0001.md": question_text("Q-0001", asked="2026-11-23 10:00"),
            "questions/Q-0002.md": question_text(
                "Q-0002",
                asked="2026-11-20 10:00",
                status="answered",
                extra="answered: 2026-11-21 09:00\n",
            ),
            "questions/Q-0003.md": question_text("Q-0003", asked_by="bob", to="alice"),
        },
    )
    cal = calendar_of(vault, "bob")
    (review,) = by_summary(cal, "Review agreement")
    assert str(review["SUMMARY"]) == "Review agreement A-001"  # the proposed A-002 is not in
    assert review["DTSTART"].dt == dt.date(2026, 12, 1)

    todos = {str(t["SUMMARY"]): t for t in cal.walk("VTODO")}
    assert set(todos) == {"Answer question Q-0001", "Answer question Q-0002"}
    open_one = todos["Answer question Q-0001"]
    assert open_one["DUE"].dt == dt.datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
    assert str(open_one["STATUS"]) == "NEEDS-ACTION"
    assert str(todos["Answer question Q-0002"]["STATUS"]) == "COMPLETED"

    # Alice owes Q-0003; Bob owes her nothing in her calendar
    alice = calendar_of(vault, "alice")
    assert [str(t["SUMMARY"]) for t in alice.walk("VTODO")] == ["Answer question Q-0003"]


def test_nothing_about_the_other_partners_lateness(vault: Path) -> None:
    # Alice wrote no check-in for days; Bob's calendar holds only his own deadline
    cal = calendar_of(vault, "bob")
    text = cal.to_ical().decode()
    assert "late" not in text.lower()
    assert "alice" not in text.lower()
    assert len(by_summary(cal, "Check-in")) == 1


def test_uids_are_stable_across_runs_days_and_clones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    first = calendar_of(pair.bob, "bob")
    monkeypatch.setenv("OPENBOOK_NOW", "2026-12-02T08:00:00+01:00")
    later = calendar_of(pair.bob, "bob")
    uids = sorted(str(c["UID"]) for c in first.walk("VEVENT"))
    assert uids == sorted(str(c["UID"]) for c in later.walk("VEVENT"))
    assert len(set(uids)) == len(uids)
    # the meeting is the same event in both partners' calendars
    alice = calendar_of(pair.alice, "alice")
    assert {str(c["UID"]) for c in by_summary(alice, "Our weekly meeting")} == {
        str(c["UID"]) for c in by_summary(first, "Our weekly meeting")
    }


def test_discreet_titles_say_nothing(vault: Path) -> None:
    build_vault(
        vault,
        {
            "agreements/A-001-no-private-contact.md": agreement_text(
                "x",
                status="active",
                accepted_by=["alice", "bob"],
                extra="next_review: 2026-12-01\n",
            ),
            "questions/Q-0001.md": question_text("Q-0001", asked="2026-11-23 10:00"),
        },
    )
    plain = calendar_of(vault, "bob")
    cal = calendar_of(vault, "bob", "--discreet")
    summaries = sorted(str(c["SUMMARY"]) for c in cal.walk() if "SUMMARY" in c)
    assert summaries == [
        "Note to write",
        "Reply due",
        "Time together",
        "Time together",
        "Time together",
    ]
    assert not [c for c in cal.walk() if "DESCRIPTION" in c and c.name != "VALARM"]
    text = cal.to_ical().decode()
    for word in ("Q-0001", "A-001", "check-in", "Check-in", "meeting", "review", "X-WR-CALNAME"):
        assert word not in text
    # the same uids as the plain calendar: switching to discreet updates the same events
    assert {str(c["UID"]) for c in cal.walk("VEVENT")} == {
        str(c["UID"]) for c in plain.walk("VEVENT")
    }


def test_o_writes_the_file_and_stdout_stays_empty(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "us.ics"
    res = invoke(["calendar", "-o", str(out)], vault=vault, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""
    assert res.stderr == f"openbook: wrote {out}; import it into your calendar.\n"
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert icalendar.Calendar.from_ical(data).walk("VEVENT")


def test_a_vault_in_utc_has_no_vtimezone(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    text = (root / "openbook.yml").read_text(encoding="utf-8")
    build_vault(root, {"openbook.yml": text.replace("Europe/Berlin", "UTC")})
    cal = calendar_of(root)
    assert not cal.walk("VTIMEZONE")
    (meeting,) = by_summary(cal, "Our weekly meeting")
    assert meeting["DTSTART"].dt.utcoffset() == dt.timedelta(0)


@pytest.mark.skipif(shutil.which("khal") is None, reason="khal is not installed (apt install khal)")
def test_khal_imports_it_and_a_second_import_updates(tmp_path: Path) -> None:
    """khal (Debian's packaged command-line calendar) imports the file into a vdir; the
    meeting shows at 19:00 on both sides of the clock change, and a second import with
    --discreet replaces the events instead of adding copies."""
    vault = make_vault(tmp_path / "v", when="2026-10-01T09:00:00+02:00")  # before the change
    folder = tmp_path / "khal"
    (folder / "cal").mkdir(parents=True)
    config = folder / "config"
    config.write_text(
        f"[calendars]\n[[us]]\npath = {folder / 'cal'}/\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "default_timezone = Europe/Berlin\nlocal_timezone = Europe/Berlin\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n"
    )

    def khal(*args: str) -> str:
        res = subprocess.run(
            ["khal", "-c", str(config), *args], capture_output=True, text=True, timeout=60
        )
        assert res.returncode == 0, res.stderr
        return res.stdout

    ics = tmp_path / "bob.ics"
    assert invoke(["calendar", "-o", str(ics)], vault=vault, as_partner="bob").exit_code == 0
    khal("import", "--batch", "-a", "us", str(ics))
    before = khal("list", "2026-10-25", "1d") + khal("list", "2026-11-01", "1d")
    assert before.count("19:00-20:00 Our weekly meeting") == 2
    files = sorted(p.name for p in (folder / "cal").iterdir())

    assert (
        invoke(["calendar", "--discreet", "-o", str(ics)], vault=vault, as_partner="bob").exit_code
        == 0
    )
    khal("import", "--batch", "-a", "us", str(ics))
    assert sorted(p.name for p in (folder / "cal").iterdir()) == files
    after = khal("list", "2026-11-29", "1d")
    assert "Our weekly meeting" not in after
    assert after.count("19:00-20:00 Time together") == 2  # the meeting and the review


def test_calendar_needs_to_know_who_you_are(vault: Path) -> None:
    git(vault, "config", "--unset", "openbook.partner")
    res = invoke(["calendar"], vault=vault)
    assert res.exit_code == 1
    assert "does not know which partner you are" in res.stderr


def test_while_everything_is_paused_the_checkin_reminder_is_cancelled(vault: Path) -> None:
    """The same event (same UID), cancelled and without its alarm: importing the file again
    silences the reminder an earlier import set up; after resume it comes back."""
    before = calendar_of(vault, "bob")
    (daily,) = by_summary(before, "Check-in due")
    assert invoke(["pause", "--all"], vault=vault).exit_code == 0
    (paused,) = by_summary(calendar_of(vault, "bob"), "Check-in due")
    assert paused["UID"] == daily["UID"]
    assert str(paused["STATUS"]) == "CANCELLED"
    assert not paused.walk("VALARM")
    assert invoke(["resume"], vault=vault).exit_code == 0
    (back,) = by_summary(calendar_of(vault, "bob"), "Check-in due")
    assert "STATUS" not in back and back.walk("VALARM")
