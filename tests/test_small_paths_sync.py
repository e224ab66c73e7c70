"""A conflict copy of openbook.yml or language.md lands beside the file it copies, in the
same folder and with sync's naming (`<stem>.conflict-<partner>-<sha7><ext>`), never in
reviews/, whether this side's change was committed before the sync or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    text = (root / rel).read_text()
    assert old in text
    (root / rel).write_text(text.replace(old, new))


# the file: (its line, Alice's line, Bob's line, the copy's name up to the sha, its ext)
CASES = {
    "openbook.yml": (
        "at: '19:00'",
        "at: '18:00'",
        "at: '20:00'",
        "openbook.conflict-alice-",
        ".yml",
    ),
    "language.md": (
        "timeout_word:\n",
        "timeout_word: banana\n",
        "timeout_word: kiwi\n",
        "language.conflict-alice-",
        ".md",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("rel", sorted(CASES))
@pytest.mark.parametrize("committed", [True, False])
def test_a_settings_conflict_copy_lands_beside_its_file(
    tmp_path: Path, rel: str, committed: bool
) -> None:
    pair: Pair = make_pair(tmp_path)
    old, theirs, ours, prefix, ext = CASES[rel]
    _edit(pair.alice, rel, old, theirs)
    assert pair.sync("alice").exit_code == 0
    sha = pair.head("alice")
    _edit(pair.bob, rel, old, ours)
    if committed:
        assert invoke(["commit"], vault=pair.bob, as_partner="bob").exit_code == 0
    res = pair.sync("bob")
    assert res.exit_code == 3, res.stdout + res.stderr
    copy = f"{prefix}{sha[:7]}{ext}"
    assert (pair.bob / copy).is_file(), res.stdout
    assert ours.strip() in (pair.bob / rel).read_text()
    assert theirs.strip() in (pair.bob / copy).read_text()
    tracked = git(pair.bob, "ls-files").splitlines()
    assert copy in tracked
    assert not [p for p in tracked if p.startswith("reviews/") and "conflict" in p], tracked
    assert copy in invoke(["status"], vault=pair.bob, as_partner="bob").stdout
