"""`accept A-ID` shows the agreement's own words and says, before asking, when nothing yet
says what would let a safeguard be relaxed; it adds one calm line when an agreement speaks
of phones, locations, messages, screenshots or passwords. The agenda asks the relax
question first when such an agreement comes up for review."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, invoke

PATH = "agreements/A-001-phone.md"
TEXT = """\
---
type: agreement
id: A-001
title: Phone open on request
kind: transparency
status: proposed
proposed_by: alice
accepted_by: [alice]
owners: [bob]
measures: [Bob shows his phone when Alice asks]
next_review: 2026-11-20
---
Bob shows his phone and messages when Alice asks, without a sigh.
"""
RELAX = (
    "  Before you accept: nothing yet says what would let you relax this; you can add it "
    "together at its review."
)
NEVER = (
    "  openbook never gathers phone logs, locations, messages, screenshots or passwords; "
    "decisions like this belong in a conversation with your therapist (docs/resources.md)."
)


def test_accept_shows_the_words_the_relax_note_and_the_calm_line(vault: Path) -> None:
    build_vault(vault, {PATH: TEXT}, as_partner="alice")
    res = invoke(["accept", "A-001"], vault=vault)  # no terminal: shows, accepts nothing
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert "    Bob shows his phone and messages when Alice asks, without a sigh." in lines
    assert "  How we will see it: Bob shows his phone when Alice asks" in lines
    assert RELAX in lines and NEVER in lines
    assert lines.index(NEVER) == len(lines) - 1


def test_a_plain_agreement_gets_no_such_line(vault: Path) -> None:
    plain = (
        TEXT.replace("Phone open on request", "Dinner together")
        .replace(
            "Bob shows his phone and messages when Alice asks, without a sigh.",
            "We cook on Fridays.",
        )
        .replace("Bob shows his phone when Alice asks", "Dinner on Friday")
    )
    build_vault(vault, {PATH: plain}, as_partner="alice")
    res = invoke(["accept", "A-001"], vault=vault)
    assert "never gathers" not in res.stdout


def test_the_agenda_asks_what_would_let_you_relax_it_first(vault: Path) -> None:
    build_vault(vault, {PATH: TEXT}, as_partner="alice")
    active = TEXT.replace("status: proposed", "status: active").replace(
        "accepted_by: [alice]", "accepted_by: [alice, bob]"
    )
    build_vault(vault, {PATH: active}, as_partner="bob")
    agenda = invoke(["agenda"], vault=vault).stdout
    assert (
        "- A-001 Phone open on request: due for review since 2026-11-20. First: nothing yet "
        "says what would let you relax it; what would? Then: keep, revise, relax or retire?"
    ) in agenda.splitlines()


def test_accept_settings_adds_the_calm_line_for_a_template_that_asks_for_locations(
    vault: Path,
) -> None:
    template = "## Where I was\n\nShare your location and a screenshot of your messages.\n"
    build_vault(
        vault, {".openbook/templates/checkin.md.j2": template}, as_partner="alice", accepted=False
    )
    res = invoke(["accept", "settings"], vault=vault)
    assert res.exit_code == 1
    assert NEVER in res.stdout.splitlines()
