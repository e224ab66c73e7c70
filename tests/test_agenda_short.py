"""`openbook agenda --short`: the opening (with any pause), appreciations, anything that
can't wait, the close, and "Or postpone: no reason needed." At most five sections in
every format, no counts, no topic, no repairs, even when the week was full of events.
Answers that landed badly are offered as topics in the full agenda."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testing import build_vault, checkin_text, invoke, question_text
from testing.ritual import at, commit_checkin, commit_files, harmful, ok

MEETING = ["--date", "2026-11-29"]
NOW = at("2026-11-28", "21:00")
SETBACK = "The message I answered"
NEED_TO_TALK = "After the answer to Q-0002, there is something to talk about together."
HURT = (
    "The answer to Q-0003 landed hard. Talk about it together if you both want to, "
    "here or with your therapist."
)


def answered(qid: str, landed: str, day: str, asked_by: str = "alice", to: str = "bob") -> str:
    return question_text(
        qid,
        asked_by=asked_by,
        to=to,
        asked=f"{day} 09:00",
        status="answered",
        extra=f"answered: {day} 18:00\nlanded: {landed}\n",
        body="A question.\n\n## Answer\n\nAn answer.",
    )


def full_week(root: Path) -> Path:
    """A week with something of every kind: check-ins (one late), appreciations, a plan
    change, answers that helped, hurt and need a talk, an overdue question, an open
    timeout, a returned one, an open setback, a processed repair, a discuss item and
    agreements waiting for consent."""
    build_vault(
        root,
        {
            "agreements/A-001-contact.md": (
                "---\ntype: agreement\nid: A-001\ntitle: Contact with M. only at work\n"
                "status: active\nkind: boundary\nproposed_by: alice\naccepted_by: [alice, bob]\n"
                "since: 2026-11-02\nnext_review: 2026-11-25\n---\n\n# Contact\n"
            ),
            "agreements/A-002-plans.md": (
                "---\ntype: agreement\nid: A-002\ntitle: Plans that change are announced "
                "before, not after\nstatus: proposed\nproposed_by: bob\naccepted_by: [bob]\n"
                "---\n\n# Plans\n"
            ),
        },
    )
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"):
        if day == "2026-11-24":  # asked, and in the log, that morning
            q4 = {"questions/Q-0004.md": question_text("Q-0004", asked="2026-11-24 08:00")}
            commit_files(root, q4, at(day, "08:00"))
        commit_checkin(root, "bob", day, "20:00")
    commit_checkin(root, "bob", "2026-11-27", "22:30")
    commit_files(
        root,
        {
            "checkins/2026/2026-11-28-bob.md": checkin_text(
                "bob",
                "2026-11-28",
                extra="discuss: [Christmas with my family]\n",
                body="## Appreciation\n\nAlice made soup when I was tired.",
            ),
            "plan-changes/2026/2026-11-25-1700-bob.md": (
                "---\ntype: plan-change\nauthor: bob\nsent: 2026-11-25 17:00\n"
                "plan_at: 2026-11-25 19:00\nwas: Home at 19:00\nnow: Home at 20:00\n---\n"
            ),
            "questions/Q-0001.md": answered("Q-0001", "helped", "2026-11-24"),
            "questions/Q-0002.md": answered("Q-0002", "need-to-talk", "2026-11-25"),
            "questions/Q-0003.md": answered("Q-0003", "hurt-more", "2026-11-26"),
            "timeouts/2026/2026-11-26-2000-alice.md": (
                "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-11-26 20:00\n"
                "return_by: 2026-11-26 20:40\nreturned: 2026-11-26 20:35\n---\n"
            ),
            "timeouts/2026/2026-11-28-2000-bob.md": (
                "---\ntype: timeout\ncalled_by: bob\ncalled: 2026-11-28 20:00\n"
                "return_by: 2026-11-28 21:30\n---\n"
            ),
            "repairs/2026/2026-11-27-message.md": (
                f"---\ntype: repair\nauthor: bob\ndate: 2026-11-27\nkind: setback\n"
                f"self_reported: true\nagreements: [A-001]\nstatus: open\n---\n\n# {SETBACK}\n"
            ),
            "repairs/2026/2026-11-23-call.md": (
                "---\ntype: repair\nauthor: alice\ndate: 2026-11-23\nkind: rupture\n"
                "status: processed\nprocessed: 2026-11-24\nprocessed_by: [alice]\n---\n\n"
                "# The missed call\n"
            ),
        },
        at("2026-11-28", "20:10"),
    )
    call = "repairs/2026/2026-11-23-call.md"  # processed once Bob says so too, himself
    text = (root / call).read_text(encoding="utf-8").replace("[alice]", "[alice, bob]")
    commit_files(root, {call: text}, at("2026-11-28", "20:12"), who="bob")
    return root


@pytest.fixture
def week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENBOOK_NOW", NOW)
    root = full_week(tmp_path / "v")
    assert invoke(["check"], vault=root).exit_code == 0
    return root


def short(root: Path, fmt: str) -> str:
    return ok(["agenda", "--short", "--format", fmt, *MEETING], root)


def test_the_short_form_has_at_most_five_sections_in_every_format(week: Path) -> None:
    md = short(week, "md")
    assert [ln for ln in md.splitlines() if ln.startswith("## ")] == [
        "## Opening",
        "## Appreciations",
        "## Anything that can't wait",
        "## Close",
    ]
    html = short(week, "html")
    assert len(re.findall(r"<section\b", html)) <= 5
    assert len(re.findall(r"<h2>", html)) <= 5
    data = json.loads(short(week, "json"))
    assert data["format"] == "short" and len(data["sections"]) <= 5
    full = json.loads(ok(["agenda", "--json", *MEETING], week))
    assert len(full["sections"]) == 9  # the full form can fail this test's bound


def test_the_short_page_says_postpone_and_shows_no_counts(week: Path) -> None:
    data = json.loads(short(week, "json"))
    # the data for scripts keeps SPEC section 6's keys; the page shows none of them
    spec_keys = ("date", "week", "period", "checkins", "open_questions", "agreements_due")
    assert all(key in data for key in (*spec_keys, "topic", "queued_topics")), data.keys()
    assert data["sections"] == ["opening", "appreciations", "cannot_wait", "close"]
    for fmt in ("md", "html"):
        text = short(week, fmt)
        assert "Or postpone: no reason needed." in text
        assert "Alice made soup when I was tired." in text  # appreciations stay
        assert "What can I do to make you feel loved this week?" in text
        assert not re.search(r"\b\d+ of \d+\b", text), fmt  # no counts
        assert SETBACK not in text and "The missed call" not in text  # no repairs
        assert "Christmas with my family" not in text  # no topic
        assert HURT not in text  # an answer that landed hard waits for a calm meeting
        assert "Fingerprint" not in text
        assert harmful(text, 7) == []


def test_what_cannot_wait(week: Path) -> None:
    """An open timeout, an overdue answer (only to agree when it comes), and an answer
    after which one of the two asked to talk."""
    data = json.loads(short(week, "json"))
    assert data["cannot_wait"] == [
        "Timeout called Sat 28 Nov 20:00; back by 21:30.",
        "Q-0004: the answer was due Thu 26 Nov 08:00. "
        "Agree on when it will come; it need not be tonight.",
        NEED_TO_TALK,
    ]
    md = short(week, "md")
    assert f"- {NEED_TO_TALK}" in md


def test_nothing_that_cannot_wait_is_said_kindly(vault: Path) -> None:
    text = ok(["agenda", "--short", "--date", "2026-11-29"], vault)
    assert "Nothing here needs tonight. Everything else can wait for a calmer week." in text


def test_a_pause_is_named_in_the_short_opening(week: Path) -> None:
    commit_files(
        week,
        {
            "pauses/2026/2026-11-28-2030-alice.md": (
                "---\ntype: pause\nby: alice\nsince: 2026-11-28 20:30\n---\n"
            )
        },
        at("2026-11-28", "20:30"),
        who="alice",
    )
    md = short(week, "md")
    opening = md.split("## Appreciations")[0]
    assert "Paused by Alice Example since" in opening
    assert harmful(md, 7) == []
    # while a pause holds nothing is expected: no answer is pressed for
    assert json.loads(short(week, "json"))["cannot_wait"] == [
        "Timeout called Sat 28 Nov 20:00; back by 21:30.",
        NEED_TO_TALK,
    ]


def test_answers_that_landed_badly_are_offered_as_topics(week: Path) -> None:
    data = json.loads(ok(["agenda", "--json", *MEETING], week))
    topics = [data["topic"], *data["queued_topics"]]
    assert [(t["kind"], t["text"]) for t in topics] == [
        ("setback", SETBACK),
        ("answer", NEED_TO_TALK),
        ("discuss", "Christmas with my family"),
        ("answer", HURT),
    ]
    assert "Q-0001: the answer helped." in data["went_right"]
    md = ok(["agenda", *MEETING], week)
    assert f"- {HURT} (answer, `questions/Q-0003.md`)" in md
    assert harmful(md, 7) == []


def test_a_landed_answer_rests_after_two_meetings(week: Path) -> None:
    """Offered at two weekly meetings, then it rests: it does not follow the couple."""
    data = json.loads(ok(["agenda", "--json", "--date", "2026-12-06"], week))
    texts = [t["text"] for t in [data["topic"] or {}, *data["queued_topics"]] if t]
    assert HURT in texts
    data = json.loads(ok(["agenda", "--json", "--date", "2026-12-13"], week))
    texts = [t["text"] for t in [data["topic"] or {}, *data["queued_topics"]] if t]
    assert HURT not in texts and NEED_TO_TALK not in texts


def test_a_settings_proposal_is_named_in_the_short_opening(week: Path) -> None:
    cfg = week / "openbook.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "at: '19:00'" in text
    cfg.write_text(text.replace("at: '19:00'", "at: '18:00'"), encoding="utf-8")
    assert invoke(["commit"], vault=week).exit_code == 0
    data = json.loads(short(week, "json"))
    assert data["settings_proposal"]["waiting"] == ["alice"]
    md = short(week, "md")
    opening = md.split("## Appreciations")[0]
    assert data["settings_proposal"]["text"] in opening
    assert harmful(md, 7) == []
