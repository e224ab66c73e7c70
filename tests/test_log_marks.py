"""`openbook log` tells the truth about authorship and time (SPEC sections 1 and 4): the
partner comes from the author's email, the committer is named, and the marks `by bob for
alice`, `written later`, `late edit` and `deleted` say what history shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import build_vault, git, invoke, question_text
from testing.ritual import at, checkin_note, checkin_path, commit_checkin, ok

BOB_ENV = {"GIT_AUTHOR_NAME": "Bob Example", "GIT_AUTHOR_EMAIL": "bob@example.org"}


def log_json(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(ok(["log", "--json", *args], root))  # type: ignore[no-any-return]


def test_a_note_written_for_the_other_partner_shows_by_whom(vault: Path) -> None:
    env = {"OPENBOOK_COMMIT_DATE": at("2026-11-24", "19:00")}
    ok(["new", "checkin", "--no-edit", "--body", "Her words."], vault, "alice", **env)
    entry = log_json(vault)[0]
    assert (entry["partner"], entry["author"]) == ("alice", "Alice Example")
    assert (entry["committer_partner"], entry["committer"]) == ("bob", "Bob Example")
    assert entry["marks"] == ["by bob for alice"]
    line = ok(["log"], vault).splitlines()[0]
    assert line.endswith("alice    new checkins/2026/2026-11-24-alice.md  [by bob for alice]")
    assert line.startswith("2026-11-24 19:00")


def test_the_partner_comes_from_the_author_email_not_the_trailer(vault: Path) -> None:
    rel = checkin_path("bob", "2026-11-23")
    (vault / "checkins/2026").mkdir(parents=True, exist_ok=True)
    (vault / rel).write_text(checkin_note("bob", "2026-11-23"), encoding="utf-8")
    git(vault, "add", rel)
    when = {
        "GIT_AUTHOR_DATE": "2026-11-23T19:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-11-23T19:00:00+00:00",
    }
    message = "checkin: new x\n\nOpenbook-Action: new\nOpenbook-Partner: alice\n"
    git(vault, "commit", "-q", "-m", message, env={**BOB_ENV, **when})
    entry = log_json(vault)[0]
    assert entry["partner"] == "bob"  # the trailer says alice: only a hint
    assert entry["committer_partner"] is None  # committed by the test identity
    assert entry["marks"] == []
    # times in the vault's zone (Europe/Berlin), whatever zone the commit was made in
    assert entry["date"] == "2026-11-23T20:00:00+01:00"
    alice = ok(["log", "--partner", "alice"], vault).strip().splitlines()
    assert len(alice) == 1 and alice[0].endswith("accept openbook.yml")  # her joining


def test_written_later_late_edit_and_deleted(vault: Path) -> None:
    rel = commit_checkin(vault, "bob", "2026-11-10", at("2026-11-14", "09:00"))
    build_vault(
        vault,
        {rel: checkin_note("bob", "2026-11-10", extra="mood: 2\n")},
        as_partner="bob",
        when=at("2026-11-15", "09:00"),
        message="edit",
    )
    git(vault, "rm", "-q", rel)
    git(
        vault,
        "commit",
        "-q",
        "-m",
        "gone",
        env={
            **BOB_ENV,
            "GIT_AUTHOR_DATE": at("2026-11-16", "09:00"),
            "GIT_COMMITTER_DATE": at("2026-11-16", "09:00"),
        },
    )
    marks = [e["marks"] for e in log_json(vault)[:3]]
    assert marks == [["deleted"], ["late edit"], ["written later"]]
    text = ok(["log"], vault).splitlines()
    assert text[0].endswith("[deleted, still in history]")
    assert text[1].endswith("[late edit]")
    assert text[2].endswith("[written later]")


@pytest.mark.parametrize(
    ("change", "late"),
    [
        ("status: answered\nanswered: 2026-11-20 10:00\n", False),  # an answer
        ("status: answered\nanswered: 2026-11-20 10:00\nlanded: helped\n", False),
        ("status: acknowledged\n", False),
        ("status: open\ncategory: contact\n", True),  # its own words changed
    ],
)
def test_an_answer_landed_or_acknowledgement_is_not_a_late_edit(
    vault: Path, change: str, late: bool
) -> None:
    rel = "questions/Q-0001.md"
    first = question_text(asked="2026-11-10 10:00")
    build_vault(vault, {rel: first}, as_partner="alice", when=at("2026-11-10", "10:00"))
    later = first.replace("status: open\n", change)
    body = later.replace("Where were you?\n", "Where were you?\n\n## Answer\n\nAt work.\n")
    build_vault(vault, {rel: body}, as_partner="bob", when=at("2026-11-20", "10:00"), message="x")
    entry = log_json(vault)[0]
    assert entry["late_edit"] is late
    assert ("late edit" in entry["marks"]) is late


def test_a_timeout_returned_later_is_not_a_late_edit(vault: Path) -> None:
    rel = "timeouts/2026/2026-11-10-1940-alice.md"
    head = "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-11-10 19:40\n"
    text = head + "return_by: 2026-11-11 19:00\n---\n"
    build_vault(vault, {rel: text}, as_partner="alice", when=at("2026-11-10", "19:41"))
    back = head + "return_by: 2026-11-11 19:00\nreturned: 2026-11-11 18:00\n---\n"
    build_vault(vault, {rel: back}, as_partner="alice", when=at("2026-11-14", "10:00"), message="x")
    assert log_json(vault)[0]["marks"] == []
    retold = back.replace("called_by: alice\n", "called_by: alice\ntopic: money\n")
    build_vault(
        vault, {rel: retold}, as_partner="alice", when=at("2026-11-14", "11:00"), message="y"
    )
    assert log_json(vault)[0]["marks"] == ["late edit"]


@pytest.mark.parametrize("args", [["status"], ["status", "--json"], ["log"], ["agenda"], ["check"]])
def test_an_unknown_partner_in_as_is_a_usage_error_everywhere(vault: Path, args: list[str]) -> None:
    res = invoke(args, vault=vault, as_partner="carol")
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == (
        "openbook: 'carol' (from --as) is not a partner in openbook.yml; use one of: alice, bob.\n"
    )
