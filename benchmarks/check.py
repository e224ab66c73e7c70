"""Benchmark `openbook check` on a 10,000-note vault against the floor.

The floor is a Python process that reads every note and parses its frontmatter with
libyaml. Prints ratios measured in the same run; asserts nothing.

    python benchmarks/check.py [--notes 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vault import FLOOR, make_vault


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss


def best(cmd: list[str], repeat: int, before: object = None) -> tuple[float, int]:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(timed(cmd))
    return min(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    py = sys.executable
    openbook = [py, "-c", "from openbook.cli import main; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        root = make_vault(Path(tmp) / "vault", args.notes)
        cache = root / ".git" / "openbook"

        def drop_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        floor, _ = best([py, "-c", FLOOR, str(root)], args.repeat)
        cold, cold_rss = best([*openbook, "--vault", str(root), "check"], args.repeat, drop_cache)
        timed([*openbook, "--vault", str(root), "check"])
        warm, warm_rss = best([*openbook, "--vault", str(root), "check"], args.repeat)
        click_t, _ = best([py, "-c", "import click"], args.repeat * 3)
        help_t, _ = best([*openbook, "--help"], args.repeat * 3)
    print(f"notes: {args.notes}")
    print(f"floor (read + libyaml parse): {floor:.3f} s")
    print(
        f"check cold: {cold:.3f} s = {cold / floor:.2f}x floor (target <= 1.5x), "
        f"peak {cold_rss / 1024:.0f} MB (target < 150 MB)"
    )
    print(
        f"check warm: {warm:.3f} s = {warm / floor:.2f}x floor (target <= 0.35x), "
        f"peak {warm_rss / 1024:.0f} MB"
    )
    print(
        f"--help: {help_t:.3f} s = {help_t / click_t:.2f}x `import click` "
        f"({click_t:.3f} s) (target <= 2x)"
    )


if __name__ == "__main__":
    main()
