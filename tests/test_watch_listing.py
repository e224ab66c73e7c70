"""The note files as watch knows them between two walks (watch/listing.py): the events
name what to look at again, git names every note about to be committed, and a doubt
walks all again. Real files, real inotify, real git; the other partner with plain git."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from testing import git, make_pair, make_vault, question_text, write
from testing.watching import of_kind, settle_a_while, wait_for, watching
from watchdog.events import (
    DirCreatedEvent,
    EventsLostEvent,
    FileModifiedEvent,
    FileOpenedEvent,
)

from openbook.check.result import check_vault
from openbook.vault import Listed, Vault, note_file
from openbook.watch.listing import Listing
from openbook.watch.loop import Watcher
from openbook.watch.observer import VaultObserver
from openbook.watch.reconcile import Reconciler, ReconcileResult

ASKED = "questions/Q-0001.md"
LATER = "questions/Q-0002.md"


def _bob_asks(qid: str, body: str = "Where were you?") -> str:
    return question_text(qid, asked_by="bob", to="alice", body=body)


def test_a_path_is_a_note_file_exactly_when_the_walk_lists_it(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "inside").mkdir(parents=True)
    write(elsewhere, "inside/far.md", "far\n")
    for rel in (
        "checkins/2026/2026-11-24-bob.md",
        "checkins/2026/deep/er/note.md",
        "checkins/2026/notes.txt",
        "checkins/.hidden/secret.md",
        "checkins/2026/.swap.md",
        "repairs/node_modules/x.md",
        "repairs/__pycache__/y.md",
        "openbook.conflict-alice-0123456789ab.yml",
        "stray.md",
        "language.md",
    ):
        write(root, rel, "---\ntype: checkin\n---\n")
    (root / "questions").mkdir(exist_ok=True)
    (root / "questions/Q-0009.md").mkdir()  # a folder with a note's name
    os.symlink(elsewhere / "inside", root / "questions/linked")  # the walk never enters it
    os.symlink(elsewhere / "inside/far.md", root / "questions/Q-0010.md")
    shutil.rmtree(root / "timeouts", ignore_errors=True)
    os.symlink(elsewhere, root / "timeouts")  # a note folder that is a link: not walked
    vault = Vault(root)
    walked = {rel: st for rel, st in vault.note_files()}
    every = [
        str(p.relative_to(root))
        for p in (*root.rglob("*"), root / "questions/linked/far.md", root / "timeouts/x.md")
        if ".git" not in p.relative_to(root).parts
    ]
    assert len(walked) >= 4 and "questions/Q-0010.md" in walked
    for rel in every:
        found = note_file(str(root), rel)
        assert (found is not None) == (rel in walked), rel
        if found is not None:
            assert (found.st_ino, found.st_size, found.st_mtime_ns) == (
                walked[rel].st_ino,
                walked[rel].st_size,
                walked[rel].st_mtime_ns,
            ), rel


def _counted(root: Path) -> tuple[Callable[[], Iterator[Listed]], list[int]]:
    """The vault's own walk, and a list that grows by one each time it runs."""
    vault, walks = Vault(root), []

    def walk() -> Iterator[Listed]:
        walks.append(1)
        return vault._walk_notes()

    return walk, walks


def test_only_named_paths_are_looked_at_again_until_a_doubt(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    write(root, ASKED, _bob_asks("Q-0001"))
    walk, walks = _counted(root)
    listing = Listing(str(root))
    assert ASKED in dict(listing.files(walk)) and len(walks) == 1
    write(root, ASKED, _bob_asks("Q-0001", body="A longer question than before, now."))
    write(root, LATER, _bob_asks("Q-0002"))
    unnamed = write(root, "questions/Q-0003.md", _bob_asks("Q-0003"))
    listing.saw([ASKED, LATER, "questions/Q-0004.md"], False)
    seen = dict(listing.files(walk))
    assert len(walks) == 1  # no walk: the named paths only
    assert seen[ASKED].st_size == (root / ASKED).stat().st_size
    assert LATER in seen and "questions/Q-0004.md" not in seen
    assert "questions/Q-0003.md" not in seen  # nothing named it: not looked for
    (root / LATER).unlink()
    listing.saw([LATER], False)
    assert LATER not in dict(listing.files(walk))
    listing.saw(["questions"], True)  # a folder event: everything walked again
    assert "questions/Q-0003.md" in dict(listing.files(walk)) and len(walks) == 2
    unnamed.unlink()

    def broken() -> Iterator[Listed]:
        raise OSError("the disk went away")

    listing.doubt()
    with pytest.raises(OSError):
        listing.files(broken)
    assert "questions/Q-0003.md" not in dict(listing.files(walk))  # walked again
    assert len(walks) == 3


def test_what_the_observer_hears_names_paths_or_leaves_a_doubt(tmp_path: Path) -> None:
    """The events as watchdog gives them: a file's change names its path; a folder that
    came, or events the system lost, walk everything again; reads name nothing."""
    root = make_vault(tmp_path / "v")
    walk, walks = _counted(root)
    listing = Listing(str(root))
    observer = VaultObserver(str(root), lambda rel, folder: None, on_any=listing.saw)
    listing.files(walk)
    note = write(root, ASKED, _bob_asks("Q-0001"))
    observer.on_event(FileOpenedEvent(str(note)))  # a read: nothing to look at
    assert ASKED not in dict(listing.files(walk))
    observer.on_event(FileModifiedEvent(str(note)))
    assert ASKED in dict(listing.files(walk)) and len(walks) == 1
    for doubt in (DirCreatedEvent(str(root / "questions/2027")), EventsLostEvent(str(root))):
        observer.on_event(doubt)
        listing.files(walk)
    assert len(walks) == 3


def test_a_note_about_to_be_committed_is_read_though_no_event_named_it(
    tmp_path: Path,
) -> None:
    root = make_vault(tmp_path / "v")
    vault = Vault(root)
    listing = Listing(str(root))  # no observer: no event ever reaches it
    with listing.serving(vault):
        check_vault(vault)  # the walk the commits build on
    write(root, ASKED, _bob_asks("Q-0001").replace("status: open", "status: whenever"))
    events: list[dict[str, object]] = []
    reconciler = Reconciler(vault, "bob", events.append, lambda: False)
    reconciler.listing = listing
    assert ASKED in reconciler.pending()
    result = ReconcileResult()
    reconciler.commit([ASKED], result)
    assert not result.committed and result.invalid == [ASKED]
    assert git(root, "log", "--format=%s", "--", ASKED) == ""
    write(root, ASKED, _bob_asks("Q-0001"))
    assert ASKED in reconciler.pending()
    result = ReconcileResult()
    reconciler.commit([ASKED], result)
    assert [c["path"] for c in result.committed] == [ASKED]


class _NeverIdle(Watcher):
    """A watch that never checks ahead while idle (`warm`, only ever a head start, walks
    every file): between two commits only the events say what changed."""

    def warm(self) -> None:
        with self._mu:
            self._stale = False


def test_a_note_put_back_with_plain_git_no_longer_claims_its_id(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    with watching(root, _NeverIdle) as (watcher, events):
        assert watcher.observer_kind == "native"
        write(root, ASKED, _bob_asks("Q-0001"))
        wait_for(lambda: bool(of_kind(events, "committed")), "the first question committed")
        # an edit watch refuses (no such status): it stays as written, claiming Q-0002
        write(root, ASKED, _bob_asks("Q-0002").replace("status: open", "status: whenever"))
        wait_for(lambda: bool(of_kind(events, "invalid")), "the edit refused")
        settle_a_while()
        git(root, "checkout", "--", ASKED)  # put back, as committed, by plain git
        write(root, LATER, _bob_asks("Q-0002"))
        wait_for(
            lambda: LATER in [e["path"] for e in of_kind(events, "committed")],
            "the new question committed",
        )
    assert not [e for e in of_kind(events, "invalid") if e["path"] == LATER]


def test_a_question_that_arrived_by_sync_is_known_to_the_next_commit(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    with watching(pair.bob, sync_every=3600) as (watcher, events):
        assert watcher.observer_kind == "native"
        wait_for(lambda: len(of_kind(events, "sync")) == 1, "the sync at start")
        # Alice asks with plain git, and the id she takes is the one Bob is about to take
        pair.write("alice", LATER, question_text("Q-0002", asked_by="alice", to="bob"))
        git(pair.alice, "add", LATER)
        git(pair.alice, "commit", "-q", "-m", "question: new Q-0002")
        git(pair.alice, "push", "-q", "origin", "HEAD:main")
        pair.write("bob", ASKED, _bob_asks("Q-0001"))
        wait_for(lambda: len(of_kind(events, "sync")) == 2, "the sync after the commit")
        assert (pair.bob / LATER).is_file()
        pair.write("bob", "questions/Q-0003.md", _bob_asks("Q-0002"))
        wait_for(
            lambda: any(e["path"] == "questions/Q-0003.md" for e in of_kind(events, "invalid")),
            "the duplicate id refused",
        )
    refused = [e for e in of_kind(events, "invalid") if e["path"] == "questions/Q-0003.md"]
    assert "duplicate id Q-0002" in " ".join(refused[0]["lines"])
