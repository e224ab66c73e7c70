"""`openbook setup` without a terminal: every question has a flag; missing ones are named
(exit 2), and with all of them it does what the questions do."""

from __future__ import annotations

import subprocess
from pathlib import Path

from testing import git, invoke


def person(tmp: Path, pid: str, name: str) -> dict[str, str]:
    home = tmp / f"home-{pid}"
    (home / ".ssh").mkdir(parents=True)
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {name}\n\temail = {pid}@example.org\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
    )
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / ".ssh/id_ed25519")],
        check=True,
    )
    return {"HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig")}


def test_without_a_terminal_the_missing_flags_are_named(tmp_path: Path) -> None:
    res = invoke(["setup"])
    assert res.exit_code == 2
    assert "without one, give: --me ID; --partner SPEC" in res.stderr
    assert "--key PATH|none; --share URL|none." in res.stderr
    res = invoke(["setup", "--me", "bob", "--join", str(tmp_path / "x.git")])
    assert res.exit_code == 2
    assert res.stderr.endswith("give: --key PATH|none.\n")
    assert list(tmp_path.iterdir()) == []


def test_a_bad_flag_is_a_usage_error_with_the_reason(tmp_path: Path) -> None:
    res = invoke(
        [
            "setup",
            "--me",
            "alice:Alice <alice.example.org>",
            "--partner",
            "bob",
            "--key",
            "none",
            "--share",
            "none",
        ]
    )
    assert res.exit_code == 2
    assert "it needs an @" in res.stderr
    res = invoke(
        [
            "setup",
            "--me",
            "alice",
            "--partner",
            "bob",
            "--key",
            "none",
            "--share",
            "none",
            "--timezone",
            "Europe/Berln",
        ]
    )
    assert res.exit_code == 2
    assert "the closest are: Europe/Berlin" in res.stderr
    assert not (Path.home() / "openbook").exists()


def test_with_every_flag_both_partners_end_in_the_same_state(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    alice, bob = person(tmp_path, "alice", "Alice Example"), person(tmp_path, "bob", "Bob Ex")
    res = invoke(
        [
            "setup",
            "--me",
            "alice",
            "--partner",
            "bob:Bob Example <bob@example.org>",
            "--timezone",
            "Europe/Berlin",
            "--key",
            "~/.ssh/id_ed25519.pub",
            "--share",
            str(remote),
            "--checkins",
            "every day by 21:00",
        ],
        env=alice,
    )
    assert res.exit_code == 0, res.stderr
    assert "$ openbook init ~/openbook --as alice --partner 'alice:Alice Example" in res.stdout
    assert "$ openbook keys add ~/.ssh/id_ed25519.pub" in res.stdout
    assert "$ openbook propose checkins alice --every day --by 21:00" in res.stdout
    assert "Next for Bob Example: openbook setup on their own computer" in res.stdout
    res = invoke(
        [
            "setup",
            "--me",
            "bob",
            "--join",
            str(remote),
            "--key",
            "~/.ssh/id_ed25519.pub",
            "--accept-settings",
            "--checkins",
            "every sunday by 20:00",
        ],
        env=bob,
    )
    assert res.exit_code == 0, res.stderr
    assert "The vault lists you as Bob Example <bob@example.org>; to change it: " in res.stdout
    assert "openbook propose partner bob --name 'Bob Ex' --email bob@example.org" in res.stdout
    assert "$ openbook accept settings" in res.stdout
    a_vault = Path(alice["HOME"]) / "openbook"
    b_vault = Path(bob["HOME"]) / "openbook"
    assert invoke(["sync"], vault=a_vault, env=alice).exit_code == 0
    res = invoke(["accept", "settings", "--yes"], vault=a_vault, env=alice)
    assert "Bob Example's check-ins: every Sunday by 20:00" in res.stdout
    assert invoke(["sync"], vault=a_vault, env=alice).exit_code == 0
    assert invoke(["sync"], vault=b_vault, env=bob).exit_code == 0
    for env, vault in ((alice, a_vault), (bob, b_vault)):
        assert git(vault, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
        assert invoke(["verify"], vault=vault, env=env).exit_code == 0
        assert invoke(["keys", "list"], vault=vault, env=env).stdout.count("SHA256:") == 2


def test_an_address_that_holds_a_history_is_not_shared_into(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    alice = person(tmp_path, "alice", "Alice Example")
    args = ["setup", "--me", "alice", "--partner", "bob", "--key", "none", "--share", str(remote)]
    assert invoke(args, env=alice).exit_code == 0
    res = invoke([*args, "--dir", "~/second"], env=alice)
    assert res.exit_code == 2
    assert "already holds a history" in res.stderr
    assert not (Path(alice["HOME"]) / "second").exists()
    res = invoke(
        ["setup", "--me", "carol", "--join", str(remote), "--key", "none", "--dir", "~/third"],
        env=alice,
    )
    assert res.exit_code == 1, res.stderr
    assert "'carol' is not a partner in this vault; use one of: alice, bob." in res.stderr
    assert sorted(p.name for p in Path(alice["HOME"]).iterdir()) == [
        ".gitconfig",
        ".ssh",
        "openbook",
    ]


def test_check_in_times_are_read_from_words() -> None:
    from openbook.errors import OpenbookError
    from openbook.start.guided import parse_schedule

    assert parse_schedule("every day by 21:00") == {"every": "day", "by": "21:00"}
    assert parse_schedule("Every Sunday by 8:30") == {
        "every": "week",
        "on": "sunday",
        "by": "08:30",
    }
    assert parse_schedule("every week on friday by 19") == {
        "every": "week",
        "on": "friday",
        "by": "19:00",
    }
    assert parse_schedule("none") is None
    for bad in ("sometimes", "every day by 25:00", "every moonday by 20:00"):
        try:
            parse_schedule(bad)
        except OpenbookError as exc:
            assert "every day by 21:00" in str(exc)
        else:
            raise AssertionError(bad)
