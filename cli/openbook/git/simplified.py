"""When git's history of one path at a newer commit is the one at an older commit.

`git log -- PATH` (without `--full-history`, and without `--diff-merges`, which makes
git walk every side of a merge) simplifies history: a commit whose PATH is the same as
its first parent's is not shown, and the walk follows that parent alone, a merge's too.
So when the older commit is reached from the newer one by first parents, none of them
changing PATH from its first parent, both list the very same commits in the very same
order: whatever was read from that listing at the older commit still stands.
"""

from __future__ import annotations

from pathlib import Path

from openbook.git.repo import run

FEW = 200  # past this many commits since, a reader reads its listing again anyway


def listing_stands(root: Path, old: str, new: str, path: str) -> bool:
    """Whether git's history of `path` (a file, or a folder and all under it) at `new` is
    the one at `old` (see the module's docstring); False when git cannot say, or more
    than `FEW` commits came since."""
    if old == new:
        return True
    args = ["log", "--first-parent", "--diff-merges=first-parent", "-z", "--no-renames"]
    args += ["--format=%x1e%H %P", "--name-only", f"--max-count={FEW + 1}"]
    done = run(root, [*args, "--end-of-options", new, f"^{old}"], check=False, strip=False)
    records = done.stdout.split("\x1e")[1:]
    if done.status != 0 or not records or len(records) > FEW:
        return False
    expect = new
    for record in records:
        line, _, files = record.partition("\0")
        shas = line.split()
        if len(shas) < 2 or shas[0] != expect:
            return False  # off the line of first parents
        if any(f == path or f.startswith(path + "/") for f in files.lstrip("\n").split("\0")):
            return False  # a change of `path` from the first parent
        expect = shas[1]
    return expect == old
