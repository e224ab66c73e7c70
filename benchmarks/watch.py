"""Benchmark openbook watch: save-to-commit overhead and memory over many commits.

    python benchmarks/watch.py [--notes 10000] [--saves 10] [--commits 30] [--quiet 0.5]

Runs in a copy of the realistic vault of _vault.py (`check` exits 0 on it, asserted).
1. Overhead: time from a save to its commit, minus the quiet period, median over
   `--saves` saves, each a new note written while watch runs (real inotify, real git).
   Floor, measured in the same vault: plain `git add` + `git commit` of one file.
   Goal: overhead <= 150 ms.
2. Memory: resident set size after 10 commits made by watch and after `--commits`
   commits (edits of 20 notes in rotation, so the vault does not grow).
   Target: growth under 10 MB.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def checkin(day: str, n: int) -> str:
    return (
        f"---\ntype: repair\nauthor: bob\ndate: {day}\nkind: rupture\nstatus: open\n"
        f"---\n\nSave {n}.\n"
    )


class Recorder:
    def __init__(self) -> None:
        self.done: dict[str, float] = {}
        self.commits = 0
        self.cv = threading.Condition()

    def __call__(self, event: dict[str, Any]) -> None:
        if event["event"] == "committed":
            with self.cv:
                self.done[event["path"]] = time.monotonic()
                self.commits += 1
                self.cv.notify_all()

    def wait_commits(self, n: int, limit: float = 60) -> None:
        with self.cv:
            if not self.cv.wait_for(lambda: self.commits >= n, timeout=limit):
                raise SystemExit(f"watch made {self.commits} of {n} commits in {limit}s")


def baseline_commit(root: Path, folder: Path) -> float:
    """Median time of a plain `git add` + `git commit` of one new note."""
    import subprocess

    base = []
    for n in range(20):
        rel = f"2025-01-{n + 1:02d}-bob-rotation.md"
        (folder / rel).write_text(checkin(f"2025-01-{n + 1:02d}", n))
        t0 = time.monotonic()
        for cmd in (["add", "--", rel], ["commit", "-q", "-m", "new", "--", rel]):
            subprocess.run(["git", *cmd], cwd=folder, check=True, env=PLAIN)
        base.append(time.monotonic() - t0)
    return statistics.median(base)


PLAIN = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bob Example",
    "GIT_AUTHOR_EMAIL": "bob@example.org",
    "GIT_COMMITTER_NAME": "Bob Example",
    "GIT_COMMITTER_EMAIL": "bob@example.org",
}


def save_latencies(root: Path, rec: Recorder, saves: int, quiet: float) -> list[float]:
    """Save to commit, minus the quiet period, for `saves` new notes one after another."""
    lat = []
    for n in range(saves):
        day = f"2026-{n // 28 + 1:02d}-{n % 28 + 1:02d}"
        rel = f"repairs/2026/{day}-bob-save-{n}.md"
        target = rec.commits + 1
        t0 = time.monotonic()
        (root / rel).write_text(checkin(day, n))
        rec.wait_commits(target)
        lat.append(rec.done[rel] - t0 - quiet)
        time.sleep(0.05)
    return lat


def memory_over(root: Path, rec: Recorder, commits: int) -> tuple[float, float, float]:
    """Edit 20 notes in rotation, 10 per burst: (RSS after 10, RSS after all, seconds)."""
    made = 0
    rotation = [f"repairs/2026/2025-01-{n + 1:02d}-bob-rotation.md" for n in range(20)]
    rss_10 = 0.0
    t0 = time.monotonic()
    while made < commits:
        start = rec.commits
        for k in range(10):
            rel = rotation[(made + k) % len(rotation)]
            (root / rel).write_text(checkin(rel[13:23], made + k) + f"Edit {made + k}.\n")
        rec.wait_commits(start + 10)
        made += 10
        if made == 10:
            gc.collect()
            rss_10 = rss_mb()
    elapsed = time.monotonic() - t0
    gc.collect()
    return rss_10, rss_mb(), elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--saves", type=int, default=10)
    ap.add_argument("--commits", type=int, default=30)
    ap.add_argument("--quiet", type=float, default=0.5)
    args = ap.parse_args()

    from openbook.vault import Vault
    from openbook.watch.loop import Watcher

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _vault import assert_checks, bench_env, cached_vault

    with tempfile.TemporaryDirectory(prefix="openbook-bench-watch-") as tmpname:
        tmp = Path(tmpname)
        bench_env(tmp)
        built = cached_vault("history", args.notes)
        assert_checks(built)
        root = tmp / "vault"
        shutil.copytree(built, root, symlinks=True)
        folder = root / "repairs" / "2026"
        folder.mkdir(parents=True, exist_ok=True)
        vault = Vault(root)
        baseline = baseline_commit(root, folder)

        rec = Recorder()
        watcher = Watcher(vault, "bob", quiet=args.quiet, emit=rec)
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        time.sleep(1.0)
        lat = save_latencies(root, rec, args.saves, args.quiet)
        watcher.quiet = 0.05
        rss_10, rss_n, elapsed = memory_over(root, rec, args.commits)
        stop.set()
        thread.join(10)

    overhead = statistics.median(lat)
    print(
        f"watch, save to commit (median of {args.saves} saves, quiet {args.quiet:g}s subtracted):"
    )
    held = "held" if overhead <= 0.150 else "MISSED"
    print(f"  overhead          {overhead * 1000:7.1f} ms   (goal <= 150 ms)  {held}")
    print(f"  p90 overhead      {sorted(lat)[int(len(lat) * 0.9) - 1] * 1000:7.1f} ms")
    print(f"  floor             {baseline * 1000:7.1f} ms   (plain git add + git commit)")
    print(f"  ratio             {overhead / baseline:7.2f} x baseline")
    print(f"memory, resident set size ({args.commits} commits in {elapsed:.1f}s):")
    print(f"  after 10 commits  {rss_10:7.1f} MB")
    print(f"  after {args.commits:<5d}      {rss_n:7.1f} MB")
    print(
        f"  growth            {rss_n - rss_10:7.1f} MB   (target < 10 MB)"
        f"   ratio {rss_n / rss_10:.3f}"
    )


if __name__ == "__main__":
    main()
