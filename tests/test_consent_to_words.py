"""Consent is to the words (SPEC section 10): an acceptance binds to the terms it saw, a
change after it waits for the one who gave it, and `accept` shows what it binds to."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, agreement_text, git, invoke, make_pair, trailers
from testing.plain import commit_and_push

PATH = "agreements/A-001-no-private-contact.md"
WORDS = agreement_text(
    "We tell each other about any contact.",
    extra="kind: transparency\nmeasures: [a weekly word about contact]\nnext_review: 2026-12-20\n",
)


def _ok(res: object) -> None:
    assert getattr(res, "exit_code", 1) == 0, (getattr(res, "stdout", ""), res)


@pytest.fixture
def agreed(tmp_path: Path) -> Pair:
    """A-001 proposed by Alice, accepted by both from their own clones, shared."""
    pair = make_pair(tmp_path)
    pair.write("alice", PATH, WORDS)
    _ok(invoke(["commit"], vault=pair.alice))
    _ok(invoke(["accept", "A-001", "--yes"], vault=pair.alice))
    _ok(pair.sync("alice"))
    _ok(pair.sync("bob"))
    _ok(invoke(["accept", "A-001", "--yes"], vault=pair.bob))
    _ok(pair.sync("bob"))
    _ok(pair.sync("alice"))
    assert "status: active" in (pair.alice / PATH).read_text()
    return pair


def _bob_rewrites(pair: Pair, text: str) -> None:
    git(pair.bob, "pull", "-q", "origin", "main")
    commit_and_push(pair.bob, "bob", {PATH: text}, "clearer words")


def test_a_change_after_acceptance_waits_for_the_one_who_accepted(agreed: Pair) -> None:
    changed = (
        (agreed.bob / PATH)
        .read_text()
        .replace("title: No private contact", "title: Contact is fine")
        .replace("a weekly word about contact", "nothing to report")
    )
    _bob_rewrites(agreed, changed)
    synced = agreed.sync("alice")
    assert synced.exit_code == 0, synced.stdout
    said = "A-001 changed after Alice Example accepted: it waits for Alice Example"
    assert said in synced.stdout
    status = invoke(["status"], vault=agreed.alice, as_partner="alice")
    assert "A-001 changed after you accepted: it waits for you" in status.stdout
    agenda = invoke(["agenda"], vault=agreed.alice, as_partner="alice")
    assert said in agenda.stdout
    # it stays in force in the words both accepted
    assert "No private contact" in agenda.stdout
    assert "Contact is fine" not in agenda.stdout.replace(said, "")
    check = invoke(["check"], vault=agreed.alice)
    assert "consent-unproven" in check.stdout
    # Alice accepts the new words: nothing waits any more
    _ok(invoke(["accept", "A-001", "--yes"], vault=agreed.alice, as_partner="alice"))
    status = invoke(["status"], vault=agreed.alice, as_partner="alice")
    assert "changed after" not in status.stdout
    assert "consent-unproven" not in invoke(["check"], vault=agreed.alice).stdout


def test_declining_a_change_keeps_the_words_both_accepted(agreed: Pair) -> None:
    changed = (agreed.bob / PATH).read_text().replace("any contact", "some contact")
    _bob_rewrites(agreed, changed)
    _ok(agreed.sync("alice"))
    _ok(invoke(["decline", "A-001"], vault=agreed.alice, as_partner="alice"))
    agenda = invoke(["agenda"], vault=agreed.alice, as_partner="alice")
    assert "changed after" not in agenda.stdout
    status = invoke(["status"], vault=agreed.alice, as_partner="alice")
    assert "A-001 No private contact: you declined its new words" in status.stdout
    review = invoke(["agenda", "--json"], vault=agreed.alice, as_partner="alice")
    assert "some contact" not in review.stdout


def test_reformatting_the_header_changes_no_terms(agreed: Pair) -> None:
    text = (agreed.bob / PATH).read_text()
    head, _, body = text.partition("\n---\n")
    lines = head.split("\n")
    lines = [lines[0], *reversed(lines[1:])]  # key order
    head = "\n".join(
        ln.replace("title: No private contact", 'title: "No private contact"  ') for ln in lines
    )
    reformatted = (head + "\n---\n" + body.replace("\n", "   \n")).replace("\n", "\r\n")
    _bob_rewrites(agreed, reformatted)
    _ok(agreed.sync("alice"))
    status = invoke(["status"], vault=agreed.alice, as_partner="alice")
    assert "changed after" not in status.stdout
    assert "consent-unproven" not in invoke(["check"], vault=agreed.alice).stdout


def test_terms_compare_parsed_values_and_normalised_body() -> None:
    from openbook.notetypes.agreement import terms_digest, terms_of

    a = {"title": "X", "measures": ["m"], "status": "active", "accepted_by": ["bob"]}
    b = {"measures": ["m"], "title": "X", "status": "proposed"}
    assert terms_of(a, "# X\n\nWords.\n") == terms_of(b, "# X  \r\n\r\nWords.\t\r\n")
    assert terms_digest(a, "Words.") != terms_digest({**a, "title": "Y"}, "Words.")
    assert terms_digest(a, "Words.") != terms_digest(a, "Other words.")


def test_accept_without_a_terminal_needs_yes_and_says_what_it_accepted(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("alice", PATH, WORDS)
    _ok(invoke(["commit"], vault=pair.alice))
    before = pair.head("alice")
    res = invoke(["accept", "A-001"], vault=pair.alice, as_partner="alice")
    assert res.exit_code != 0
    assert "Nothing was accepted" in res.stderr
    assert pair.head("alice") == before
    res = invoke(["accept", "A-001", "--yes"], vault=pair.alice, as_partner="alice")
    _ok(res)
    assert "No private contact" in res.stdout
    assert "How we will see it: a weekly word about contact" in res.stdout
    assert "We tell each other about any contact." in res.stdout
    assert "nothing yet says what would let you relax this" in res.stdout
    assert trailers(pair.alice).get("Openbook-Terms")


def test_a_file_changed_while_it_was_read_is_not_accepted(tmp_path: Path) -> None:
    from openbook.errors import OpenbookError
    from openbook.record import agreeing as consent
    from openbook.vault import Vault

    pair = make_pair(tmp_path)
    pair.write("alice", PATH, WORDS)
    _ok(invoke(["commit"], vault=pair.alice))
    shown = consent.shown_agreement(Vault(pair.alice), "A-001")
    pair.write("alice", PATH, WORDS.replace("any contact", "most contact"))
    before = pair.head("alice")
    with pytest.raises(OpenbookError, match="changed while"):
        consent.accept(Vault(pair.alice), "alice", "A-001", shown.version)
    assert pair.head("alice") == before


def test_decline_clears_it_from_the_agenda(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("alice", PATH, WORDS)
    _ok(invoke(["commit"], vault=pair.alice))
    _ok(invoke(["accept", "A-001", "--yes"], vault=pair.alice, as_partner="alice"))
    _ok(pair.sync("alice"))
    _ok(pair.sync("bob"))
    agenda = invoke(["agenda"], vault=pair.bob, as_partner="bob")
    assert "A-001 No private contact: proposed, waiting for Bob Example" in agenda.stdout
    res = invoke(["decline", "A-001"], vault=pair.bob, as_partner="bob")
    _ok(res)
    assert trailers(pair.bob)["Openbook-Action"] == "decline"
    agenda = invoke(["agenda"], vault=pair.bob, as_partner="bob")
    assert "waiting for Bob" not in agenda.stdout
    _ok(pair.sync("bob"))
    _ok(pair.sync("alice"))
    agenda = invoke(["agenda"], vault=pair.alice, as_partner="alice")
    assert "waiting for Bob" not in agenda.stdout
    status = invoke(["status"], vault=pair.alice, as_partner="alice")
    assert "A-001 No private contact: Bob Example declined it as it is written" in status.stdout


def test_the_proposer_alone_withdraws_a_never_active_agreement(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.write("alice", PATH, WORDS)
    _ok(invoke(["commit"], vault=pair.alice))
    _ok(invoke(["accept", "A-001", "--yes"], vault=pair.alice, as_partner="alice"))
    res = invoke(["retire", "A-001"], vault=pair.alice, as_partner="alice")
    _ok(res)
    assert "withdrew A-001" in res.stdout
    assert "status: retired" in (pair.alice / PATH).read_text()
