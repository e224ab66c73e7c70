"""Editor and system files are nobody's notes: `status`, `commit` and `watch` pass over
them without a word, whatever the vault's .gitignore says (here it says nothing of them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from testing import checkin_path, checkin_text, git, invoke, write
from testing.watching import bare_gitignore

NOTE = checkin_path()
DROPPINGS = [
    ".obsidian/workspace.json",
    ".obsidian/app.json",
    ".vscode/settings.json",
    ".idea/workspace.xml",
    ".DS_Store",
    "Thumbs.db",
    "checkins/.DS_Store",
    "checkins/2026/Thumbs.db",
    "checkins/2026/.2026-11-24-bob.md.swp",  # vim's swap file, and its next two
    "checkins/2026/.2026-11-24-bob.md.swo",
    "checkins/2026/.2026-11-24-bob.md.swx",
    "checkins/2026/2026-11-24-bob.md~",  # vim's and emacs's backup
    "checkins/2026/4913",  # vim's probe that it may write in the folder
    "checkins/2026/#2026-11-24-bob.md#",  # emacs's auto-save
    "checkins/2026/draft.tmp",
    "language.md~",
]
EMACS_LOCK = "checkins/2026/.#2026-11-24-bob.md"  # a symbolic link to nowhere


@pytest.fixture
def messy(vault: Path) -> Path:
    """A vault with a note written and every kind of editor dropping beside it."""
    bare_gitignore(vault)
    for rel in DROPPINGS:
        write(vault, rel, "editor state\n")
    os.symlink("bob@laptop.4242:1764000000", vault / EMACS_LOCK)
    write(vault, NOTE, checkin_text())
    return vault


def test_commit_passes_over_droppings_without_a_word(messy: Path) -> None:
    res = invoke(["commit"], vault=messy)
    assert (res.exit_code, res.stdout, res.stderr) == (0, f"committed {NOTE} (new)\n", "")
    assert set(git(messy, "ls-files").splitlines()).isdisjoint([*DROPPINGS, EMACS_LOCK])
    again = invoke(["commit"], vault=messy)
    assert (again.exit_code, again.stdout, again.stderr) == (
        0,
        "Nothing to commit; everything is already in the log.\n",
        "",
    )


def test_status_lists_the_note_and_no_dropping(messy: Path) -> None:
    res = invoke(["status", "--json"], vault=messy)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["uncommitted"] == [NOTE]
    assert data["not_shared"] == []
    text = invoke(["status"], vault=messy).stdout
    for rel in [*DROPPINGS, EMACS_LOCK]:
        assert rel not in text, rel
    assert "Not shared" not in text


def test_watch_commits_the_note_and_passes_over_droppings(messy: Path) -> None:
    res = invoke(["watch", "--once", "--quiet", "0.1s", "--json"], vault=messy)
    assert res.exit_code == 0, res.stderr
    assert git(messy, "log", "--format=%s", "-1") == f"checkin: new {NOTE}"
    assert set(git(messy, "ls-files").splitlines()).isdisjoint([*DROPPINGS, EMACS_LOCK])
    for rel in [*DROPPINGS, EMACS_LOCK]:
        assert rel not in res.stdout and rel not in res.stderr, rel


def test_one_list_says_what_a_dropping_is() -> None:
    from openbook.fsutil import is_dropping

    for rel in [*DROPPINGS, EMACS_LOCK]:
        assert is_dropping(rel), rel
    for rel in (NOTE, "language.md", "openbook.yml", "README.md", "checkins/2026/photo.png"):
        assert not is_dropping(rel), rel


def test_sync_passes_over_droppings_too(tmp_path: Path) -> None:
    from testing import make_pair

    pair = make_pair(tmp_path)
    bare_gitignore(pair.bob)
    assert pair.sync("bob").exit_code == 0
    for rel in DROPPINGS:
        write(pair.bob, rel, "editor state\n")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "saved during the sync" not in res.stdout
    for rel in DROPPINGS:
        assert rel not in res.stdout and rel not in res.stderr, rel


def test_a_file_memo_gives_back_only_what_the_file_still_holds(tmp_path: Path) -> None:
    from openbook.fsutil import FileMemo, atomic_write, file_stamp

    memo: FileMemo[str] = FileMemo()
    path = tmp_path / "cache.marshal"
    atomic_write(path, b"one", durable=False)
    memo.keep(path, "head-1", "read from one", file_stamp(path))
    assert memo.get(path, "head-1") == "read from one"
    assert memo.get(path, "head-2") is None  # another key
    atomic_write(path, b"one", durable=False)  # the same bytes, written again: a new file
    assert memo.get(path, "head-1") is None
    stamp = file_stamp(path)
    atomic_write(path, b"two", durable=False)  # replaced while it was being read
    memo.keep(path, "head-1", "read from one", stamp)
    assert memo.get(path, "head-1") is None
    path.unlink()
    assert memo.get(path, "head-1") is None
