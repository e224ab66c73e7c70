"""The replay of consent to the words reads history in two light `git log`s (check/
terms.py) where it once listed every commit's changes. Whatever the shape of history
(branches and merges, the other partner's commits dated before their parents, equal
dates, accepts that change no file), it reads the very commits, in the very order, that
the whole listing gives. Real git: each history is written with plain `git fast-import`."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from testing import git

from openbook.check.terms import FOLDER, TERMS_TRAILER, _Commit, _log

EMAILS = ("alice@example.org", "bob@example.org")


def _history(root: Path, seed: int, commits: int = 40) -> None:
    """A random history of branches and merges, one ref per line of work, all merged into
    main at the end; dates out of order and equal on purpose."""
    rng = random.Random(seed)
    out: list[bytes] = []
    tips: list[int] = []
    mark = 0

    def emit(parents: list[int], files: list[str], message: str) -> int:
        nonlocal mark
        mark += 1
        who = rng.choice(EMAILS)
        when = 1_780_000_000 + rng.choice((0, 0, 60, 3600)) * rng.randint(-3, 30)
        body = message.encode()
        out.append(f"commit refs/heads/line{mark}\nmark :{mark}\n".encode())
        out.append(f"author {who} <{who}> {when} +0000\n".encode())
        out.append(f"committer {who} <{who}> {when} +0000\n".encode())
        out.append(f"data {len(body)}\n".encode() + body + b"\n")
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
        out.extend(f"merge :{p}\n".encode() for p in parents[1:])
        for path in files:
            text = f"---\ntype: agreement\nid: {path}\n---\n\n{rng.random()}\n".encode()
            out.append(f"M 100644 inline {path}\ndata {len(text)}\n".encode() + text + b"\n")
        return mark

    for n in range(commits):
        kind = rng.random()
        paths = rng.sample(
            [f"{FOLDER}A-00{i}.md" for i in range(4)] + ["checkins/c.md", "notes.txt"],
            rng.randint(0, 2),
        )
        if kind < 0.25 and len(tips) >= 2:
            a, b = rng.sample(tips, 2)
            tips = [t for t in tips if t not in (a, b)]
            tips.append(emit([a, b], paths if rng.random() < 0.3 else [], f"vault: merge {n}"))
            continue
        msg = f"agreement: change {n}"
        if kind < 0.45:  # an accept or decline naming words, perhaps of no file at all
            action = rng.choice(("accept", "decline"))
            msg = f"agreement: {action} A-00{n % 4}\n\nOpenbook-Action: {action}\n"
            msg += f"{TERMS_TRAILER}: {rng.choice(('d1', 'd2'))}\n"
            paths = paths if rng.random() < 0.5 else []
        parent = [rng.choice(tips)] if tips and rng.random() < 0.8 else []
        if parent and rng.random() < 0.6:
            tips.remove(parent[0])
        tips.append(emit(parent, paths or ["notes.txt"], msg))
    while len(tips) > 1:  # every line of work merged, as sync leaves it
        a, b = tips.pop(), tips.pop()
        tips.append(emit([a, b], [], "vault: merge"))
    out.append(f"reset refs/heads/main\nfrom :{tips[0]}\n".encode())
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(out), check=True)


def _whole_listing(root: Path, *revs: str) -> list[_Commit]:
    """What the replay read before: every commit but merges with all of its changes."""
    fmt = "%x1e%H%x1f%ae%x1f%ce%x1f%s%x1f%(trailers:key=Openbook-Action,key=Openbook-Terms,"
    fmt += "separator=%x1d)"
    args = ["log", "--no-merges", "--topo-order", "--reverse", "--no-renames", "-z"]
    raw = subprocess.run(
        ["git", *args, f"--format={fmt}", "--name-only", *revs],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # as git wrote it: its first separator is no space to strip
    out = []
    for record in raw.split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, author, committer, subject, trailers = head.strip("\0").split("\x1f")
        found = dict(t.split(": ", 1) for t in trailers.split("\x1d") if ": " in t)
        paths = tuple(p for p in names.strip("\n\0").split("\0") if p.startswith(FOLDER))
        action = found.get("Openbook-Action", "")
        terms = found.get(TERMS_TRAILER, "")
        if paths or (action in ("accept", "decline") and terms):
            out.append(_Commit(sha, author, committer, subject, action, terms, paths))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_the_replay_reads_what_the_whole_listing_gives(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "v"
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    _history(root, seed)
    merges = git(root, "rev-list", "--merges", "--count", "main")
    assert int(merges) > 0  # the walk is tried on merges, not only on a line
    want = _whole_listing(root, "main")
    assert any(not c.paths for c in want)  # an accept of no file is read as well
    assert _log(root, "main") == want
    # and the commits after an older commit, as a later run reads them
    line = git(root, "rev-list", "--first-parent", "main").split()
    older = line[len(line) // 2]
    assert _log(root, "main", older) == _whole_listing(root, "main", f"^{older}")
