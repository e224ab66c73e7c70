"""Before sharing, sync folds a run of local saves of one note into one commit (sync/fold.py):
what the partner receives is the note as it was left, not every autosave. Shared history is
never touched, the originals stay in a backup ref, and the moment a note arrived (its first
commit, what counting uses) never changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from test_trust import keys, signed  # noqa: F401
from testing import Pair, bare_remote, checkin_text, git, invoke, make_pair, make_vault, write

from openbook.record.pending import commit_pending
from openbook.ritual.history import read_history
from openbook.vault import Vault

NOTE = "checkins/2026/2026-11-24-bob.md"
OTHER = "checkins/2026/2026-11-23-bob.md"
START = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def save(
    monkeypatch: pytest.MonkeyPatch, root: Path, rel: str, text: str, when: dt.datetime
) -> None:
    """What watch does when an editor saves: write the note, commit it at `when`."""
    write(root, rel, text)
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", when.isoformat())
    outcome = commit_pending(Vault(root), "bob")
    assert [c.path for c in outcome.committed] == [rel]


def text(n: int, day: str = "2026-11-24") -> str:
    return checkin_text("bob", day, mood=1 + n % 5, body=f"Save number {n}.")


def commits_of(root: Path, rel: str) -> list[str]:
    return git(root, "log", "--format=%H", "--", rel).splitlines()


@pytest.mark.slow
def test_fifty_saves_arrive_as_one_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pair = make_pair(tmp_path)
    for n in range(50):
        save(monkeypatch, pair.bob, NOTE, text(n), START + dt.timedelta(seconds=5 * n))
    tip = pair.head("bob")
    first = read_history(Vault(pair.bob)).first_commit[NOTE]
    assert first == START
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    backup = re.search(r"refs/openbook/backup/\S+'", res.stdout)
    assert backup is not None, res.stdout
    ref = backup[0][:-1]
    assert (
        f"Joined 50 saves of {NOTE} into one change before sharing; the originals stay in "
        f"this copy as a backup ('git log {ref}' shows them)." in res.stdout.splitlines()
    )
    # the backup holds the original tip; work tree and index are as they were
    assert git(pair.bob, "rev-parse", ref) == tip
    assert git(pair.bob, "status", "--porcelain") == ""
    assert git(pair.bob, "rev-parse", "HEAD^{tree}") == git(
        pair.bob, "rev-parse", f"{tip}^{{tree}}"
    )
    assert pair.remote_head() == pair.head("bob")
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    only = commits_of(pair.alice, NOTE)
    assert len(only) == 1
    assert git(pair.alice, "show", f"{only[0]}:{NOTE}") + "\n" == text(49)
    assert (pair.alice / NOTE).read_text(encoding="utf-8") == text(49)
    message = git(pair.alice, "log", "-1", "--format=%B", only[0])
    assert message.startswith(f"checkin: new {NOTE}\n")
    assert "Openbook-Action: new" in message and "Openbook-Saves: 50" in message
    # the author, and both dates, of the first save: the note arrived when it arrived
    fmt = "%an <%ae>|%aI|%cn <%ce>|%cI"
    assert git(pair.alice, "log", "-1", f"--format={fmt}", only[0]) == (
        "Bob Example <bob@example.org>|2026-11-24T20:00:00+01:00|"
        "Bob Example <bob@example.org>|2026-11-24T20:00:00+01:00"
    )
    for root in (pair.alice, pair.bob):
        assert read_history(Vault(root)).first_commit[NOTE] == first
    assert git(pair.alice, "fsck", "--no-progress") == ""


def test_saves_already_shared_stay_separate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    save(monkeypatch, pair.bob, NOTE, text(0), START)
    assert pair.sync("bob").exit_code == 0
    shared = pair.head("bob")
    save(monkeypatch, pair.bob, NOTE, text(1), START + dt.timedelta(minutes=1))
    save(monkeypatch, pair.bob, NOTE, text(2), START + dt.timedelta(minutes=2))
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert f"Joined 2 saves of {NOTE}" in res.stdout
    assert pair.sync("alice").exit_code == 0
    got = commits_of(pair.alice, NOTE)
    assert len(got) == 2 and got[1] == shared
    assert git(pair.alice, "log", "-1", "--format=%cI", got[0]) == "2026-11-24T20:01:00+01:00"
    assert (pair.alice / NOTE).read_text(encoding="utf-8") == text(2)


def test_two_notes_interleaved_are_not_folded_into_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    when = START
    for n, rel in enumerate([NOTE, OTHER, NOTE, OTHER]):
        day = "2026-11-24" if rel == NOTE else "2026-11-23"
        save(monkeypatch, pair.bob, rel, text(n, day), when)
        when += dt.timedelta(seconds=30)
    tip = pair.head("bob")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "Joined" not in res.stdout
    assert pair.head("bob") == tip  # nothing to fold: nothing rewritten
    # runs of one note next to each other fold, each on its own
    for n, rel in enumerate([NOTE, NOTE, OTHER, OTHER]):
        day = "2026-11-24" if rel == NOTE else "2026-11-23"
        save(monkeypatch, pair.bob, rel, text(n + 10, day), when)
        when += dt.timedelta(seconds=30)
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert f"Joined 2 saves of {NOTE}" in res.stdout
    assert f"Joined 2 saves of {OTHER}" in res.stdout
    assert pair.sync("alice").exit_code == 0
    assert len(commits_of(pair.alice, NOTE)) == 3
    assert len(commits_of(pair.alice, OTHER)) == 3
    assert git(pair.alice, "show", f"HEAD:{OTHER}") + "\n" == text(13, "2026-11-23")


def test_a_commit_made_by_hand_breaks_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    save(monkeypatch, pair.bob, NOTE, text(0), START)
    save(monkeypatch, pair.bob, NOTE, text(1), START + dt.timedelta(seconds=10))
    write(pair.bob, NOTE, text(2))
    git(pair.bob, "commit", "-q", "-am", "by hand")
    save(monkeypatch, pair.bob, NOTE, text(3), START + dt.timedelta(seconds=30))
    save(monkeypatch, pair.bob, NOTE, text(4), START + dt.timedelta(seconds=40))
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.count(f"Joined 2 saves of {NOTE}") == 2
    assert pair.sync("alice").exit_code == 0
    subjects = git(pair.alice, "log", "--format=%s", "--", NOTE).splitlines()
    assert subjects == [f"checkin: edit {NOTE}", "by hand", f"checkin: new {NOTE}"]


def test_saves_either_side_of_the_late_edit_moment_stay_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check-in of the 24th written that evening and changed three days later: folding
    them would hide a late edit, so they stay two commits."""
    pair = make_pair(tmp_path)
    save(monkeypatch, pair.bob, NOTE, text(0), START)
    save(monkeypatch, pair.bob, NOTE, text(1), START + dt.timedelta(seconds=10))
    save(monkeypatch, pair.bob, NOTE, text(2), START + dt.timedelta(days=3))
    save(monkeypatch, pair.bob, NOTE, text(3), START + dt.timedelta(days=3, seconds=10))
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.count(f"Joined 2 saves of {NOTE}") == 2
    assert pair.sync("alice").exit_code == 0
    assert len(commits_of(pair.alice, NOTE)) == 2
    log = invoke(["log"], vault=pair.alice)
    assert "late edit" in log.stdout


def test_sync_check_says_it_would_fold_and_no_fold_keeps_every_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    for n in range(3):
        save(monkeypatch, pair.bob, NOTE, text(n), START + dt.timedelta(seconds=n))
    tip = pair.head("bob")
    res = pair.sync("bob", "--check")
    assert res.exit_code == 0, res.stderr
    assert (
        f"A sync would join 3 saves of {NOTE} into one change before sharing; the originals "
        "would stay in this copy as a backup." in res.stdout
    )
    assert pair.head("bob") == tip
    res = pair.sync("bob", "--no-fold")
    assert res.exit_code == 0, res.stderr
    assert "Joined" not in res.stdout
    assert pair.remote_head() == tip


def test_a_signed_vault_verifies_after_folding(
    signed: Pair,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = signed.bob
    for n in range(4):
        save(monkeypatch, root, NOTE, text(n), START + dt.timedelta(seconds=n))
    res = invoke(["sync"], vault=root)
    assert res.exit_code == 0, res.stderr
    assert f"Joined 4 saves of {NOTE}" in res.stdout
    assert "\ngpgsig " in git(root, "cat-file", "commit", "HEAD")
    for who in ("bob", "alice"):
        if who == "alice":
            assert invoke(["sync"], vault=signed.alice).exit_code == 0
        res = invoke(["verify"], vault=signed.root(who))
        assert res.exit_code == 0, res.stdout + res.stderr
        assert res.stdout.endswith(" 0 problems\n")
    assert len(commits_of(signed.alice, NOTE)) == 1


def test_the_first_sync_of_a_new_vault_folds_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    bob = make_vault(tmp_path / "bob")
    git(bob, "remote", "add", "origin", str(remote))
    for n in range(3):
        save(monkeypatch, bob, NOTE, text(n), START + dt.timedelta(seconds=n))
    res = invoke(["sync"], vault=bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    assert f"Joined 3 saves of {NOTE}" in res.stdout
    assert len(commits_of(remote, NOTE)) == 1
