"""The history cache (ritual/history.py) read in steps says what a full read says: an
agreement deleted by Alice is told as hers, even when her clone read its history before
Bob's merge of that deletion came back (as every sync now does, to name proposals)."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, invoke, make_pair
from testing.ritual import at

from openbook.ritual.history import read_history
from openbook.vault import Vault

AGREEMENT = "agreements/A-001-phone-stays-open.md"
ALICE = {
    f"GIT_{role}_{part}": value
    for role in ("AUTHOR", "COMMITTER")
    for part, value in (("NAME", "Alice Example"), ("EMAIL", "alice@example.org"))
}


def _as(root: Path, who: str, when: str, *args: str) -> None:
    res = invoke(list(args), vault=root, as_partner=who, env={"OPENBOOK_COMMIT_DATE": when})
    assert res.exit_code == 0, res.stderr


@pytest.mark.slow
def test_a_deletion_read_before_the_merge_that_brings_it_back_stays_hers(tmp_path: Path) -> None:
    p = make_pair(tmp_path)
    when = at("2026-11-20", "10:00")
    _as(p.bob, "bob", when, "new", "agreement", "--set=title=Phone stays open", "--no-edit")
    assert p.sync("bob").exit_code == 0 and p.sync("alice").exit_code == 0
    _as(p.alice, "alice", at("2026-11-20", "12:00"), "accept", "A-001", "--yes")
    assert p.sync("alice").exit_code == 0 and p.sync("bob").exit_code == 0
    git(p.alice, "rm", "-q", AGREEMENT)
    stamp = {**ALICE, "GIT_AUTHOR_DATE": at("2026-11-22", "08:00")}
    stamp["GIT_COMMITTER_DATE"] = stamp["GIT_AUTHOR_DATE"]
    git(p.alice, "commit", "-q", "-m", "tidy up", env=stamp)
    assert read_history(Vault(p.alice)).deleted[AGREEMENT].deleted_by == "alice@example.org"
    # Bob wrote something meanwhile: his sync merges Alice's deletion, Alice receives it
    _as(p.bob, "bob", at("2026-11-22", "09:00"), "new", "timeout", "--no-edit")
    for who in ("alice", "bob", "alice"):
        res = invoke(
            ["sync"], vault=p.root(who), env={"OPENBOOK_COMMIT_DATE": at("2026-11-22", "09:30")}
        )
        assert res.exit_code == 0, res.stderr
    assert git(p.alice, "log", "-1", "--format=%P").count(" ") == 1  # Bob's merge
    gone = read_history(Vault(p.alice)).deleted[AGREEMENT]
    assert (gone.deleted_by, gone.deleted_at.isoformat()) == (
        "alice@example.org",
        at("2026-11-22", "08:00"),
    )
