"""Benchmark `openbook agenda` and `openbook status` on a realistic vault, cold and warm,
and the peak memory of a cold agenda on a 50,000-note vault.

The vaults (see _vault.py) pass `check` (asserted). The floor is a Python process that
reads every note and parses its frontmatter with libyaml. Cold: no caches under
.git/openbook/; warm: the next run. Interleaved runs; prints min and median ratios.

    python benchmarks/agenda.py [--notes 10000] [--runs 5] [--big 50000]  (0 skips it)
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
    peak_rss,
    quiet,
    ratio_line,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big", type=int, default=50_000)
    args = ap.parse_args()
    bench_env(Path(tempfile.mkdtemp(prefix="openbook-bench-agenda-")))
    root = cached_vault("history", args.notes)
    assert_checks(root)
    base = [*openbook_cmd(), "--vault", str(root), "--as", "bob"]
    floor = [sys.executable, "-c", FLOOR, str(root)]

    def cold(name: str) -> tuple[object, object]:
        return (lambda: drop_caches(root), lambda: quiet([*base, name]))

    def warm(name: str) -> tuple[object, object]:
        return (lambda: quiet([*base, name]), lambda: quiet([*base, name]))

    t = interleaved(
        {
            "floor": lambda: quiet(floor),
            "agenda cold": cold("agenda"),
            "agenda warm": warm("agenda"),
            "status cold": cold("status"),
            "status warm": warm("status"),
        },
        args.runs,
    )
    print(f"agenda/status benchmark, {args.notes:,} notes with a real history, {args.runs} runs")
    for name in ("agenda", "status"):
        print(ratio_line(f"{name}, cold", t[f"{name} cold"], t["floor"], 1.3))
        print(ratio_line(f"{name}, warm", t[f"{name} warm"], t["floor"], 0.3))
    if args.big:
        big = cached_vault("history", args.big)
        assert_checks(big)
        drop_caches(big)
        _, rss = peak_rss([*openbook_cmd(), "--vault", str(big), "--as", "bob", "agenda"])
        held = "held" if rss / 1024 <= 150 else "MISSED"
        print(
            f"peak memory, cold agenda at {args.big:,} notes: {rss / 1024:.0f} MiB "
            f"(goal <= 150 MiB)  {held}"
        )


if __name__ == "__main__":
    main()
