"""An agreement's `review_every` sets its next review: one made with `review_every: 14d`
comes up for review 14 days on, not the default 30 (the agenda and the calendar read
the note's `next_review`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import frontmatter
from testing import invoke

TODAY = dt.date(2026, 11, 24)  # the pinned OPENBOOK_NOW


def new_agreement(vault: Path, *sets: str) -> dict[str, object]:
    args = ["new", "agreement", "--no-edit", "--set", "title=Calls every evening"]
    for s in sets:
        args += ["--set", s]
    res = invoke(args, vault=vault)
    assert res.exit_code == 0, res.stderr
    return dict(frontmatter.load(str(vault / res.stdout.strip())).metadata)


def test_review_every_14d_sets_the_next_review_14_days_on(vault: Path) -> None:
    meta = new_agreement(vault, "review_every=14d")
    assert meta["review_every"] == "14d"
    assert meta["next_review"] == TODAY + dt.timedelta(days=14)


def test_without_review_every_it_is_30_days_and_a_given_date_is_kept(vault: Path) -> None:
    assert new_agreement(vault)["next_review"] == TODAY + dt.timedelta(days=30)
    meta = new_agreement(vault, "review_every=14d", "next_review=2027-01-10")
    assert meta["next_review"] == dt.date(2027, 1, 10)
