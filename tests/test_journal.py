"""The private journal (SPEC section 9): outside every repository, shared only by hand.

Sharing an entry as a check-in is tested in test_journal_share.py.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from testing import git, invoke, make_pair, make_vault
from testing.journaling import ENTRY_ID, SECRET, editor, everything_in, journal_dir, mode

# ----------------------------------------------------------------- where entries live


def test_entry_written_in_a_vault_folder_lands_in_the_private_journal(
    vault: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(vault / "checkins")
    before = git(vault, "status", "--porcelain", "--ignored")
    res = invoke(["journal", "new", "--body", SECRET])
    assert res.exit_code == 0, res.stderr
    assert res.stdout == f"{ENTRY_ID}\n"
    folder = journal_dir(isolated)
    entry = folder / f"{ENTRY_ID}.md"
    assert entry.read_text(encoding="utf-8") == f"---\ndate: 2026-11-24 20:30\n---\n\n{SECRET}\n"
    assert mode(folder) == 0o700
    assert mode(folder.parent) == 0o700
    assert mode(entry) == 0o600
    assert os.listdir(folder) == [entry.name]  # no temporary file left behind
    assert git(vault, "status", "--porcelain", "--ignored") == before
    assert SECRET.encode() not in everything_in(vault)


def test_entry_text_reaches_no_vault_git_cache_or_remote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    monkeypatch.chdir(pair.bob)
    monkeypatch.setenv("OPENBOOK_VAULT", str(pair.bob))
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    shared = "Shared words about the walk we took."
    res = invoke(["new", "checkin", "--no-edit", "--set", "mood=3", "--body", shared])
    assert res.exit_code == 0, res.stderr
    for args in (["check"], ["status"], ["agenda"], ["log"], ["commit"], ["sync"]):
        res = invoke(args)
        assert res.exit_code == 0, (args, res.stderr)
        assert SECRET not in res.stdout + res.stderr
        assert "journal" not in (res.stdout + res.stderr).lower()
    assert pair.sync("alice").exit_code == 0
    for root in (pair.bob, pair.remote, pair.alice):
        data = everything_in(root)
        assert shared.encode() in data, root  # the search does find what was shared
        assert SECRET.encode() not in data, root
        assert b"Zebra-lantern" not in data, root


@pytest.mark.parametrize("where", ["vault", "vault-subfolder", "repository", "repository-git-dir"])
def test_a_journal_inside_a_vault_or_repository_is_refused(
    tmp_path: Path, isolated: Path, where: str
) -> None:
    vault = make_vault(tmp_path / "vault")
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, "init", "-q")
    target = {
        "vault": vault / "journal",
        "vault-subfolder": vault / "checkins" / "mine" / "journal",
        "repository": repo / "notes" / "journal",
        "repository-git-dir": repo / ".git" / "journal",
    }[where]
    root, why = (
        (f"openbook vault {vault}", "never goes into a shared vault")
        if where.startswith("vault")
        else (
            f"git repository {repo / '.git' if where.endswith('git-dir') else repo}",
            "must stay out of every repository",
        )
    )
    before = git(vault, "status", "--porcelain", "--ignored")
    for args in (["journal", "new", "--body", SECRET], ["journal", "list"]):
        res = invoke(args, env={"OPENBOOK_JOURNAL": str(target)})
        assert res.exit_code == 1, res.stdout
        assert res.stdout == ""
        assert res.stderr == (
            f"openbook: The journal folder {target} (from $OPENBOOK_JOURNAL) is inside the "
            f"{root}, and the journal {why}; choose a folder outside it with "
            "$OPENBOOK_JOURNAL or 'git config --global openbook.journal ~/some/private/folder'.\n"
        )
    assert not target.exists()
    assert not (vault / "checkins" / "mine").exists()
    assert git(vault, "status", "--porcelain", "--ignored") == before
    assert not journal_dir(isolated).exists()


def test_git_config_location_and_a_symlink_into_a_repository_are_refused(
    tmp_path: Path, isolated: Path
) -> None:
    repo = tmp_path / "dotfiles"
    (repo / "private").mkdir(parents=True)
    git(repo, "init", "-q")
    link = tmp_path / "looks-private"
    link.symlink_to(repo / "private")
    git(isolated, "config", "--global", "openbook.journal", str(link))
    res = invoke(["journal", "new", "--body", SECRET])
    assert res.exit_code == 1
    assert "(from git config --global openbook.journal)" in res.stderr
    assert f"inside the git repository {repo}," in res.stderr
    assert os.listdir(repo / "private") == []


def test_git_config_location_is_used(tmp_path: Path, isolated: Path) -> None:
    git(isolated, "config", "--global", "openbook.journal", "~/Private/journal")
    assert invoke(["journal", "new", "--body", "hello"]).exit_code == 0
    entry = isolated / "Private/journal" / f"{ENTRY_ID}.md"
    assert mode(entry) == 0o600 and mode(entry.parent) == 0o700
    assert not journal_dir(isolated).exists()


def test_works_without_a_vault_and_lists_in_time_order(
    tmp_path: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke(["journal", "list"]).stdout == (
        "Your journal is empty. Write an entry with 'openbook journal new'.\n"
    )
    for i, when in enumerate(["2026-11-24T21:05", "2026-11-24T08:00", "2026-11-24T21:05"]):
        res = invoke(
            ["journal", "new", "--body", f"\nEntry {i}\nmore", "--mood", "2", "--tag", "sleep"],
            env={"OPENBOOK_NOW": when},
        )
        assert res.exit_code == 0, res.stderr
    res = invoke(["journal", "list", "--json"])
    assert json.loads(res.stdout) == {
        "entries": [
            {"id": "2026-11-24-0800", "date": "2026-11-24T08:00:00", "first_line": "Entry 1"},
            {"id": "2026-11-24-2105", "date": "2026-11-24T21:05:00", "first_line": "Entry 0"},
            {"id": "2026-11-24-2105-2", "date": "2026-11-24T21:05:00", "first_line": "Entry 2"},
        ]
    }
    assert invoke(["journal", "list"]).stdout.splitlines()[2] == "2026-11-24-2105-2  Entry 2"
    shown = invoke(["journal", "show", "2026-11-24-0800"])
    assert (
        shown.stdout
        == "---\ndate: 2026-11-24 08:00\nmood: 2\ntags: [sleep]\n---\n\nEntry 1\nmore\n"
    )


def test_show_unknown_or_malformed_id_fails_calmly(isolated: Path) -> None:
    res = invoke(["journal", "show", "2026-11-24-2030"])
    assert res.exit_code == 1
    assert res.stderr.startswith("openbook: There is no journal entry 2026-11-24-2030 in ")
    res = invoke(["journal", "show", "../../etc/passwd"])
    assert res.exit_code == 1
    assert "is not a journal entry id" in res.stderr


# ------------------------------------------------------------------------- the editor


def test_new_opens_the_editor_and_saves_what_was_written(tmp_path: Path, isolated: Path) -> None:
    seen = tmp_path / "seen.txt"
    ed = editor(
        tmp_path,
        "write.sh",
        f'echo "$1" > {seen}; cp "$1" {tmp_path}/draft.txt; printf "Late, tired, ok.\\n" >> "$1"',
    )
    res = invoke(["journal", "new"], env={"EDITOR": ed})
    assert res.exit_code == 0, res.stderr
    draft = (tmp_path / "draft.txt").read_text()
    assert draft == "---\ndate: 2026-11-24 20:30\nmood:\ntags: []\n---\n\n"
    scratch = Path(seen.read_text().strip())
    assert not scratch.exists() and not scratch.parent.exists()
    text = (journal_dir(isolated) / f"{ENTRY_ID}.md").read_text()
    assert text == draft + "Late, tired, ok.\n"


def test_an_entry_left_empty_is_not_saved(tmp_path: Path, isolated: Path) -> None:
    res = invoke(["journal", "new"], env={"EDITOR": editor(tmp_path, "noop.sh", "true")})
    assert res.exit_code == 0
    assert res.stderr == "Nothing saved: the entry was left empty.\n"
    assert not journal_dir(isolated).exists() or not os.listdir(journal_dir(isolated))
    res = invoke(["journal", "new", "--body", "  "])
    assert res.exit_code == 2
    assert "the entry is empty" in res.stderr


def test_new_reads_standard_input_without_an_editor(isolated: Path) -> None:
    res = invoke(["journal", "new"], input="Typed into a pipe.\n")
    assert res.exit_code == 0, res.stderr
    assert (journal_dir(isolated) / f"{ENTRY_ID}.md").read_text().endswith("\nTyped into a pipe.\n")


# ------------------------------------------------------------------------- encryption


def _keypair(folder: Path, name: str = "id_ed25519", passphrase: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "me", "-f", str(key)],
        check=True,
    )
    return key


def test_encrypted_entries_round_trip_and_stay_closed_without_the_key(
    isolated: Path,
) -> None:
    key = _keypair(isolated / ".ssh")
    git(isolated, "config", "--global", "openbook.journal-key", "~/.ssh/id_ed25519.pub")
    res = invoke(["journal", "new", "--body", SECRET, "--json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout) == {"id": ENTRY_ID, "encrypted": True}
    sealed = journal_dir(isolated) / f"{ENTRY_ID}.md.age"
    assert os.listdir(journal_dir(isolated)) == [sealed.name]
    assert mode(sealed) == 0o600
    data = sealed.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> ssh-ed25519 ")
    assert SECRET.encode() not in data and b"Zebra" not in data and b"date:" not in data
    shown = invoke(["journal", "show", ENTRY_ID])
    assert shown.stdout == f"---\ndate: 2026-11-24 20:30\n---\n\n{SECRET}\n"
    listed = json.loads(invoke(["journal", "list", "--json"]).stdout)
    assert listed["entries"][0]["first_line"] == SECRET
    key.rename(key.with_name("moved-away"))
    res = invoke(["journal", "show", ENTRY_ID])
    assert res.exit_code == 1
    assert res.stdout == ""
    assert res.stderr == (
        f"openbook: {sealed.name} is encrypted and the private key {key} is not readable "
        "here; set 'git config --global openbook.journal-identity PATH' to the private "
        "key it was written for.\n"
    )
    res = invoke(["journal", "list"])  # named in one line, not a failure of the list
    assert res.exit_code == 0
    assert res.stdout == ""
    assert res.stderr == (
        f"openbook: not listed, encrypted and not readable here: {ENTRY_ID} (the private "
        f"key {key} is not readable here); to read it, set 'git config --global "
        "openbook.journal-identity PATH' to the private key it was written for.\n"
    )


def test_encrypted_entry_opens_only_with_its_own_identity(isolated: Path) -> None:
    _keypair(isolated / ".ssh")
    other = _keypair(isolated / "other", "other")
    locked = _keypair(isolated / "other", "locked", passphrase="long passphrase")
    git(isolated, "config", "--global", "openbook.journal-key", "~/.ssh/id_ed25519.pub")
    assert invoke(["journal", "new", "--body", SECRET]).exit_code == 0
    git(isolated, "config", "--global", "openbook.journal-identity", str(other))
    res = invoke(["journal", "show", ENTRY_ID])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"openbook: {ENTRY_ID}.md.age cannot be opened with {other};")
    git(isolated, "config", "--global", "openbook.journal-identity", str(locked))
    res = invoke(["journal", "show", ENTRY_ID])
    assert res.exit_code == 1
    assert f"{locked} is protected by a passphrase" in res.stderr
    git(isolated, "config", "--global", "openbook.journal-identity", "~/.ssh/id_ed25519")
    assert invoke(["journal", "show", ENTRY_ID]).stdout.endswith(SECRET + "\n")


def test_a_bad_public_key_writes_nothing(isolated: Path) -> None:
    key = _keypair(isolated / ".ssh")
    git(isolated, "config", "--global", "openbook.journal-key", str(key))  # the private half
    res = invoke(["journal", "new", "--body", SECRET])
    assert res.exit_code == 1
    assert res.stderr == (
        f"openbook: {key} is not an SSH public key the journal can encrypt to; set "
        "openbook.journal-key to an ssh-ed25519 or ssh-rsa .pub file.\n"
    )
    assert not journal_dir(isolated).exists() or not os.listdir(journal_dir(isolated))


def test_share_of_an_encrypted_entry_puts_only_its_words_in_the_checkin(
    vault: Path, tmp_path: Path, isolated: Path
) -> None:
    _keypair(isolated / ".ssh")
    git(isolated, "config", "--global", "openbook.journal-key", "~/.ssh/id_ed25519.pub")
    assert invoke(["journal", "new", "--body", SECRET, "--mood", "1"]).exit_code == 0
    ed = editor(tmp_path, "save.sh", 'printf "Said.\\n" >> "$1"')
    res = invoke(["journal", "share", ENTRY_ID], vault=vault, env={"EDITOR": ed})
    assert res.exit_code == 0, res.stderr
    note = (vault / res.stdout.strip()).read_text()
    assert SECRET in note and "mood: 1" not in note and "tags" not in note


# ------------------------------------------------------------------------------- help


@pytest.mark.parametrize("sub", ["new", "list", "show", "share"])
def test_every_journal_command_has_help(sub: str) -> None:
    res = invoke(["journal", sub, "--help"])
    assert res.exit_code == 0
    assert res.stdout.startswith(f"Usage: openbook journal {sub}")
