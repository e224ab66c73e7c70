"""Add/add is not a conflict (SPEC 5): two notes both sides added at one path or with one
id are two notes. The syncing side's own new note is renumbered (next free id, or a -2
suffix for dated names), references to it in its local notes follow, the renumbering is
one commit (`Openbook-Action: renumber`), and sync exits 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import (
    Pair,
    agreement_text,
    checkin_text,
    git,
    invoke,
    make_pair,
    question_text,
    subjects,
    trailers,
)

from openbook.sync.clone import clone

PLAN = (
    "---\ntype: plan-change\nauthor: alice\nsent: 2026-11-24 17:55\n"
    "plan_at: 2026-11-24 18:00\nwas: Call at 18:00\nnow: Call at {now}\n---\n\n{body}\n"
)
TIMEOUT = (
    "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-11-24 19:40\n"
    "return_by: 2026-11-24 {back}\n---\n\n{body}\n"
)
REPAIR = (
    "---\ntype: repair\nauthor: {who}\ndate: 2026-11-20\nkind: rupture\nstatus: open\n"
    "title: Missed call\n{extra}---\n\n{body}\n"
)
MEETING = (
    "---\ntype: meeting\ndate: 2026-11-24\nweek: 2026-W48\nparticipants: [alice, bob]\n"
    "---\n\n{body}\n"
)
REVIEW = (
    "---\ntype: review\nperiod: 2026-11\ndate: 2026-11-24\nparticipants: [alice, bob]\n"
    "{extra}---\n\n{body}\n"
)

# type: (path, the first side's note, the second side's note, second side is Alice again)
SAME_PATH = {
    "checkin": (
        "checkins/2026/2026-11-24-alice.md",
        checkin_text("alice", body="From the laptop."),
        checkin_text("alice", mood=2, body="From the phone."),
        True,
    ),
    "plan-change": (
        "plan-changes/2026/2026-11-24-1755-alice.md",
        PLAN.format(now="19:00", body="Laptop."),
        PLAN.format(now="19:30", body="Phone."),
        True,
    ),
    "timeout": (
        "timeouts/2026/2026-11-24-1940-alice.md",
        TIMEOUT.format(back="20:10", body="Laptop."),
        TIMEOUT.format(back="20:40", body="Phone."),
        True,
    ),
    "repair": (
        "repairs/2026/2026-11-20-missed-call.md",
        REPAIR.format(who="alice", extra="", body="Alice's side."),
        REPAIR.format(who="bob", extra="", body="Bob's side."),
        False,
    ),
    "meeting": (
        "meetings/2026/2026-W48.md",
        MEETING.format(body="Alice's minutes."),
        MEETING.format(body="Bob's minutes."),
        False,
    ),
    "review": (
        "reviews/2026-11.md",
        REVIEW.format(extra="", body="Alice's review."),
        REVIEW.format(extra="", body="Bob's review."),
        False,
    ),
}


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _clean_check(root: Path) -> None:
    res = invoke(["check"], vault=root)
    assert res.exit_code == 0 and res.stdout.startswith("0 errors, 0 warnings in "), res.stdout


def _tree(root: Path) -> str:
    return git(root, "ls-tree", "-r", "HEAD")


@pytest.mark.parametrize("note_type", sorted(SAME_PATH))
def test_the_same_dated_path_on_both_sides_gets_a_suffix(
    pair: Pair, tmp_path: Path, note_type: str
) -> None:
    path, first, second, same_author = SAME_PATH[note_type]
    other = clone(str(pair.remote), tmp_path / "phone", "alice") if same_author else pair.bob
    who = "alice" if same_author else "bob"
    pair.write("alice", path, first)
    assert pair.sync("alice").exit_code == 0
    (other / path).parent.mkdir(parents=True, exist_ok=True)
    (other / path).write_text(second)
    res = invoke(["sync"], vault=other, as_partner=who)
    moved = path.removesuffix(".md") + "-2.md"
    opening = "You also added, in another copy of the vault," if same_author else "Alice also added"
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.splitlines()[:3] == [
        f"Received 1 change from Alice: 1 {note_type.replace('-', ' ')}.".replace(
            "1 checkin", "1 check-in"
        )
        .replace("1 meeting.", "1 meeting note.")
        .replace("1 review.", "1 monthly review."),
        f"{opening} {path}, so both are kept: yours is now {moved}.",
        "Synced with origin: committed 1 change, shared 3 changes.",
    ]
    assert (other / moved).read_text() == second and (other / path).read_text() == first
    renumber = git(other, "log", "-1", "--format=%H", "--grep=renumber")
    assert trailers(other, renumber) == {
        "Openbook-Action": "renumber",
        "Openbook-Type": note_type,
        "Openbook-Partner": who,
    }
    assert subjects(other)[:2] == [
        "vault: merge origin/main",
        f"{note_type}: renumber {path} to {moved}",
    ]
    assert pair.sync("alice").exit_code == 0
    assert _tree(pair.alice) == _tree(other)
    assert not list(other.rglob("*.conflict-*"))
    _clean_check(other)


def test_both_ask_offline_and_both_get_the_same_id(pair: Pair) -> None:
    """The example of the SPEC: both partners ask offline and both get Q-0001."""
    asked = invoke(["ask", "Where were you on Friday?", "--to", "bob"], vault=pair.alice)
    assert asked.exit_code == 0, asked.stderr
    assert pair.sync("alice").exit_code == 0
    mine = invoke(["ask", "What do you need from me?", "--to", "alice"], vault=pair.bob)
    assert mine.exit_code == 0, mine.stderr
    assert (pair.bob / "questions/Q-0001.md").is_file()
    check = pair.sync("bob", "--check")
    assert (check.exit_code, check.stdout) == (
        0,
        "Both of you added notes under one name or id: your question Q-0001 would become "
        "Q-0002 (questions/Q-0002.md).\n"
        "Diverged from origin: 1 change here, 1 change there; a sync would merge them, "
        "without conflicts.\n",
    )
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Received 1 change from Alice: 1 question.\n"
        "Alice also added Q-0001, so both are kept: your question Q-0001 is now Q-0002 "
        "(questions/Q-0002.md).\n"
        "Synced with origin: shared 3 changes.\n"
    )
    text = (pair.bob / "questions/Q-0002.md").read_text()
    assert "id: Q-0002\n" in text and "What do you need from me?" in text
    assert "Where were you on Friday?" in (pair.bob / "questions/Q-0001.md").read_text()
    assert pair.sync("alice").exit_code == 0
    assert _tree(pair.alice) == _tree(pair.bob)
    for who in ("alice", "bob"):
        _clean_check(pair.root(who))


def test_references_to_a_renumbered_note_follow_it(pair: Pair) -> None:
    """Bob's offline notes refer to his new Q-0001 and A-001; Alice added her own Q-0001
    and A-001 meanwhile. His get the next free ids and every local reference follows."""
    pair.write("alice", "questions/Q-0001.md", question_text("Q-0001", body="Alice's."))
    pair.write("alice", "agreements/A-001-no-private-contact.md", agreement_text("Alice's."))
    assert pair.sync("alice").exit_code == 0
    bob = {
        "questions/Q-0001.md": question_text(
            "Q-0001", asked_by="bob", to="alice", body="Bob's first."
        ),
        "questions/Q-0002.md": question_text(
            "Q-0002", asked_by="bob", to="alice", extra="repeat_of: Q-0001\n", body="Again."
        ),
        "agreements/A-001-phone.md": agreement_text(
            "Bob's.", "Phone", proposed_by="bob", extra="measures: [daily]\n"
        ),
        "agreements/A-002-calls.md": agreement_text(
            "Newer.", "Calls", aid="A-002", proposed_by="bob", extra="supersedes: A-001\n"
        ),
        "checkins/2026/2026-11-24-bob.md": checkin_text(
            "bob", extra="kept: {A-001: partly, A-002: 'yes'}\n"
        ),
        "repairs/2026/2026-11-20-missed-call.md": REPAIR.format(
            who="bob", extra="agreements: [A-001]\n", body="Mine."
        ),
        "reviews/2026-11.md": REVIEW.format(extra="agreements: {A-001: keep}\n", body="Ok."),
    }
    for rel, text in bob.items():
        pair.write("bob", rel, text)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.splitlines()[:2] == [
        "Received 2 changes from Alice: 1 agreement, 1 question.",
        "Alice also added notes with the same names or ids as your new ones, so both are "
        "kept: your agreement A-001 is now A-003 (agreements/A-003-phone.md); your question "
        "Q-0001 is now Q-0003 (questions/Q-0003.md).",
    ]
    read = lambda rel: (pair.bob / rel).read_text()  # noqa: E731
    assert read("questions/Q-0003.md") == bob["questions/Q-0001.md"].replace(
        "id: Q-0001", "id: Q-0003"
    )
    assert read("questions/Q-0002.md") == bob["questions/Q-0002.md"].replace(
        "repeat_of: Q-0001", "repeat_of: Q-0003"
    )
    assert read("agreements/A-003-phone.md") == bob["agreements/A-001-phone.md"].replace(
        "id: A-001", "id: A-003"
    )
    assert "supersedes: A-003\n" in read("agreements/A-002-calls.md")
    assert "kept: {A-002: 'yes', A-003: partly}\n" in read("checkins/2026/2026-11-24-bob.md")
    assert "agreements: [A-003]\n" in read("repairs/2026/2026-11-20-missed-call.md")
    assert "agreements: {A-003: keep}\n" in read("reviews/2026-11.md")
    # Alice's notes are hers, untouched
    assert read("questions/Q-0001.md") == question_text("Q-0001", body="Alice's.")
    assert read("agreements/A-001-no-private-contact.md") == agreement_text("Alice's.")
    assert pair.sync("alice").exit_code == 0
    assert _tree(pair.alice) == _tree(pair.bob)
    check = invoke(["check"], vault=pair.alice)
    assert check.exit_code == 0 and "id-duplicate" not in check.stdout, check.stdout


def test_the_same_note_added_on_both_sides_is_one_note(pair: Pair) -> None:
    text = checkin_text("alice", body="Same words.")
    pair.write("alice", "meetings/2026/2026-W48.md", MEETING.format(body=text))
    pair.write("bob", "meetings/2026/2026-W48.md", MEETING.format(body=text))
    assert pair.sync("alice").exit_code == 0
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert "also added" not in res.stdout
    assert not (pair.bob / "meetings/2026/2026-W48-2.md").exists()
    assert "renumber" not in "\n".join(subjects(pair.bob))
