"""The foundation's commands from the outside: exit codes, stdout, stderr, commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import ALICE, BOB, git, invoke, subjects, trailers, write


def _no_traceback(res: object) -> None:
    text = getattr(res, "stdout", "") + getattr(res, "stderr", "")
    assert "Traceback" not in text


def test_missing_vault_is_one_calm_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(["check"])
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1 and "No openbook vault here" in res.stderr
    _no_traceback(res)


def test_unknown_partner_in_as(vault: Path) -> None:
    res = invoke(["new", "checkin", "--no-edit"], vault=vault, as_partner="carol")
    assert res.exit_code == 1
    assert (
        "'carol' (from --as) is not a partner in openbook.yml; use one of: alice, bob."
        in res.stderr
    )
    assert not (vault / "checkins/2026").exists()


def test_unknown_note_type_is_a_usage_error(vault: Path) -> None:
    res = invoke(["new", "diary", "--no-edit"], vault=vault)
    assert res.exit_code == 2
    assert "'diary' is not one of" in res.stderr
    _no_traceback(res)


def test_set_value_of_wrong_type_writes_nothing(vault: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin", "--set", "mood=great", "--no-edit"], vault=vault)
    assert res.exit_code == 1
    assert "was not written: mood must be a whole number from 1 to 5" in res.stderr
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()
    assert subjects(vault) == before
    _no_traceback(res)


def test_new_never_overwrites(vault: Path) -> None:
    assert invoke(["new", "checkin", "--no-edit"], vault=vault).exit_code == 0
    path = vault / "checkins/2026/2026-11-24-bob.md"
    path.write_text(path.read_text() + "my own words\n")
    res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    assert res.exit_code == 1
    assert "already exists; openbook never overwrites a note" in res.stderr
    assert path.read_text().endswith("my own words\n")


@pytest.mark.parametrize(
    "note_type",
    ["checkin", "plan-change", "question", "agreement", "timeout", "repair", "meeting", "review"],
)
def test_every_type_can_be_made_and_checks_clean(vault: Path, note_type: str) -> None:
    sets = {
        "plan-change": [
            "--set",
            "plan_at=2026-11-24 18:00",
            "--set",
            "was=home at 6",
            "--set",
            "now=home at 7",
        ],
        "agreement": ["--set", "title=Phone stays open"],
    }.get(note_type, [])
    res = invoke(["new", note_type, "--no-edit", *sets], vault=vault)
    assert res.exit_code == 0, res.stderr
    rel = res.stdout.strip()
    assert (vault / rel).is_file()
    assert trailers(vault)["Openbook-Type"] == note_type
    check = invoke(["check"], vault=vault)
    assert check.exit_code == 0, check.stdout
    assert check.stdout.strip().endswith("0 errors, 0 warnings in 2 notes")


def test_ask_names_the_id_not_the_text(vault: Path) -> None:
    res = invoke(["ask", "Did you reply to her message?", "--to", "alice"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == "questions/Q-0001.md"
    log = git(vault, "log", "-1", "--format=%B")
    assert "reply" not in log and "question: new Q-0001" in log
    text = (vault / "questions/Q-0001.md").read_text()
    assert "Did you reply to her message?" in text
    assert "answer_by: 2026-11-26 20:30" in text
    res2 = invoke(["ask", "And again?", "--repeat-of", "Q-0001"], vault=vault)
    assert res2.stdout.strip() == "questions/Q-0002.md"


def test_commit_one_commit_per_note_and_refuses_invalid(vault: Path) -> None:
    write(
        vault,
        "checkins/2026/2026-11-24-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\nok\n",
    )
    write(
        vault,
        "checkins/2026/2026-11-23-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-23\nmood: 11\n---\n",
    )
    write(vault, "README.md", "our vault\n")
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert [c["path"] for c in data["committed"]] == [
        "README.md",
        "checkins/2026/2026-11-24-bob.md",
    ]
    assert data["refused"] == ["checkins/2026/2026-11-23-bob.md"]
    assert subjects(vault)[:2] == [
        "checkin: new checkins/2026/2026-11-24-bob.md",
        "file: new README.md",
    ]
    (vault / "checkins/2026/2026-11-24-bob.md").unlink()
    res = invoke(["commit"], vault=vault)
    assert "committed checkins/2026/2026-11-24-bob.md (delete)" in res.stdout
    assert trailers(vault)["Openbook-Action"] == "delete"


def test_log_marks_late_edits_and_deletions(vault: Path) -> None:
    rel = "checkins/2026/2026-11-20-bob.md"
    write(vault, rel, "---\ntype: checkin\nauthor: bob\ndate: 2026-11-20\n---\nfirst\n")
    invoke(["commit"], vault=vault)
    write(vault, rel, "---\ntype: checkin\nauthor: bob\ndate: 2026-11-20\n---\nchanged\n")
    invoke(["commit"], vault=vault, env={"OPENBOOK_COMMIT_DATE": "2026-11-24T20:00:00+01:00"})
    res = invoke(["log", "--json"], vault=vault)
    entries = json.loads(res.stdout)
    assert entries[0]["action"] == "edit" and entries[0]["late_edit"] is True
    assert entries[1]["action"] == "new" and entries[1]["late_edit"] is False
    (vault / rel).unlink()
    invoke(["commit"], vault=vault)
    text = invoke(["log"], vault=vault).stdout.splitlines()
    assert "[deleted, still in history]" in text[0]
    assert "[late edit]" in text[1]
    assert invoke(["log", "--partner", "alice"], vault=vault).stdout.strip() == "No changes match."


def test_write_commands_refuse_inside_another_repository(tmp_path: Path) -> None:
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q")
    write(
        outer,
        "sub/openbook.yml",
        "version: 1\ntimezone: UTC\npartners:\n  alice: {name: A, email: a@x.org}\n"
        "  bob: {name: B, email: b@x.org}\n",
    )
    assert invoke(["check"], vault=outer / "sub").exit_code == 0
    res = invoke(["new", "checkin", "--no-edit"], vault=outer / "sub", as_partner="bob")
    assert res.exit_code == 1
    assert "inside another git repository" in res.stderr
    assert not (outer / "sub/checkins").exists()


def test_init_refuses_bad_partner_specs_and_non_empty_folders(tmp_path: Path) -> None:
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "v"), "--partner", "Bob!", "--partner", BOB]
    )
    assert res.exit_code == 1 and "is not `id` or `id:Name <email>`" in res.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full/notes.txt").write_text("mine")
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "full"), "--partner", ALICE, "--partner", BOB]
    )
    assert res.exit_code == 1 and "is not empty" in res.stderr
    res = invoke(
        [
            "--as",
            "bob",
            "init",
            str(tmp_path / "v"),
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--remote",
            "ext::sh -c touch% /tmp/pwned",
        ]
    )
    assert res.exit_code == 1 and "is not a remote openbook can use" in res.stderr


def test_init_makes_a_checkable_vault_with_one_commit(tmp_path: Path) -> None:
    res = invoke(
        [
            "--as",
            "alice",
            "init",
            str(tmp_path / "v"),
            "--partner",
            ALICE,
            "--partner",
            BOB,
            "--timezone",
            "Europe/Berlin",
        ]
    )
    assert res.exit_code == 0, res.stderr
    root = tmp_path / "v"
    assert subjects(root) == ["vault: init vault"]
    assert git(root, "log", "-1", "--format=%an <%ae>") == "Alice Example <alice@example.org>"
    assert git(root, "config", "openbook.partner") == "alice"
    assert git(root, "config", "core.fsync") == "all"
    assert "4913" in (root / ".gitignore").read_text()
    assert invoke(["check"], vault=root).exit_code == 0
    assert git(root, "status", "--porcelain") == ""


def test_status_json_lists_what_is_due(vault: Path) -> None:
    invoke(["ask", "Where were you?", "--to", "alice"], vault=vault)
    write(
        vault,
        "checkins/2026/2026-11-24-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\n",
    )
    data = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    assert data["me"] == "bob"
    assert data["uncommitted"] == ["checkins/2026/2026-11-24-bob.md"]
    assert [q["id"] for q in data["open_questions"]] == ["Q-0001"]
    assert data["open_questions"][0]["overdue"] is False
    due = {c["partner"]: c["written"] for c in data["checkins"]}
    assert due == {"alice": False, "bob": True}


def test_busy_lock_exits_6(vault: Path) -> None:
    import fcntl
    import os

    fd = os.open(vault / ".git/openbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    finally:
        os.close(fd)
    assert res.exit_code == 6
    assert "Another openbook is working on this vault" in res.stderr
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()


def test_vault_template_override_is_sandboxed(vault: Path) -> None:
    write(vault, ".openbook/templates/checkin.md.j2", "Our own: {{ meta.author }}\n")
    res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    assert res.exit_code == 0
    assert (vault / res.stdout.strip()).read_text().endswith("Our own: bob\n")
    write(
        vault,
        ".openbook/templates/timeout.md.j2",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
    )
    res = invoke(["new", "timeout", "--no-edit"], vault=vault)
    assert res.exit_code == 1
    assert "unsafe" in res.stderr
    _no_traceback(res)


def test_edit_opens_the_editor_then_validates_and_commits(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\nsed -i "s/^mood:.*/mood: 4/" "$1"\necho "I felt heard." >> "$1"\n'
    )
    editor.chmod(0o755)
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert res.exit_code == 0, res.stderr
    text = (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert "mood: 4\n" in text and text.endswith("I felt heard.\n")
    assert git(vault, "show", "HEAD:checkins/2026/2026-11-24-bob.md") == text.rstrip("\n")


def test_an_invalid_edit_is_kept_but_not_committed(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^mood:.*/mood: 12/" "$1"\n')
    editor.chmod(0o755)
    before = subjects(vault)
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert res.exit_code == 1
    assert "checkins/2026/2026-11-24-bob.md:" in res.stderr and "[field-value]" in res.stderr
    assert "saved but not committed" in res.stderr
    assert "mood: 12" in (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert subjects(vault) == before


def test_log_lists_the_partners_commits_that_arrived_through_a_merge(vault: Path) -> None:
    git(vault, "checkout", "-q", "-b", "alice-side")
    write(
        vault,
        "checkins/2026/2026-11-24-alice.md",
        "---\ntype: checkin\nauthor: alice\ndate: 2026-11-24\n---\n",
    )
    assert invoke(["commit"], vault=vault, as_partner="alice").exit_code == 0
    git(vault, "checkout", "-q", "main")
    invoke(["new", "checkin", "--no-edit"], vault=vault)
    git(vault, "merge", "-q", "--no-ff", "--no-edit", "alice-side")
    entries = json.loads(invoke(["log", "--json"], vault=vault).stdout)
    assert entries[0]["merge"] is True and entries[0]["action"] == "merge"
    mine = {(e["partner"], e["action"], tuple(e["paths"])) for e in entries}
    assert ("alice", "new", ("checkins/2026/2026-11-24-alice.md",)) in mine
    assert ("bob", "new", ("checkins/2026/2026-11-24-bob.md",)) in mine


def test_the_vault_lock_holds_across_threads(vault: Path) -> None:
    import threading

    from openbook.errors import Busy
    from openbook.vault import Vault

    v = Vault(vault)
    outcome: list[str] = []

    def other() -> None:
        try:
            with v.lock(wait=0.2):
                outcome.append("entered")
        except Busy:
            outcome.append("busy")

    with v.lock(), v.lock():  # re-entrant in the same thread
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert outcome == ["busy"]
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert outcome == ["busy", "entered"]


def test_compiled_templates_are_cached_locally_and_render_the_same(vault: Path) -> None:
    first = invoke(["agenda"], vault=vault)
    cached = list((vault / ".git/openbook/templates").iterdir())
    assert cached, "no compiled template was cached"
    second = invoke(["agenda"], vault=vault)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert git(vault, "status", "--porcelain") == ""


def test_new_without_a_required_value_says_which_set_to_give(vault: Path) -> None:
    res = invoke(["new", "agreement", "--no-edit"], vault=vault)
    assert res.exit_code == 1
    assert 'a new agreement needs title; give it like this: --set title="Phone stays open"' in (
        res.stderr
    )
    assert list((vault / "agreements").glob("A-*.md")) == []


def test_blank_required_values_can_be_filled_in_the_editor(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^title:.*/title: Phone stays open/" "$1"\n')
    editor.chmod(0o755)
    res = invoke(["new", "agreement", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert res.exit_code == 0, res.stderr
    assert "title: Phone stays open" in (vault / res.stdout.strip()).read_text()
    assert trailers(vault)["Openbook-Action"] == "new"


def test_check_of_a_path_that_does_not_exist_is_a_usage_error(vault: Path) -> None:
    res = invoke(["check", str(vault / "nope.md")], vault=vault)
    assert res.exit_code == 2
    assert "does not exist" in res.stderr


def test_a_broken_openbook_yml_is_reported_once_and_never_crashes(vault: Path) -> None:
    invoke(["new", "checkin", "--no-edit"], vault=vault)
    (vault / "openbook.yml").write_text("version: 1\npartners: [oops\n")
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "openbook.yml:3:1: error: YAML syntax error: did not find expected ',' or ']' [config]",
        "1 error, 0 warnings in 2 notes",
    ]
    status = invoke(["status"], vault=vault)
    assert status.exit_code == 0 and "openbook.yml has 1 problem" in status.stdout
    for args in (["new", "checkin", "--no-edit"], ["agenda"], ["sync"], ["commit"]):
        res = invoke(args, vault=vault)
        assert res.exit_code == 1, args
        assert res.stderr.startswith("openbook: openbook.yml:3: YAML syntax error"), args
        _no_traceback(res)


def test_status_text_names_people_and_says_you(vault: Path) -> None:
    invoke(["ask", "Where were you?", "--to", "alice"], vault=vault)
    invoke(["new", "agreement", "--set", "title=Phone stays open", "--no-edit"], vault=vault)
    as_alice = invoke(["status"], vault=vault, as_partner="alice").stdout
    assert "Q-0001 for you, today, answer by Thu 26 Nov 20:30." in as_alice
    assert "A-001 Phone stays open: proposed, waiting for you (openbook accept A-001)." in as_alice
    as_bob = invoke(["status"], vault=vault).stdout
    assert "Q-0001 for Alice Example, today" in as_bob
    assert "waiting for Alice Example" in as_bob


def test_commit_leaves_out_files_the_vault_does_not_share(vault: Path) -> None:
    write(vault, ".obsidian/app.json", "{}")
    write(vault, "notes.txt", "mine")
    write(
        vault,
        "checkins/2026/2026-11-24-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\n",
    )
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [c["path"] for c in data["committed"]] == ["checkins/2026/2026-11-24-bob.md"]
    assert data["outside"] == [".obsidian/app.json", "notes.txt"]
    assert git(vault, "ls-files", "--", ".obsidian", "notes.txt") == ""
    text = invoke(["commit"], vault=vault)
    assert "left out notes.txt: it is outside the vault's note folders" in text.stderr
