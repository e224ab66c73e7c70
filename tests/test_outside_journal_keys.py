"""`openbook journal list` with an entry encrypted to another key: the other entries are
listed, and the one it cannot open is named in one line that says what to do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from testing import git, invoke
from testing.journaling import journal_dir

FIX = (
    "to read it, set 'git config --global openbook.journal-identity PATH' to the private "
    "key it was written for."
)


def keypair(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return key


def write(now: str, body: str) -> str:
    res = invoke(["journal", "new", "--body", body], env={"OPENBOOK_NOW": now})
    assert res.exit_code == 0, res.stderr
    return res.stdout.strip()


def test_list_names_the_entry_it_cannot_open_and_lists_the_rest(isolated: Path) -> None:
    old = keypair(isolated / ".ssh", "old")
    new = keypair(isolated / ".ssh", "new")
    plain = write("2026-11-20T09:00:00+01:00", "Before any key.")
    git(isolated, "config", "--global", "openbook.journal-key", f"{old}.pub")
    lost = write("2026-11-21T09:00:00+01:00", "Under the old key.")
    git(isolated, "config", "--global", "openbook.journal-key", f"{new}.pub")
    kept = write("2026-11-22T09:00:00+01:00", "Under the new key.")

    res = invoke(["journal", "list"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"{plain:<17}  Before any key.",
        f"{kept:<17}  Under the new key.",
    ]
    assert res.stderr == (
        f"openbook: not listed, encrypted and not readable here: {lost} (written for "
        f"another key than {new}); {FIX}\n"
    )
    listed = json.loads(invoke(["journal", "list", "--json"]).stdout)
    assert [e["id"] for e in listed["entries"]] == [plain, kept]
    assert listed["unreadable"] == [
        {"id": lost, "file": f"{lost}.md.age", "why": f"written for another key than {new}"}
    ]

    git(isolated, "config", "--global", "openbook.journal-identity", str(old))
    res = invoke(["journal", "list"])
    assert res.exit_code == 0 and res.stdout.splitlines() == [
        f"{plain:<17}  Before any key.",
        f"{lost:<17}  Under the old key.",
    ]
    assert res.stderr == (
        f"openbook: not listed, encrypted and not readable here: {kept} (written for "
        f"another key than {old}); {FIX}\n"
    )


def test_without_the_key_every_encrypted_entry_is_named_in_the_one_line(isolated: Path) -> None:
    key = keypair(isolated / ".ssh", "id_ed25519")
    git(isolated, "config", "--global", "openbook.journal-key", f"{key}.pub")
    first = write("2026-11-21T09:00:00+01:00", "One.")
    second = write("2026-11-22T09:00:00+01:00", "Two.")
    key.rename(key.with_name("moved-away"))
    res = invoke(["journal", "list"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""
    assert res.stderr == (
        f"openbook: not listed, encrypted and not readable here: {first}, {second} "
        f"(the private key {key} is not readable here); "
        + FIX.replace("read it", "read them").replace("key it was", "key they were")
        + "\n"
    )
    assert sorted(p.name for p in journal_dir(isolated).iterdir()) == [
        f"{first}.md.age",
        f"{second}.md.age",
    ]
