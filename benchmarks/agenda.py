"""Agenda on a generated 10,000-note vault, cold and warm, against a floor.

The floor is a Python process that reads every note and parses its frontmatter with
yaml.CSafeLoader (nothing else). Cold is the first `openbook agenda` (no cache under
.git/openbook/); warm is the next one. Each is a fresh process. Prints ratios.

    python benchmarks/agenda.py [--notes 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _vault import CONFIG, FLOOR


def generate(root: Path, count: int) -> None:
    rng = random.Random(7)
    (root / "openbook.yml").write_text(CONFIG)
    (root / "language.md").write_text("---\ntype: language\ntimeout_word: pineapple\n---\n")
    start = date(2026, 11, 24) - timedelta(days=count // 3)
    made = 0
    day = start
    qn = 0
    while made < count - 1:
        for who in ("bob", "alice"):
            path = root / f"checkins/{day.year}/{day.isoformat()}-{who}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f"---\ntype: checkin\nauthor: {who}\ndate: {day.isoformat()}\n"
                f'time: "{rng.randint(18, 22)}:{rng.randint(0, 59):02d}"\nmood: '
                f"{rng.randint(1, 5)}\nconnection: {rng.randint(1, 5)}\non_track: yes\n"
                "discuss: []\n---\n## Feelings\n\nOk.\n\n## Appreciation\n\nThe tea.\n"
            )
            made += 1
        qn += 1
        if qn < 10000:
            q = root / f"questions/Q-{qn:04d}.md"
            q.parent.mkdir(parents=True, exist_ok=True)
            q.write_text(
                f"---\ntype: question\nid: Q-{qn:04d}\nasked_by: alice\nto: bob\n"
                f"asked: {day.isoformat()} 10:00\nstatus: answered\n"
                f"answered: {day.isoformat()} 18:00\n---\nA question.\n"
            )
            made += 1
        day += timedelta(days=1)
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    openbook = shutil.which("openbook", path=os.path.dirname(sys.executable)) or "openbook"
    env = dict(os.environ, OPENBOOK_NOW="2026-11-24T20:30:00+01:00")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        root.mkdir()
        generate(root, args.notes)
        floor_script = Path(tmp) / "floor.py"
        floor_script.write_text(FLOOR)
        floor = min(
            timed([sys.executable, str(floor_script), str(root)], env) for _ in range(args.runs)
        )
        cmd = [openbook, "--vault", str(root), "agenda"]
        colds, warms = [], []
        for _ in range(args.runs):
            shutil.rmtree(root / ".git" / "openbook", ignore_errors=True)
            colds.append(timed(cmd, env))
            warms.append(min(timed(cmd, env) for _ in range(2)))
        cold, warm = min(colds), min(warms)
        html = min(timed([*cmd, "--format", "html"], env) for _ in range(args.runs))
        notes = sum(1 for _ in root.rglob("*.md"))
        print(f"notes: {notes}")
        print(f"floor (read + CSafeLoader): {floor:.3f} s")
        print(f"agenda cold:  {cold:.3f} s  = {cold / floor:.2f} x floor")
        print(f"agenda warm:  {warm:.3f} s  = {warm / floor:.2f} x floor  (target <= 0.5)")
        print(f"agenda html warm: {html:.3f} s  = {html / floor:.2f} x floor")


if __name__ == "__main__":
    main()
