"""A note marked `draft: true` stays on this machine: `commit`, `watch`, `sync` and the
pre-commit hook leave it uncommitted and say so once; `status` lists it as not shared;
counting and the agenda leave it out; `check` reports what it still lacks as warnings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from testing import git, invoke, make_pair, question_text, subjects, write

Q = "questions/Q-0009.md"
DRAFT = question_text(
    "Q-0009", asked_by="bob", to="alice", extra="draft: true\n", body="Why did you not call?"
)
DONE = question_text("Q-0009", asked_by="bob", to="alice", body="Why did you not call?")
SAID = f"{Q} is a draft (draft: true); it stays on this machine until you remove that line"


def _in_history(root: Path, rel: str) -> bool:
    return git(root, "log", "--all", "--format=%H", "--", rel) != ""


def test_commit_leaves_a_draft_and_commits_it_once_the_line_is_gone(vault: Path) -> None:
    write(vault, Q, DRAFT)
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (0, "", SAID + "\n")
    assert not _in_history(vault, Q)
    data = json.loads(invoke(["commit", "--json"], vault=vault).stdout)
    assert data["drafts"] == [Q] and data["committed"] == []
    write(vault, Q, DONE)
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout) == (0, f"committed {Q} (new)\n")
    assert subjects(vault)[0] == f"question: new {Q}"


def test_watch_once_says_so_once_and_commits_after_the_line_is_gone(vault: Path) -> None:
    write(vault, Q, DRAFT)
    res = invoke(["watch", "--once", "--quiet", "0s"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == SAID + "\n"
    assert not _in_history(vault, Q)
    write(vault, Q, DONE)
    res = invoke(["watch", "--once", "--quiet", "0s"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == f"committed {Q}\n"


def test_sync_never_shares_a_draft(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("bob", Q, DRAFT)
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert SAID + "." in res.stdout.splitlines()
    assert "saved during the sync" not in res.stdout
    assert pair.sync("alice").exit_code == 0
    assert not (pair.alice / Q).exists()
    assert not _in_history(pair.bob, Q)
    pair.write("bob", Q, DONE)
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert (pair.alice / Q).read_text(encoding="utf-8") == DONE


def test_status_lists_a_draft_as_not_shared(vault: Path) -> None:
    write(vault, Q, DRAFT)
    res = invoke(["status"], vault=vault)
    assert f"Not shared: {Q}, a draft (draft: true) that stays on this machine." in res.stdout
    assert "Uncommitted: nothing, everything is in the log." in res.stdout
    data = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert data["drafts"] == [Q] and data["uncommitted"] == []


def test_check_reports_what_a_draft_lacks_as_warnings(vault: Path) -> None:
    half = "---\ntype: question\nid: Q-0009\ndraft: true\n---\nWhy?\n"
    write(vault, Q, half)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 0, res.stdout
    assert (
        f"{Q}:1:1: warning: question needs 'to' before it stops being a draft; add 'to:' "
        "with a value [field-required]"
    ) in res.stdout
    assert "unknown-field" not in res.stdout
    write(vault, Q, half.replace("draft: true\n", ""))
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert f"{Q}:1:1: error: question needs 'to'; add 'to:' with a value" in res.stdout
    write(vault, Q, half.replace("draft: true", "draft: maybe"))
    res = invoke(["check"], vault=vault)
    assert "draft must be true or false; got 'maybe' [field-type]" in res.stdout


def test_counting_and_the_agenda_leave_a_draft_out(vault: Path) -> None:
    write(vault, Q, DRAFT)
    agenda = json.loads(invoke(["agenda", "--format", "json"], vault=vault).stdout)
    assert agenda["open_questions"] == []
    status = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert status["open_questions"] == []
    write(vault, Q, DONE)
    agenda = json.loads(invoke(["agenda", "--format", "json"], vault=vault).stdout)
    assert [q["id"] for q in agenda["open_questions"]] == ["Q-0009"]


def test_a_note_already_committed_keeps_counting_and_its_draft_edit_waits(vault: Path) -> None:
    write(vault, Q, DONE)
    assert invoke(["commit"], vault=vault).exit_code == 0
    write(vault, Q, DRAFT.replace("Why did you not call?", "Half a thought"))
    res = invoke(["commit"], vault=vault)
    assert res.exit_code == 0
    assert res.stderr == SAID + "; the version committed before stays in the shared history\n"
    assert git(vault, "show", f"HEAD:{Q}") + "\n" == DONE
    status = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert [q["id"] for q in status["open_questions"]] == ["Q-0009"]  # it has arrived


def test_the_pre_commit_hook_stops_a_staged_draft(vault: Path) -> None:
    assert invoke(["hooks", "install"], vault=vault).exit_code == 0
    write(vault, Q, DRAFT)
    git(vault, "add", Q)
    res = subprocess.run(
        ["git", "commit", "-q", "-m", "by hand"], cwd=vault, capture_output=True, text=True
    )
    assert res.returncode == 1
    assert f"{Q}:8:1: error: {SAID} [draft]" in res.stderr
    assert not _in_history(vault, Q)


def test_watch_names_a_new_note_with_nothing_written_in_it_once(vault: Path) -> None:
    """Like a draft, a note fresh from its template waits; watch says why, once."""
    res = invoke(["new", "checkin", "--date", "2026-11-23"], vault=vault, env={"EDITOR": "true"})
    assert res.exit_code == 0, res.stderr
    rel = "checkins/2026/2026-11-23-bob.md"
    said = (
        f"{rel} was not committed: nothing is written in it yet; write something first, "
        "then run 'openbook commit'."
    )
    res = invoke(["watch", "--once", "--quiet", "0s"], vault=vault)
    assert (res.exit_code, res.stdout) == (0, said + "\n"), res.stderr
    assert not _in_history(vault, rel)
    res = invoke(["watch", "--once", "--quiet", "0s", "--json"], vault=vault)
    events = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(e["event"], e["path"], e["message"]) for e in events] == [("held", rel, said)]


def test_draft_true_excuses_nothing_in_a_note_already_shared(tmp_path: Path) -> None:
    """The other partner adds `draft: true` to a shared question and empties a required
    field with plain git: that is an error like any other, not a draft's warning."""
    pair = make_pair(tmp_path)
    pair.write("bob", Q, DONE)
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    hidden = DONE.replace("to: alice\n", "to:\ndraft: true\n")
    assert hidden != DONE
    write(pair.alice, Q, hidden)
    git(pair.alice, "commit", "-q", "-am", "hide it")
    res = invoke(["check"], vault=pair.alice, as_partner="alice")
    assert res.exit_code == 1
    assert (
        f"{Q}:5:1: error: question needs 'to'; it is in the shared log already, so it is a "
        "note like any other, draft or not [field-required]"
    ) in res.stdout
    write(pair.bob, "questions/Q-0010.md", hidden.replace("Q-0009", "Q-0010"))
    res = invoke(["check"], vault=pair.bob)
    assert "questions/Q-0010.md:5:1: warning: question needs 'to' before it stops" in res.stdout
