"""Consent in history (SPEC section 10) after a merge: the consent to the words and the
consent claims of the commits a merge brought are taken on what was remembered only
when history's own order still lists them after (claims: before) everything remembered;
otherwise all of history is read again. Either way the answer is the one a reading of
the whole history gives. Two clones; Bob acts with plain git in his own."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import Pair, agreement_text, git, make_pair, question_text, write
from testing.gitlog import counting_git
from testing.plain import commit, identity

from openbook.check.claim_history import events_at
from openbook.check.claims import claim_events
from openbook.check.held_pauses import _replay, held_pauses
from openbook.check.result import check_vault
from openbook.check.terms import replay, replayed
from openbook.vault import Vault

AGREEMENT = "agreements/A-001-no-private-contact.md"
OTHER = "agreements/A-002-phones.md"


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    pair = make_pair(tmp_path)
    write(pair.alice, AGREEMENT, agreement_text("No calls after ten.", accepted_by=["alice"]))
    commit(pair.alice, "alice", "propose")
    git(pair.alice, "push", "-q", "origin", "HEAD:main")
    git(pair.bob, "pull", "-q", "--no-rebase", "origin", "main")
    return pair


def _replays(log: Path) -> list[str]:
    """The git commands that read history for the consent to the words."""
    calls = log.read_text().splitlines()
    return [c for c in calls if "--no-merges --topo-order --reverse" in c]


def _answer(root: Path) -> dict[str, object]:
    return replayed(Vault(root), Vault(root).state_dir())[1]  # type: ignore[return-value]


def _scratch(root: Path) -> dict[str, object]:
    return replay(Vault(root), git(root, "rev-parse", "HEAD"))  # type: ignore[return-value]


def _merge_bobs(pair: Pair) -> None:
    """Alice commits a note of her own and merges Bob's pushed work with plain git."""
    write(pair.alice, "repairs/2026/2026-11-22-alice-r1.md", "---\ntype: repair\n---\n\nx\n")
    commit(pair.alice, "alice", "repair")
    git(pair.alice, "fetch", "-q", "origin")
    git(pair.alice, "merge", "-q", "--no-edit", "origin/main", env=identity(pair.alice, "alice"))


def _merged_on_what_was_remembered(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    """Alice merges Bob's work; her answer reads only what came since (and git's walk of
    history, for its order) and is the one a replay of the whole history gives."""
    _merge_bobs(pair)
    log = counting_git(tmp_path, monkeypatch)
    found = _answer(pair.alice)
    reads = _replays(log)
    assert reads and all("^" in c or c.startswith("rev-list") for c in reads), reads
    monkeypatch.undo()
    assert found == _scratch(pair.alice)
    return found


def test_a_merge_that_brings_no_words_replays_nothing_again(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answer(pair.alice)
    write(pair.bob, "repairs/2026/2026-11-22-bob-r1.md", "---\ntype: repair\n---\n\ny\n")
    commit(pair.bob, "bob", "repair")
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    _merged_on_what_was_remembered(pair, tmp_path, monkeypatch)


def test_bobs_acceptance_merged_after_alices_work_is_replayed_on_what_was_remembered(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _answer(pair.alice)
    write(
        pair.bob,
        AGREEMENT,
        agreement_text("No calls after ten.", status="active", accepted_by=["alice", "bob"]),
    )
    commit(pair.bob, "bob", "accept")
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    write(
        pair.alice, OTHER, agreement_text("Phones stay open.", aid="A-002", accepted_by=["alice"])
    )
    commit(pair.alice, "alice", "propose phones")
    _answer(pair.alice)
    found = _merged_on_what_was_remembered(pair, tmp_path, monkeypatch)
    assert found["A-001"].in_force is not None  # type: ignore[attr-defined]


def test_when_the_merge_puts_new_words_before_old_ones_everything_is_replayed(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bob merges Alice's work into his own line (his line first) and Alice fast-forwards
    to it: history's order now lists his acceptance before her later change of the
    words, so nothing remembered can stand."""
    alice, bob = pair.alice, pair.bob
    write(
        bob,
        AGREEMENT,
        agreement_text("No calls after ten.", status="active", accepted_by=["alice", "bob"]),
    )
    commit(bob, "bob", "accept")
    write(alice, AGREEMENT, agreement_text("No calls after nine.", accepted_by=["alice"]))
    commit(alice, "alice", "new words")
    git(alice, "push", "-q", "origin", "HEAD:main")
    _answer(alice)
    git(bob, "fetch", "-q", "origin")
    git(bob, "merge", "-q", "--no-commit", "-s", "ours", "origin/main", env=identity(bob, "bob"))
    git(bob, "commit", "-q", "--no-edit", env=identity(bob, "bob"))
    git(bob, "push", "-q", "origin", "HEAD:main")
    git(alice, "pull", "-q", "--ff-only", "origin", "main")
    log = counting_git(tmp_path, monkeypatch)
    found = _answer(alice)
    reads = _replays(log)
    assert any("^" not in c and c.startswith("log") for c in reads), reads
    monkeypatch.undo()
    assert found == _scratch(alice)


QUESTION = "questions/Q-0001.md"
CLAIMS = "-- agreements pauses questions repairs"


def _events(root: Path) -> object:
    return events_at(Vault(root), git(root, "rev-parse", "HEAD"))


def _whole_claim_reads(log: Path) -> list[str]:
    calls = log.read_text().splitlines()
    return [c for c in calls if c.endswith(CLAIMS) and "^" not in c and "--stdin" not in c]


def _bob_answers_for_alice(pair: Pair, when: str) -> None:
    """Bob asks Alice; then, with plain git, marks his question answered (by her), dated
    `when`; Alice merges that."""
    alice, bob = pair.alice, pair.bob
    asked = question_text(asked_by="bob", to="alice")
    write(bob, QUESTION, asked)
    commit(bob, "bob", "ask")
    git(bob, "push", "-q", "origin", "HEAD:main")
    git(alice, "pull", "-q", "--no-rebase", "origin", "main")
    _events(alice)
    answered = question_text(
        asked_by="bob", to="alice", status="answered", extra="answered: 2026-11-21\n"
    )
    write(bob, QUESTION, answered)
    env = {**identity(bob, "bob"), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    git(bob, "commit", "-q", "-am", "answered", env=env)
    git(bob, "push", "-q", "origin", "HEAD:main")
    _merge_bobs(pair)


@pytest.mark.parametrize(
    ("when", "again"),
    [
        ("2030-01-01T10:00:00+01:00", False),  # after Alice's work: taken on what was kept
        ("2020-01-01T10:00:00+01:00", True),  # years back: git's walk lists it before
    ],
)
def test_claims_a_merge_brought_are_judged_as_the_whole_history_judges_them(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str, again: bool
) -> None:
    """Bob's answer for Alice, dated `when`, merged: read on what was remembered when
    history's order allows it, else all of history again; named either way."""
    _bob_answers_for_alice(pair, when)
    log = counting_git(tmp_path, monkeypatch)
    found = _events(pair.alice)
    assert bool(_whole_claim_reads(log)) == again, log.read_text()
    monkeypatch.undo()
    assert found == claim_events(pair.alice, None, git(pair.alice, "rev-parse", "HEAD"))
    problems = check_vault(Vault(pair.alice)).problems
    assert any(p.rule == "consent-unproven" and p.path == QUESTION for p in problems)


PAUSE = "pauses/2026/2026-11-24-2030-alice.md"
PAUSED = "---\ntype: pause\nby: alice\nsince: 2026-11-24 20:30\nuntil:\nresumed:\n---\n\nPaused.\n"


def _pauses_reads(log: Path) -> list[str]:
    return [c for c in log.read_text().splitlines() if c.endswith("-- pauses")]


def _alice_paused(pair: Pair) -> None:
    alice, bob = pair.alice, pair.bob
    write(alice, PAUSE, PAUSED)
    commit(alice, "alice", "pause")
    git(alice, "push", "-q", "origin", "HEAD:main")
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    held_pauses(Vault(alice))


def _scratch_pauses(root: Path) -> list[object]:
    vault = Vault(root)
    emails = {p.email.lower(): pid for pid, p in vault.config.partners.items()}
    found = _replay(vault, emails, git(root, "rev-parse", "HEAD"))
    return sorted(found.values(), key=lambda p: p.path)


def test_pauses_a_merge_changed_are_read_again(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bob deletes Alice's pause note with plain git; her merge brings that in: the pause
    still holds and the deletion is named, as a replay of the whole history says."""
    _alice_paused(pair)
    git(pair.bob, "rm", "-q", PAUSE)
    commit(pair.bob, "bob", "no pause")
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    _merge_bobs(pair)
    log = counting_git(tmp_path, monkeypatch)
    found = held_pauses(Vault(pair.alice))
    assert _pauses_reads(log), log.read_text()
    monkeypatch.undo()
    assert found == _scratch_pauses(pair.alice)
    assert found[0].path == PAUSE and found[0].changed  # it still holds; the deletion named


def test_a_sync_that_merges_reads_the_walk_of_history_once_and_meanwhile(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alice's sync merges Bob's plain-git commit: the walk of history the replay of the
    consents asks for is started as the merge is made (while the sync pushes), and the
    replay takes that very walk: git walks history once, and the answer is the whole
    history's."""
    from testing import invoke

    invoke(["check"], vault=pair.alice, as_partner="alice")  # what is remembered, in order
    write(pair.bob, AGREEMENT, agreement_text("Phones stay open.", accepted_by=["bob"]))
    commit(pair.bob, "bob", "new words")
    bobs = git(pair.bob, "rev-parse", "HEAD")
    git(pair.bob, "push", "-q", "origin", "HEAD:main")
    write(pair.alice, "repairs/2026/2026-11-22-alice-r1.md", "---\ntype: repair\n---\n\nx\n")
    commit(pair.alice, "alice", "repair")
    log = counting_git(tmp_path, monkeypatch)
    said = invoke(["sync"], vault=pair.alice, as_partner="alice")
    assert said.exit_code == 0, said.stdout + said.stderr
    merge = git(pair.alice, "rev-parse", "HEAD")
    assert len(git(pair.alice, "rev-list", "--parents", "-1", "HEAD").split()) == 3  # a merge
    calls = log.read_text().splitlines()
    walks = [c for c in calls if c.startswith("rev-list --no-merges")]
    assert walks == [f"rev-list --no-merges --topo-order --reverse --end-of-options {merge}"]
    pushed = next(i for i, c in enumerate(calls) if c.startswith("push "))
    assert calls.index(walks[0]) < pushed  # started before the push, not after the sync
    monkeypatch.undo()
    found = _answer(pair.alice)
    assert found == _scratch(pair.alice)
    assert found["A-001"].changed_in == bobs  # type: ignore[attr-defined]
