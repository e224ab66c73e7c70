"""`openbook setup` driven through a real pseudo-terminal, as a person answers it: two
partners on one machine, each with their own HOME, a bare repository as the shared
remote, real ssh-keygen, real git. Ctrl-C halfway leaves the machine as it was."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from testing import git, make_pair
from testing.slowlink import slow_ssh

pexpect = pytest.importorskip("pexpect")


def home_of(tmp: Path, pid: str, name: str) -> dict[str, str]:
    home = tmp / f"home-{pid}"
    home.mkdir()
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {name}\n\temail = {pid}@example.org\n"
        '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBOOK_", "GIT_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        TZ="Europe/Berlin",
        TERM="dumb",
    )
    env.pop("SSH_AUTH_SOCK", None)
    return env


def spawn(env: dict[str, str], *args: str) -> tuple[object, io.StringIO]:
    log = io.StringIO()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "openbook", *args],
        env=env,
        cwd=env["HOME"],
        encoding="utf-8",
        timeout=90,
        dimensions=(40, 250),
        # as a terminal's shell starts it: Ctrl-C interrupts, even when the tests run in
        # the background, whose shell ignores SIGINT for everything it starts
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    child.logfile_read = log
    return child, log


def answer(child: object, question: str, text: str) -> None:
    child.expect_exact(question)  # type: ignore[attr-defined]
    child.sendline(text)  # type: ignore[attr-defined]


def keep(log: io.StringIO, name: str) -> str:
    text = log.getvalue().replace("\r\n", "\n")
    out = os.environ.get("OPENBOOK_TRANSCRIPTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / f"{name}.txt").write_text(text, encoding="utf-8")
    return text


def ob(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "openbook", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def alice_sets_up(env: dict[str, str], remote: Path) -> str:
    child, log = spawn(env, "setup")
    answer(child, "Your id, one short word [alice]:", "")
    answer(child, "Your name [Alice Example]:", "")
    answer(child, "Your email [alice@example.org]:", "alice.example.org")
    answer(child, "it needs an @", "alice@example.org")
    answer(child, "(new/join) [new]:", "")
    answer(child, "Your partner's id:", "bob")
    answer(child, "Your partner's name [Bob]:", "Bob Example")
    answer(child, "Your partner's email:", "bob@example.org")
    answer(child, "[Europe/Berlin]:", "Europe/Berln")
    answer(child, "the closest are:", "Europe/Berlin")
    answer(child, "Folder for your copy of the vault [~/openbook]:", "")
    answer(child, "or 'none' [new]:", "")
    answer(child, "Enter passphrase", "")
    answer(child, "Enter same passphrase again", "")
    answer(child, "Its address [not now]:", str(remote.parent / "nowhere.git"))
    answer(child, "cannot be reached", str(remote))
    answer(child, "(or 'none') [none]:", "every day by 21:00")
    child.expect(pexpect.EOF)
    child.close()
    text = keep(log, "alice-setup")
    assert child.exitstatus == 0, text
    return text


def bob_joins(env: dict[str, str], remote: Path) -> str:
    child, log = spawn(env, "setup")
    answer(child, "Your id, one short word [bob]:", "")
    answer(child, "Your name [Bob Example]:", "")
    answer(child, "Your email [bob@example.org]:", "")
    answer(child, "(new/join) [new]:", "join")
    answer(child, "Its address:", str(remote))
    answer(child, "Folder for your copy of the vault [~/openbook]:", "")
    answer(child, "or 'none' [~/.ssh/id_ed25519.pub]:", "~/notes.txt")
    answer(child, "not a public key", "")
    answer(child, "Accept these settings now? [y/N]:", "y")
    answer(child, "(or 'none') [none]:", "every sunday by 20:00")
    child.expect(pexpect.EOF)
    child.close()
    text = keep(log, "bob-setup")
    assert child.exitstatus == 0, text
    return text


@pytest.mark.slow
def test_two_partners_go_from_nothing_to_a_shared_signed_vault(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    alice = home_of(tmp_path, "alice", "Alice Example")
    bob = home_of(tmp_path, "bob", "Bob Example")
    bob_home = Path(bob["HOME"])
    (bob_home / ".ssh").mkdir()
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(bob_home / ".ssh/id_ed25519")],
        check=True,
    )
    (bob_home / "notes.txt").write_text("not a key\n")

    said = alice_sets_up(alice, remote)
    assert "$ openbook init ~/openbook --as alice --partner 'alice:Alice Example" in said
    assert "$ ssh-keygen -t ed25519 -C alice@example.org -f ~/.ssh/id_ed25519" in said
    assert "$ openbook keys add ~/.ssh/id_ed25519.pub" in said
    assert f"$ git remote add origin {remote}" in said
    assert "$ openbook propose checkins alice --every day --by 21:00" in said
    assert "$ openbook sync" in said
    assert "Next for Bob Example: openbook setup on their own computer, choose join" in said
    assert "Traceback" not in said

    said = bob_joins(bob, remote)
    assert f"$ openbook --as bob clone {remote} ~/openbook" in said
    assert "$ openbook accept settings" in said
    assert "$ openbook keys add ~/.ssh/id_ed25519.pub" in said
    assert "$ openbook propose checkins bob --every week --on sunday --by 20:00" in said
    assert "Next for Alice Example: openbook sync, then openbook accept settings" in said
    assert "Traceback" not in said

    a_vault, b_vault = Path(alice["HOME"]) / "openbook", bob_home / "openbook"
    assert ob(alice, a_vault, "sync").returncode == 0
    done = ob(alice, a_vault, "accept", "settings", "--yes")
    assert done.returncode == 0, done.stderr
    assert "check-ins: every Sunday by 20:00" in done.stdout
    assert ob(alice, a_vault, "sync").returncode == 0
    assert ob(bob, b_vault, "sync").returncode == 0

    for env, vault in ((alice, a_vault), (bob, b_vault)):
        assert git(vault, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
        keys = ob(env, vault, "keys", "list")
        assert keys.stdout.count("SHA256:") == 2, keys.stdout
        assert ob(env, vault, "verify").returncode == 0
        nothing = ob(env, vault, "accept", "settings", "--yes")
        assert "no new settings waiting" in nothing.stderr
        assert ".setup-" not in git(vault, "config", "--local", "--list")
    # every commit after the first (made before any key) is signed
    signed = git(a_vault, "log", "--format=%G? %an %s").splitlines()
    assert [line for line in signed[:-1] if not line.startswith("G ")] == [], signed


def test_ctrl_c_halfway_leaves_the_machine_as_it_was(tmp_path: Path) -> None:
    remote = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    env = home_of(tmp_path, "alice", "Alice Example")
    home = Path(env["HOME"])
    before = (home / ".gitconfig").read_bytes()
    child, log = spawn(env, "setup")
    for question, text in [
        ("[alice]:", ""),
        ("[Alice Example]:", ""),
        ("[alice@example.org]:", ""),
        ("[new]:", ""),
        ("partner's id:", "bob"),
        ("[Bob]:", ""),
        ("partner's email:", "bob@example.org"),
        ("[Europe/Berlin]:", ""),
        ("[~/openbook]:", ""),
        ("or 'none' [new]:", ""),
        ("Enter passphrase", ""),
        ("Enter same passphrase again", ""),
    ]:
        answer(child, question, text)
    child.expect_exact("Its address [not now]:")
    assert (home / ".ssh" / "id_ed25519.pub").is_file()  # made, not yet kept
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    text = keep(log, "alice-interrupted")
    assert "Stopped: nothing was made" in text
    assert "Traceback" not in text
    assert child.exitstatus == 130 or child.signalstatus is not None
    assert not (home / "openbook").exists()
    assert sorted(p.name for p in home.iterdir()) == [".gitconfig", ".ssh"]
    assert list((home / ".ssh").iterdir()) == []
    assert (home / ".gitconfig").read_bytes() == before
    assert git(remote, "for-each-ref") == ""


@pytest.mark.slow
def test_joining_over_a_slow_link_says_the_copy_is_still_coming(tmp_path: Path) -> None:
    """The partner who joins sees that the copy is under way, not a silent terminal."""
    pair = make_pair(tmp_path / "made")
    alice = home_of(tmp_path, "alice", "Alice Example")
    alice["GIT_SSH_COMMAND"] = str(slow_ssh(tmp_path, 4))
    url = f"ssh://localhost{pair.remote}"
    child, log = spawn(alice, "setup")
    answer(child, "Your id, one short word [alice]:", "")
    answer(child, "Your name [Alice Example]:", "")
    answer(child, "Your email [alice@example.org]:", "")
    answer(child, "(new/join) [new]:", "join")
    answer(child, "Its address:", url)
    child.expect_exact(f"Still reaching {url}...")  # type: ignore[attr-defined]
    answer(child, "Folder for your copy of the vault [~/openbook]:", "")
    child.expect_exact(f"Still receiving from {url}...")  # type: ignore[attr-defined]
    child.expect_exact(f"$ openbook --as alice clone {url} ~/openbook")  # type: ignore[attr-defined]
    answer(child, "or 'none' [new]:", "none")
    answer(child, "(or 'none') [none]:", "")
    child.expect(pexpect.EOF)  # type: ignore[attr-defined]
    child.close()  # type: ignore[attr-defined]
    text = keep(log, "alice-joins-slowly")
    assert child.exitstatus == 0, text  # type: ignore[attr-defined]
    assert (Path(alice["HOME"]) / "openbook" / "openbook.yml").is_file()
