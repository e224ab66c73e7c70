"""Which addition a note at a path added more than once came from (check/lineage.py):
traced from the blob HEAD holds back through the changes to an addition, in any order."""

from __future__ import annotations

import itertools

from openbook.check.lineage import lineage

NO = "0" * 40
ALICE, BOB = ("alice@example.org",) * 2, ("bob@example.org",) * 2


def _e(status: str, who: tuple[str, str], old: str, new: str) -> tuple[str, ...]:
    return (status, "questions/Q-0003.md", *who, old, new)


# Alice added hers (a1), changed it (a2), then renumbered it away; Bob added his (b1)
# and changed it (b2), which is what HEAD holds
LINE = [
    _e("A", ALICE, NO, "a1"),
    _e("M", ALICE, "a1", "a2"),
    _e("A", BOB, NO, "b1"),
    _e("M", BOB, "b1", "b2"),
]


def test_the_note_is_the_one_its_changes_began_with_in_any_order() -> None:
    for order in itertools.permutations(LINE):
        who, way = lineage(list(order), "b2")  # type: ignore[arg-type]
        assert who == [BOB]
        assert way == [LINE[3]]  # Alice's change is not on its way


def test_an_edit_by_the_other_partner_is_on_the_way() -> None:
    line = [*LINE, _e("M", ALICE, "b2", "b3")]
    who, way = lineage(line, "b3")  # type: ignore[arg-type]
    assert who == [BOB] and way == sorted([LINE[3], line[-1]])


def test_the_same_bytes_added_twice_name_both_in_any_order() -> None:
    line = [_e("A", BOB, NO, "x"), _e("A", ALICE, NO, "x")]
    both = [ALICE, BOB]
    assert lineage(line, "x")[0] == lineage(line[::-1], "x")[0] == both  # type: ignore[arg-type]


def test_a_version_no_change_made_has_no_way() -> None:
    assert lineage(LINE, "made-by-a-merge") == ([], [])  # type: ignore[arg-type]
    assert lineage(LINE, None) == ([], [])  # type: ignore[arg-type]
