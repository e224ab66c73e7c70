"""Benchmark openbook watch: save-to-commit overhead and memory over many commits.

    /tmp/v/bin/python benchmarks/watch.py [--saves 50] [--commits 1000] [--quiet 0.5]

1. Overhead: time from a save to its commit, minus the quiet period, median over
   `--saves` saves, each a new note written while watch runs (real inotify, real git).
   Baseline, measured in the same run: `commit_pending` of one note called directly,
   which is what `openbook commit` does. Target: overhead under 0.3 s.
2. Memory: resident set size after 10 commits made by watch and after `--commits`
   commits (edits of 20 notes in rotation, so the vault does not grow).
   Target: growth under 10 MB.
"""

from __future__ import annotations

import argparse
import gc
import os
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


def isolate(tmp: Path) -> None:
    home = tmp / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@openbook.invalid\n")
    os.environ.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
    )
    for var in ("OPENBOOK_VAULT", "OPENBOOK_PARTNER", "OPENBOOK_NOW"):
        os.environ.pop(var, None)


def checkin(day: str, n: int) -> str:
    return f"---\ntype: checkin\nauthor: bob\ndate: {day}\nmood: {n % 5 + 1}\n---\nSave {n}.\n"


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


def baseline_commit(vault: Any, folder: Path) -> float:
    """Median time of `commit_pending` of one note, as `openbook commit` does."""
    from openbook.record.pending import commit_pending

    base = []
    for n in range(20):
        (folder / f"2025-01-{n + 1:02d}-bob.md").write_text(checkin(f"2025-01-{n + 1:02d}", n))
        t0 = time.monotonic()
        commit_pending(vault, "bob")
        base.append(time.monotonic() - t0)
    return statistics.median(base)


def save_latencies(root: Path, rec: Recorder, saves: int, quiet: float) -> list[float]:
    """Save to commit, minus the quiet period, for `saves` new notes one after another."""
    lat = []
    for n in range(saves):
        day = f"2026-{n // 28 + 1:02d}-{n % 28 + 1:02d}"
        rel = f"checkins/2026/{day}-bob.md"
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
    rotation = [f"checkins/2026/2025-01-{n + 1:02d}-bob.md" for n in range(20)]
    rss_10 = 0.0
    t0 = time.monotonic()
    while made < commits:
        start = rec.commits
        for k in range(10):
            rel = rotation[(made + k) % len(rotation)]
            (root / rel).write_text(checkin(rel[14:24], made + k) + f"Edit {made + k}.\n")
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
    ap.add_argument("--saves", type=int, default=50)
    ap.add_argument("--commits", type=int, default=1000)
    ap.add_argument("--quiet", type=float, default=0.5)
    args = ap.parse_args()

    from openbook.start.setup import create_vault
    from openbook.vault import Vault
    from openbook.watch.loop import Watcher

    with tempfile.TemporaryDirectory(prefix="openbook-bench-watch-") as tmpname:
        tmp = Path(tmpname)
        isolate(tmp)
        root = create_vault(tmp / "vault", ["alice", "bob"], "bob", timezone="Europe/Berlin")
        folder = root / "checkins" / "2026"
        folder.mkdir(parents=True, exist_ok=True)
        vault = Vault(root)
        baseline = baseline_commit(vault, folder)

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
    print(f"  overhead          {overhead * 1000:7.1f} ms   (target < 300 ms)")
    print(f"  p90 overhead      {sorted(lat)[int(len(lat) * 0.9) - 1] * 1000:7.1f} ms")
    print(f"  baseline commit   {baseline * 1000:7.1f} ms   (commit_pending of one note)")
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
