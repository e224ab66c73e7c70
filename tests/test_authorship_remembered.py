"""The verdict on notes under a name is brought forward commit by commit: after
single-parent commits only the notes they touch and the files that changed are judged
again, and the verdict is the one a judging of every note gives. A confirmation, a merge
or a rewound HEAD judges every note. Real git; the partners commit with plain git."""

from __future__ import annotations

import shutil
from pathlib import Path

from testing import checkin_path, checkin_text, git, make_vault, write
from testing.plain import commit
from testing.reading import recording_reader

from openbook.check.authorship import VERDICT_FILE, Authorship, check_authorship
from openbook.vault import Vault

ALICES = checkin_path("alice", "2026-11-23")


def _verdict(root: Path, *, remembered: bool = True) -> tuple[Authorship, list[str]]:
    """check_authorship's verdict, and the notes it asked to read."""
    state = root / ".git" / "openbook" / VERDICT_FILE
    if not remembered:
        state.unlink(missing_ok=True)
    vault = Vault(root)
    stats, notes, asked = recording_reader(vault)

    return check_authorship(vault, stats, notes)[0], asked


def _scratch(root: Path) -> Authorship:
    copy = root.parent / "scratch"
    shutil.rmtree(copy, ignore_errors=True)
    git(root.parent, "clone", "-q", str(root), str(copy))
    return _verdict(copy, remembered=False)[0]


def test_a_new_check_in_is_judged_alone_and_the_verdict_is_the_whole_one(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    write(root, ALICES, checkin_text("alice", "2026-11-23"))
    commit(root, "bob", "bob writes a check-in under alice's name")
    first, asked = _verdict(root)
    assert ALICES in first.mismatch and asked
    write(root, checkin_path("bob"), checkin_text("bob"))
    commit(root, "bob", "bob's own check-in")
    again, asked = _verdict(root)
    assert asked == [checkin_path("bob")]  # the one note the commit touched
    assert again == first == _scratch(root)


def test_an_edit_by_the_other_partner_is_judged_again(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    write(root, checkin_path("bob"), checkin_text("bob"))
    commit(root, "bob", "bob's own check-in")
    first, _ = _verdict(root)
    assert first == Authorship()
    write(root, checkin_path("bob"), checkin_text("bob") + "\nAlice added this.\n")
    commit(root, "alice", "alice edits bob's check-in")
    again, asked = _verdict(root)
    assert asked == [checkin_path("bob")]
    assert again.edited == {checkin_path("bob"): ["alice"]} and again == _scratch(root)


def test_a_confirmation_or_a_rewound_head_judges_every_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    write(root, checkin_path("bob"), checkin_text("bob"))
    commit(root, "bob", "bob's own check-in")
    _verdict(root)
    git(root, "commit", "-q", "--allow-empty", "-m", f"confirm\n\nOpenbook-Confirms: {ALICES}")
    again, asked = _verdict(root)
    assert checkin_path("bob") in asked and again == _scratch(root)
    git(root, "reset", "-q", "--hard", "HEAD~2")
    after, asked = _verdict(root)
    assert checkin_path("bob") not in asked  # not in HEAD any more: nothing to judge
    assert after == _scratch(root) == Authorship()
