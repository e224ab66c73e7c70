"""Shared settings merge like settings (SPEC 5): openbook.yml, language.md and templates
merge key by key when the two sides changed different keys (exit 0); a key both changed
keeps ours and theirs is written verbatim beside the file as a conflict copy with the same
extension (openbook.conflict-alice-SHA.yml; a template's or .gitignore's goes into a
conflict note in reviews/), which check, status and the agenda list and which the other
side's sync receives like any note (exit 3, then 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair, undated
from testing.plain import commit_and_push

from openbook.sync.settings import merge_units

MEETING = "meeting: {'on': sunday, at: '19:00', minutes: 60}\n"
QUESTIONS = "questions: {answer_within: 48h}\n"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def edit(root: Path, rel: str, old: str, new: str) -> str:
    text = (root / rel).read_text()
    assert old in text, text
    text = text.replace(old, new)
    (root / rel).write_text(text)
    return text


def alice_pushes(pair: Pair, rel: str, old: str, new: str) -> tuple[str, str]:
    """Alice changes `rel` with plain git and pushes; (her text, her commit)."""
    text = edit(pair.alice, rel, old, new)
    return text, commit_and_push(pair.alice, "alice", {}, f"change {rel}")


def conflict_note(path: str, sha: str, theirs: str, keys: str | None, what: str) -> str:
    head = f"conflict_of: {path}\ncommit: {sha}\n" + (f"keys: [{keys}]\n" if keys else "")
    block = "".join(f"    {line}" if line.strip() else "\n" for line in theirs.splitlines(True))
    return (
        f"---\n{head}---\n\n# Alice's {path}\n\nYou both changed {what} in {path}. Your "
        f"version stays in {path}; this is Alice's, from commit {sha[:7]}. Agree on one "
        f"together, put it in {path}, then delete this note.\n\n{block}"
    )


def test_both_change_the_meeting_time(pair: Pair) -> None:
    theirs, sha = alice_pushes(pair, "openbook.yml", "at: '19:00'", "at: '18:00'")
    ours = edit(pair.bob, "openbook.yml", "at: '19:00'", "at: '20:00'")
    res = pair.sync("bob")
    note = f"openbook.conflict-alice-{sha[:7]}.yml"
    assert (res.exit_code, res.stderr) == (3, "")
    assert undated(res.stdout) == (
        "Alice changed openbook.yml.\n"
        "Synced with origin: committed 1 change, shared 2 changes.\n"
        f"openbook.yml: you both changed meeting. Yours stays there and Alice's version is "
        f"in {note}; agree on one together, put it in openbook.yml, then delete the copy.\n"
        "Both versions are safe in the history; 'openbook status' lists the copies until "
        "they are deleted.\n"
        "You proposed new settings on DAY: meeting at 20:00, was 19:00. Nothing "
        "changes unless Alice Example accepts; Alice Example can read it with 'openbook "
        "accept settings' and say no.\n"
        "1 file to reconcile.\n"
    )
    assert (pair.bob / "openbook.yml").read_text() == ours
    assert (pair.bob / note).read_text() == theirs
    status = invoke(["status"], vault=pair.bob, as_partner="bob")
    assert f"  Conflict copy to reconcile: {note} (keep what you both want, then delete it).\n" in (
        status.stdout
    )
    check = invoke(["check"], vault=pair.bob)
    assert (check.exit_code, check.stdout.splitlines()[0]) == (
        0,
        f"{note}:1:1: warning: conflict copy from sync: compare it with openbook.yml, keep "
        "what you both want there, then delete this file [conflict-copy]",
    )
    agenda = json.loads(invoke(["agenda", "--format", "json"], vault=pair.bob).stdout)
    assert agenda["conflict_copies"] == [note]
    # the other side's next sync takes it like any note
    again = pair.sync("alice")
    assert (again.exit_code, again.stderr) == (0, "")
    assert undated(again.stdout) == (
        "Received 1 change from Bob: 1 conflict copy to reconcile.\nBob changed openbook.yml.\n"
        "Bob Example proposed new settings on DAY: meeting at 20:00, was 19:00. Nothing "
        "changes unless you accept; 'openbook accept settings' shows it, and you may say no.\n"
    )
    assert (pair.alice / "openbook.yml").read_text() == ours
    assert (pair.alice / note).read_text() == (pair.bob / note).read_text()
    assert note in invoke(["status"], vault=pair.alice, as_partner="alice").stdout
    # reconciled: the note is deleted, an ordinary change
    (pair.alice / note).unlink()
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert not (pair.bob / note).exists()


def test_both_change_different_keys(pair: Pair) -> None:
    """Adjacent lines, so git's line merge fails; key by key both changes are kept."""
    alice_pushes(pair, "openbook.yml", "at: '19:00'", "at: '18:00'")
    base = (pair.bob / "openbook.yml").read_text()
    edit(pair.bob, "openbook.yml", "answer_within: 48h", "answer_within: 24h")
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert undated(res.stdout) == (
        "Alice changed openbook.yml.\nSynced with origin: committed 1 change, shared 2 changes.\n"
        "New settings came together from both of your changes on DAY: answers within 24h, "
        "was 48h; meeting at 18:00, was 19:00. Nothing changes unless you both accept; each "
        "of you can read it with 'openbook accept settings' and say no.\n"
    )
    merged = base.replace("at: '19:00'", "at: '18:00'")
    merged = merged.replace("answer_within: 48h", "answer_within: 24h")
    assert (pair.bob / "openbook.yml").read_text() == merged
    assert not list(pair.bob.rglob("*.conflict-*"))
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / "openbook.yml").read_text() == merged


def test_partners_and_checkins_merge_one_level_deeper(pair: Pair) -> None:
    alice_pushes(pair, "openbook.yml", "alice: {every: day, by: '21:00'}", "alice: {every: week}")
    edit(
        pair.bob, "openbook.yml", "bob: {every: day, by: '21:00'}", "bob: {every: day, by: '07:00'}"
    )
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    text = (pair.bob / "openbook.yml").read_text()
    assert "  alice: {every: week}\n  bob: {every: day, by: '07:00'}\n" in text
    # the same partner's schedule changed on both sides: a conflict on checkins.bob
    assert pair.sync("alice").exit_code == 0
    _, sha = alice_pushes(pair, "openbook.yml", "by: '07:00'", "by: '06:00'")
    edit(pair.bob, "openbook.yml", "by: '07:00'", "by: '08:00'")
    res = pair.sync("bob")
    assert res.exit_code == 3
    assert (
        "openbook.yml: you both changed checkins.bob. Yours stays there and Alice's version is "
        f"in openbook.conflict-alice-{sha[:7]}.yml;"
    ) in res.stdout


def test_language_merges_key_by_key(pair: Pair) -> None:
    alice_pushes(pair, "language.md", "timeout_word:\n", "timeout_word: pineapple\n")
    edit(pair.bob, "language.md", "hurt_signal:\n", "hurt_signal: ouch\n")
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.startswith("Alice changed language.md.\n")
    text = (pair.bob / "language.md").read_text()
    assert "timeout_word: pineapple\nhurt_signal: ouch\n" in text
    check = invoke(["check"], vault=pair.bob)
    assert check.exit_code == 0, check.stdout
    # both choose a timeout word: theirs goes into the note, ours stays
    assert pair.sync("alice").exit_code == 0
    theirs, sha = alice_pushes(pair, "language.md", "pineapple", "banana")
    edit(pair.bob, "language.md", "pineapple", "kiwi")
    res = pair.sync("bob")
    copy = f"language.conflict-alice-{sha[:7]}.md"
    assert res.exit_code == 3
    assert "timeout_word: kiwi\n" in (pair.bob / "language.md").read_text()
    assert (pair.bob / copy).read_text() == theirs
    assert copy in invoke(["status"], vault=pair.bob, as_partner="bob").stdout


def test_a_template_both_changed_on_the_same_line(pair: Pair) -> None:
    rel = ".openbook/templates/checkin.md.j2"
    first = "## Feelings\n\nHow are you?\n\n## Needs\n\nWhat do you need?\n"
    theirs_first = commit_and_push(pair.alice, "alice", {rel: first}, "add a template")
    assert theirs_first
    res = pair.sync("bob")
    assert undated(res.stdout) == (
        "Alice added the check-in template.\nAlice Example proposed new settings on DAY: the "
        "check-in template: new. Nothing changes unless you accept; 'openbook accept settings' "
        "shows it, and you may say no.\n"
    )
    theirs, sha = alice_pushes(pair, rel, "How are you?", "How are you, really?")
    edit(pair.bob, rel, "How are you?", "How do you feel?")
    res = pair.sync("bob")
    note = f"reviews/openbook.templates.checkin.md.j2.conflict-alice-{sha[:7]}.md"
    assert res.exit_code == 3
    assert res.stdout.splitlines()[0] == "Alice changed the check-in template."
    assert (
        f"{rel}: you both changed it. Yours stays there and Alice's version is in {note}; "
        f"keep what you both want in {rel}, then delete the copy."
    ) in res.stdout.splitlines()
    assert (pair.bob / note).read_text() == conflict_note(rel, sha, theirs, None, "it")
    check = invoke(["check"], vault=pair.bob)
    assert f"compare it with {rel}, keep" in check.stdout
    assert pair.sync("alice").exit_code == 0
    # different lines merge as text
    alice_pushes(pair, rel, "What do you need?", "What would help?")
    edit(pair.bob, rel, "## Feelings", "## Feelings today")
    assert pair.sync("bob").exit_code == 0
    assert (pair.bob / rel).read_text().startswith("## Feelings today\n")
    assert "What would help?" in (pair.bob / rel).read_text()


def test_gitignore_both_changed_gets_a_note(pair: Pair) -> None:
    _, sha = alice_pushes(pair, ".gitignore", "*.swp\n", "*.swp\n*.bak\n")
    edit(pair.bob, ".gitignore", "*.swp\n", "*.swp\n*.orig\n")
    res = pair.sync("bob")
    note = f"reviews/gitignore.conflict-alice-{sha[:7]}.md"
    assert res.exit_code == 3
    assert res.stdout.splitlines()[0] == "Alice changed .gitignore."
    assert "*.orig" in (pair.bob / ".gitignore").read_text()
    assert (pair.bob / note).is_file()
    assert pair.sync("alice").exit_code == 0
    assert git(pair.alice, "status", "--porcelain") == ""


def test_merge_units() -> None:
    base = {"a": 1, "b": 2, "partners": {"x": 1, "y": 1}}
    ours = {"a": 5, "b": 2, "partners": {"x": 2, "y": 1}}
    theirs = {"a": 1, "b": 3, "c": 4, "partners": {"x": 1, "y": 2}}
    assert merge_units(base, ours, theirs, ("partners",)) == (
        {"a": 5, "b": 3, "partners": {"x": 2, "y": 2}, "c": 4},
        [],
    )
    assert merge_units(base, {**ours, "b": 9}, theirs, ()) == (
        {"a": 5, "b": 9, "partners": {"x": 2, "y": 1}, "c": 4},
        ["b", "partners"],
    )
