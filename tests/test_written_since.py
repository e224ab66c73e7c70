"""What history says about notes under a name is remembered by HEAD and brought up to date
with only the commits since (check/written.py): the verdict is the one a reading of the
whole history gives, whatever came since. Real git, commits made with plain git."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from testing import checkin_path, checkin_text, git, make_vault, write
from testing.plain import commit, identity

from openbook.check.result import check_vault
from openbook.check.written import CACHE_FILE, Written, read_written, written
from openbook.vault import Vault


def _fresh(root: Path) -> Written:
    found = read_written(root)
    assert found is not None
    return found


def _verdict(root: Path) -> tuple[object, ...]:
    result = check_vault(Vault(root))
    a = result.authorship
    return (a.mismatch, a.unconfirmed, a.for_, a.edited, [p.format() for p in result.problems])


def test_new_commits_are_added_to_what_was_remembered(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    write(root, checkin_path("bob", "2026-11-20"), checkin_text("bob", "2026-11-20"))
    commit(root, "bob")
    written(Vault(root))  # remembered at this HEAD
    # Bob's own note, then one under Alice's name committed by Bob, then an edit by Bob of
    # Alice's own note
    write(root, checkin_path("bob", "2026-11-21"), checkin_text("bob", "2026-11-21"))
    commit(root, "bob")
    write(root, checkin_path("alice", "2026-11-21"), checkin_text("alice", "2026-11-21"))
    env = {
        **identity(root, "alice"),
        **{k: v for k, v in identity(root, "bob").items() if "COMMITTER" in k},
    }
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "for alice", env=env)
    write(root, checkin_path("alice", "2026-11-22"), checkin_text("alice", "2026-11-22"))
    commit(root, "alice")
    write(
        root,
        checkin_path("alice", "2026-11-22"),
        checkin_text("alice", "2026-11-22", body="Changed."),
    )
    commit(root, "bob")
    since = written(Vault(root))
    assert since == _fresh(root)
    saved = json.loads((root / ".git/openbook" / CACHE_FILE).read_text())
    assert saved["head"] == git(root, "rev-parse", "HEAD") and saved["multi"] == []
    incremental = _verdict(root)
    shutil.rmtree(root / ".git/openbook")
    assert _verdict(root) == incremental


def test_a_note_added_again_is_read_by_its_own_line(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    rel = checkin_path("bob", "2026-11-20")
    write(root, rel, checkin_text("bob", "2026-11-20"))
    commit(root, "bob")
    written(Vault(root))
    git(root, "rm", "-q", "--", rel)
    commit(root, "bob")
    write(root, rel, checkin_text("bob", "2026-11-20", body="Again."))
    commit(root, "alice")
    assert written(Vault(root)) == _fresh(root)
    saved = json.loads((root / ".git/openbook" / CACHE_FILE).read_text())
    assert saved["multi"] == [rel]
    # later commits are added to what was remembered (a mark left on it stays), that
    # note read by its line again
    other = checkin_path("bob", "2026-11-21")
    write(root, other, checkin_text("bob", "2026-11-21"))
    commit(root, "bob")
    written(Vault(root))
    saved = json.loads((root / ".git/openbook" / CACHE_FILE).read_text())
    saved["added"][other] = ["mark@example.org"] * 2
    (root / ".git/openbook" / CACHE_FILE).write_text(json.dumps(saved))
    write(root, rel, checkin_text("bob", "2026-11-20", body="Once more."))
    commit(root, "alice")
    found = written(Vault(root))
    assert found.added[other] == ("mark@example.org", "mark@example.org")
    (root / ".git/openbook" / CACHE_FILE).unlink()
    assert written(Vault(root)) == _fresh(root)
    assert found.edited == _fresh(root).edited and found.added[rel] == _fresh(root).added[rel]


def _merged(root: Path, twin: bool) -> Written:
    """Alice's notes on a side line merged by Bob (with `twin`, one note each side added
    alike); the facts remembered before the merge."""
    write(root, checkin_path("bob", "2026-11-20"), checkin_text("bob", "2026-11-20"))
    commit(root, "bob")
    git(root, "checkout", "-q", "-b", "side")
    write(root, checkin_path("alice", "2026-11-21"), checkin_text("alice", "2026-11-21"))
    commit(root, "alice")
    rel = checkin_path("alice", "2026-11-22")
    write(root, rel, checkin_text("alice", "2026-11-22"))
    commit(root, "alice")
    git(root, "checkout", "-q", "-")
    write(root, *((rel, checkin_text("alice", "2026-11-22")) if twin else ("b.md", "x\n")))
    commit(root, "bob")
    known = written(Vault(root))  # remembered before the merge
    git(root, "merge", "-q", "--no-edit", "--no-ff", "side", env=identity(root, "bob"))
    return known


def test_after_a_merge_only_the_commits_since_are_added(tmp_path: Path) -> None:
    """A merge brings in the other side's notes: the facts are brought up to date with
    the commits since, as a whole reading gives them, and the verdict is the one from no
    remembered facts at all."""
    root = make_vault(tmp_path / "v", "bob")
    known = _merged(root, twin=False)
    since = read_written(root, known, git(root, "rev-parse", "HEAD^1"))
    assert since == _fresh(root)
    assert since is not None and checkin_path("alice", "2026-11-22") in since.added
    # only the commits since are read: a mark left on a remembered fact stays
    cache = root / ".git/openbook" / CACHE_FILE
    saved = json.loads(cache.read_text())
    saved["added"][checkin_path("bob", "2026-11-20")] = ["mark@example.org"] * 2
    cache.write_text(json.dumps(saved))
    marked = written(Vault(root)).added[checkin_path("bob", "2026-11-20")]
    assert marked == ("mark@example.org", "mark@example.org")
    cache.unlink()
    assert written(Vault(root)) == since
    incremental = _verdict(root)
    shutil.rmtree(root / ".git/openbook")
    assert _verdict(root) == incremental


def test_a_note_each_side_added_alike_is_read_by_its_own_line(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    known = _merged(root, twin=True)
    multi: set[str] = set()
    since = read_written(root, known, git(root, "rev-parse", "HEAD^1"), multi)
    assert multi == {checkin_path("alice", "2026-11-22")}
    assert since == _fresh(root)
    assert written(Vault(root)) == _fresh(root)
    incremental = _verdict(root)
    shutil.rmtree(root / ".git/openbook")
    assert _verdict(root) == incremental


def test_a_note_added_on_both_sides_is_the_one_on_the_line_head_kept(tmp_path: Path) -> None:
    """Both partners added a note at one path while apart: Alice gave hers another number
    (deleting it there), Bob changed his, and the merge kept his. Alice's addition is the
    newest, but not on the line HEAD's version came by: the note is Bob's."""
    root = make_vault(tmp_path / "v", "bob")
    rel = checkin_path("bob", "2026-11-20")

    def dated(who: str, when: str) -> None:
        stamp = f"2026-11-2{when} +0100"
        env = {**identity(root, who), "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        git(root, "add", "-A")
        git(root, "commit", "-q", "--no-verify", "-m", f"{who} {when}", env=env)

    git(root, "checkout", "-q", "-b", "side")
    write(root, rel, checkin_text("bob", "2026-11-20"))
    dated("bob", "0T09:00:00")
    write(root, rel, checkin_text("bob", "2026-11-20", body="Changed."))
    dated("bob", "0T10:00:00")
    git(root, "checkout", "-q", "-")
    write(root, rel, checkin_text("bob", "2026-11-20", body="Alice's, at first."))
    dated("alice", "1T09:00:00")
    git(root, "rm", "-q", "--", rel)
    write(root, checkin_path("alice", "2026-11-20"), checkin_text("alice", "2026-11-20"))
    dated("alice", "1T10:00:00")
    git(root, "merge", "-q", "--no-edit", "--no-ff", "side", env=identity(root, "bob"))
    found = written(Vault(root))
    assert found.added[rel] == ("bob@example.org", "bob@example.org")
    assert found == _fresh(root)
    assert not [p for p in check_vault(Vault(root)).problems if p.path == rel]


def test_two_clones_a_note_under_alices_name_merged_in_is_judged_as_from_scratch(
    tmp_path: Path,
) -> None:
    """Bob, with plain git, commits a check-in under Alice's name while she writes her
    own; her sync merges the two lines: the verdict brought up to date with the merge is
    the one from no remembered facts, and names Bob's commit."""
    from testing import invoke, make_pair

    pair = make_pair(tmp_path)
    alice, bob = pair.alice, pair.bob
    assert invoke(["check"], vault=alice, as_partner="alice").exit_code == 0
    forged = checkin_path("alice", "2026-11-21")
    write(bob, forged, checkin_text("alice", "2026-11-21"))
    commit(bob, "bob", "a check-in for alice")
    git(bob, "push", "-q", "origin", "HEAD:main")
    write(alice, checkin_path("alice", "2026-11-22"), checkin_text("alice", "2026-11-22"))
    assert pair.sync("alice").exit_code == 0
    assert len(git(alice, "rev-list", "--merges", "HEAD").split()) == 1
    incremental = _verdict(alice)
    assert forged in incremental[0]  # author-mismatch: Bob's commit, Alice's name
    (alice / ".git/openbook/authorship.json").unlink(missing_ok=True)
    (alice / ".git/openbook/authorship-verdict.marshal").unlink(missing_ok=True)
    assert _verdict(alice) == incremental


def test_the_same_bytes_added_on_the_other_side_leave_the_note_its_writers(
    tmp_path: Path,
) -> None:
    """Bob's check-in; Alice, with plain git, adds the very same bytes at its path on a
    line of her own and merges it: each of them added that note, and it stays Bob's."""
    root = make_vault(tmp_path / "v", "bob")
    rel = checkin_path("bob", "2026-11-20")
    write(root, rel, checkin_text("bob", "2026-11-20"))
    commit(root, "bob")
    written(Vault(root))
    git(root, "checkout", "-q", "-b", "side", "HEAD~1")
    write(root, rel, checkin_text("bob", "2026-11-20"))
    commit(root, "alice")
    git(root, "checkout", "-q", "-")
    git(root, "merge", "-q", "--no-edit", "--no-ff", "side", env=identity(root, "alice"))
    found = written(Vault(root))
    assert found.alike[rel] == [("alice@example.org",) * 2, ("bob@example.org",) * 2]
    assert found == _fresh(root)
    assert not [p for p in check_vault(Vault(root)).problems if p.path == rel]
