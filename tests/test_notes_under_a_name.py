"""Notes under a name: a note counts for the partner it names only through their own
commit; "by X for Y" once Y confirms it; an edit by the other is shown as theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, invoke, make_pair, plain, write

from openbook.check.result import check_vault
from openbook.vault import Vault

DAY = "2026-11-24"
ALICES = checkin_path("alice", DAY)
APPRECIATION = "## Appreciation\n\nThank you for the walk."


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _check(root: Path) -> dict:  # type: ignore[type-arg]
    res = invoke(["check", "--format", "json"], vault=root)
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def _mismatches(root: Path) -> list[tuple[str, int]]:
    return [
        (p["path"], p["line"]) for p in _check(root)["problems"] if p["rule"] == "author-mismatch"
    ]


def _received(root: Path, who: str) -> int:
    res = invoke(["agenda", "--format", "json"], vault=root)
    assert res.exit_code == 0, res.stderr
    return int(json.loads(res.stdout)["checkins"][who]["received"])


def _both_synced(pair: Pair, first: str = "bob") -> None:
    second = "alice" if first == "bob" else "bob"
    for who in (first, second, first):
        res = pair.sync(who)
        assert res.exit_code == 0, res.stderr


def test_bob_writing_a_checkin_in_alices_name_with_plain_git_does_not_count(pair: Pair) -> None:
    before = _received(pair.alice, "alice")
    write(pair.bob, ALICES, checkin_text("alice", DAY))
    plain.commit(pair.bob, "bob", "checkin")
    plain.push(pair.bob)
    assert pair.sync("alice").exit_code == 0
    for root in (pair.bob, pair.alice):
        assert _mismatches(root) == [(ALICES, 3)]  # the `author:` line
        assert _received(root, "alice") == before
    # Alice's own check-in that day can still be written, and counts
    res = invoke(["new", "checkin", "--no-edit", "--body", APPRECIATION], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    own = res.stdout.strip().splitlines()[-1].strip()
    assert own != ALICES and own.startswith(f"checkins/2026/{DAY}-alice")
    assert (pair.alice / ALICES).read_text() == checkin_text("alice", DAY)
    assert _mismatches(pair.alice) == [(ALICES, 3)]
    assert _received(pair.alice, "alice") == before + 1
    _both_synced(pair, "alice")
    assert _received(pair.bob, "alice") == before + 1


def test_an_edit_by_bob_of_alices_checkin_is_shown_as_his(pair: Pair, tmp_path: Path) -> None:
    write(pair.alice, ALICES, checkin_text("alice", DAY, body=APPRECIATION))
    assert invoke(["commit"], vault=pair.alice).exit_code == 0
    _both_synced(pair, "alice")
    write(pair.bob, ALICES, checkin_text("alice", DAY, body="## Appreciation\n\nNothing."))
    plain.commit(pair.bob, "bob", "edit")
    plain.push(pair.bob)
    assert pair.sync("alice").exit_code == 0
    for root in (pair.alice, pair.bob):
        assert _mismatches(root) == []
        agenda = invoke(["agenda"], vault=root).stdout
        line = next(x for x in agenda.splitlines() if "Nothing." in x)
        assert "edited by Bob Example" in line
        entries = json.loads(invoke(["log", "--json"], vault=root).stdout)
        edit = next(e for e in entries if e["paths"] == [ALICES] and e["partner"] == "bob")
        assert "edited by bob" in edit["marks"]
        assert "edited by bob" in invoke(["log"], vault=root).stdout
    out = tmp_path / "export.html"
    res = invoke(["export", "--type", "checkin", "-o", str(out), "--yes"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "edited by Bob Example" in out.read_text(encoding="utf-8")


def test_a_note_by_bob_for_alice_counts_once_alice_confirms_it(pair: Pair) -> None:
    before = _received(pair.alice, "alice")
    res = invoke(
        ["new", "checkin", "--no-edit", "--body", APPRECIATION], vault=pair.bob, as_partner="alice"
    )
    assert res.exit_code == 0, res.stderr
    path = res.stdout.strip().splitlines()[-1].strip()
    _both_synced(pair)
    for root in (pair.bob, pair.alice):
        assert _mismatches(root) == []
        assert _received(root, "alice") == before
        agenda = invoke(["agenda"], vault=root).stdout
        assert "by Bob Example for Alice Example, not yet confirmed" in agenda
    # only Alice confirms, from her own copy
    refused = invoke(["confirm", path], vault=pair.bob, as_partner="alice")
    assert refused.exit_code == 2
    assert invoke(["confirm", path], vault=pair.bob).exit_code != 0  # not Bob's to confirm
    res = invoke(["confirm", path], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "Openbook-Action: confirm" in git(pair.alice, "log", "-1", "--format=%B")
    assert _received(pair.alice, "alice") == before + 1
    assert "not yet confirmed" not in invoke(["agenda"], vault=pair.alice).stdout
    _both_synced(pair, "alice")
    assert _received(pair.bob, "alice") == before + 1


def test_an_answer_is_the_answerers_own_words_not_an_edit(pair: Pair) -> None:
    res = invoke(["ask", "Where were you on Friday?", "--to", "bob"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    _both_synced(pair, "alice")
    res = invoke(["answer", "Q-0001", "--text", "At my sister's."], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    path = "questions/Q-0001.md"
    text = (pair.bob / path).read_text().replace("At my sister's.", "At my sister's, 6 to 9.")
    write(pair.bob, path, text)  # Bob adds to his own answer with plain git
    plain.commit(pair.bob, "bob", "answer")
    assert check_vault(Vault(pair.bob)).authorship.edited == {}
    text = text.replace("Where were you on Friday?", "Where were you?")
    write(pair.bob, path, text)  # and now changes Alice's question: an edit of her words
    plain.commit(pair.bob, "bob", "edit")
    assert check_vault(Vault(pair.bob)).authorship.edited == {path: ["bob"]}


def test_a_note_bob_added_as_his_own_cannot_be_confirmed_by_alice(pair: Pair) -> None:
    write(pair.bob, ALICES, checkin_text("alice", DAY))
    plain.commit(pair.bob, "bob", "checkin")
    _both_synced(pair)
    res = invoke(["confirm", ALICES], vault=pair.alice)
    assert res.exit_code == 1
    assert "cannot be confirmed" in res.stderr and "openbook new checkin" in res.stderr
    assert _mismatches(pair.alice) == [(ALICES, 3)]
