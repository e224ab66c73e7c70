"""Consent is proven by history: a partner counts only through a commit of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import AGREEMENT, Pair, agreement_text, git, invoke, make_pair

from openbook.check.provenance import find_unproven
from openbook.check.result import check_vault
from openbook.vault import Vault


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    pair = make_pair(tmp_path)
    pair.write("alice", AGREEMENT, agreement_text("We tell each other about any contact."))
    assert invoke(["commit"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    return pair


def _unproven(root: Path) -> list[tuple[str, str, str]]:
    return [(u.path, u.field, u.partner) for u in check_vault(Vault(root)).unproven]


def _forge_acceptance(pair: Pair, author: str = "Bob Example <bob@example.org>") -> None:
    text = (pair.bob / AGREEMENT).read_text()
    text = text.replace("status: proposed", "status: active\naccepted_by: [alice, bob]")
    (pair.bob / AGREEMENT).write_text(text)
    git(pair.bob, "add", AGREEMENT)
    name, email = author.split(" <")
    git(
        pair.bob,
        "-c",
        f"user.name={name}",
        "-c",
        f"user.email={email[:-1]}",
        "commit",
        "-q",
        "-m",
        "agreement: accept",
    )


def test_consent_given_through_openbook_from_each_copy_is_proven(pair: Pair) -> None:
    assert invoke(["accept", "A-001", "--yes"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert invoke(["accept", "A-001", "--yes"], vault=pair.bob).exit_code == 0
    assert _unproven(pair.bob) == []


def test_one_commit_by_bob_claiming_alices_consent_is_unproven(pair: Pair) -> None:
    _forge_acceptance(pair)
    assert _unproven(pair.bob) == [(AGREEMENT, "accepted_by", "alice")]


def test_bob_writing_as_alice_with_plain_git_is_unproven(pair: Pair) -> None:
    """Author claims Alice, but the committer is Bob's own identity."""
    text = (
        (pair.bob / AGREEMENT)
        .read_text()
        .replace("status: proposed", "status: active\naccepted_by: [alice, bob]")
    )
    (pair.bob / AGREEMENT).write_text(text)
    git(pair.bob, "add", AGREEMENT)
    git(
        pair.bob,
        "-c",
        "user.name=Bob Example",
        "-c",
        "user.email=bob@example.org",
        "commit",
        "-q",
        "--author",
        "Alice Example <alice@example.org>",
        "-m",
        "accept",
    )
    assert (AGREEMENT, "accepted_by", "alice") in _unproven(pair.bob)


def test_an_uncommitted_claim_for_the_other_partner_is_unproven(pair: Pair) -> None:
    text = (
        (pair.bob / AGREEMENT)
        .read_text()
        .replace("status: proposed", "status: proposed\naccepted_by: [alice]")
    )
    (pair.bob / AGREEMENT).write_text(text)
    assert _unproven(pair.bob) == [(AGREEMENT, "accepted_by", "alice")]


def test_a_folder_without_its_own_history_proves_nothing(tmp_path: Path) -> None:
    from testing import EXAMPLE

    vault = Vault(EXAMPLE)
    assert find_unproven(vault, check_vault(vault).parsed) == []


def test_check_names_a_forged_consent_with_its_line(pair: Pair) -> None:
    _forge_acceptance(pair)
    res = invoke(["check"], vault=pair.bob)
    assert res.exit_code == 1
    sha = git(pair.bob, "rev-parse", "--short=7", "HEAD")
    assert res.stdout.splitlines()[0] == (
        f"{AGREEMENT}:6:1: error: Alice Example is listed in accepted_by, but bob@example.org "
        f"wrote that in commit {sha}; only Alice Example's own commit can say that, so it does "
        "not count (each partner consents from their own copy with openbook) [consent-unproven]"
    )
    # the agreement itself is still read (a problem in history never hides a note)
    valid = check_vault(Vault(pair.bob)).valid_notes()
    assert AGREEMENT in [n.path for n in valid]


def test_the_verdict_is_remembered_until_head_or_the_files_change(pair: Pair) -> None:
    _forge_acceptance(pair)
    first = invoke(["check"], vault=pair.bob).stdout
    cache = pair.bob / ".git" / "openbook" / "consent.json"
    assert cache.is_file()
    assert invoke(["check"], vault=pair.bob).stdout == first
    assert invoke(["accept", "A-001", "--yes"], vault=pair.alice).exit_code == 0


def test_a_forged_acceptance_leaves_the_agreement_proposed_in_every_output(pair: Pair) -> None:
    _forge_acceptance(pair)
    for root in (pair.bob,):
        agenda = json.loads(invoke(["agenda", "--json"], vault=root).stdout)
        assert "A-001" in agenda["agreements_proposed"]
        status = json.loads(invoke(["status", "--json"], vault=root).stdout)
        assert "A-001" in [a["id"] for a in status["agreements_waiting"]]
    assert pair.sync("bob").exit_code in (0, 1, 4)
    assert pair.sync("alice").exit_code in (0, 1)
    agenda = json.loads(invoke(["agenda", "--json"], vault=pair.alice).stdout)
    assert "A-001" in agenda["agreements_proposed"]


def test_a_forged_consent_that_arrives_is_merged_and_does_not_count(pair: Pair) -> None:
    _forge_acceptance(pair)
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    res = pair.sync("alice")
    assert (res.exit_code, res.stderr) == (1, "")
    sha = git(pair.bob, "rev-parse", "HEAD")
    assert (
        f"Bob's commit {sha[:7]} says Alice is listed in accepted_by in {AGREEMENT}; it does "
        "not count, since only Alice's own commit gives Alice's consent (consent-unproven)."
    ) in res.stdout.splitlines()
    assert git(pair.alice, "rev-parse", "HEAD^2") == sha
    assert f"Openbook-Set-Aside: {sha} consent-unproven" in git(pair.alice, "log", "-1")
    agenda = json.loads(invoke(["agenda", "--json"], vault=pair.alice).stdout)
    assert "A-001" in agenda["agreements_proposed"]


def test_consent_given_from_the_partners_own_copy_arrives(pair: Pair) -> None:
    assert invoke(["accept", "A-001", "--yes"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
