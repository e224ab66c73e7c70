"""Generate a large, valid vault for benchmarks (shared by the benchmark scripts)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

CONFIG = """version: 1
timezone: Europe/Berlin
partners:
  alice: {name: Alice Example, email: alice@example.org}
  bob: {name: Bob Example, email: bob@example.org}
checkins:
  bob: {every: day, by: "21:00"}
  alice: {every: week, on: sunday, by: "20:00"}
questions: {answer_within: 48h}
meeting: {on: sunday, at: "19:00", minutes: 60}
timeouts: {min: 20m, max: 24h}
"""

FLOOR = r"""
import os, sys, yaml
root = sys.argv[1]
n = 0
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as fh:
                text = fh.read().decode("utf-8")
            head = text.split("---\n", 2)[1]
            yaml.load(head, Loader=yaml.CSafeLoader)
            n += 1
print(n)
"""


BODY = """
## Feelings

Tired but steady. The walk after dinner helped.

## Appreciation

Thank you for making space for me to talk on Tuesday.

## Needs

A quiet evening together this week.

## Ownership

I was short with you on the phone; that was mine.

## Struggles and self-care

Sleep was patchy. I went for a run.
"""


def make_vault(root: Path, notes: int = 10_000, git: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "openbook.yml").write_text(CONFIG)
    (root / "language.md").write_text("---\ntype: language\ntimeout_word: pause\n---\n")
    start = dt.date(2000, 1, 1)
    agreements = 20
    for i in range(1, agreements + 1):
        path = root / f"agreements/A-{i:03d}-rule-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\ntype: agreement\nid: A-{i:03d}\ntitle: Rule {i}\nstatus: active\n"
            f"proposed_by: bob\naccepted_by: [alice, bob]\nsince: 2000-01-01\n"
            f"review_every: 30d\nnext_review: 2030-01-01\n---\n\n## Why this matters\n\nText.\n"
        )
    made = agreements + 1
    i = 0
    while made < notes:
        day = start + dt.timedelta(days=i // 2)
        who = "bob" if i % 2 == 0 else "alice"
        path = root / f"checkins/{day.year}/{day.isoformat()}-{who}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f'---\ntype: checkin\nauthor: {who}\ndate: {day.isoformat()}\ntime: "20:{i % 60:02d}"\n'
            f"mood: {1 + i % 5}\nconnection: {1 + (i // 3) % 5}\non_track: yes\ncontact: none\n"
            f"kept: {{A-001: yes, A-002: partly}}\ntags: [week]\n---\n{BODY}"
        )
        made += 1
        i += 1
    if git:
        env_id = ["-c", "user.name=Bench", "-c", "user.email=bench@openbook.invalid"]
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        subprocess.run(["git", "config", "openbook.partner", "bob"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", *env_id, "commit", "-q", "-m", "bench vault"], cwd=root, check=True)
    return root
