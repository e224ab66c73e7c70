"""Git states never half-commit: one guard for every writing command, and crash leftovers."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, invoke, start_merge_conflict, subjects, write

CHECKIN = "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: 4\n---\n\nFeelings: calm.\n"


WRITES = [
    ["new", "checkin", "--no-edit", "--body", "Feelings: calm."],
    ["ask", "Can we talk on Sunday?", "--to", "alice"],
    ["commit"],
    ["sync"],
    ["watch", "--once"],
]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: a[0])
def test_mid_merge_every_write_exits_6_and_stages_nothing(vault: Path, args: list[str]) -> None:
    start_merge_conflict(vault)
    write(vault, "checkins/2026/2026-11-23-bob.md", CHECKIN)
    before = git(vault, "status", "--porcelain")
    res = invoke(args, vault=vault)
    assert res.exit_code == 6, res.stderr
    assert res.stderr == (
        f"openbook: git is in the middle of a merge in {vault}; finish it with 'git commit' "
        "or undo it with 'git merge --abort', then try again.\n"
    )
    assert git(vault, "status", "--porcelain") == before
    assert git(vault, "diff", "--cached", "--name-only", "--", "checkins", "questions") == ""


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda r: git(r, "checkout", "-q", "--detach"),
            "is not on a branch (detached HEAD); run 'git switch main' (or your branch), "
            "then try again.",
        ),
        (
            lambda r: (r / ".git" / "BISECT_LOG").write_text("x\n"),
            "end it with 'git bisect reset', then try again.",
        ),
        (
            lambda r: (r / ".git" / "REVERT_HEAD").write_text("0" * 40 + "\n"),
            "finish it with 'git revert --continue' or undo it with 'git revert --abort', "
            "then try again.",
        ),
    ],
    ids=["detached", "bisect", "revert"],
)
def test_other_git_states_refuse_before_writing(vault: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    setup(vault)
    write(vault, "checkins/2026/2026-11-23-bob.md", CHECKIN)
    res = invoke(["commit"], vault=vault)
    assert res.exit_code == 6
    assert res.stderr.rstrip().endswith(message)
    assert subjects(vault)[0] == "settings: accept openbook.yml"  # the vault's last commit


def test_leftover_index_lock_is_named_and_doctor_clears_it(vault: Path) -> None:
    lock = vault / ".git" / "index.lock"
    lock.write_text("")
    write(vault, "checkins/2026/2026-11-23-bob.md", CHECKIN)
    res = invoke(["commit"], vault=vault)
    assert res.exit_code == 6
    assert res.stderr == (
        f"openbook: {lock} is left over from a git program that stopped; if no other git "
        "program is running, run 'openbook doctor --fix' to clear it.\n"
    )
    assert lock.exists(), "openbook never deletes git's index.lock on its own"
    res = invoke(["watch", "--once"], vault=vault)
    assert res.exit_code == 6
    res = invoke(["doctor"], vault=vault)
    assert res.exit_code == 1
    assert "openbook doctor --fix" in res.stdout
    res = invoke(["doctor", "--fix"], vault=vault, input="n\n")
    assert res.exit_code == 1 and lock.exists()
    res = invoke(["doctor", "--fix"], vault=vault, input="y\n")
    assert res.exit_code == 0, res.stdout
    assert not lock.exists()
    assert res.stdout.endswith("All is well: this clone can write and sync.\n")
    res = invoke(["commit"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert subjects(vault)[0] == "checkin: new checkins/2026/2026-11-23-bob.md"


def test_leftover_openbook_ref_lock_is_cleared_under_the_vault_lock(vault: Path) -> None:
    remote = vault.parent / "remote.git"
    git(vault.parent, "init", "-q", "--bare", str(remote))
    git(vault, "remote", "add", "origin", str(remote))
    assert invoke(["sync"], vault=vault).exit_code == 0
    seen = vault / ".git" / "refs" / "openbook" / "seen" / "origin"
    seen.mkdir(parents=True, exist_ok=True)
    (seen / "main.lock").write_text("")
    write(vault, "checkins/2026/2026-11-23-bob.md", CHECKIN)
    res = invoke(["sync"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert not (seen / "main.lock").exists()
    assert git(remote, "rev-parse", "main") == git(vault, "rev-parse", "HEAD")
