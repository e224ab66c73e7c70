"""After one note is saved in a vault with many claim notes, `check` takes the others from
the notes cache (only those it needs, not every note) and reads only the new one from
disk; it says exactly what a check with no cache says."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import agreement_text, make_vault, question_text, write
from testing.plain import commit

import openbook.check.result as result_module
from openbook.check.result import FEW, check_vault
from openbook.vault import Vault

MANY = FEW + 50


@pytest.fixture
def root(tmp_path: Path) -> Path:
    made = make_vault(tmp_path / "v")
    for n in range(MANY):
        qid = f"Q-{n + 1:04d}"
        write(made, f"questions/{qid}.md", question_text(qid, asked_by="bob", to="alice"))
    accepted = ["alice", "bob"]  # Alice's consent, written by Bob: unproven
    write(made, "agreements/A-002-calls.md", agreement_text("Call.", aid="A-002"))
    commit(made, "bob", "questions and an agreement")
    write(
        made,
        "agreements/A-002-calls.md",
        agreement_text("Call.", aid="A-002", accepted_by=accepted),
    )
    commit(made, "bob", "bob writes alice's consent")
    return made


def _read_from_disk(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = result_module._load_one

    def noting(root: str, rel: str, *args: object) -> object:
        read.append(rel)
        return real(root, rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(result_module, "_load_one", noting)
    return read


def _said(root: Path, *, use_cache: bool = True, whole: bool | None = None) -> list[str]:
    """check's lines; `whole`: whether it had to load every note's frontmatter and body."""
    found = check_vault(Vault(root), use_cache=use_cache)
    if whole is not None:
        assert (found._parsed is not None) == whole
    return [p.format() for p in found.problems]


def test_of_the_many_claim_notes_only_the_new_one_is_read(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _said(root)
    assert any("A-002" in line and "consent" in line for line in first), first
    write(root, "questions/Q-0900.md", question_text("Q-0900", asked_by="bob", to="alice"))
    _said(root)  # the notes cache is filled while many notes are new to it
    write(root, "questions/Q-0901.md", question_text("Q-0901", asked_by="bob", to="alice"))
    read = _read_from_disk(monkeypatch)
    warm = _said(root, whole=False)
    assert [r for r in read if r.startswith("questions/")] == ["questions/Q-0901.md"]
    assert warm == _said(root, use_cache=False)
    assert any("A-002" in line for line in warm)


def test_a_cache_that_knows_too_few_notes_reads_them_all_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _said(root)
    (root / ".git/openbook/notes").mkdir(exist_ok=True)
    for shard in (root / ".git/openbook/notes").iterdir():
        shard.unlink()
    # and what the claim notes say, so that every one of them is asked for
    (root / ".git/openbook/claimed.marshal").unlink()
    write(root, "questions/Q-0900.md", question_text("Q-0900", asked_by="bob", to="alice"))
    read = _read_from_disk(monkeypatch)
    again = _said(root, whole=True)
    assert len(read) > FEW  # every note, which fills the cache
    assert again == _said(root, use_cache=False)
    read.clear()
    write(root, "questions/Q-0902.md", question_text("Q-0902", asked_by="bob", to="alice"))
    warm = _said(root, whole=False)
    assert [r for r in read if r.startswith("questions/")] == ["questions/Q-0902.md"]
    assert warm == _said(root, use_cache=False)
