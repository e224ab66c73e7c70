"""Benchmark `openbook sync` against plain git, on realistic vaults (see _vault.py).

Bob's vault (10,000 notes, one commit each, consent in each partner's own commits; `check`
exits 0 on it) goes to a bare remote; Alice and Bob clone it with `openbook clone`, and
two plain git clones do the same work with plain git. Measured interleaved, in one run:

  - a sync with nothing to do  vs  git fetch && git merge --ff-only && git push;
  - a sync with one new note on each side  vs  the same in plain git (a real merge);
  - git processes each starts (a logging `git` first on PATH);
  - the no-op sync on a 1,000- and a 50,000-note vault (it must not grow with size);
  - 20,000 small notes arriving in one sync  vs  a one-note sync (and plain git's fetch of
    them, with the object checks openbook asks for: the floor under that sync);
  - over an encrypted remote (`openbook remote encrypt`, SPEC section 11): the no-op and
    the one-note-each sync beside the plain remote's, and a fresh `clone --identity` of
    a year of bundles (365, one sync a day; goal < 10 s).

    python benchmarks/sync.py [--notes 10000] [--runs 5] [--big 50000] [--small 1000]
                              [--arrive 20000] [--no-encrypted]   (0 skips a part)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vault import (
    Stream,
    assert_checks,
    bench_env,
    cached_vault,
    git,
    interleaved,
    openbook_cmd,
    ratio_line,
)


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    res = subprocess.run(cmd, capture_output=True, env=env)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stdout.decode()}{res.stderr.decode()}")


class Pair:
    """Bob's vault on a bare remote; Alice's and Bob's openbook and plain git clones."""

    def __init__(self, tmp: Path, notes: int) -> None:
        self.tmp = tmp
        self.remote = tmp / "remote.git"
        tmp.mkdir(parents=True, exist_ok=True)
        built = cached_vault("history", notes)  # built once, only read here
        git(tmp, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(built, "push", "-q", str(self.remote), "main")
        self.ob = {w: tmp / w for w in ("alice", "bob")}
        for who, path in self.ob.items():
            run([*openbook_cmd(), "--as", who, "clone", str(self.remote), str(path)])
        plain_remote = tmp / "plain.git"  # plain git's own copy: its commits stay apart
        git(tmp, "clone", "-q", "--bare", str(self.remote), str(plain_remote))
        self.plain = {w: tmp / f"plain-{w}" for w in ("alice", "bob")}
        for who, path in self.plain.items():
            git(tmp, "clone", "-q", str(plain_remote), str(path))
            git(path, "config", "user.email", f"{who}@example.org")
        self.counter = 0
        self.sync("alice")
        self.sync("bob")

    def command(self, who: str, *more: str) -> list[str]:
        return [*openbook_cmd(), "--vault", str(self.ob[who]), "--as", who, *more, "sync"]

    def sync(self, who: str, env: dict[str, str] | None = None, remote: str = "") -> None:
        run(self.command(who) + (["--remote", remote] if remote else []), env)

    def go_encrypted(self, keys: Path) -> None:
        """Both enrol a key, then both add an encrypted remote named `crypt`."""
        for who in ("bob", "alice"):
            keygen(keys / who)
            run(
                [
                    *openbook_cmd(),
                    "--vault",
                    str(self.ob[who]),
                    "--as",
                    who,
                    "keys",
                    "add",
                    str(keys / f"{who}.pub"),
                ]
            )
            self.sync(who)
        self.sync("bob")
        crypt = self.tmp / "crypt.git"
        git(self.tmp, "init", "-q", "--bare", "-b", "main", str(crypt))
        for who in ("bob", "alice"):
            run(
                [
                    *openbook_cmd(),
                    "--vault",
                    str(self.ob[who]),
                    "--as",
                    who,
                    "remote",
                    "encrypt",
                    str(crypt),
                    "--remote",
                    "crypt",
                ]
            )
            self.sync(who, remote="crypt")
        self.sync("bob", remote="crypt")
        self.sync("alice", remote="crypt")

    def one_each_encrypted(self) -> None:
        self.counter += 1
        for who in ("alice", "bob"):
            self._note(self.ob[who], who)
        self.sync("bob", remote="crypt")

    def plain_ff(self, who: str = "alice") -> None:
        root = self.plain[who]
        git(root, "fetch", "-q", "origin")
        git(root, "merge", "-q", "--ff-only", "origin/main")
        git(root, "push", "-q", "origin", "HEAD:main")

    def plain_merge(self, who: str = "alice") -> None:
        root = self.plain[who]
        git(root, "fetch", "-q", "origin")
        git(root, "merge", "-q", "--no-edit", "origin/main")
        git(root, "push", "-q", "origin", "HEAD:main")

    def _note(self, root: Path, who: str) -> None:
        n = self.counter
        rel = f"repairs/2026/2026-11-{n % 20 + 1:02d}-{who}-r{n}.md"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(
            f"---\ntype: repair\nauthor: {who}\ndate: 2026-11-{n % 20 + 1:02d}\n"
            f"kind: rupture\nstatus: open\n---\n\nMissed call {n}.\n"
        )

    def one_each_ob(self) -> None:
        """A new note on each side; Bob shares his, Alice's waits for her timed sync."""
        self.counter += 1
        for who in ("alice", "bob"):
            self._note(self.ob[who], who)
        self.sync("bob")

    def one_each_plain(self) -> None:
        self.counter += 1
        for who in ("alice", "bob"):
            self._note(self.plain[who], who)
            git(self.plain[who], "add", "-A")
            git(self.plain[who], "commit", "-q", "-m", f"{who}: new repair")
        self.plain_merge("bob")

    def one_from_bob(self) -> None:
        """One new note of Bob's shared, for Alice's timed sync to bring in."""
        self.counter += 1
        self._note(self.ob["bob"], "bob")
        self.sync("bob")

    def many_from_bob(self, count: int) -> None:
        """`count` small notes of Bob's, one commit each (fast-import), shared."""
        root = self.ob["bob"]
        stream = Stream(git(root, "rev-parse", "HEAD"))
        when = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        for n in range(count):
            rel = f"repairs/2026/2026-11-22-bob-many-{n:05d}.md"
            text = (
                "---\ntype: repair\nauthor: bob\ndate: 2026-11-22\nkind: rupture\n"
                f"status: open\n---\n\nA small thing {n}.\n"
            )
            msg = (
                f"repair: new {rel}\n\nOpenbook-Action: new\nOpenbook-Type: repair\n"
                "Openbook-Partner: bob\n"
            )
            stream.commit("bob", when + dt.timedelta(seconds=n), msg, {rel: text})
        stream.run(root)
        git(root, "reset", "-q", "--hard", "refs/heads/main")
        self.sync("bob")


def git_fetch_alone(clone: Path, copy: Path) -> float:
    """Seconds plain git takes to fetch what the clone's sync is about to receive (in a
    copy of the clone, with fetch.fsckObjects as openbook fetches): the floor under it."""
    shutil.copytree(clone, copy, symlinks=True)
    t0 = time.perf_counter()
    git(copy, "-c", "fetch.fsckObjects=true", "fetch", "-q", "origin", "main:refs/fetch-alone")
    seconds = time.perf_counter() - t0
    shutil.rmtree(copy, ignore_errors=True)
    return seconds


def keygen(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path


def year_of_bundles(tmp: Path, keys: Path, days: int = 365) -> float:
    """Seconds a fresh `clone --identity` takes of an encrypted remote of `days` bundles,
    each one day's check-ins of both partners (pushed with the library, not timed)."""
    from openbook.sync import encrypted

    small = Pair(tmp, 2)
    bob = small.ob["bob"]
    for who in ("bob", "alice"):
        run(
            [
                *openbook_cmd(),
                "--vault",
                str(small.ob[who]),
                "--as",
                who,
                "keys",
                "add",
                str(keys / f"{who}.pub"),
            ]
        )
        small.sync(who)
    small.sync("bob")
    crypt = tmp / "year-crypt.git"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(crypt))
    run([*openbook_cmd(), "--vault", str(bob), "--as", "bob", "remote", "encrypt", str(crypt)])
    for day in range(days):
        date = dt.date(2027, 1, 1) + dt.timedelta(days=day)
        for who in ("alice", "bob"):
            rel = f"repairs/2027/{date.isoformat()}-{who}.md"
            (bob / rel).parent.mkdir(parents=True, exist_ok=True)
            (bob / rel).write_text(
                f"---\ntype: repair\nauthor: {who}\ndate: {date}\nkind: rupture\n"
                "status: open\n---\n\nA day.\n"
            )
            git(bob, "add", "--", rel)
            git(bob, "-c", "commit.gpgsign=false", "commit", "-q", "-m", f"day {day} {who}")
        assert encrypted.push(bob, "origin", "main", git(bob, "rev-parse", "HEAD"))
    start = time.perf_counter()
    run(
        [
            *openbook_cmd(),
            "--as",
            "alice",
            "clone",
            str(crypt),
            str(tmp / "year-clone"),
            "--identity",
            str(keys / "alice"),
        ]
    )
    return time.perf_counter() - start


def count_git(tmp: Path, command: list[str]) -> int:
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
    run(command, {**os.environ, "PATH": f"{wrap}{os.pathsep}{os.environ['PATH']}"})
    return len(log.read_text().splitlines())


class Said(list[str]):
    """Lines printed as soon as they are known (a later part may fail)."""

    def append(self, line: str) -> None:
        print(line, flush=True)
        super().append(line)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--small", type=int, default=1_000)
    ap.add_argument("--big", type=int, default=50_000)
    ap.add_argument("--arrive", type=int, default=20_000)
    ap.add_argument("--no-encrypted", action="store_true", help="skip the encrypted remote")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="openbook-bench-sync-"))
    bench_env(tmp)
    # syncs run on the clock, as a user's do: a time pinned in the environment (as tests
    # pin it) is read with the time zone database, which a sync need not otherwise load
    os.environ.pop("OPENBOOK_NOW")
    print(f"sync benchmark, {args.notes:,}-note vault, {args.runs} interleaved runs", flush=True)
    lines = Said()
    try:
        pair = Pair(tmp / "main", args.notes)
        assert_checks(pair.ob["alice"], "alice")
        idle_procs = count_git(tmp, pair.command("alice"))
        pair.one_each_ob()
        merge_procs = count_git(tmp, pair.command("alice"))
        t = interleaved(
            {
                "ob idle": lambda: pair.sync("alice"),
                "git idle": pair.plain_ff,
                "ob merge": (pair.one_each_ob, lambda: pair.sync("alice")),
                "git merge": (pair.one_each_plain, pair.plain_merge),
            },
            args.runs,
        )
        lines.append(ratio_line("sync, nothing to do", t["ob idle"], t["git idle"], 3))
        lines.append(f"  git processes: {idle_procs} (goal <= 6)")
        lines.append(ratio_line("sync, one new note each side", t["ob merge"], t["git merge"], 3))
        lines.append(f"  git processes: {merge_procs} (goal <= 15)")
        if not args.no_encrypted:
            pair.go_encrypted(tmp / "keys")

            def plain(who: str = "alice") -> None:
                pair.sync(who, remote="origin")

            def crypt(who: str = "alice") -> None:
                pair.sync(who, remote="crypt")

            t = interleaved(
                {
                    "plain idle": plain,
                    "enc idle": crypt,
                    "plain merge": (pair.one_each_ob, plain),
                    "enc merge": (pair.one_each_encrypted, crypt),
                },
                args.runs,
            )
            idle, merge = t["enc idle"], t["enc merge"]
            lines.append(ratio_line("encrypted, nothing to do", idle, t["plain idle"], 2))
            lines.append(ratio_line("encrypted, one note each", merge, t["plain merge"], 2))
            lines.append("  (floors: the same sync through the plain remote)")
            year = year_of_bundles(tmp / "year", tmp / "keys")
            lines.append(f"fresh clone of a year of bundles (365): {year:.1f} s (goal < 10 s)")
        if args.arrive:
            one = interleaved({"one": (pair.one_from_bob, lambda: pair.sync("alice"))}, 3)["one"]
            pair.many_from_bob(args.arrive)
            fetched = git_fetch_alone(pair.ob["alice"], tmp / "fetch-alone")
            t0 = time.perf_counter()
            out = subprocess.run(pair.command("alice"), capture_output=True, text=True)
            many = [time.perf_counter() - t0]
            assert out.returncode == 0, out.stderr
            assert_checks(pair.ob["alice"], "alice")
            lines.append(ratio_line(f"{args.arrive:,} notes arriving in one sync", many, one, 10))
            lines.append(
                f"  git's own fetch of them, with the object checks openbook asks for: "
                f"{fetched:.1f} s, {fetched / min(one):.0f}x a one-note sync by itself; "
                f"the sync took {many[0] / fetched:.2f}x that fetch"
            )
        if args.small and args.big:
            sizes = {n: Pair(tmp / f"size-{n}", n) for n in (args.small, args.big)}
            for p in sizes.values():
                assert_checks(p.ob["alice"], "alice")
            cases = {f"{n}": (lambda p=p: p.sync("alice")) for n, p in sizes.items()}
            t = interleaved({**cases, "git": pair.plain_ff}, args.runs)
            small, big = t[str(args.small)], t[str(args.big)]
            lines.append(
                ratio_line(f"sync, nothing to do, {args.small:,} notes", small, t["git"], 3)
            )
            lines.append(ratio_line(f"sync, nothing to do, {args.big:,} notes", big, t["git"], 3))
            lines.append(
                ratio_line(f"  {args.big:,} against {args.small:,} notes", big, small, 1.3)
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
