"""When each check-in was first committed (`written-ahead`, SPEC section 10) is read once,
then only the commits since (after a merge too): the answer is the one reading everything
again gives, and a rewound HEAD or an arrivals file that changed reads everything again."""

from __future__ import annotations

import datetime as dt
import marshal
from pathlib import Path

from testing import checkin_path, checkin_text, git, invoke, write
from testing.plain import identity
from testing.ritual import at

from openbook.check.ahead import MAGIC, _saved, packed
from openbook.check.firsts import Firsts, first_times, read_firsts
from openbook.git.arrivals import store_path

NOW = int(dt.datetime.fromisoformat(at("2026-11-24", "22:00")).timestamp())


def _commit(root: Path, day: str, when: str, who: str = "bob") -> str:
    """Commit a check-in of `who` for `day` with plain git, dated `when`."""
    rel = checkin_path(who, day)
    write(root, rel, checkin_text(who, day))
    git(root, "add", "--", rel)
    env = {**identity(root, who), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(root, "commit", "-q", "--no-verify", "-m", f"check-in {day}", env=env)
    return git(root, "rev-parse", "HEAD")


def _scratch(root: Path) -> Firsts:
    return read_firsts(root, git(root, "rev-parse", "HEAD"), NOW)


def _same(found: Firsts, scratch: Firsts) -> None:
    assert (found.head, found.time, found.firsts) == (scratch.head, scratch.time, scratch.firsts)


def _history(root: Path) -> Firsts:
    _commit(root, "2026-11-20", at("2026-11-20", "20:00"))
    _commit(root, "2026-11-21", at("2026-11-21", "20:00"), "alice")
    head = git(root, "rev-parse", "HEAD")
    found = first_times(root, head, None, NOW)
    assert found.read == int(git(root, "rev-list", "--count", "HEAD"))  # everything read
    return found


def test_after_one_more_commit_only_that_commit_is_read(vault: Path) -> None:
    old = _history(vault)
    head = _commit(vault, "2026-11-22", at("2026-11-22", "20:00"))
    found = first_times(vault, head, old, NOW)
    assert found.read == 1
    assert checkin_path("bob", "2026-11-22") in found.firsts
    _same(found, _scratch(vault))
    again = first_times(vault, head, found, NOW)
    assert again.read == 0  # HEAD as it was: nothing read
    _same(again, found)


def test_a_rewound_head_reads_everything_again(vault: Path) -> None:
    old = _history(vault)
    _commit(vault, "2026-11-22", at("2026-11-22", "20:00"))
    newer = first_times(vault, git(vault, "rev-parse", "HEAD"), old, NOW)
    git(vault, "reset", "-q", "--hard", "HEAD~1")
    found = first_times(vault, git(vault, "rev-parse", "HEAD"), newer, NOW)
    assert found.read == int(git(vault, "rev-list", "--count", "HEAD"))
    assert checkin_path("bob", "2026-11-22") not in found.firsts
    _same(found, _scratch(vault))


def test_after_a_merge_only_the_commits_since_are_read(vault: Path) -> None:
    old = _history(vault)
    git(vault, "checkout", "-q", "-b", "side", "HEAD~1")
    _commit(vault, "2026-11-22", at("2026-11-22", "20:00"), "alice")
    git(vault, "checkout", "-q", "-")
    _commit(vault, "2026-11-23", at("2026-11-23", "20:00"))
    env = identity(vault, "bob")
    git(vault, "merge", "-q", "--no-edit", "--no-ff", "side", env=env)
    found = first_times(vault, git(vault, "rev-parse", "HEAD"), old, NOW)
    assert found.read == 3  # the side's commit, the one beside it, the merge
    assert checkin_path("alice", "2026-11-22") in found.firsts
    _same(found, _scratch(vault))


def test_a_checkin_added_on_both_sides_counts_from_its_first_commit(vault: Path) -> None:
    """The same check-in committed on each side of a merge: its first commit is the
    earlier of the two, whichever side the merge keeps, read since or from scratch."""
    old = _history(vault)
    git(vault, "checkout", "-q", "-b", "side", "HEAD~1")
    _commit(vault, "2026-11-22", at("2026-11-22", "20:00"))
    git(vault, "checkout", "-q", "-")
    _commit(vault, "2026-11-22", at("2026-11-23", "09:00"))
    env = identity(vault, "bob")
    git(vault, "merge", "-q", "--no-edit", "--no-ff", "-s", "ours", "side", env=env)
    found = first_times(vault, git(vault, "rev-parse", "HEAD"), old, NOW)
    assert found.read == 3
    first = int(dt.datetime.fromisoformat(at("2026-11-22", "20:00")).timestamp())
    assert found.firsts[checkin_path("bob", "2026-11-22")] == first
    _same(found, _scratch(vault))


def test_an_arrivals_file_that_changed_reads_everything_again(vault: Path) -> None:
    """A check-in's time is capped by when this clone first saw its commit: when what the
    arrivals file says changed, the times remembered do not stand."""
    sha = _commit(vault, "2026-11-24", at("2026-11-24", "20:00"))
    old = first_times(vault, sha, None, NOW)
    path = store_path(vault)
    assert path is not None
    earlier = int(dt.datetime.fromisoformat(at("2026-11-23", "12:00")).timestamp())
    lines = path.read_text().splitlines()
    path.write_text(
        "".join(f"{sha} {earlier}\n" if ln.startswith(sha) else f"{ln}\n" for ln in lines)
    )
    found = first_times(vault, sha, old, NOW)
    assert found.read > 0
    assert found.firsts[checkin_path("bob", "2026-11-24")] == earlier
    _same(found, _scratch(vault))


def test_another_commit_noted_since_reads_everything_again(vault: Path) -> None:
    old = _history(vault)
    path = store_path(vault)
    assert path is not None
    with path.open("a") as fh:
        fh.write(f"{'e' * 40} {NOW}\n")  # a commit HEAD does not hold (fetched, say)
    head = _commit(vault, "2026-11-22", at("2026-11-22", "20:00"))
    found = first_times(vault, head, old, NOW)
    assert found.read == int(git(vault, "rev-list", "--count", "HEAD"))
    _same(found, _scratch(vault))


def test_check_says_the_same_with_and_without_what_it_remembers(vault: Path) -> None:
    """A check-in committed ahead of its day, then others committed and edited: `check`
    says the same as it does with nothing remembered."""
    _commit(vault, "2026-11-25", at("2026-11-24", "20:00"))  # tomorrow's, committed today
    first = invoke(["check"], vault=vault)
    assert first.exit_code == 1 and "[written-ahead]" in first.stdout, first.stdout
    _commit(vault, "2026-11-24", at("2026-11-24", "20:30"))
    write(vault, checkin_path("alice", "2026-11-26"), checkin_text("alice", "2026-11-26"))
    later = invoke(["check"], vault=vault)
    (vault / ".git" / "openbook" / "ahead.marshal").unlink()
    fresh = invoke(["check"], vault=vault)
    assert (later.exit_code, later.stdout) == (fresh.exit_code, fresh.stdout)
    assert later.stdout.count("[written-ahead]") == 2, later.stdout
    # the date of a check-in changed on disk is read again
    write(vault, checkin_path("alice", "2026-11-26"), checkin_text("alice", "2026-11-24"))
    edited = invoke(["check"], vault=vault)
    assert edited.stdout.count("[written-ahead]") == 1, edited.stdout


def test_a_damaged_memory_of_first_commits_is_made_again(vault: Path) -> None:
    _commit(vault, "2026-11-25", at("2026-11-24", "20:00"))  # tomorrow's, committed today
    first = invoke(["check"], vault=vault)
    assert "[written-ahead]" in first.stdout, first.stdout
    cache = vault / ".git" / "openbook" / "ahead.marshal"
    good = _saved(cache, "")  # its key and problems, then what it read
    rel = checkin_path("bob", "2026-11-25")
    size, mtime, _ = good["dates"][rel]
    wrong: list[dict[str, object]] = [
        {**good, "key": "", "dates": {rel: (size, mtime, (10**9, False))}},
        {**good, "key": "", "dates": {rel: (size, mtime, ("2026-11-25", 1))}},
        {**good, "key": "", "history": {"head": "x", "time": "y"}},
        {**good, "key": "", "problems": [(1, 2)]},
    ]
    before = cache.with_suffix(".json")  # what written-ahead remembered before
    before.write_text('{"key": "", "problems": []}')

    def two(saved: dict[str, object]) -> bytes:
        first = {k: v for k, v in saved.items() if k in ("key", "problems")}
        return packed(first, {k: v for k, v in saved.items() if k not in first})

    damaged = [
        *map(marshal.dumps, wrong),  # the file of before
        *map(two, wrong),
        two({"key": ""}) + b"\x80",
        two({"key": ""})[:-3],
        MAGIC + (10**6).to_bytes(8, "little") + marshal.dumps({"key": ""}),
    ]
    for damage in [b"\x80garbage", b"", marshal.dumps([1]), *damaged]:
        cache.write_bytes(damage)
        again = invoke(["check"], vault=vault)
        assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout), damage
        assert not before.exists()


def test_arrivals_of_a_few_commits_read_as_the_whole_file_reads_them(vault: Path) -> None:
    from openbook.git.arrivals import arrivals, arrivals_of

    a, b, c, d = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)
    text = (
        f"{a} 1700000300\n{b} 17000\n{a} 1700000100\n{a} 1700000200\n"  # a cut line for b
        f"x{c} 1700000000\n{c} 1700000400\n{d} 1700000500"  # d: a line still being written
    )
    path = store_path(vault)
    assert path is not None
    path.write_text(text)
    whole = arrivals(vault)
    assert arrivals_of(path.read_bytes(), {a, b, c, d}) == {
        s: whole[s] for s in (a, b, c, d) if s in whole
    }
    assert whole[a] == 1700000100 and b not in whole and d not in whole
