"""Each clone notes when every commit first arrived (SPEC section 10). A sync lists only
what the history it already noted whole (`.git/openbook/arrivals.tip`) does not hold; a
commit that came in any other way, a shortened arrivals file or a tip that is gone
makes it list everything again. Bob acts with plain git."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, checkin_text, git, make_pair
from testing.plain import commit_and_push

from openbook.git.arrivals import FILE, TIP


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _lines(root: Path) -> list[str]:
    data = (root / ".git" / "openbook" / FILE).read_text()
    return [line.split()[0] for line in data.splitlines() if line]


def _tip(root: Path) -> str:
    return (root / ".git" / "openbook" / TIP).read_text().split()[0]


def _history(root: Path, rev: str = "HEAD") -> set[str]:
    return set(git(root, "rev-list", rev).split())


def _bob_pushes(pair: Pair, n: int) -> str:
    rel = f"checkins/2026/2026-11-{n + 10:02d}-bob.md"
    return commit_and_push(pair.bob, "bob", {rel: checkin_text("bob", f"2026-11-{n + 10}")}, "x")


def test_each_commit_is_noted_once_and_the_tip_follows(pair: Pair) -> None:
    _bob_pushes(pair, 1)
    assert pair.sync("alice").exit_code == 0
    lines = _lines(pair.alice)
    assert set(lines) >= _history(pair.alice) and len(lines) == len(set(lines))
    assert _tip(pair.alice) == git(pair.alice, "rev-parse", "refs/openbook/seen/origin/main")
    first, second = _bob_pushes(pair, 2), _bob_pushes(pair, 3)
    assert pair.sync("alice").exit_code == 0
    lines = _lines(pair.alice)
    assert {first, second} <= set(lines) and len(lines) == len(set(lines))
    assert _tip(pair.alice) == second


def test_a_commit_pulled_with_plain_git_is_noted_at_the_next_sync(pair: Pair) -> None:
    assert pair.sync("alice").exit_code == 0
    pulled = _bob_pushes(pair, 1)
    git(pair.alice, "pull", "-q", "--ff-only", "origin", "main")
    assert pulled not in _lines(pair.alice)
    after = _bob_pushes(pair, 2)
    assert pair.sync("alice").exit_code == 0
    assert {pulled, after} <= set(_lines(pair.alice))


@pytest.mark.parametrize("damage", ["shortened file", "file made anew", "tip gone", "tip garbled"])
def test_damage_makes_the_whole_history_listed_again(pair: Pair, damage: str) -> None:
    assert pair.sync("alice").exit_code == 0
    store = pair.alice / ".git" / "openbook" / FILE
    tip = pair.alice / ".git" / "openbook" / TIP
    if damage == "shortened file":
        store.write_text("")
    elif damage == "file made anew":  # as long as before, but none of its lines
        fresh = store.with_name("arrivals.new")
        fresh.write_text("\n" * store.stat().st_size)  # made while the old one is there
        fresh.replace(store)
    elif damage == "tip gone":
        store.write_text("")
        tip.write_text(f"{'1' * 40} 0 {store.stat().st_ino}\n")
    else:
        tip.write_text("not a commit\n")
        store.write_text("")
    new = _bob_pushes(pair, 1)
    assert pair.sync("alice").exit_code == 0
    assert set(_lines(pair.alice)) >= _history(pair.alice) | {new}
