"""A sync asks git about each thing once (issue 25): one new note on each side is merged
with the same outcome as ever in few git processes; what it remembers of trees, folders,
the index and arrivals answers exactly as git does. Real git, a bare remote, two clones;
git processes counted by a logging `git` first on PATH."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, make_pair, write
from testing.gitlog import counting_git
from testing.process import run_openbook

from openbook.git import worktree
from openbook.git.arrivals import arrivals, see
from openbook.git.runner import subcommand
from openbook.sync.quick import UNTRACKED

ALICE = "checkins/2026/2026-11-24-alice.md"
BOB = "checkins/2026/2026-11-24-bob.md"
# a sync with one new note on each side, as it stands: the full `check` and history
# passes other parts of openbook make are most of these
MOST = 66


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    made = make_pair(tmp_path)
    assert made.sync("alice").exit_code == 0
    return made


def test_one_new_note_each_side_merges_in_few_git_processes(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair.write("bob", BOB, checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", ALICE, checkin_text("alice"))
    log = counting_git(tmp_path, monkeypatch)
    res = pair.sync("alice")
    assert (res.exit_code, res.stderr) == (0, "")
    assert res.stdout == (
        "Received 1 change from Bob: 1 check-in.\n"
        "Synced with origin: committed 1 change, shared 2 changes.\n"
    )
    runs = log.read_text().splitlines()
    by = Counter(subcommand(line.split()) for line in runs)
    # the remotes' settings are read once; each pair of trees is compared once; folders
    # are read in one cat-file; the index holds no skip-worktree bit to list (the one
    # `ls-files` is the quick answer's look for untracked files, sync/quick.py)
    listed = [line for line in runs if subcommand(line.split()) == "ls-files"]
    assert by["remote"] == 0 and listed == [" ".join(UNTRACKED)], by
    diffs = [line for line in runs if subcommand(line.split()) == "diff-tree"]
    assert len(diffs) == len(set(diffs)), diffs
    assert by["ls-tree"] <= 2 and by["merge-base"] <= 3 and by["fetch"] <= 2, by
    assert len(runs) <= MOST, (len(runs), by)
    assert pair.sync("bob").exit_code == 0
    for who in ("alice", "bob"):
        root = pair.root(who)
        assert (root / ALICE).is_file() and (root / BOB).is_file()
        assert git(root, "status", "--porcelain") == ""
    assert pair.head("alice") == pair.head("bob") == pair.remote_head()


def test_a_sync_that_merges_leaves_the_agenda_unloaded(pair: Pair) -> None:
    """A sync names new settings and changed words at its end, but it renders no agenda
    and counts nothing: the modules that do are not loaded (each costs every sync)."""
    pair.write("bob", BOB, checkin_text("bob"))
    assert pair.sync("bob").exit_code == 0
    pair.write("alice", ALICE, checkin_text("alice"))
    ran = run_openbook("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stderr) == (0, "")
    assert ran.stdout.endswith("Synced with origin: committed 1 change, shared 2 changes.\n")
    agenda = {"openbook.ritual.overview", "openbook.ritual.agreements", "jinja2"}
    assert not agenda & ran.loaded, agenda & ran.loaded


def test_a_commit_openbook_just_made_arrives_without_asking_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "a.md", "a\n")
    git(root, "add", "a.md")
    git(root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "a")
    sha = git(root, "rev-parse", "HEAD")
    log = counting_git(tmp_path, monkeypatch)
    see(root, 1_800_000_000, sha, only=True)
    see(root, 1_900_000_000, sha, only=True)  # seen once: the first time stays
    assert log.read_text() == ""
    assert arrivals(root) == {sha: 1_800_000_000}
    see(root, 1_900_000_000, "HEAD")  # a name, not an id: git is asked
    assert log.read_text().splitlines() and arrivals(root) == {sha: 1_800_000_000}


def _repo(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository with two commits: folders, a file where a folder was, names with
    spaces and glob characters."""
    root = tmp_path / "trees"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for rel in ("top.md", "notes/a b.md", "notes/x/deep.md", "notes/c*.md", "gone/f.md"):
        write(root, rel, f"{rel}\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "one")
    old = git(root, "rev-parse", "HEAD")
    git(root, "rm", "-q", "-r", "gone")
    write(root, "gone", "now a file\n")
    write(root, "notes/new.md", "new\n")
    write(root, "notes/a b.md", "changed\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-m", "two")
    return root, old, git(root, "rev-parse", "HEAD")


def _ls(root: Path, tree: str, paths: list[str]) -> dict[str, tuple[str, str]]:
    raw = git(root, "ls-tree", "-z", "--full-tree", tree, "--", *paths)
    found = {}
    for item in raw.split("\0"):
        if item:
            meta, _, path = item.partition("\t")
            mode, _, oid = meta.split()
            found[path] = (mode, oid)
    return found


def test_what_is_remembered_of_trees_is_what_git_says(tmp_path: Path) -> None:
    root, old, new = _repo(tmp_path)
    rows = worktree.diff_rows(root, old, new)
    assert {p: r[0] for p, r in rows.items()} == {
        "gone": "A",
        "gone/f.md": "D",
        "notes/a b.md": "M",
        "notes/new.md": "A",
    }
    worktree.learn_folders(root, [(t, f) for t in (old, new) for f in ("", "notes", "gone")])
    asked = ["top.md", "gone", "gone/f.md", "notes", "notes/a b.md", "notes/c*.md"]
    asked += ["notes/cx.md", "notes/new.md", "notes/x", "nowhere.md", "nowhere/a.md"]
    for tree in (old, new):
        for path in asked:
            assert worktree.tree_entries(root, tree, [path]) == _ls(root, tree, [path]), path
        assert worktree.tree_entries(root, tree, asked) == _ls(root, tree, asked)
    names = worktree.folder_names(root, new, "notes")
    assert sorted(names or []) == ["a b.md", "c*.md", "new.md", "x"]
    assert worktree.folder_names(root, new, "gone") == []  # a file, not a folder
    assert worktree.changed_entries(root, old, new)["gone/f.md"] is None


def test_skip_worktree_bits_are_found_whatever_the_index_version(tmp_path: Path) -> None:
    root, _, _ = _repo(tmp_path)
    assert worktree.skipped_paths(root) == []
    git(root, "update-index", "--skip-worktree", "--", "top.md")
    assert worktree.skipped_paths(root) == ["top.md"]
    git(root, "update-index", "--no-skip-worktree", "--", "top.md")
    git(root, "update-index", "--index-version", "4")
    git(root, "update-index", "--skip-worktree", "--", "notes/a b.md")
    assert worktree.skipped_paths(root) == ["notes/a b.md"]


def test_local_changes_at_some_paths_are_those_of_the_whole_status(tmp_path: Path) -> None:
    root, _, _ = _repo(tmp_path)
    write(root, "notes/a b.md", "edited\n")  # unstaged
    write(root, "notes/cx.md", "untracked, and matched by the glob c*.md\n")
    write(root, "top.md", "staged\n")
    git(root, "add", "top.md")
    (root / "notes/new.md").unlink()
    whole = set(worktree.local_changes(root))
    assert whole == {"notes/a b.md", "notes/cx.md", "top.md", "notes/new.md"}
    some = ["notes/c*.md", "notes/a b.md", "notes/new.md", "gone", "nowhere.md"]
    assert set(worktree.local_changes(root, some)) == whole & set(some)
    assert worktree.local_changes(root, []) == []
