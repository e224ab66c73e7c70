"""The foundation's commands from the outside: exit codes, stdout, stderr, commits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import (
    ALICE,
    BOB,
    build_vault,
    checkin_path,
    checkin_text,
    git,
    invoke,
    subjects,
    trailers,
    write,
)

from openbook.check import result as check_result

# `invoke` fails the test on any exception other than an exit, with its traceback, so a
# test only has to say what the user sees: the exit code, stdout and stderr, each whole.


def test_invoke_fails_a_test_on_an_unexpected_exception(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug that would show a user a traceback never passes as a mere exit code."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug in check")

    monkeypatch.setattr(check_result, "check_vault", broken)
    with pytest.raises(AssertionError) as failure:
        invoke(["check"], vault=vault)
    assert str(failure.value) == (
        f"openbook --vault {vault} check raised ValueError: a bug in check (a user would see a "
        "traceback)\nstdout: ''\nstderr: ''"
    )
    cause = failure.value.__cause__  # pytest prints its traceback with the failure
    assert isinstance(cause, ValueError) and str(cause) == "a bug in check"
    assert cause.__traceback__ is not None


def test_missing_vault_is_one_calm_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    res = invoke(["check"])
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: No openbook vault here: no openbook.yml in this folder or above it. cd into "
        "your vault, pass --vault PATH, or run 'openbook init' or 'openbook demo'.\n",
    )


def test_unknown_partner_in_as(vault: Path) -> None:
    res = invoke(["new", "checkin", "--no-edit"], vault=vault, as_partner="carol")
    assert (res.exit_code, res.stdout, res.stderr) == (
        2,
        "",
        "openbook: 'carol' (from --as) is not a partner in openbook.yml; use one of: alice, bob.\n",
    )
    assert not (vault / "checkins/2026").exists()


def test_unknown_note_type_is_a_usage_error(vault: Path) -> None:
    res = invoke(["new", "diary", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.splitlines() == [
        "Usage: openbook new [OPTIONS] TYPE",
        "Try 'openbook new --help' for help.",
        "",
        "Error: Invalid value for 'TYPE': 'diary' is not one of 'agreement', 'checkin', "
        "'language', 'meeting', 'plan-change', 'question', 'repair', 'review', 'timeout'.",
    ]


def test_set_value_of_wrong_type_writes_nothing(vault: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin", "--set", "mood=great", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: checkins/2026/2026-11-24-bob.md was not written: mood must be a whole number "
        "from 1 to 5; got 'great'. Fix the value you gave (for example with --set KEY=VALUE) "
        "and try again.\n",
    )
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()
    assert subjects(vault) == before


def test_new_never_overwrites(vault: Path) -> None:
    assert invoke(["new", "checkin", "--no-edit"], vault=vault).exit_code == 0
    path = vault / "checkins/2026/2026-11-24-bob.md"
    path.write_text(path.read_text() + "my own words\n")
    res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: checkins/2026/2026-11-24-bob.md already exists; openbook never overwrites a "
        "note. Edit it, or use --date or --set to make a different one.\n",
    )
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
    assert (res2.exit_code, res2.stdout) == (0, "questions/Q-0002.md\n"), res2.stderr


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


def test_log_marks_late_edits_and_deletions(vault: Path) -> None:
    rel = checkin_path("bob", "2026-11-20")
    write(vault, rel, checkin_text("bob", "2026-11-20", body="first"))
    assert invoke(["commit"], vault=vault).exit_code == 0
    write(vault, rel, checkin_text("bob", "2026-11-20", body="changed"))
    late = {"OPENBOOK_COMMIT_DATE": "2026-11-24T20:00:00+01:00"}
    assert invoke(["commit"], vault=vault, env=late).exit_code == 0
    res = invoke(["log", "--json"], vault=vault)
    entries = json.loads(res.stdout)
    assert entries[0]["action"] == "edit" and entries[0]["late_edit"] is True
    assert entries[1]["action"] == "new" and entries[1]["late_edit"] is False
    (vault / rel).unlink()
    assert invoke(["commit"], vault=vault).exit_code == 0
    text = invoke(["log"], vault=vault).stdout.splitlines()
    assert "[deleted, still in history]" in text[0]
    assert "[late edit]" in text[1]
    assert invoke(["log", "--partner", "alice"], vault=vault).stdout.strip() == "No changes match."


def test_log_names_the_partner_and_time_of_a_plain_git_commit(vault: Path) -> None:
    day = "2026-11-20"
    alice_at = "2026-11-20T21:15:00+01:00"
    build_vault(
        vault,
        {checkin_path("alice", day): checkin_text("alice", day)},
        as_partner="alice",
        when=alice_at,
        message="alice's own commit",
    )
    build_vault(vault, {"README.md": "ours\n"}, when="2026-11-21T08:00:00+01:00", message="x")
    res = invoke(["log", "--json"], vault=vault)
    assert (res.exit_code, res.stderr) == (0, "")
    seen = [
        (e["date"], e["partner"], e["author"], e["action"], e["type"], e["paths"])
        for e in json.loads(res.stdout)[:2]
    ]
    assert seen == [
        ("2026-11-21T08:00:00+01:00", None, "Test Runner", "new", "file", ["README.md"]),
        (alice_at, "alice", "Alice Example", "new", "checkin", [checkin_path("alice", day)]),
    ]


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
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {outer / 'sub'} is a folder inside another git repository; openbook only "
        "writes to a vault that is its own repository. Copy it out and run 'openbook init' "
        "there.\n",
    )
    assert not (outer / "sub/checkins").exists()


def test_init_refuses_bad_partner_specs_and_non_empty_folders(tmp_path: Path) -> None:
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "v"), "--partner", "Bob!", "--partner", BOB]
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: --partner 'Bob!' is not `id` or `id:Name <email>`; ids are lowercase "
        "letters, digits and dashes, like alice.\n",
    )
    assert not (tmp_path / "v").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full/notes.txt").write_text("mine")
    res = invoke(
        ["--as", "bob", "init", str(tmp_path / "full"), "--partner", ALICE, "--partner", BOB]
    )
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {tmp_path / 'full'} is not empty; choose a new or empty folder so nothing of "
        "yours is mixed in.\n",
    )
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["notes.txt"]
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
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: 'ext::sh -c touch% /tmp/pwned' is not a remote openbook can use; give an "
        "ssh://, https:// or git:// URL, user@host:path, or a local folder.\n",
    )
    assert not (tmp_path / "v").exists()


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
    assert invoke(["ask", "Where were you?", "--to", "alice"], vault=vault).exit_code == 0
    write(vault, checkin_path("bob"), checkin_text("bob"))
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
    assert (res.exit_code, res.stdout, res.stderr) == (
        6,
        "",
        "openbook: Another openbook is working on this vault right now (lock "
        f"{vault / '.git/openbook.lock'}); wait a moment and try again.\n",
    )
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
    assert (res.exit_code, res.stdout) == (1, "")
    # the words in brackets are Jinja2's; the sentence around them is openbook's
    assert res.stderr.startswith("openbook: template timeout.md.j2 tried something unsafe (")
    assert res.stderr.endswith("); fix .openbook/templates/timeout.md.j2.\n")
    assert res.stderr.count("\n") == 1
    assert list((vault / "timeouts").rglob("*.md")) == []


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
    assert (res.exit_code, res.stdout, res.stderr.splitlines()) == (
        1,
        "",
        [
            "checkins/2026/2026-11-24-bob.md:6:7: error: mood must be between 1 and 5, got 12 "
            "[field-value]",
            "openbook: checkins/2026/2026-11-24-bob.md is saved but not committed because of the "
            "problems above; fix them, then run 'openbook commit'.",
        ],
    )
    assert "mood: 12" in (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert subjects(vault) == before


def test_log_lists_the_partners_commits_that_arrived_through_a_merge(vault: Path) -> None:
    git(vault, "checkout", "-q", "-b", "alice-side")
    write(vault, checkin_path("alice"), checkin_text("alice"))
    assert invoke(["commit"], vault=vault, as_partner="alice").exit_code == 0
    git(vault, "checkout", "-q", "main")
    assert invoke(["new", "checkin", "--no-edit"], vault=vault).exit_code == 0
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
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: a new agreement needs title; give it like this: "
        '--set title="Phone stays open"\n',
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
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.splitlines() == [
        "Usage: openbook check [OPTIONS] [PATHS]...",
        "Try 'openbook check --help' for help.",
        "",
        f"Error: Invalid value for '[PATHS]...': Path '{vault / 'nope.md'}' does not exist.",
    ]


def test_a_broken_openbook_yml_is_reported_once_and_never_crashes(vault: Path) -> None:
    assert invoke(["new", "checkin", "--no-edit"], vault=vault).exit_code == 0
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
        assert (res.exit_code, res.stdout, res.stderr) == (
            1,
            "",
            "openbook: openbook.yml:3: YAML syntax error: did not find expected ',' or ']'. "
            "Fix openbook.yml, then try again.\n",
        ), args


def test_status_text_names_people_and_says_you(vault: Path) -> None:
    assert invoke(["ask", "Where were you?", "--to", "alice"], vault=vault).exit_code == 0
    new = ["new", "agreement", "--set", "title=Phone stays open", "--no-edit"]
    assert invoke(new, vault=vault).exit_code == 0
    as_alice = invoke(["status"], vault=vault, as_partner="alice").stdout
    assert "Q-0001 for you, today, answer by Thu 26 Nov 20:30." in as_alice
    assert "A-001 Phone stays open: proposed, waiting for you (openbook accept A-001)." in as_alice
    as_bob = invoke(["status"], vault=vault).stdout
    assert "Q-0001 for Alice Example, today" in as_bob
    assert "waiting for Alice Example" in as_bob


def test_commit_leaves_out_files_the_vault_does_not_share(vault: Path) -> None:
    write(vault, ".obsidian/app.json", "{}")
    write(vault, "notes.txt", "mine")
    write(vault, checkin_path("bob"), checkin_text("bob"))
    res = invoke(["commit", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert [c["path"] for c in data["committed"]] == ["checkins/2026/2026-11-24-bob.md"]
    assert data["outside"] == [".obsidian/app.json", "notes.txt"]
    assert git(vault, "ls-files", "--", ".obsidian", "notes.txt") == ""
    again = invoke(["commit"], vault=vault)
    why = "it is outside the vault's note folders, so it is not shared; move it into a note folder"
    assert (again.exit_code, again.stdout, again.stderr.splitlines()) == (
        0,
        "Nothing to commit; everything is already in the log.\n",
        [
            f"left out .obsidian/app.json: {why} or keep it outside the vault",
            f"left out notes.txt: {why} or keep it outside the vault",
        ],
    )
