"""Partner data is untrusted (SPEC 5): Alice's clone is the attacker and uses plain git;
Bob runs `openbook sync` and his everyday commands. What would enter Bob's work tree is
checked (what the incoming change adds or modifies): links, submodules, files outside the
folders, long, unprintable, decomposed or case-twin names, notes over 1 MiB, attributes
files. Each is merged and set aside (exit 1, the paths named, escaped, and kept out of
Bob's files; nothing is deleted and Bob's own commits still reach the remote); what only
passed through history is named in the report and does not block the sync."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, invoke, make_pair, question_text, write
from testing.plain import add_blob, commit, commit_index, identity, push

from openbook.sync.integrity import allowed_path

NOTE = "checkins/2026/2026-11-24-alice.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def aside_line(problem: str, rule: str) -> str:
    return (
        f"{problem[:1].upper()}{problem[1:]} came from origin; it is in the shared history but "
        f"was set aside, not written to your files ({rule}). Ask your partner to fix it with a "
        "new commit."
    )


def refusal(problems: str) -> str:
    """What `clone` says: a new clone of a tree openbook refuses is not made."""
    return (
        f"openbook: Incoming changes from origin add {problems}; openbook refuses them, and "
        "nothing was merged or pushed. A vault holds only notes in its folders; ask your "
        "partner to remove these with a new commit, then sync again.\n"
    )


def assert_set_aside(pair: Pair, *found: tuple[str, str, str]) -> None:
    """Bob's sync merges and sets aside exactly `found` (path, rule, problem); nothing of
    it reached his files, his own commits reached the remote, and his everyday commands
    work as before. Alice then takes Bob's merge."""
    write(pair.bob, "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, ""), res.stdout
    lines = res.stdout.splitlines()
    for _, rule, problem in found:
        assert aside_line(problem, rule) in lines, lines
    trailer = git(pair.bob, "log", "-1", "--format=%(trailers:key=Openbook-Set-Aside,valueonly)")
    assert trailer.splitlines() == [f"{path} {rule}" for path, rule, _ in found]
    assert git(pair.bob, "rev-parse", "HEAD^2") == git(pair.alice, "rev-parse", "HEAD")
    assert pair.remote_head() == pair.head("bob")
    assert git(pair.bob, "status", "--porcelain", "--untracked-files=all") == ""
    for path, rule, _ in found:
        if rule != "gitattributes-changed" or path != ".gitattributes":
            assert not os.path.lexists(pair.bob / path)
    for args in (["status"], ["check"], ["agenda"]):
        everyday = invoke(args, vault=pair.bob, as_partner="bob")
        assert everyday.exit_code == 0, (args, everyday.stdout, everyday.stderr)
    git(pair.alice, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")


def history_line(found: str) -> str:
    return (
        f"origin's history holds what openbook refuses but no longer has it in the notes "
        f"({found}); it stays in the history and never reached your files."
    )


def test_a_symlink_is_set_aside_and_once_removed_sync_passes(pair: Pair, tmp_path: Path) -> None:
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("private journal\n")
    (pair.alice / "checkins/evil.md").symlink_to(secret)
    commit(pair.alice, "alice", "checkin: new checkins/evil.md")
    push(pair.alice)
    link = "checkins/evil.md"
    assert_set_aside(pair, (link, "path-unsafe", f"a symbolic link at {link}"))
    assert secret.read_text() == "private journal\n"
    # Alice removes it: the tree that would enter Bob's files is clean again
    (pair.alice / "checkins/evil.md").unlink()
    write(pair.alice, NOTE, checkin_text("alice"))
    commit(pair.alice, "alice", "remove the link, write a check-in")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.splitlines() == [
        "Received 2 changes from Alice: 1 check-in, 1 deleted check-in."
    ]
    assert not (pair.bob / "checkins/evil.md").is_symlink()
    assert (pair.bob / NOTE).read_text() == checkin_text("alice")


def test_files_outside_the_vault_folders_are_set_aside(pair: Pair) -> None:
    write(pair.alice, ".githooks/post-merge", "rm -rf ~\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    hook = ".githooks/post-merge"
    assert_set_aside(pair, (hook, "path-unsafe", f"{hook}, outside the vault's folders"))
    assert not (pair.bob / ".githooks").exists()


def test_a_submodule_is_set_aside(pair: Pair) -> None:
    head = pair.head("alice")
    git(pair.alice, "update-index", "--add", "--cacheinfo", f"160000,{head},checkins/sub")
    commit_index(pair.alice, "alice", "sub")
    push(pair.alice)
    assert_set_aside(pair, ("checkins/sub", "path-unsafe", "a submodule at checkins/sub"))


def test_a_name_of_300_characters_is_set_aside(pair: Pair) -> None:
    long = "checkins/2026/" + "a" * 283 + ".md"
    assert len(long) == 300
    add_blob(pair.alice, long, checkin_text("alice").encode())
    commit_index(pair.alice, "alice", "long name")
    push(pair.alice)
    assert_set_aside(pair, (long, "path-unsafe", f"a path longer than 255 bytes ({long})"))


def test_control_characters_in_names_are_set_aside_and_shown_escaped(pair: Pair) -> None:
    names = ("bell\x07", "esc\x1b[31m", "new\nline")
    for name in names:
        write(pair.alice, f"checkins/2026/{name}.md", checkin_text("alice"))
    commit(pair.alice, "alice")
    push(pair.alice)
    shown = ("bell\\x07", "esc\\x1b[31m", "new\\nline")
    write(pair.bob, "checkins/2026/2026-11-24-bob.md", checkin_text("bob"))
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, "")
    for name in shown:
        problem = f"a file name with control or invisible characters (checkins/2026/{name}.md)"
        assert aside_line(problem, "path-unsafe") in res.stdout.splitlines()
    for name in names:
        assert not (pair.bob / f"checkins/2026/{name}.md").exists()
    assert pair.remote_head() == pair.head("bob")


def test_case_twins_are_set_aside(pair: Pair) -> None:
    write(pair.alice, "questions/Q-0001.md", question_text())
    write(pair.alice, "questions/q-0001.md", question_text())
    commit(pair.alice, "alice")
    push(pair.alice)
    twin = "questions/q-0001.md"
    problem = f"two names that differ only in case or Unicode form (questions/Q-0001.md and {twin})"
    assert_set_aside(pair, (twin, "path-unsafe", problem))


def test_a_decomposed_twin_is_set_aside(pair: Pair) -> None:
    nfc = "repairs/2026/2026-11-20-caf\u00e9.md"
    nfd = "repairs/2026/2026-11-20-cafe\u0301.md"
    repair = (
        "---\ntype: repair\nauthor: alice\ndate: 2026-11-20\nkind: rupture\nstatus: open\n---\n"
    )
    write(pair.alice, nfc, repair + "\nComposed.\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    assert pair.sync("bob").exit_code == 0
    write(pair.alice, nfd, repair + "\nDecomposed.\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    assert_set_aside(
        pair, (nfd, "path-unsafe", f"a file name in decomposed Unicode, not NFC ({nfd})")
    )
    assert (pair.bob / nfc).read_text() == repair + "\nComposed.\n"


def test_a_note_over_1_mib_in_the_tip_is_set_aside(pair: Pair) -> None:
    write(pair.alice, NOTE, checkin_text("alice", body="x" * (2 * 1024 * 1024)))
    commit(pair.alice, "alice")
    push(pair.alice)
    big = f"a file larger than 1 MiB at {NOTE} (2.0 MiB)"
    assert_set_aside(pair, (NOTE, "blob-too-large", big))


def test_a_blob_over_1_mib_only_in_history_is_named_not_refused(pair: Pair) -> None:
    write(pair.alice, NOTE, checkin_text("alice", body="x" * (2 * 1024 * 1024)))
    big = commit(pair.alice, "alice", "oops")
    write(pair.alice, NOTE, checkin_text("alice"))
    commit(pair.alice, "alice", "smaller")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout.splitlines() == [
        "Received 1 change from Alice: 1 check-in.",
        history_line(f"a file larger than 1 MiB at {NOTE} (2.0 MiB) in {big[:7]}"),
    ]
    assert (pair.bob / NOTE).read_text() == checkin_text("alice")


def test_a_nested_gitattributes_is_set_aside(pair: Pair) -> None:
    write(pair.alice, "checkins/.gitattributes", "*.md merge=union\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    problem = (
        "an attributes file at checkins/.gitattributes (only the top .gitattributes "
        "'openbook init' writes)"
    )
    assert_set_aside(pair, ("checkins/.gitattributes", "gitattributes-changed", problem))
    assert not (pair.bob / "checkins/.gitattributes").exists()


def test_a_changed_root_gitattributes_is_set_aside(pair: Pair) -> None:
    write(pair.alice, ".gitattributes", "* text=auto eol=lf\n*.md merge=union\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    problem = "a changed .gitattributes (only the one 'openbook init' writes is allowed)"
    assert_set_aside(pair, (".gitattributes", "gitattributes-changed", problem))
    assert (pair.bob / ".gitattributes").read_text() == "* text=auto eol=lf\n"


def test_attributes_in_the_work_tree_never_choose_the_merge(pair: Pair) -> None:
    """Even a `merge=union` lying in Bob's own work tree does not join both versions:
    openbook's merge reads no attributes file of the work tree or of either side."""
    write(pair.bob, "checkins/.gitattributes", "*.md merge=union\n")
    pair.write("alice", NOTE, checkin_text("alice", body="First."))
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", NOTE, checkin_text("alice", body="Alice's words."))
    assert pair.sync("alice").exit_code == 0
    alice_commit = pair.head("alice")
    pair.write("bob", NOTE, checkin_text("alice", body="Bob's words."))
    git(pair.bob, "commit", "-q", "-am", "bob edits alice's note")
    res = pair.sync("bob")
    assert res.exit_code == 3, (res.stdout, res.stderr)
    copy = f"checkins/2026/2026-11-24-alice.conflict-alice-{alice_commit[:7]}.md"
    assert (pair.bob / NOTE).read_text() == checkin_text("alice", body="Bob's words.")
    assert (pair.bob / copy).read_text() == checkin_text("alice", body="Alice's words.")
    assert "checkins/.gitattributes was not shared" in res.stdout


def test_deleting_openbook_yml_is_merged_but_the_settings_stay(pair: Pair) -> None:
    who = identity(pair.alice, "alice")
    git(pair.alice, "rm", "-q", "openbook.yml")
    git(pair.alice, "commit", "-q", "-m", "no settings", env=who)
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, "")
    assert (
        "openbook.yml was deleted on origin; the merge keeps it, since a vault's settings "
        "never vanish (config). Talk with your partner about what to change in it."
    ) in res.stdout.splitlines()
    assert (pair.bob / "openbook.yml").is_file()
    assert git(pair.bob, "cat-file", "-t", "HEAD:openbook.yml") == "blob"
    assert pair.remote_head() == pair.head("bob")


def test_sync_check_names_the_same(pair: Pair) -> None:
    write(pair.alice, "questions/Q-0001.md", question_text())
    write(pair.alice, "questions/q-0001.md", question_text())
    commit(pair.alice, "alice")
    push(pair.alice)
    before = pair.head("bob")
    res = pair.sync("bob", "--check")
    assert (res.exit_code, res.stderr) == (1, "")
    problem = (
        "two names that differ only in case or Unicode form "
        "(questions/Q-0001.md and questions/q-0001.md)"
    )
    assert f"A sync would merge and set aside: {aside_line(problem, 'path-unsafe')}" in (
        res.stdout.splitlines()
    )
    assert pair.head("bob") == before


def test_clone_refuses_what_sync_refuses(pair: Pair, tmp_path: Path) -> None:
    write(pair.alice, "checkins/.gitattributes", "*.md merge=union\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    res = invoke(["clone", str(pair.remote), str(tmp_path / "carol")], as_partner="alice")
    assert (res.exit_code, res.stdout) == (4, "")
    assert res.stderr == refusal(
        "an attributes file at checkins/.gitattributes (only the top .gitattributes "
        "'openbook init' writes)"
    ).replace("from origin", f"from {pair.remote}")
    assert not (tmp_path / "carol").exists()


@pytest.mark.parametrize(
    "path,ok",
    [
        ("openbook.yml", True),
        ("language.md", True),
        ("README.md", True),
        (".gitignore", True),
        ("checkins/2026/x.md", True),
        (".openbook/templates/checkin.md.j2", True),
        (".gitattributes", True),
        ("checkins/.gitattributes", False),
        (".openbook/templates/.gitattributes", False),
        (".gitmodules", False),
        ("scripts/x.sh", False),
        (".openbook/hooks/x", False),
        ("journal/today.md", False),
        ("x.md", False),
    ],
)
def test_allowed_paths(path: str, ok: bool) -> None:
    assert allowed_path(path) is ok
