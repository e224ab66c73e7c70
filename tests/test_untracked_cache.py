"""openbook asks `git status` with git's cache of untracked folders (issue 25: a vault of
many notes is not read whole at each sync). What it lists is what git lists without the
cache, through the ways editors and partners make, rename and remove notes, each checked
at once after the last (folder times within the same second). Real git, a real vault."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from testing import make_pair, write

from openbook.git import repo as gitrepo


def _listed(root: Path) -> list[tuple[str, str]]:
    return sorted((c.code, c.path) for c in gitrepo.status(root))


def _without_cache(root: Path) -> list[tuple[str, str]]:
    args = ["-c", "core.untrackedCache=false", "status", "--porcelain=v1", "-z", "-uall"]
    raw = subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout
    return sorted((i[:2], i[3:]) for i in raw.decode().split("\0") if len(i) > 3)


def test_status_with_the_cache_lists_what_git_lists_without_it(vault: Path) -> None:
    steps = [
        lambda: write(vault, "repairs/2026/2026-11-24-alice.md", "---\ntype: repair\n---\n"),
        lambda: write(vault, "repairs/2026/2026-11-25-alice.md", "---\ntype: repair\n---\n"),
        lambda: write(vault, "questions/deep/new/Q-0009.md", "---\ntype: question\n---\n"),
        lambda: write(vault, "repairs/2026/.2026-11-25-alice.md.swp", "swap"),
        lambda: os.replace(
            vault / "repairs/2026/.2026-11-25-alice.md.swp",
            vault / "repairs/2026/2026-11-25-alice.md",
        ),  # an editor's save: a temporary file renamed over the note
        lambda: (vault / "repairs/2026/2026-11-24-alice.md").unlink(),
        lambda: write(vault, ".git/info/exclude", "questions/deep/\n"),
        lambda: write(vault, ".git/info/exclude", ""),
        lambda: write(vault, "checkins/2026/2026-11-24-bob.md", "changed\n"),
    ]
    assert _listed(vault) == _without_cache(vault)
    for step in steps:
        step()
        assert _listed(vault) == _without_cache(vault), step


def test_a_quiet_sync_keeps_the_cache_for_the_syncs_with_nothing_to_do(tmp_path: Path) -> None:
    """Only the quiet full sync writes the index (openbook's other `git status` take no
    lock); from then on a sync with nothing to do reads the cache and says the same."""
    pair = make_pair(tmp_path)
    alice = pair.alice
    assert b"UNTR" not in (alice / ".git" / "index").read_bytes()
    first = pair.sync("alice")
    assert first.exit_code == 0, first.stderr
    assert b"UNTR" in (alice / ".git" / "index").read_bytes()
    again = pair.sync("alice")
    assert (again.exit_code, again.stdout) == (0, first.stdout)
    write(alice, "repairs/2026/2026-11-24-alice.md", "---\ntype: repair\n---\n")
    assert _listed(alice) == _without_cache(alice) != []
