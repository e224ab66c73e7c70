"""git's commit-graph file in a vault: a clone writes it and each sync's fetch adds what it
brought, so that walks of the whole history (consent replayed in history's order, pauses,
the trust walk) read commits from it. It changes no answer: what a walk lists, and so
every replay, is the same with the file and without it. Two clones; Bob acts with plain
git, with commit dates out of order as a careless or hostile clock writes them."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from testing import Pair, agreement_text, clone, git, invoke, make_pair, write
from testing.plain import commit, identity, push

from openbook.check.claims import claim_events
from openbook.check.held_pauses import _replay
from openbook.check.terms import replay
from openbook.vault import Vault

AGREEMENT = "agreements/A-001-no-private-contact.md"


def graph_commits(root: Path) -> set[str]:
    """Every commit id the clone's commit-graph files hold (one file or a chain of layers;
    the format of git's Documentation/gitformat-commit-graph)."""
    info = root / ".git" / "objects" / "info"
    files = [info / "commit-graph"] if (info / "commit-graph").is_file() else []
    chain = info / "commit-graphs" / "commit-graph-chain"
    if chain.is_file():
        files += [chain.parent / f"graph-{h}.graph" for h in chain.read_text().split()]
    found: set[str] = set()
    for path in files:
        data = path.read_bytes()
        assert data[:4] == b"CGPH" and data[5] == 1  # SHA-1 ids
        chunks = {}
        for n in range(data[6] + 1):
            at = 8 + 12 * n
            chunks[data[at : at + 4]] = struct.unpack(">Q", data[at + 4 : at + 12])[0]
        fanout = chunks[b"OIDF"]
        count = struct.unpack(">I", data[fanout + 1020 : fanout + 1024])[0]
        ids = chunks[b"OIDL"]
        found |= {data[ids + 20 * i : ids + 20 * (i + 1)].hex() for i in range(count)}
    return found


def history(root: Path) -> set[str]:
    return set(git(root, "rev-list", "--all").split())


def test_a_clone_holds_its_whole_history_in_the_graph(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    assert history(pair.alice) <= graph_commits(pair.alice)


def test_a_sync_adds_the_partners_plain_git_commits_to_the_graph(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    git(pair.bob, "pull", "-q", "--no-rebase", "origin", "main")
    write(pair.bob, "repairs/2026/2026-11-22-bob-r1.md", repair("bob"))
    bobs = commit(pair.bob, "bob", "repair")
    push(pair.bob)
    assert bobs not in graph_commits(pair.alice)
    assert pair.sync("alice").exit_code == 0
    assert bobs in graph_commits(pair.alice)
    assert git(pair.alice, "commit-graph", "verify") == ""


def _skewed_history(pair: Pair) -> None:
    """Alice proposes; Bob accepts in a commit dated years back and adds a repair in one
    dated years ahead; Alice commits a repair of her own and her sync merges his line."""
    alice, bob = pair.alice, pair.bob
    write(alice, AGREEMENT, agreement_text("No calls after ten.", accepted_by=["alice"]))
    commit(alice, "alice", "propose")
    push(alice)
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    accepted = agreement_text("No calls after ten.", status="active", accepted_by=["alice", "bob"])
    for when, (path, text) in (
        ("2020-01-01T10:00:00+01:00", (AGREEMENT, accepted)),
        ("2031-01-01T10:00:00+01:00", ("repairs/2026/2026-11-23-bob-r2.md", repair("bob"))),
    ):
        write(bob, path, text)
        env = {**identity(bob, "bob"), "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        git(bob, "add", "-A")
        git(bob, "commit", "-q", "--no-verify", "-m", "bob", env=env)
    push(bob)
    write(alice, "repairs/2026/2026-11-22-alice-r1.md", repair("alice"))
    commit(alice, "alice", "repair")
    assert pair.sync("alice").exit_code == 0


def repair(who: str) -> str:
    fields = f"author: {who}\ndate: 2026-11-22\nkind: rupture\nstatus: open\n"
    return f"---\ntype: repair\n{fields}---\n\nx\n"


def _answers(root: Path) -> tuple[object, object, object]:
    vault, head = Vault(root), git(root, "rev-parse", "HEAD")
    emails = {p.email.lower(): pid for pid, p in vault.config.partners.items()}
    return replay(vault, head), claim_events(root, None, head), _replay(vault, emails, head)


def test_every_replay_is_the_same_without_the_graph(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    _skewed_history(pair)
    alice = pair.alice
    assert history(alice) <= graph_commits(alice) | {git(alice, "rev-parse", "HEAD")}
    with_graph = _answers(alice)
    info = alice / ".git" / "objects" / "info"
    (info / "commit-graph").unlink(missing_ok=True)
    shutil.rmtree(info / "commit-graphs", ignore_errors=True)
    assert not graph_commits(alice)
    assert _answers(alice) == with_graph


def test_a_clone_that_reads_no_graph_checks_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    _skewed_history(pair)
    said = []
    for name, graph in (("with", "true"), ("without", "false")):
        monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
        monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.commitGraph")
        monkeypatch.setenv("GIT_CONFIG_VALUE_0", graph)
        root = clone(str(pair.remote), tmp_path / name, "alice")
        checked = invoke(["check", "--json"], vault=root, as_partner="alice")
        said.append((checked.exit_code, checked.stdout.replace(str(root), "VAULT")))
    assert said[0] == said[1]
    assert said[0][0] == 0, said[0][1]  # Bob's consent, dated years back, is proven


FAR = "@17179870000 +0000"  # past 2**34 seconds: a date commit-graph files cannot hold


def _far_dated(pair: Pair) -> str:
    """Bob, with plain git, commits a repair dated in the year 2514 and a second one on
    top, dated now, and pushes both."""
    bob = pair.bob
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    write(bob, "repairs/2026/2026-11-23-bob-r2.md", repair("bob"))
    env = {**identity(bob, "bob"), "GIT_AUTHOR_DATE": FAR, "GIT_COMMITTER_DATE": FAR}
    git(bob, "add", "-A")
    git(bob, "commit", "-q", "--no-verify", "-m", "far", env=env)
    far = git(bob, "rev-parse", "HEAD")
    write(bob, "repairs/2026/2026-11-23-bob-r3.md", repair("bob"))
    commit(bob, "bob", "after")
    push(bob)
    return far


def _walks_exact(root: Path) -> None:
    assert git(root, "config", "core.commitGraph") == "false"
    for walk in (["--reverse"], ["--topo-order", "--reverse", "--no-merges"]):
        plain = git(root, "-c", "core.commitGraph=false", "rev-list", *walk, "HEAD")
        assert git(root, "rev-list", *walk, "HEAD") == plain


def test_a_commit_dated_past_the_graphs_dates_stops_git_reading_them(tmp_path: Path) -> None:
    """Bob's commit dated 2514 arrives in Alice's sync: git's fetch writes it into her
    graph with a date it cannot hold, so from then on her clone reads no graph and orders
    history as the commits say; a clone of that history does so from the start."""
    pair = make_pair(tmp_path)
    far = _far_dated(pair)
    assert git(pair.alice, "config", "--default", "", "core.commitGraph") == ""
    write(pair.alice, "repairs/2026/2026-11-22-alice-r1.md", repair("alice"))
    commit(pair.alice, "alice", "repair")
    assert pair.sync("alice").exit_code == 0
    assert far in graph_commits(pair.alice)  # written by the fetch, no longer read
    _walks_exact(pair.alice)
    again = clone(str(pair.remote), tmp_path / "again", "alice")
    _walks_exact(again)


def test_a_far_dated_commit_of_ones_own_is_seen_when_history_is_first_read(
    tmp_path: Path,
) -> None:
    """Bob's own clone, where he made the commit with plain git: openbook's first reading
    of his history stops git reading any graph there too."""
    pair = make_pair(tmp_path)
    _far_dated(pair)
    git(pair.bob, "commit-graph", "write", "--reachable")
    assert invoke(["status"], vault=pair.bob, as_partner="bob").exit_code == 0
    _walks_exact(pair.bob)


@pytest.mark.parametrize("hours", [0, 2])
def test_a_graph_left_locked_by_a_killed_fetch_never_stops_a_sync(
    tmp_path: Path, hours: int
) -> None:
    """A fetch killed while it wrote the graph leaves its lock: git's next fetch dies on
    it after fetching. The sync fetches again without writing the graph; a lock hours old
    is taken away, and the next sync's fetch writes the graph again."""
    import os
    import time

    pair = make_pair(tmp_path)
    lock = pair.alice / ".git/objects/info/commit-graphs/commit-graph-chain.lock"
    lock.write_text("")
    os.utime(lock, (time.time() - hours * 3600,) * 2)
    git(pair.bob, "pull", "-q", "--no-rebase", "origin", "main")
    firsts = []
    for n in (1, 2):
        write(pair.bob, f"repairs/2026/2026-11-2{n}-bob-r{n}.md", repair("bob"))
        firsts.append(commit(pair.bob, "bob", "repair"))
        push(pair.bob)
        done = pair.sync("alice")
        assert done.exit_code == 0, done.stderr
        assert pair.head("alice") == firsts[-1]
    assert lock.exists() == (hours == 0)
    assert (firsts[0] in graph_commits(pair.alice)) == (hours > 0)
