"""Two partners' clones around one bare remote, for the sync tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from conftest import git, invoke, make_vault, write

AGREEMENT = "agreements/A-001-no-private-contact.md"


def agreement_text(line: str, title: str = "No private contact") -> str:
    return (
        "---\ntype: agreement\nid: A-001\n"
        f"title: {title}\nstatus: proposed\nproposed_by: alice\n---\n\n"
        f"# {title}\n\n{line}\n"
    )


def checkin_text(author: str, day: str = "2026-11-24", mood: int = 4) -> str:
    return f"---\ntype: checkin\nauthor: {author}\ndate: {day}\nmood: {mood}\n---\n\nFeelings.\n"


@dataclass
class Pair:
    remote: Path
    alice: Path
    bob: Path

    def root(self, who: str) -> Path:
        return self.alice if who == "alice" else self.bob

    def sync(self, who: str, *args: str) -> Result:
        return invoke(["sync", *args], vault=self.root(who), as_partner=who)

    def write(self, who: str, rel: str, text: str) -> Path:
        return write(self.root(who), rel, text)

    def head(self, who: str) -> str:
        return git(self.root(who), "rev-parse", "HEAD")

    def remote_head(self) -> str:
        return git(self.remote, "rev-parse", "refs/heads/main")


def bare_remote(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "--bare", "-b", "main")
    return path


def make_pair(tmp: Path, url: str | None = None) -> Pair:
    """Bob creates the vault and pushes it; Alice clones it. `url` is how both reach the
    remote (default: the bare repository's path)."""
    from openbook.sync.clone import clone

    remote = bare_remote(tmp / "remote.git")
    bob = make_vault(tmp / "bob", "bob")
    git(bob, "remote", "add", "origin", url or str(remote))
    res = invoke(["sync"], vault=bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    alice = clone(url or str(remote), tmp / "alice", "alice")
    return Pair(remote, alice, bob)


def files_in_history(root: Path) -> set[str]:
    """Every blob content ever committed on any ref, as text."""
    out: set[str] = set()
    listing = git(root, "rev-list", "--objects", "--all")
    for line in listing.splitlines():
        parts = line.split(" ", 1)
        if len(parts) == 2 and parts[1].endswith(".md"):
            out.add(git(root, "cat-file", "-p", parts[0]))
    return out
