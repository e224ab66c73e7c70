"""What the partner pushes is merged and set aside, never a lock-out (SPEC 5).

Alice acts with plain git and pushes what openbook does not let into a work tree; Bob has
a check-in of his own to share. Bob's sync merges, exits 1 and names what was set aside
(in its output, the merge's `Openbook-Set-Aside` trailers, `status` and the agenda); the
set-aside file stays in the merged tree but out of Bob's work tree (git's skip-worktree
bit), nothing is deleted, and Bob's own commit reaches the remote. Once Alice fixes it,
the next sync is clean and the file enters the work tree as usual."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from testing import (
    AGREEMENT,
    Pair,
    agreement_text,
    checkin_path,
    checkin_text,
    git,
    invoke,
    make_pair,
    write,
)
from testing.plain import add_blob, commit, commit_index, identity, push

NOTE = "checkins/2026/2026-11-24-alice.md"
MIB = 1024 * 1024


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def set_aside_lines(root: Path, rev: str = "HEAD") -> list[str]:
    text = git(root, "log", "-1", "--format=%(trailers:key=Openbook-Set-Aside,valueonly)", rev)
    return [line for line in text.splitlines() if line]


def skipped(root: Path) -> list[str]:
    listing = git(root, "ls-files", "-v", "-z").split("\0")
    return sorted(item[2:] for item in listing if item.startswith("S "))


def sparse_blob(root: Path, size: int, head: bytes = b"\x89PNG\r\n\x1a\n") -> str:
    """A blob of `size` bytes (a header, then zeros), streamed into git's store."""
    proc = subprocess.Popen(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=dict(os.environ),
    )
    assert proc.stdin is not None
    proc.stdin.write(head)
    left = size - len(head)
    chunk = bytes(MIB)
    while left > 0:
        proc.stdin.write(chunk[: min(left, MIB)])
        left -= MIB
    out, _ = proc.communicate()
    return out.decode().strip()


def add_big(root: Path, path: str, size: int) -> None:
    oid = sparse_blob(root, size)
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{oid},{path}")


def bob_writes(pair: Pair) -> None:
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))


def assert_set_aside(pair: Pair, key: str, rule: str, words: str) -> None:
    """Bob's sync merges, sets `key` aside under `rule`, names it with `words` in its
    output, status and the agenda, exits 1, and shares his own check-in."""
    bob_writes(pair)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, ""), res.stdout
    assert words in res.stdout
    assert f"{key} {rule}" in set_aside_lines(pair.bob)
    assert git(pair.bob, "rev-parse", "HEAD^2") == git(pair.alice, "rev-parse", "HEAD")
    assert pair.remote_head() == pair.head("bob")
    assert git(pair.remote, "cat-file", "-e", f"main:{checkin_path('bob')}") == ""
    assert git(pair.bob, "status", "--porcelain", "--untracked-files=all") == ""
    status = invoke(["status"], vault=pair.bob, as_partner="bob")
    assert status.exit_code == 0, status.stderr
    assert words in status.stdout
    agenda = invoke(["agenda", "--json"], vault=pair.bob, as_partner="bob")
    assert words in json.dumps(json.loads(agenda.stdout), ensure_ascii=False)
    git(pair.alice, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")


def assert_clean_after_fix(pair: Pair) -> None:
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, ""), res.stdout
    assert skipped(pair.bob) == []
    assert git(pair.bob, "status", "--porcelain", "--untracked-files=all") == ""
    assert "set aside" not in invoke(["status"], vault=pair.bob, as_partner="bob").stdout


def test_a_note_over_1_mib_is_set_aside_until_it_shrinks(pair: Pair) -> None:
    write(pair.alice, NOTE, checkin_text("alice", body="x" * (2 * MIB)))
    commit(pair.alice, "alice")
    push(pair.alice)
    assert_set_aside(pair, NOTE, "blob-too-large", f"{NOTE} (2.0 MiB)")
    assert not (pair.bob / NOTE).exists()
    assert skipped(pair.bob) == [NOTE]
    assert git(pair.bob, "cat-file", "-s", f"HEAD:{NOTE}") != ""
    write(pair.alice, NOTE, checkin_text("alice"))
    commit(pair.alice, "alice", "smaller")
    assert_clean_after_fix(pair)
    assert (pair.bob / NOTE).read_text() == checkin_text("alice")


def test_an_image_of_10_mib_is_fine(pair: Pair) -> None:
    add_big(pair.alice, "checkins/2026/photo.png", 10 * MIB)
    commit_index(pair.alice, "alice", "a photo")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, ""), res.stdout
    assert (pair.bob / "checkins/2026/photo.png").stat().st_size == 10 * MIB


@pytest.mark.slow
def test_a_file_of_60_mib_is_set_aside_and_never_written(pair: Pair) -> None:
    big = "checkins/2026/video.png"
    add_big(pair.alice, big, 60 * MIB)
    commit_index(pair.alice, "alice", "a video")
    push(pair.alice)
    assert_set_aside(pair, big, "blob-too-large", f"{big} (60.0 MiB)")
    assert not (pair.bob / big).exists()
    git(pair.alice, "rm", "-q", "--cached", big)
    commit_index(pair.alice, "alice", "no video")
    assert_clean_after_fix(pair)
    assert not (pair.bob / big).exists()


def test_a_decomposed_name_is_set_aside(pair: Pair) -> None:
    nfd = "repairs/2026/2026-11-20-cafe\u0301.md"
    repair = (
        "---\ntype: repair\nauthor: alice\ndate: 2026-11-20\nkind: rupture\nstatus: open\n---\n"
    )
    add_blob(pair.alice, nfd, repair.encode())
    commit_index(pair.alice, "alice", "decomposed")
    push(pair.alice)
    assert_set_aside(pair, nfd, "path-unsafe", "decomposed Unicode")
    assert not (pair.bob / nfd).exists()
    git(pair.alice, "rm", "-q", "--cached", nfd)
    nfc = "repairs/2026/2026-11-20-caf\u00e9.md"
    add_blob(pair.alice, nfc, repair.encode())
    commit_index(pair.alice, "alice", "composed")
    assert_clean_after_fix(pair)
    assert (pair.bob / nfc).read_text() == repair


def test_two_names_differing_in_case_set_the_new_one_aside(pair: Pair) -> None:
    question = "---\ntype: question\n---\n"
    add_blob(pair.alice, "questions/Q-0001.md", question.encode())
    commit_index(pair.alice, "alice", "first")
    add_blob(pair.alice, "questions/q-0001.md", question.encode())
    commit_index(pair.alice, "alice", "twin")
    push(pair.alice)
    assert_set_aside(pair, "questions/q-0001.md", "path-unsafe", "differ only in case")
    assert (pair.bob / "questions/Q-0001.md").read_text() == question
    assert skipped(pair.bob) == ["questions/q-0001.md"]
    git(pair.alice, "rm", "-q", "--cached", "questions/q-0001.md")
    commit_index(pair.alice, "alice", "no twin")
    assert_clean_after_fix(pair)


def test_a_changed_gitattributes_stays_out_of_the_work_tree(pair: Pair) -> None:
    write(pair.alice, ".gitattributes", "* text=auto eol=lf\n*.md merge=union\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    assert_set_aside(pair, ".gitattributes", "gitattributes-changed", ".gitattributes")
    assert (pair.bob / ".gitattributes").read_text() == "* text=auto eol=lf\n"
    assert "merge=union" in git(pair.bob, "show", "HEAD:.gitattributes")
    write(pair.alice, ".gitattributes", "* text=auto eol=lf\n")
    commit(pair.alice, "alice", "restore attributes")
    assert_clean_after_fix(pair)
    assert (pair.bob / ".gitattributes").read_text() == "* text=auto eol=lf\n"


@pytest.mark.parametrize(
    "change",
    [
        ("timezone: Europe/Berlin\n", "timezone: &tz Europe/Berlin\n"),
        ("bob@example.org", "alice@example.org"),
        ("timezone: Europe/Berlin\n", "timezone: Europe/Atlantis\n"),
        ("version: 1\n", "version: 1\nversion: 1\n"),
    ],
    ids=["alias", "one-email", "unknown-zone", "duplicate-key"],
)
def test_settings_that_do_not_load_are_set_aside(pair: Pair, change: tuple[str, str]) -> None:
    good = (pair.alice / "openbook.yml").read_text()
    old, new = change
    assert old in good
    who = identity(pair.alice, "alice")
    write(pair.alice, "openbook.yml", good.replace(old, new, 1))
    git(pair.alice, "commit", "-q", "-am", "bad settings", env=who)
    push(pair.alice)
    assert_set_aside(pair, "openbook.yml", "config", "openbook.yml")
    assert (pair.bob / "openbook.yml").read_text() == good
    check = invoke(["check"], vault=pair.bob, as_partner="bob")
    assert check.exit_code == 0, check.stdout
    write(pair.alice, "openbook.yml", good)
    commit(pair.alice, "alice", "settings fixed")
    assert_clean_after_fix(pair)
    assert (pair.bob / "openbook.yml").read_text() == good


def test_a_consent_claim_that_does_not_hold_is_merged_and_does_not_count(pair: Pair) -> None:
    write(pair.bob, AGREEMENT, agreement_text("We tell each other.", proposed_by="bob"))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    forged = agreement_text("We tell each other.", proposed_by="bob", accepted_by=["bob"])
    forged = forged.replace("status: proposed", "status: active")
    write(pair.alice, AGREEMENT, forged)
    sha = commit(pair.alice, "alice", "bob accepted, says alice")
    push(pair.alice)
    assert_set_aside(pair, sha, "consent-unproven", "does not count")
    assert (pair.bob / AGREEMENT).read_text() == forged
    check = invoke(["check"], vault=pair.bob, as_partner="bob")
    assert "consent-unproven" in check.stdout


def test_an_editor_saving_the_same_bytes_never_blocks_a_merge(pair: Pair) -> None:
    write(pair.alice, NOTE, checkin_text("alice", body="First."))
    commit(pair.alice, "alice")
    push(pair.alice)
    assert pair.sync("bob").exit_code == 0
    write(pair.alice, NOTE, checkin_text("alice", body="Second."))
    commit(pair.alice, "alice")
    push(pair.alice)
    # the editor writes a new file and renames it over the old one, same bytes
    tmp = pair.bob / "checkins/2026/.tmp-save"
    tmp.write_bytes((pair.bob / NOTE).read_bytes())
    os.utime(tmp, (1_000_000_000, 1_000_000_000))
    os.replace(tmp, pair.bob / NOTE)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (0, ""), res.stdout
    assert (pair.bob / NOTE).read_text() == checkin_text("alice", body="Second.")


def test_a_local_change_the_partner_also_changed_is_left_as_it_is(pair: Pair) -> None:
    mine = checkin_path("bob")
    pair.write("bob", mine, checkin_text("bob", body="Mine."))
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    # Alice (plain git) edits Bob's note; Bob saves a version with an error (not shared)
    write(pair.alice, mine, checkin_text("bob", body="Alice's edit."))
    theirs = commit(pair.alice, "alice", "edit")
    push(pair.alice)
    broken = checkin_text("bob", mood=9, body="Half written.")
    tmp = pair.bob / "checkins/2026/.tmp-save"
    tmp.write_text(broken)
    os.replace(tmp, pair.bob / mine)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (3, ""), res.stdout
    copy = f"checkins/2026/2026-11-24-bob.conflict-alice-{theirs[:7]}.md"
    assert (pair.bob / mine).read_text() == broken
    assert (pair.bob / copy).read_text() == checkin_text("bob", body="Alice's edit.")
    assert git(pair.bob, "show", f"HEAD:{mine}") + "\n" == checkin_text("bob", body="Mine.")
    assert pair.remote_head() == pair.head("bob")


def test_conflict_copies_keep_their_extension(pair: Pair) -> None:
    photo = "checkins/2026/photo.png"
    write(pair.alice, photo, b"\x89PNG first")
    commit(pair.alice, "alice")
    push(pair.alice)
    assert pair.sync("bob").exit_code == 0
    write(pair.alice, photo, b"\x89PNG alice")
    theirs = commit(pair.alice, "alice")
    push(pair.alice)
    write(pair.bob, photo, b"\x89PNG bob")
    git(pair.bob, "add", photo)
    git(pair.bob, "commit", "-q", "-m", "bob's photo", env=identity(pair.bob, "bob"))
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stdout + res.stderr
    assert (pair.bob / f"checkins/2026/photo.conflict-alice-{theirs[:7]}.png").read_bytes() == (
        b"\x89PNG alice"
    )
    assert (pair.bob / photo).read_bytes() == b"\x89PNG bob"


def test_an_untracked_file_where_the_partner_adds_one_is_left_as_it_is(pair: Pair) -> None:
    mine = checkin_text("alice", mood=9, body="Bob's unfinished copy.")
    write(pair.bob, NOTE, mine)  # an error (mood 9): not shared, stays untracked
    write(pair.alice, NOTE, checkin_text("alice"))
    theirs = commit(pair.alice, "alice")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (3, ""), res.stdout
    assert (pair.bob / NOTE).read_text() == mine
    copy = f"checkins/2026/2026-11-24-alice.conflict-alice-{theirs[:7]}.md"
    assert (pair.bob / copy).read_text() == checkin_text("alice")
    assert pair.remote_head() == pair.head("bob")


def test_what_stays_set_aside_stays_out_while_other_notes_arrive(pair: Pair) -> None:
    write(pair.alice, ".gitattributes", "* text=auto eol=lf\n*.md merge=union\n")
    commit(pair.alice, "alice")
    push(pair.alice)
    assert_set_aside(pair, ".gitattributes", "gitattributes-changed", ".gitattributes")
    write(pair.alice, NOTE, checkin_text("alice"))
    commit(pair.alice, "alice", "a check-in")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (1, ""), res.stdout
    assert "a changed .gitattributes" in res.stdout.lower()
    assert pair.head("bob") == pair.head("alice")  # a fast-forward: nothing new set aside
    assert (pair.bob / NOTE).read_text() == checkin_text("alice")
    assert (pair.bob / ".gitattributes").read_text() == "* text=auto eol=lf\n"
    assert skipped(pair.bob) == [".gitattributes"]
    assert git(pair.bob, "status", "--porcelain", "--untracked-files=all") == ""
    # Bob edits his own note meanwhile; it is shared as usual
    pair.write("bob", checkin_path("bob"), checkin_text("bob", body="Later."))
    res = pair.sync("bob")
    assert res.exit_code in (0, 1), res.stdout
    assert pair.remote_head() == pair.head("bob")


def test_an_edit_to_a_file_set_aside_is_named_by_doctor_and_never_overwritten(
    pair: Pair,
) -> None:
    good = (pair.alice / "openbook.yml").read_text()
    who = identity(pair.alice, "alice")
    write(pair.alice, "openbook.yml", good.replace("timezone: ", "timezone: &tz ", 1))
    git(pair.alice, "commit", "-q", "-am", "bad settings", env=who)
    push(pair.alice)
    assert_set_aside(pair, "openbook.yml", "config", "openbook.yml")
    doctor = invoke(["doctor"], vault=pair.bob, as_partner="bob")
    assert "All is well" in doctor.stdout, doctor.stdout
    # Bob edits his settings; git does not show it while the file is set aside
    mine = good.replace("at: '19:00'", "at: '20:00'")
    write(pair.bob, "openbook.yml", mine)
    doctor = invoke(["doctor"], vault=pair.bob, as_partner="bob")
    assert "All is well" not in doctor.stdout
    assert "openbook.yml" in doctor.stdout
    # Alice fixes the settings her way; Bob's edit stays, hers goes beside it
    theirs = good.replace("minutes: 60", "minutes: 90")
    write(pair.alice, "openbook.yml", theirs)
    sha = git(pair.alice, "commit", "-q", "-am", "settings fixed", env=who) or pair.head("alice")
    push(pair.alice)
    res = pair.sync("bob")
    assert (res.exit_code, res.stderr) == (3, ""), res.stdout
    assert (pair.bob / "openbook.yml").read_text() == mine
    assert (pair.bob / f"openbook.conflict-alice-{sha[:7]}.yml").read_text() == theirs
    assert skipped(pair.bob) == []
    assert git(pair.bob, "show", "HEAD:openbook.yml") + "\n" == theirs
    assert git(pair.bob, "status", "--porcelain") == "M openbook.yml"
