"""The whole-history readers take git's output as git writes it, a piece at a time: the
commits, the times for counting and the arrivals are what reading the whole output at
once gives, on a real history with a merge, a side branch dated before its base, names
and subjects outside ASCII, and commits this clone never noted. Real git; the other
partner acts with plain git."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, make_vault, write
from testing.plain import commit, identity

from openbook.errors import GitError
from openbook.git import ledger, runner
from openbook.git import repo as gitrepo
from openbook.git.arrivals import _listed, arrivals, record_arrivals
from openbook.git.logtext import records
from openbook.git.standing import Standing, off_clock, standing_time, standing_times
from openbook.ritual.history import read_history
from openbook.vault import Vault


def _history(tmp_path: Path) -> Path:
    """A vault whose history has a side branch (dated before the commit it grew from), a
    merge of it, non-ASCII names and subjects, a deletion and an `Openbook-*` trailer."""
    root = make_vault(tmp_path / "vault")
    write(root, "checkins/2026/2026-11-20-bob.md", "---\ntype: checkin\n---\n\nfine\n")
    commit(root, "bob", "check-in\n\nOpenbook-Action: new\nOpenbook-Type: checkin")
    git(root, "checkout", "-q", "-b", "side")
    write(root, "repairs/2026/2026-11-21-café.md", "---\ntype: repair\n---\n\nsorry ✓\n")
    old = {
        "GIT_AUTHOR_DATE": "2020-01-01T10:00:00+05:30",
        "GIT_COMMITTER_DATE": "2020-01-01T10:00:00+05:30",
    }
    git(root, "add", "-A")
    git(
        root,
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "répare ✓",
        env={**identity(root, "alice"), **old},
    )
    git(root, "checkout", "-q", "main")
    write(root, "notes.md", "x\n")
    commit(root, "bob", "a note")
    git(root, "rm", "-q", "notes.md")
    commit(root, "bob", "gone")
    env = identity(root, "bob")
    git(root, "merge", "-q", "--no-ff", "--no-edit", "side", env=env)
    return root


def _whole(root: Path, **kw: object) -> list[ledger.Commit]:
    """The commits as the whole output at once gives them (one string split at once)."""
    args = ledger.commits_args(Vault(root), **kw)  # type: ignore[arg-type]
    raw = gitrepo.run(root, args, strip=False).stdout
    return [c for chunk in raw.split("\x1e")[1:] if (c := ledger._commit(chunk)) is not None]


def test_commits_read_piece_by_piece_are_the_commits_of_the_whole_output(tmp_path: Path) -> None:
    root = _history(tmp_path)
    vault = Vault(root)
    whole = _whole(root)
    assert len(whole) >= 6 and any(c.merge for c in whole)
    assert any("✓" in c.subject for c in whole)
    assert list(ledger.iter_commits(vault)) == whole
    assert ledger.read_commits(vault) == whole
    head = git(root, "rev-parse", "HEAD")
    first = git(root, "rev-list", "--max-parents=0", "HEAD")
    assert list(ledger.iter_commits(vault, exclude=first, rev=head)) == _whole(
        root, exclude=first, rev=head
    )
    zones = {
        id(c.committed.tzinfo)
        for c in whole
        if c.committed.utcoffset() == whole[0].committed.utcoffset()
    }
    assert len(zones) == 1  # one zone object per offset


@pytest.mark.parametrize("size", [1, 2, 7, 64])
def test_records_split_anywhere_are_the_records_of_the_whole(size: int) -> None:
    data = "\x1eone\x1ftwo\0\x1e\x1eé ✓ three\x1e".encode() + b"\xff\xfe tail"
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    assert list(records(pieces)) == data.split(b"\x1e")[1:]
    assert list(records([b"no separator"])) == []
    assert list(records([])) == []


def _times_at_once(root: Path, when: int, mine: str | None) -> dict[str, Standing]:
    """Every commit's time for counting as the whole list of commits at once gives it."""
    rows = _listed(root, ["--topo-order", "--reverse", "--end-of-options", "HEAD"])
    seen = arrivals(root)
    record_arrivals(root, [r[0] for r in rows], when, seen)
    out: dict[str, Standing] = {}
    for sha, dated, email, parents in rows:
        before = [out[p].time for p in parents if p in out]
        arrival = seen.get(sha)
        own = mine is not None and email == mine
        out[sha] = Standing(
            standing_time(dated, before, arrival),
            off_clock(dated, before, None if own else arrival),
        )
    return out


def test_times_read_piece_by_piece_are_the_times_of_the_whole_list(tmp_path: Path) -> None:
    root = _history(tmp_path)
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(root), str(copy))
    (copy / ".git" / "openbook").mkdir(exist_ok=True)
    when = 1_800_000_000
    mine = Vault(root).config.partners["bob"].email.lower()
    # a clone that never noted these commits: both ways note them as arriving `when`
    streamed = standing_times(root, when, mine=mine)
    assert streamed == _times_at_once(copy, when, mine)
    assert any(s.clock for s in streamed.values())  # the side branch dated before its base
    noted = arrivals(root)
    assert set(noted) == set(streamed)
    # noted now: the same times again, nothing noted twice
    size = (root / ".git" / "openbook" / "arrivals").stat().st_size
    assert standing_times(root, when + 99, mine=mine) == streamed
    assert (root / ".git" / "openbook" / "arrivals").stat().st_size == size


def test_a_revision_git_cannot_list_gives_no_times(tmp_path: Path) -> None:
    root = _history(tmp_path)
    known = {"f" * 40: Standing(5, False)}
    assert standing_times(root, 1, "0" * 40, mine=None, known=known) == known


def test_a_streamed_git_that_fails_says_so_once_read(tmp_path: Path) -> None:
    root = _history(tmp_path)
    args = ["log", "--end-of-options", "no-such-revision"]
    with pytest.raises(GitError) as caught:
        list(runner.Streamed(root, args))
    assert str(caught.value).startswith("git log failed: ")
    quiet = runner.Streamed(root, args, check=False)
    assert b"".join(quiet) == b"" and quiet.status not in (None, 0)
    fine = runner.Streamed(root, ["log", "--format=%H"])
    assert b"".join(fine).decode().split() == git(root, "log", "--format=%H").split()
    assert fine.status == 0


def test_history_read_as_git_writes_it_counts_as_before(tmp_path: Path) -> None:
    root = _history(tmp_path)
    hist = read_history(Vault(root))
    whole = _whole(root)
    assert hist.seq == len(whole)
    added = {ch.path for c in whole for ch in c.changes if ch.status == "A"}
    assert set(hist.first_commit) == added
