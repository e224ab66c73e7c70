"""The consent verdict is remembered past commits that cannot change it: a commit of a
check-in leaves every claim as it was judged, so the claim notes are not read again; a
commit that touches a claim's note, the settings or the admitted commits judges again.
Whatever came since, the verdict is the one a reading from scratch gives. Real git; the
partners commit with plain git."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from testing import agreement_text, checkin_path, checkin_text, make_vault, write
from testing.plain import commit
from testing.reading import recording_reader

from openbook.check import provenance
from openbook.check.provenance import Unproven, check_consent
from openbook.vault import Vault

SECOND = "agreements/A-002-calls.md"


def _consent(root: Path, *, remembered: bool = True) -> tuple[list[Unproven], list[str]]:
    """check_consent's verdict, and the notes it asked to read."""
    vault = Vault(root)
    stats, notes, asked = recording_reader(vault)

    found, _ = check_consent(vault, stats, notes, vault.state_dir() if remembered else None)
    return found, asked


def _vault(tmp_path: Path) -> Path:
    root = make_vault(tmp_path / "v")
    write(root, SECOND, agreement_text("Call before seven.", aid="A-002", accepted_by=["alice"]))
    commit(root, "alice", "propose A-002")
    accepted = ["alice", "bob"]  # Bob's consent, written by Alice: unproven
    write(root, SECOND, agreement_text("Call before seven.", aid="A-002", accepted_by=accepted))
    commit(root, "alice", "alice writes bob's consent")
    return root


def test_a_check_in_commit_keeps_the_verdict_without_reading_the_claims(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    first, asked = _consent(root)
    assert [(u.path, u.partner) for u in first] == [(SECOND, "bob")] and asked
    write(root, checkin_path("alice"), checkin_text("alice"))
    commit(root, "alice", "check-in")
    again, asked = _consent(root)
    assert asked == []  # nothing a check-in commit could change was read again
    assert again == _consent(root, remembered=False)[0] == first


def test_a_commit_of_a_claim_note_or_the_settings_judges_again(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    _consent(root)
    accepted = ["alice", "bob"]
    extra = "review_every: 30d\n"  # Bob's own commit of the note, consent unchanged
    text = agreement_text("Call before seven.", aid="A-002", accepted_by=accepted, extra=extra)
    write(root, SECOND, text)
    commit(root, "bob", "bob touches A-002")
    again, asked = _consent(root)
    assert asked == [SECOND]  # the one note whose file changed is read again
    assert again == _consent(root, remembered=False)[0]
    config = (root / "openbook.yml").read_text()
    write(root, "openbook.yml", config + "\n# a comment\n")
    write(root, checkin_path("bob"), checkin_text("bob"))
    commit(root, "bob", "settings and a check-in")
    after, asked = _consent(root)
    assert asked and after == _consent(root, remembered=False)[0]


def test_a_commit_beside_uncommitted_settings_reads_again_when_they_are_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _vault(tmp_path)
    _consent(root)
    write(root, ".openbook/templates/checkin.md", "## Feelings\n")
    commit(root, "bob", "a template")
    judged: list[int] = []
    real = provenance.unproven_claims

    def judging(vault: Vault, current: Mapping[str, set[tuple[str, str]]]) -> list[Unproven]:
        judged.append(len(current))
        return real(vault, current)

    monkeypatch.setattr(provenance, "unproven_claims", judging)
    again, asked = _consent(root)
    # judged again against history; what the claim notes say is remembered by their
    # files, which did not change, so none is read again
    assert judged and not asked
    assert again == _consent(root, remembered=False)[0]
