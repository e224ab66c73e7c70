"""Benchmark: `openbook sync` against plain `git fetch` + `git merge` + `git push`.

Builds a 10,000-note vault with 10,000 commits (git fast-import), a bare remote and two
clones, then times, each as the median of a few runs:
  - a sync with nothing to do;
  - a sync with one new note on each side (a real merge);
and the same work done with plain git. Prints the figures and the ratios (target <= 2x),
and how many git processes one sync with nothing to do starts (a script named `git`
first on PATH logs each one, then runs the real git).

    python benchmarks/sync.py [--notes 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="openbook-bench-"))
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
        "OPENBOOK_LOCK_WAIT": "5",
    }
    (tmp / "gitconfig").write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    os.environ.update(env)
    start = time.perf_counter()
    remote = tmp / "remote.git"
    build_remote(remote, args.notes)
    print(f"built {args.notes} notes / {args.notes} commits in {time.perf_counter() - start:.1f} s")
    ob = [sys.executable, "-m", "openbook"]
    clones = {}
    for who in ("alice", "bob"):
        clones[who] = tmp / who
        subprocess.run(
            [*ob, "--as", who, "clone", str(remote), str(clones[who])],
            check=True,
            capture_output=True,
        )
    plain = {who: tmp / f"plain-{who}" for who in ("alice", "bob")}
    for path in plain.values():
        git(tmp, "clone", "-q", str(remote), str(path))

    def ob_sync(who: str) -> None:
        subprocess.run(
            [*ob, "--vault", str(clones[who]), "--as", who, "sync"], check=True, capture_output=True
        )

    def plain_sync(who: str) -> None:
        root = plain[who]
        git(root, "fetch", "-q", "origin")
        git(root, "merge", "-q", "--no-edit", "origin/main")
        git(root, "push", "-q", "origin", "HEAD:main")

    ob_sync("alice")
    ob_sync("bob")
    idle_procs = count_git_processes(
        tmp, [*ob, "--vault", str(clones["alice"]), "--as", "alice", "sync"]
    )
    idle_ob = timed(lambda: ob_sync("alice"), args.runs)
    idle_git = timed(lambda: plain_sync("alice"), args.runs)

    counter = [0]

    def one_each(kind: str) -> None:
        counter[0] += 1
        n = counter[0]
        roots = clones if kind == "ob" else plain
        for who in ("alice", "bob"):
            note = roots[who] / "checkins" / "2026" / f"2026-11-{n % 28 + 1:02d}-{who}-x{n}.md"
            note.parent.mkdir(parents=True, exist_ok=True)
            note.write_text(
                f"---\ntype: checkin\nauthor: {who}\ndate: 2026-11-"
                f"{n % 28 + 1:02d}\nmood: 3\n---\n\nNew.\n"
            )
        # Bob shares first; the timed part is Alice's sync, which merges
        if kind == "ob":
            ob_sync("bob")
        else:
            git(plain["bob"], "add", "-A")
            git(plain["bob"], "commit", "-q", "-m", "bob")
            plain_sync("bob")
            git(plain["alice"], "add", "-A")
            git(plain["alice"], "commit", "-q", "-m", "alice")

    merge_ob = timed(lambda: ob_sync("alice"), args.runs, lambda: one_each("ob"))
    merge_git = timed(lambda: plain_sync("alice"), args.runs, lambda: one_each("git"))
    print(
        f"nothing to do:    openbook sync {idle_ob * 1000:7.0f} ms   plain git "
        f"{idle_git * 1000:7.0f} ms   ratio {idle_ob / idle_git:4.2f}x"
    )
    print(
        f"one note each:    openbook sync {merge_ob * 1000:7.0f} ms   plain git "
        f"{merge_git * 1000:7.0f} ms   ratio {merge_ob / merge_git:4.2f}x"
    )
    print(f"git processes started by a sync with nothing to do: {idle_procs}")
    print(
        "(openbook's figure includes starting Python and committing + validating the new "
        "note; plain git's includes add + commit only in the merge case's setup)"
    )


if __name__ == "__main__":
    main()
