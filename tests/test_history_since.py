"""The history readers of consent (claims, consent to the words, pauses, the commits
admitted without proof) remember what they read with the commit they read up to: after
single-parent commits only those are read; a merge, a rewound or an unrelated HEAD reads
all of history again. Whatever came since, the answers are the ones a reading of the
whole history gives. Real git; the other partner acts with plain git."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from testing import agreement_text, git, make_vault, question_text, write
from testing.gitlog import counting_git
from testing.plain import commit, identity

from openbook.check.claim_history import events_at
from openbook.check.claims import claim_events
from openbook.check.held_pauses import _replay, held_pauses
from openbook.check.result import check_vault
from openbook.check.since import admitted
from openbook.check.terms import replay, replayed
from openbook.ritual.history import read_history
from openbook.trust.acknowledge import acknowledged
from openbook.vault import Vault

AGREEMENT = "agreements/A-001-no-private-contact.md"
QUESTION = "questions/Q-0001.md"
PAUSE = "pauses/2026/2026-11-24-2030-alice.md"


def _pause(resumed: str = "") -> str:
    return (
        "---\ntype: pause\nby: alice\nsince: 2026-11-24 20:30\nuntil:\n"
        f"resumed: {resumed}\n---\n\nPaused.\n"
    )


def _remembered(root: Path) -> tuple[object, ...]:
    """What the remembering readers answer at HEAD."""
    vault = Vault(root)
    head = git(root, "rev-parse", "HEAD")
    problems = sorted(p.format() for p in check_vault(vault).problems)
    return (
        events_at(vault, head),
        replayed(vault, vault.state_dir())[1],
        held_pauses(vault),
        set(admitted(vault)),
        problems,
        read_history(vault),
    )


def _scratch(root: Path) -> tuple[object, ...]:
    """The same read from the whole history, nothing remembered."""
    vault = Vault(root)
    emails = {p.email.lower(): pid for pid, p in vault.config.partners.items()}
    head = git(root, "rev-parse", "HEAD")
    events = claim_events(root, None, head)
    states = replay(vault, head)
    pauses = sorted(_replay(vault, emails, head).values(), key=lambda p: p.path)
    admits = set(acknowledged(root, [head]))
    copy = root.parent / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    for kept in (copy / ".git" / "openbook").iterdir():  # as a cold run finds it
        if kept.name not in ("arrivals", "verified.json"):
            shutil.rmtree(kept) if kept.is_dir() else kept.unlink()
    problems = sorted(p.format() for p in check_vault(Vault(copy)).problems)
    hist = read_history(Vault(copy))
    shutil.rmtree(copy)
    return (events, states, pauses, admits, problems, hist)


def _same(root: Path) -> None:
    names = ("claim events", "consent to the words", "pauses", "admitted", "problems", "history")
    for name, got, want in zip(names, _remembered(root), _scratch(root), strict=True):
        assert got == want, name


def _history_reads(log: Path) -> list[str]:
    """The `git log` calls that read consent history: claims, words, pauses, admitted."""
    calls = log.read_text().splitlines() if log.exists() else []
    marks = ("-- agreements pauses questions repairs", "--grep Openbook-Unverified")
    marks += ("--no-merges --topo-order --reverse", "-- pauses")
    return [c for c in calls if c.startswith("log ") and any(m in c for m in marks)]


def _agreed(root: Path) -> None:
    write(root, AGREEMENT, agreement_text("No calls after ten.", accepted_by=["alice"]))
    commit(root, "alice", "propose")
    write(
        root,
        AGREEMENT,
        agreement_text("No calls after ten.", status="active", accepted_by=["alice", "bob"]),
    )
    commit(root, "bob", "accept")


def test_after_one_more_commit_only_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path / "v", "bob")
    _agreed(root)
    write(root, QUESTION, question_text())
    commit(root, "alice", "ask")
    _remembered(root)
    old = git(root, "rev-parse", "HEAD")
    # Alice answers for Bob: one commit, taking Bob's step
    write(root, QUESTION, question_text(status="answered", extra="answered: 2026-11-21\n"))
    commit(root, "alice", "answer for bob")
    log = counting_git(tmp_path, monkeypatch)
    result = check_vault(Vault(root))
    reads = _history_reads(log)
    assert len(reads) == 4, reads
    assert all(f"^{old}" in c for c in reads), reads
    assert any(p.rule == "consent-unproven" and p.path == QUESTION for p in result.problems)
    monkeypatch.undo()
    _same(root)


def test_a_rewound_or_unrelated_head_reads_all_of_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path / "v", "bob")
    _agreed(root)
    # Alice takes Bob out of accepted_by: remembered, then rewound away
    write(root, AGREEMENT, agreement_text("No calls after ten.", accepted_by=["alice"]))
    commit(root, "alice", "withdraw bob")
    _remembered(root)
    git(root, "reset", "-q", "--hard", "HEAD~1")
    write(root, PAUSE, _pause())
    commit(root, "alice", "pause")
    log = counting_git(tmp_path, monkeypatch)
    check_vault(Vault(root))
    reads = _history_reads(log)
    assert reads and not any("^" in c for c in reads), reads
    assert len(reads) == len(set(reads)), reads  # each started ahead once, and used
    monkeypatch.undo()
    _same(root)
    # an unrelated history at HEAD
    git(root, "checkout", "-q", "--orphan", "other")
    commit(root, "bob", "again")
    _same(root)


def _branch_commit(root: Path, who: str, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        write(root, rel, text)
    commit(root, who, message)


@pytest.mark.slow
def test_incremental_equals_from_scratch_through_merges_and_withdrawals(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    _agreed(root)
    write(root, QUESTION, question_text())
    commit(root, "alice", "ask")
    _same(root)
    base = git(root, "rev-parse", "HEAD")
    # Bob withdraws his consent on main; on a side line Alice pauses and edits the words
    _branch_commit(
        root,
        "bob",
        {AGREEMENT: agreement_text("No calls after ten.", accepted_by=["alice"])},
        "withdraw",
    )
    _same(root)
    git(root, "checkout", "-q", "-b", "side", base)
    _branch_commit(root, "alice", {PAUSE: _pause()}, "pause")
    _branch_commit(
        root,
        "alice",
        {
            AGREEMENT: agreement_text(
                "No calls after eleven.", status="active", accepted_by=["alice", "bob"]
            )
        },
        "new words",
    )
    git(root, "checkout", "-q", "main")
    # Alice's hand-made merge restores Bob's withdrawn consent
    git(
        root,
        "merge",
        "-q",
        "--no-commit",
        "--no-ff",
        "-s",
        "ours",
        "side",
        env=identity(root, "alice"),
    )
    git(root, "checkout", "side", "--", PAUSE)
    write(
        root,
        AGREEMENT,
        agreement_text("No calls after eleven.", status="active", accepted_by=["alice", "bob"]),
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "merge", env=identity(root, "alice"))
    _same(root)
    # then single commits: Bob ends Alice's pause, Alice answers for Bob
    _branch_commit(root, "bob", {PAUSE: _pause("2026-11-24 21:00")}, "end her pause")
    _same(root)
    _branch_commit(
        root,
        "alice",
        {QUESTION: question_text(status="answered", extra="answered: 2026-11-21\n")},
        "answer for bob",
    )
    _branch_commit(
        root,
        "bob",
        {AGREEMENT: agreement_text("No calls after eleven.", accepted_by=["alice"])},
        "withdraw again",
    )
    _same(root)
    # a fast-forward of the other partner's line that itself holds a merge
    git(root, "checkout", "-q", "-b", "two")
    _branch_commit(root, "alice", {QUESTION: question_text()}, "reopen")
    git(root, "checkout", "-q", "main")
    _branch_commit(root, "bob", {PAUSE: _pause()}, "bob's own edit")
    git(root, "checkout", "-q", "two")
    git(root, "merge", "-q", "--no-edit", "main", env=identity(root, "alice"))
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "two")
    _same(root)


def test_a_first_check_reads_each_history_once_and_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path / "v", "bob")
    _agreed(root)
    write(root, PAUSE, _pause())
    commit(root, "alice", "pause")
    log = counting_git(tmp_path, monkeypatch)
    result = check_vault(Vault(root))
    calls = log.read_text().splitlines()
    marks = ("--diff-filter=", "confirm", "--no-merges --raw")
    reads = _history_reads(log) + [c for c in calls if any(m in c for m in marks)]
    # each whole-history read is started once, ahead, and its output is the one used
    # (who added each note and the check-ins' first commits share one, though this vault
    # has no check-in yet; the words' replay reads in two light passes)
    assert len(reads) == len(set(reads)) == 7, reads
    assert not any("--diff-filter=A" in c for c in reads), reads
    monkeypatch.undo()
    again = check_vault(Vault(root))
    assert [p.format() for p in again.problems] == [p.format() for p in result.problems]
    _same(root)


def test_after_a_merge_only_the_new_merges_are_merged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What each commit did to each claim is its own: after a merge, history's order is
    read again, but only the merge that came is merged by git to judge it."""
    root = make_vault(tmp_path / "v", "bob")
    _agreed(root)

    def merged(n: int) -> None:
        git(root, "checkout", "-q", "-b", f"side{n}")
        _branch_commit(root, "alice", {f"questions/Q-000{n}.md": question_text(f"Q-000{n}")}, "q")
        git(root, "checkout", "-q", "main")
        _branch_commit(root, "bob", {PAUSE: _pause(f"2026-11-2{n} 21:00")}, "pause")
        git(root, "merge", "-q", "--no-edit", f"side{n}", env=identity(root, "bob"))

    merged(2)
    merged(3)
    _remembered(root)
    merged(4)
    log = counting_git(tmp_path, monkeypatch)
    check_vault(Vault(root))
    calls = log.read_text().splitlines()
    assert len([c for c in calls if "merge-tree" in c]) == 1, calls
    monkeypatch.undo()
    _same(root)
