"""What is pending comes from one `git status`: the changes, and the notes a .gitignore
hides (the vault shares them all the same); a second is asked only when a .gitignore
hides a whole folder where notes live, to list the notes inside one by one."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from testing import checkin_path, checkin_text, write

from openbook.git import runner
from openbook.record.pending import SHARED_SPECS, pending_changes
from openbook.vault import Vault


@pytest.fixture
def statuses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The `git status` commands openbook runs (git itself runs as ever)."""
    seen: list[list[str]] = []
    real = runner.execute

    def counted(root: Path, args: list[str], **kw: object) -> runner.Completed:
        if "status" in args:
            seen.append(list(args))
        return real(root, args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "execute", counted)
    yield seen


def _pending(vault: Path, *paths: str) -> list[tuple[str, str]]:
    return sorted((c.code, c.path) for c in pending_changes(Vault(vault), *paths))


def test_one_status_lists_changes_and_hidden_notes(vault: Path, statuses: list[list[str]]) -> None:
    (vault / ".gitignore").write_text("*.tmp\n.obsidian/\nexports/\n")
    write(vault, checkin_path(), checkin_text())
    write(vault, "checkins/2026/2026-11-23-bob.tmp", "not a note")
    write(vault, "questions/Q-0001.tmp.md", "x")
    write(vault, ".obsidian/workspace.json", "{}")
    write(vault, "exports/a.md", "an export")
    (vault / ".gitignore").write_text("*.tmp\n.obsidian/\nexports/\nQ-*.md\n")
    write(vault, "questions/Q-0002.md", "hidden by a pattern")
    got = _pending(vault)
    assert ("??", checkin_path()) in got
    assert ("??", "questions/Q-0002.md") in got  # hidden, shared all the same
    assert ("??", "questions/Q-0001.tmp.md") in got
    assert not [p for _, p in got if p.startswith((".obsidian", "exports"))]
    assert len(statuses) == 1
    assert got == _two_statuses(vault)
    statuses.clear()
    assert _pending(vault, "questions/Q-0002.md") == [("??", "questions/Q-0002.md")]
    assert len(statuses) == 1


def _two_statuses(vault: Path) -> list[tuple[str, str]]:
    """What is pending as two plain `git status` say: the changes, then the notes ignored
    where notes live."""
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]
    changes = [(i[:2], i[3:]) for i in git_raw(vault, *args).split("\0") if len(i) > 3]
    hidden = git_raw(vault, *args, "--ignored", "--", *SHARED_SPECS).split("\0")
    seen = {p for _, p in changes}
    changes += [
        ("??", i[3:])
        for i in hidden
        if i[:2] == "!!" and i[3:] not in seen and not i.endswith((".tmp", "/"))
    ]
    return sorted(changes)


def git_raw(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def test_a_hidden_note_folder_is_listed_note_by_note(
    vault: Path, statuses: list[list[str]]
) -> None:
    (vault / ".gitignore").write_text("checkins/2026/\n")
    write(vault, checkin_path(), checkin_text())
    write(vault, checkin_path("bob", "2026-11-23"), checkin_text("bob", "2026-11-23"))
    assert _pending(vault) == [
        (" M", ".gitignore"),
        ("??", checkin_path("bob", "2026-11-23")),
        ("??", checkin_path()),
    ]
    assert len(statuses) == 2
    statuses.clear()
    assert _pending(vault, checkin_path()) == [("??", checkin_path())]
    assert len(statuses) == 2
