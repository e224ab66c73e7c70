"""`openbook journal share`: an entry becomes a check-in only with the words saved."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from testing import git, invoke, start_merge_conflict, subjects, trailers
from testing.journaling import ENTRY_ID, SECRET, editor, everything_in

from openbook.errors import Busy
from openbook.journal.share import share_as_checkin
from openbook.vault import Vault

# ---------------------------------------------------------------------------- sharing


def test_share_commits_a_checkin_only_with_the_words_saved(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(vault)
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    seen = tmp_path / "seen.txt"
    lock = vault / ".git/openbook.lock"
    try_lock = (
        "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
        "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')"
    )
    ed = editor(
        tmp_path,
        "save.sh",
        f'echo "$1" > {seen}; {sys.executable} -c "{try_lock}" {lock} > {tmp_path}/lock.txt; '
        'printf "\\nAnd I want you to know.\\n" >> "$1"',
    )
    head = git(vault, "rev-parse", "HEAD")
    res = invoke(["journal", "share", ENTRY_ID], env={"EDITOR": ed})
    assert res.exit_code == 0, res.stderr
    rel = "checkins/2026/2026-11-24-bob.md"
    assert res.stdout == rel + "\n"
    assert git(vault, "rev-list", "--count", f"{head}..HEAD") == "1"
    assert subjects(vault)[0] == f"checkin: new {rel}"
    assert trailers(vault) == {
        "Openbook-Action": "new",
        "Openbook-Type": "checkin",
        "Openbook-Partner": "bob",
    }
    note = (vault / rel).read_text(encoding="utf-8")
    assert "## Feelings\n\n" + SECRET + "\n" in note
    assert note.endswith("\nAnd I want you to know.\n")
    shown = git(vault, "show", "HEAD")
    assert ENTRY_ID not in shown and "journal" not in shown.lower()
    assert git(vault, "status", "--porcelain") == ""
    scratch = Path(seen.read_text().strip())
    assert not scratch.parent.exists()
    assert not str(scratch).startswith(str(vault))
    assert (tmp_path / "lock.txt").read_text() == "free\n"  # no vault lock while editing


def test_share_closed_without_saving_commits_and_leaves_nothing(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(vault)
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    head = git(vault, "rev-parse", "HEAD")
    res = invoke(["journal", "share", ENTRY_ID], env={"EDITOR": editor(tmp_path, "n.sh", "true")})
    assert res.exit_code == 0, res.stderr
    assert res.stderr == "Nothing shared: the check-in was closed without a change.\n"
    assert res.stdout == ""
    assert git(vault, "rev-parse", "HEAD") == head
    assert git(vault, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()
    assert SECRET.encode() not in everything_in(vault)


def test_share_needs_a_vault_and_never_overwrites_a_checkin(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    ed = editor(tmp_path, "save.sh", 'echo more >> "$1"')
    res = invoke(["journal", "share", ENTRY_ID], env={"EDITOR": ed})
    assert res.exit_code == 1
    assert res.stderr.startswith("openbook: No openbook vault here")
    res = invoke(["new", "checkin", "--no-edit", "--set", "mood=4"], vault=vault)
    assert res.exit_code == 0, res.stderr
    head = git(vault, "rev-parse", "HEAD")
    res = invoke(["journal", "share", ENTRY_ID], vault=vault, env={"EDITOR": ed})
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: checkins/2026/2026-11-24-bob.md already exists, so today's check-in is "
        "written; open it and add the words you want to share there.\n"
    )
    assert git(vault, "rev-parse", "HEAD") == head
    assert SECRET not in (vault / "checkins/2026/2026-11-24-bob.md").read_text()


def test_share_mid_merge_is_busy_and_writes_nothing(vault: Path, tmp_path: Path) -> None:
    start_merge_conflict(vault)
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    head = git(vault, "rev-parse", "HEAD")
    ed = editor(tmp_path, "save.sh", 'echo more >> "$1"')
    res = invoke(["journal", "share", ENTRY_ID], vault=vault, env={"EDITOR": ed})
    assert res.exit_code == 6
    assert res.stderr == (
        f"openbook: git is in the middle of a merge in {vault}; finish it with 'git commit' "
        "or undo it with 'git merge --abort', then try again.\n"
    )
    # and the core refuses on its own, before any editor opens
    with pytest.raises(Busy) as refused:
        share_as_checkin(Vault(vault), "bob", SECRET, lambda path: path.write_text("more"))
    assert f"openbook: {refused.value}\n" == res.stderr
    assert git(vault, "rev-parse", "HEAD") == head
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()
