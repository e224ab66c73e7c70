"""Files openbook writes for the person (-o) never nag: inside the vault they are listed in
this clone's own .git/info/exclude, so `status`, `commit` and `sync` leave them be."""

from __future__ import annotations

import os
from pathlib import Path

from testing import git, invoke


def _exclude(vault: Path) -> list[str]:
    return (vault / ".git" / "info" / "exclude").read_text(encoding="utf-8").splitlines()


def test_an_agenda_written_into_the_vault_is_kept_on_this_machine(vault: Path) -> None:
    res = invoke(["agenda", "--format", "html", "-o", str(vault / "agenda.html")], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (
        "Agenda written to "
        f"{vault / 'agenda.html'} (inside the vault, so it is kept on this machine only: "
        "openbook never shares it).\n"
    )
    assert "/agenda.html" in _exclude(vault)
    status = invoke(["status"], vault=vault).stdout
    assert "agenda.html" not in status
    assert "Uncommitted: nothing, everything is in the log." in status
    commit = invoke(["commit"], vault=vault)
    assert (commit.stdout, commit.stderr) == (
        "Nothing to commit; everything is already in the log.\n",
        "",
    )
    assert git(vault, "ls-files", "agenda.html") == ""
    # written again: listed once
    invoke(["agenda", "-o", str(vault / "agenda.html")], vault=vault)
    assert _exclude(vault).count("/agenda.html") == 1


def test_a_calendar_written_into_a_subfolder_of_the_vault_is_kept_local(vault: Path) -> None:
    (vault / "mine").mkdir()
    res = invoke(["calendar", "-o", str(vault / "mine" / "us.ics")], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "kept on this machine only" in res.stderr
    assert "/mine/us.ics" in _exclude(vault)
    assert "us.ics" not in invoke(["status"], vault=vault).stdout


def test_a_file_written_outside_the_vault_changes_nothing_in_it(
    vault: Path, tmp_path: Path
) -> None:
    before = (vault / ".git" / "info" / "exclude").read_bytes()
    out = tmp_path / "elsewhere" / "agenda.md"
    out.parent.mkdir()
    res = invoke(["agenda", "-o", str(out)], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == f"Agenda written to {out}.\n"
    assert out.read_text(encoding="utf-8").startswith("#")
    assert (vault / ".git" / "info" / "exclude").read_bytes() == before


def test_a_missing_folder_is_named_with_the_command_that_makes_it(
    vault: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere"
    res = invoke(["agenda", "-o", os.fspath(missing / "a.md")], vault=vault)
    assert res.exit_code == 1
    assert res.stderr == (
        f"openbook: the folder {missing} does not exist; create it (mkdir -p {missing}) or "
        "pick another.\n"
    )
