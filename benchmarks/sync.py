"""Benchmark: `openbook sync` against plain `git fetch` + `git merge` + `git push`.

Builds a 10,000-note vault with 10,000 commits (git fast-import), a bare remote and two
clones, then times, each as the median of a few runs:
  - a sync with nothing to do;
  - a sync with one new note on each side (a real merge);
and the same work done with plain git. Prints the figures and the ratios (target <= 2x),
and how many git processes one sync with nothing to do starts (a script named `git`
first on PATH logs each one, then runs the real git).

Then both partners enrol SSH keys (made on the spot), move to an encrypted remote
(`openbook remote encrypt`, SPEC section 11), and the same two syncs are timed there,
beside the plain ones; and a fresh `clone --identity` of a year of bundles (one sync a
day: 365 bundles over a small vault) is timed (target < 10 s).

    python benchmarks/sync.py [--notes 10000] [--runs 3] [--no-encrypted]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vault import CONFIG


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def build_remote(path: Path, notes: int) -> None:
    git(path.parent, "init", "-q", "--bare", "-b", "main", str(path))
    chunks: list[bytes] = []

    def blob(text: str) -> bytes:
        data = text.encode()
        return b"data %d\n" % len(data) + data + b"\n"

    t = 1_700_000_000
    for i in range(notes):
        who = "alice" if i % 2 else "bob"
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        rel = f"checkins/{2000 + i // 365}/{day}-{who}-{i:05d}.md"
        body = (
            f"---\ntype: checkin\nauthor: {who}\ndate: {day}\nmood: {1 + i % 5}\n---\n\nNote {i}.\n"
        )
        msg = (
            f"checkin: new {rel}\n\nOpenbook-Action: new\nOpenbook-Type: checkin\n"
            f"Openbook-Partner: {who}\n"
        )
        cmd = (
            f"commit refs/heads/main\ncommitter {who} <{who}@example.org> {t + i} +0000\n"
        ).encode()
        cmd += blob(msg)
        if i == 0:
            cmd += b"M 100644 inline openbook.yml\n" + blob(CONFIG)
            cmd += b"M 100644 inline .gitignore\n" + blob("*.swp\n")
        cmd += f"M 100644 inline {rel}\n".encode() + blob(body) + b"\n"
        chunks.append(cmd)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(chunks), check=True)


def timed(fn: object, runs: int, setup: object = None) -> float:
    values = []
    for _ in range(runs):
        if setup:
            setup()  # type: ignore[operator]
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        values.append(time.perf_counter() - start)
    return statistics.median(values)


def count_git_processes(tmp: Path, command: list[str]) -> int:
    """How many git processes `command` starts, counted by a logging `git` first on PATH."""
    real = shutil.which("git")
    assert real is not None
    wrap = tmp / "gitwrap"
    wrap.mkdir(exist_ok=True)
    log = wrap / "log"
    log.write_text("")
    script = wrap / "git"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrap}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(command, check=True, capture_output=True, env=env)
    return len(log.read_text().splitlines())


def isolate_git(tmp: Path) -> None:
    """Point git at a config of its own under `tmp`, for this process and its children."""
    (tmp / "gitconfig").write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    os.environ.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
            "OPENBOOK_LOCK_WAIT": "5",
        }
    )


class Clones:
    """Two openbook clones and two plain git clones of one remote, and how each syncs."""

    def __init__(self, tmp: Path, remote: Path) -> None:
        self.ob = [sys.executable, "-m", "openbook"]
        self.clones = {who: tmp / who for who in ("alice", "bob")}
        for who, path in self.clones.items():
            subprocess.run(
                [*self.ob, "--as", who, "clone", str(remote), str(path)],
                check=True,
                capture_output=True,
            )
        self.plain = {who: tmp / f"plain-{who}" for who in ("alice", "bob")}
        for path in self.plain.values():
            git(tmp, "clone", "-q", str(remote), str(path))
        self.counter = 0

    def sync_command(self, who: str) -> list[str]:
        return [*self.ob, "--vault", str(self.clones[who]), "--as", who, "sync"]

    def ob_sync(self, who: str) -> None:
        subprocess.run(self.sync_command(who), check=True, capture_output=True)

    def plain_sync(self, who: str) -> None:
        root = self.plain[who]
        git(root, "fetch", "-q", "origin")
        git(root, "merge", "-q", "--no-edit", "origin/main")
        git(root, "push", "-q", "origin", "HEAD:main")

    def one_each(self, kind: str) -> None:
        """A new note on each side; Bob shares his, Alice's stays to be merged by her sync."""
        self.counter += 1
        n = self.counter
        roots = self.clones if kind == "ob" else self.plain
        for who in ("alice", "bob"):
            note = roots[who] / "checkins" / "2026" / f"2026-11-{n % 28 + 1:02d}-{who}-x{n}.md"
            note.parent.mkdir(parents=True, exist_ok=True)
            note.write_text(
                f"---\ntype: checkin\nauthor: {who}\ndate: 2026-11-"
                f"{n % 28 + 1:02d}\nmood: 3\n---\n\nNew.\n"
            )
        # Bob shares first; the timed part is Alice's sync, which merges
        if kind == "ob":
            self.ob_sync("bob")
        else:
            git(self.plain["bob"], "add", "-A")
            git(self.plain["bob"], "commit", "-q", "-m", "bob")
            self.plain_sync("bob")
            git(self.plain["alice"], "add", "-A")
            git(self.plain["alice"], "commit", "-q", "-m", "alice")


def keygen(path: Path) -> Path:
    args = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path


def go_encrypted(tmp: Path, c: Clones) -> Path:
    """Both enrol a key, then both move to a new encrypted remote; returns the keys' folder."""
    keys = tmp / "keys"
    keys.mkdir()
    for who in ("bob", "alice"):
        keygen(keys / who)
        root = str(c.clones[who])
        cmd = [*c.ob, "--vault", root, "--as", who]
        subprocess.run([*cmd, "keys", "add", str(keys / f"{who}.pub")], check=True)
        c.ob_sync(who)
    c.ob_sync("bob")
    crypt = tmp / "crypt.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(crypt))
    for who in ("bob", "alice"):
        root = str(c.clones[who])
        cmd = [*c.ob, "--vault", root, "--as", who]
        subprocess.run([*cmd, "remote", "encrypt", str(crypt)], check=True, capture_output=True)
        c.ob_sync(who)
    return keys


def year_of_bundles(tmp: Path, keys: Path, days: int = 365) -> float:
    """Seconds a fresh `clone --identity` takes of a remote of `days` bundles, each one
    day's check-ins of both partners, pushed one sync at a time (made with the library,
    not timed)."""
    from openbook.sync import encrypted

    small = tmp / "year.git"
    build_remote(small, 2)
    bob = tmp / "year-bob"
    ob = [sys.executable, "-m", "openbook"]
    subprocess.run([*ob, "--as", "bob", "clone", str(small), str(bob)], check=True)
    alice = tmp / "year-alice"
    subprocess.run([*ob, "--as", "alice", "clone", str(small), str(alice)], check=True)
    for who, root in (("bob", bob), ("alice", alice)):
        cmd = [*ob, "--vault", str(root), "--as", who]
        subprocess.run([*cmd, "keys", "add", str(keys / f"{who}.pub")], check=True)
        subprocess.run([*cmd, "sync"], check=True, capture_output=True)
    subprocess.run([*ob, "--vault", str(bob), "--as", "bob", "sync"], check=True)
    crypt = tmp / "year-crypt.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(crypt))
    subprocess.run(
        [*ob, "--vault", str(bob), "--as", "bob", "remote", "encrypt", str(crypt)], check=True
    )
    for day in range(days):
        for who in ("alice", "bob"):
            date = dt.date(2027, 1, 1) + dt.timedelta(days=day)
            rel = f"checkins/2027/{date.isoformat()}-{who}.md"
            (bob / rel).parent.mkdir(parents=True, exist_ok=True)
            text = f"---\ntype: checkin\nauthor: {who}\ndate: {date}\nmood: 3\n---\n\nDay.\n"
            (bob / rel).write_text(text)
            git(bob, "add", "--", rel)
            git(bob, "-c", "commit.gpgsign=false", "commit", "-q", "-m", f"checkin {day} {who}")
        head = git(bob, "rev-parse", "HEAD")
        assert encrypted.push(bob, "origin", "main", head)
    start = time.perf_counter()
    subprocess.run(
        [
            *ob,
            "--as",
            "alice",
            "clone",
            str(crypt),
            str(tmp / "year-clone"),
            "--identity",
            str(keys / "alice"),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-encrypted", action="store_true", help="time the plain remote only")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="openbook-bench-"))
    isolate_git(tmp)
    start = time.perf_counter()
    remote = tmp / "remote.git"
    build_remote(remote, args.notes)
    print(f"built {args.notes} notes / {args.notes} commits in {time.perf_counter() - start:.1f} s")
    c = Clones(tmp, remote)
    c.ob_sync("alice")
    c.ob_sync("bob")
    idle_procs = count_git_processes(tmp, c.sync_command("alice"))
    idle_ob = timed(lambda: c.ob_sync("alice"), args.runs)
    idle_git = timed(lambda: c.plain_sync("alice"), args.runs)
    merge_ob = timed(lambda: c.ob_sync("alice"), args.runs, lambda: c.one_each("ob"))
    merge_git = timed(lambda: c.plain_sync("alice"), args.runs, lambda: c.one_each("git"))
    print(
        f"nothing to do:    openbook sync {idle_ob * 1000:7.0f} ms   plain git "
        f"{idle_git * 1000:7.0f} ms   ratio {idle_ob / idle_git:4.2f}x"
    )
    print(
        f"one note each:    openbook sync {merge_ob * 1000:7.0f} ms   plain git "
        f"{merge_git * 1000:7.0f} ms   ratio {merge_ob / merge_git:4.2f}x"
    )
    print(f"git processes started by a sync with nothing to do: {idle_procs}")
    if not args.no_encrypted:
        keys = go_encrypted(tmp, c)
        idle_enc = timed(lambda: c.ob_sync("alice"), args.runs)
        merge_enc = timed(lambda: c.ob_sync("alice"), args.runs, lambda: c.one_each("ob"))
        print(
            f"encrypted remote: nothing to do {idle_enc * 1000:7.0f} ms "
            f"({idle_enc / idle_ob:4.2f}x the plain remote's sync); "
            f"one note each {merge_enc * 1000:7.0f} ms "
            f"({merge_enc / merge_ob:4.2f}x)"
        )
        year = year_of_bundles(tmp, keys)
        print(f"fresh clone of a year of bundles (365 bundles): {year:5.1f} s (target < 10 s)")
    print(
        "(openbook's figure includes starting Python and committing + validating the new "
        "note; plain git's includes add + commit only in the merge case's setup)"
    )


if __name__ == "__main__":
    main()
