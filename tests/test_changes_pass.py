"""One `git log` with no paths serves the two history readers that are unions over
history (check/changes.py): what it gives each is what that reader's own path-limited
`git log` gives, through merges on both sides. Real git, commits made with plain git."""

from __future__ import annotations

import subprocess
from pathlib import Path

from testing import checkin_path, checkin_text, git, make_vault, question_text, write
from testing.plain import commit, identity

from openbook.check import changes
from openbook.check.firsts import log_args as firsts_args
from openbook.check.written import _entries


def _history(root: Path) -> str:
    """Notes added, changed and deleted on two lines, a file beside them, a merge."""
    write(root, checkin_path("bob", "2026-11-20"), checkin_text("bob", "2026-11-20"))
    write(root, "checkins/2026/notes.txt", "not a note\n")
    commit(root, "bob")
    git(root, "checkout", "-q", "-b", "side")
    write(root, "questions/Q-0001.md", question_text())
    write(root, checkin_path("alice", "2026-11-21"), checkin_text("alice", "2026-11-21"))
    commit(root, "alice")
    write(root, "questions/Q-0001.md", question_text(body="Asked again."))
    commit(root, "alice")
    git(root, "checkout", "-q", "-")
    write(root, checkin_path("bob", "2026-11-20"), checkin_text("bob", "2026-11-20", body="B."))
    git(root, "rm", "-q", "--", "checkins/2026/notes.txt")
    commit(root, "bob")
    git(root, "merge", "-q", "--no-edit", "--no-ff", "side", env=identity(root, "bob"))
    return git(root, "rev-parse", "HEAD")


def test_each_reader_gets_what_its_own_log_gives(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    head = _history(root)
    notes = changes.notes(root, head)
    assert notes is not None and sorted(notes) == sorted(_entries(root, head))
    assert {e[1] for e in notes} >= {"questions/Q-0001.md", checkin_path("alice", "2026-11-21")}
    pairs = changes.added(root, head)
    added = list(pairs) if pairs is not None else None  # given one at a time
    out = subprocess.run(["git", *firsts_args(head)], cwd=root, capture_output=True, check=True)
    listed = out.stdout.decode().split("\x1e")[1:]
    own = {(r.split("\0")[0].strip(), p.strip("\n")) for r in listed for p in r.split("\0")[1:]}
    assert added is not None and set(added) == {(s, p) for s, p in own if p}
    assert "checkins/2026/notes.txt" in {p for _, p in added}  # every file, as git's own
    # each part is taken once; a name that may move is never read this way
    assert changes.notes(root, head) is not None  # read again: the first was taken whole
    assert changes.notes(root, "HEAD") is None


def test_a_part_no_reader_will_ask_for_is_not_kept(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    head = _history(root)
    changes.expect(root, head, True, False)
    assert changes.notes(root, head)
    assert changes.added(root, head) is None  # not kept: its reader reads its own way


def test_a_name_from_history_is_a_name_not_a_pattern(tmp_path: Path) -> None:
    """A note's own history is asked for by its name: `*` in it matches nothing else."""
    root = make_vault(tmp_path / "v", "bob")
    head = _history(root)
    assert _entries(root, head, None, ["checkins/2026/*.md"]) == []
    own = _entries(root, head, None, [checkin_path("alice", "2026-11-21")])
    assert [e[1] for e in own] == [checkin_path("alice", "2026-11-21")]
