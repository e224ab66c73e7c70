"""Benchmark `openbook check` on a realistic 10,000-note vault against the floor.

The vault (see _vault.py) has a real history: each note its own commit by its author,
consent and answers in the other partner's own commits, so `check` proves consent from
history; it exits 0 (asserted). The floor is a Python process that reads every note and
parses its frontmatter with libyaml. Cold: no caches under .git/openbook/; warm: the
next run. Interleaved runs; prints min and median ratios and the goals.

    python benchmarks/check.py [--notes 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vault import (
    FLOOR,
    assert_checks,
    bench_env,
    cached_vault,
    drop_caches,
    interleaved,
    openbook_cmd,
    quiet,
    ratio_line,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    bench_env(Path(tempfile.mkdtemp(prefix="openbook-bench-check-")))
    root = cached_vault("history", args.notes)
    assert_checks(root)
    check = [*openbook_cmd(), "--vault", str(root), "--as", "bob", "check"]
    floor = [sys.executable, "-c", FLOOR, str(root)]
    t = interleaved(
        {
            "floor": lambda: quiet(floor),
            "cold": (lambda: drop_caches(root), lambda: quiet(check)),
            "warm": (lambda: quiet(check), lambda: quiet(check)),
        },
        args.runs,
    )
    print(f"check benchmark, {args.notes:,} notes with a real history, {args.runs} runs")
    print(ratio_line("check, cold", t["cold"], t["floor"], 1.5))
    print(ratio_line("check, warm", t["warm"], t["floor"], 0.2))


if __name__ == "__main__":
    main()
