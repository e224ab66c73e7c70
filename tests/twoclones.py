"""Two partners' clones around one bare remote, for the sync tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import Result
from conftest import git, invoke, make_vault, write

from openbook.sync.clone import clone

AGREEMENT = "agreements/A-001-no-private-contact.md"


def agreement_text(line: str, title: str = "No private contact") -> str:
    return (
        "---\ntype: agreement\nid: A-001\n"
        f"title: {title}\nstatus: proposed\nproposed_by: alice\n---\n\n"
        f"# {title}\n\n{line}\n"
    )


def checkin_text(author: str, day: str = "2026-11-24", mood: int = 4) -> str:
    return f"---\ntype: checkin\nauthor: {author}\ndate: {day}\nmood: {mood}\n---\n\nFeelings.\n"


# one path per note type, each a valid place for the note `valid_note` writes there
NOTE_PATHS = {
    "agreement": AGREEMENT,
    "checkin": "checkins/2026/2026-11-24-alice.md",
    "question": "questions/Q-0001.md",
    "plan-change": "plan-changes/2026/2026-11-24-1755-bob.md",
    "timeout": "timeouts/2026/2026-11-24-1940-alice.md",
    "repair": "repairs/2026/2026-11-20-missed-call.md",
    "meeting": "meetings/2026/2026-W48.md",
    "review": "reviews/2026-11.md",
}

_FIELDS = {
    "checkin": "author: alice\ndate: 2026-11-24\nmood: {m}\n",
    "question": "id: Q-0001\nasked_by: alice\nto: bob\nasked: 2026-11-24 19:{mm}\nstatus: open\n",
    "plan-change": (
        "author: bob\nsent: 2026-11-24 17:55\nplan_at: 2026-11-24 18:00\n"
        "was: Call at 18:00\nnow: Call at 19:{mm}\n"
    ),
    "timeout": "called_by: alice\ncalled: 2026-11-24 19:40\nreturn_by: 2026-11-24 20:{mm}\n",
    "repair": "author: alice\ndate: 2026-11-20\nkind: rupture\nstatus: open\n",
    "meeting": "date: 2026-11-24\nweek: 2026-W48\nparticipants: [alice, bob]\n",
    "review": "period: 2026-11\ndate: 2026-11-24\nparticipants: [alice, bob]\n",
}


def valid_note(note_type: str, line: str, n: int) -> str:
    """A note of `note_type` that passes `openbook check` at NOTE_PATHS[note_type]; `n`
    varies a field and `line` the body, so different calls write different contents."""
    if note_type == "agreement":
        return agreement_text(line)
    fields = _FIELDS[note_type].format(m=1 + n % 5, mm=f"{n % 60:02d}")
    return f"---\ntype: {note_type}\n{fields}---\n\n{line}\n"


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
