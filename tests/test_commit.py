"""`commit`: every pending change validated and recorded, one commit per note; what waits
and why."""

from __future__ import annotations

import json
from pathlib import Path

from testing import (
    checkin_path,
    checkin_text,
    git,
    invoke,
    make_pair,
    subjects,
    trailers,
    write,
)

from openbook.record.safety import QUESTION_LINE
from openbook.vault import Vault
from openbook.watch.reconcile import Reconciler, ReconcileResult

CHECKIN = checkin_path("bob")


def test_commit_one_commit_per_note_and_refuses_invalid(vault: Path) -> None:
    write(vault, checkin_path("bob", "2026-11-24"), checkin_text("bob", "2026-11-24"))
    write(vault, checkin_path("bob", "2026-11-23"), checkin_text("bob", "2026-11-23", mood=11))
    write(vault, "README.md", "our vault\n")
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert [c["path"] for c in data["committed"]] == [
        "README.md",
        "checkins/2026/2026-11-24-bob.md",
    ]
    assert data["refused"] == ["checkins/2026/2026-11-23-bob.md"]
    assert res.stderr == ""  # with --json the refusal is in the data
    assert subjects(vault)[:2] == [
        "checkin: new checkins/2026/2026-11-24-bob.md",
        "file: new README.md",
    ]
    (vault / "checkins/2026/2026-11-24-bob.md").unlink()
    res = invoke(["commit"], vault=vault)
    # the refused note is still refused, so the run as a whole still fails
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "committed checkins/2026/2026-11-24-bob.md (delete)\n",
        "not committed checkins/2026/2026-11-23-bob.md: it has errors; "
        "run 'openbook check checkins/2026/2026-11-23-bob.md'\n",
    )
    assert trailers(vault)["Openbook-Action"] == "delete"


def test_commit_leaves_out_files_the_vault_does_not_share(vault: Path) -> None:
    write(vault, "drawings/plan.json", "{}")
    write(vault, "notes.txt", "mine")
    write(vault, checkin_path("bob"), checkin_text("bob"))
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [c["path"] for c in data["committed"]] == ["checkins/2026/2026-11-24-bob.md"]
    assert data["outside"] == ["drawings/plan.json", "notes.txt"]
    assert git(vault, "ls-files", "--", "drawings", "notes.txt") == ""
    again = invoke(["commit"], vault=vault)
    why = "it is outside the vault's note folders, so it is not shared; move it into a note folder"
    assert (again.exit_code, again.stdout, again.stderr.splitlines()) == (
        0,
        "Nothing to commit; everything is already in the log.\n",
        [
            f"left out drawings/plan.json: {why} or keep it outside the vault",
            f"left out notes.txt: {why} or keep it outside the vault",
        ],
    )


def test_commit_holds_a_new_note_with_nothing_written_in_it(vault: Path) -> None:
    blank = checkin_path("bob", "2026-11-23")
    write(vault, blank, checkin_text("bob", "2026-11-23", mood=None, time="21:00", body=""))
    editor_keys = "created: 2026-11-23\naliases: []\ndiscuss: []\n"
    blank_too = checkin_path("bob", "2026-11-22")
    write(
        vault, blank_too, checkin_text("bob", "2026-11-22", mood=None, extra=editor_keys, body="")
    )
    assert invoke(["new", "question"], vault=vault).exit_code == 0  # the template, unchanged
    before = subjects(vault)
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["committed"] == [] and data["refused"] == []
    assert data["blank"] == [blank_too, blank, "questions/Q-0001.md"]
    assert subjects(vault) == before
    write(vault, blank, checkin_text("bob", "2026-11-23", mood=3, body=""))  # a field says it
    path = vault / "questions/Q-0001.md"
    path.write_text(path.read_text().replace("*What would you like", "Why? *What would you like"))
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        f"committed {blank} (new)\ncommitted questions/Q-0001.md (new)\n",
        f"{blank_too} was not committed: nothing is written in it yet; write something first, "
        "then run 'openbook commit'.\n",
    )
    write(vault, blank, checkin_text("bob", "2026-11-23", mood=None, body=""))  # an edit
    res = invoke(["commit", "--json"], vault=vault)
    assert [c["action"] for c in json.loads(res.stdout)["committed"]] == ["edit"]


def test_commit_refuses_a_new_note_in_the_other_partners_name(vault: Path) -> None:
    rel = checkin_path("alice")
    write(vault, rel, checkin_text("alice"))
    before = subjects(vault)
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"{rel} was not committed: its author is alice, but you are bob; each partner writes "
        "their own notes, so set 'author: bob' if it is yours, or let alice commit it from "
        "their own copy.\n",
    )
    assert subjects(vault) == before
    assert json.loads(invoke(["commit", "--json"], vault=vault).stdout)["not_yours"] == [rel]
    res = invoke(["commit"], vault=vault, as_partner="alice")  # on a shared machine
    assert (res.exit_code, res.stdout) == (0, f"committed {rel} (new)\n")
    assert trailers(vault)["Openbook-Partner"] == "alice"
    write(vault, rel, checkin_text("alice", mood=2))  # an edit of an existing note
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout) == (0, f"committed {rel} (edit)\n")


def test_watch_holds_a_blank_note_like_commit(vault: Path) -> None:
    write(vault, CHECKIN, checkin_text("bob", mood=None, body=""))  # saved, nothing written
    before = subjects(vault)
    events: list[dict[str, object]] = []
    result = ReconcileResult()
    Reconciler(Vault(vault), "bob", events.append, lambda: False).commit([CHECKIN], result)
    assert result.committed == [] and subjects(vault) == before
    write(vault, CHECKIN, checkin_text("bob", mood=None, body="Rested."))
    Reconciler(Vault(vault), "bob", events.append, lambda: False).commit([CHECKIN], result)
    assert [c["path"] for c in result.committed] == [CHECKIN]


def test_a_gitignore_cannot_keep_my_notes_from_being_shared(tmp_path: Path) -> None:
    """What a vault shares is decided by openbook: the partner's .gitignore hides nothing."""
    pair = make_pair(tmp_path)
    gitignore = pair.alice / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "*.md\nquestions/\n")
    assert invoke(["commit"], vault=pair.alice, as_partner="alice").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert "questions/" in (pair.bob / ".gitignore").read_text()
    write(pair.bob, CHECKIN, checkin_text("bob"))
    write(pair.bob, "checkins/2026/2026-11-24-bob.md~", "a backup my editor left")
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["uncommitted"] == [CHECKIN]
    res = invoke(["commit"], vault=pair.bob)
    assert (res.exit_code, res.stdout, res.stderr) == (0, f"committed {CHECKIN} (new)\n", "")
    res = invoke(["ask", "Can we talk tonight?"], vault=pair.bob)
    assert (res.exit_code, res.stdout) == (0, "questions/Q-0001.md\n")
    assert res.stderr.startswith("You asked Alice Example (Q-0001)")
    tracked = git(pair.bob, "ls-files", "--", "checkins/*.md", "questions/*.md").splitlines()
    assert tracked == [CHECKIN, "questions/Q-0001.md"]
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert (
        (pair.alice / "questions/Q-0001.md")
        .read_text()
        .endswith("Can we talk tonight?\n\n" + QUESTION_LINE + "\n")
    )
    assert (pair.alice / CHECKIN).is_file()
