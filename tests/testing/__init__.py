"""Helpers the tests import: run the CLI, build vaults from {path: text}, write notes, read git.

Fixtures (isolated HOME, pinned time, `vault`, `run`) live in tests/conftest.py; everything a
test calls by name lives here. pytest puts tests/ on sys.path (as it does for conftest), so
test modules say `from testing import invoke, build_vault`.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from openbook.cli import cli
from openbook.config import load_config
from openbook.start.setup import create_vault
from openbook.sync.clone import clone

NOW = "2026-11-24T20:30:00+01:00"
# when make_vault's first commit is made: a Monday three weeks before NOW, so that the
# vault exists at the pinned "now" and counting never depends on the real clock
VAULT_CREATED = "2026-11-02T09:00:00+01:00"
SETUP_TIME = "2026-11-02T09:30:00+01:00"  # build_vault's commits, unless told otherwise
ALICE = "alice:Alice Example <alice@example.org>"
BOB = "bob:Bob Example <bob@example.org>"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "example-vault"
AGREEMENT = "agreements/A-001-no-private-contact.md"


# ------------------------------------------------------------------ the command line


def invoke(
    args: list[str],
    *,
    vault: Path | None = None,
    as_partner: str | None = None,
    input: str | None = None,
    env: dict[str, str] | None = None,
) -> Result:
    """Run the CLI in-process; stdout and stderr are kept apart.

    A command may end only by returning or by exiting with a code (SystemExit). Any other
    exception is a bug a user would see as a traceback, so it fails the test here, chained to
    that exception so pytest shows its traceback."""
    full: list[str] = []
    if vault is not None:
        full += ["--vault", str(vault)]
    if as_partner is not None:
        full += ["--as", as_partner]
    full += args
    result = CliRunner().invoke(
        cli, full, input=input, env=env, catch_exceptions=True, prog_name="openbook"
    )
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        # chained, so pytest shows the exception's own traceback above this failure
        raise AssertionError(
            f"openbook {' '.join(full)} raised {type(exc).__name__}: {exc} (a user would see "
            f"a traceback)\nstdout: {result.stdout!r}\nstderr: {result.stderr!r}"
        ) from exc
    return result


# ------------------------------------------------------------------ files and git


def git(cwd: Path, *args: str, check: bool = True, env: Mapping[str, str] | None = None) -> str:
    """Run git in `cwd` and return its stdout, stripped. `env` is added to the environment."""
    full_env = {**os.environ, **env} if env else None
    res = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env=full_env
    )
    if check and res.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {res.stderr}")
    return res.stdout.strip()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Write `text` (str as UTF-8, or bytes as they are) at root/rel, making folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def undated(text: str) -> str:
    """`text` with the day in "proposed new settings on Fri 27 Nov:" written as DAY, for
    proposals committed at the real time."""
    return re.sub(
        r"((?:proposed new settings|both of your changes) on )[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}:",
        r"\1DAY:",
        text,
    )


def subjects(root: Path) -> list[str]:
    """Commit subjects, newest first."""
    return git(root, "log", "--format=%s").splitlines()


def trailers(root: Path, rev: str = "HEAD") -> dict[str, str]:
    """The trailers of one commit as a dict (Openbook-Action, Openbook-Partner, ...)."""
    text = git(root, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


# ------------------------------------------------------------------ vaults


# the schedules make_vault gives both partners; `openbook init` writes none (SPEC section
# 10), a test vault starts with these in its first version, in force from the start: the
# joining partner accepts the first version at once (nothing binds before they do)
DAILY = {"every": "day", "by": "21:00"}
SCHEDULES = {"alice": DAILY, "bob": DAILY}


def make_vault(
    path: Path,
    me: str = "bob",
    *,
    when: str = VAULT_CREATED,
    checkins: Mapping[str, Mapping[str, str]] | None = SCHEDULES,
    joined: bool = True,
) -> Path:
    """A fresh vault of Alice and Bob in Europe/Berlin, acting as `me`, made at `when` (ISO
    8601): its first commit, and the other partner's acceptance of its settings at the
    same moment (`joined=False`: not yet, as `openbook init` leaves it). Both check in
    every day by 21:00 from then (`checkins=None`: no schedule, as `init` makes it)."""
    before = os.environ.get("OPENBOOK_COMMIT_DATE")
    os.environ["OPENBOOK_COMMIT_DATE"] = when
    try:
        root = create_vault(path, [ALICE, BOB], me, timezone="Europe/Berlin", checkins=checkins)
        if joined:
            from testing.consent import accept_settings

            other = "alice" if me == "bob" else "bob"
            accept_settings(root, other, when)
        return root
    finally:
        if before is None:
            del os.environ["OPENBOOK_COMMIT_DATE"]
        else:
            os.environ["OPENBOOK_COMMIT_DATE"] = before


def build_vault(
    root: Path,
    files: Mapping[str, str | bytes],
    *,
    me: str = "bob",
    as_partner: str | None = None,
    when: str | None = None,
    message: str = "setup",
    accepted: bool = True,
) -> Path:
    """Write `files` ({path: text}) into the vault at `root` and commit exactly them, in one
    plain git commit (no openbook trailers, no hooks). Makes the vault first (acting as `me`)
    unless `root` already holds one, so calls can be repeated to build up a history.

    `as_partner` authors and commits as that partner of openbook.yml (else the pinned test
    identity); `when` (ISO 8601) sets GIT_AUTHOR_DATE and GIT_COMMITTER_DATE, by default
    SETUP_TIME: after the vault began and before the pinned now, so what a test sets up
    is in force for the days it counts. A new openbook.yml or template (the binding terms)
    is accepted by both partners at the same moment (`accept_settings`), unless
    `accepted=False` leaves it a proposal."""
    if not (root / "openbook.yml").is_file():
        make_vault(root, me)
    for rel, text in files.items():
        write(root, rel, text)
    if not files:
        return root
    env: dict[str, str] = {}
    if as_partner is not None:
        partner = load_config(root).partners[as_partner]
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"] = partner.name
            env[f"GIT_{role}_EMAIL"] = partner.email
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when or SETUP_TIME
    paths = list(files)
    if as_partner is None:
        from testing.consent import author_steps, consent_steps

        author_steps(root, files, env)
        consent_steps(root, files, env)
    git(root, "add", "--", *paths)
    if git(root, "diff", "--cached", "--name-only", "HEAD", "--", *paths, check=False):
        git(root, "commit", "-q", "--no-verify", "-m", message, "--", *paths, env=env)
    terms = any(p == "openbook.yml" or p.startswith(".openbook/templates/") for p in files)
    if accepted and terms:
        for pid in load_config(root).partners:
            from testing.consent import accept_settings

            accept_settings(root, pid, when or SETUP_TIME)
    return root


# ------------------------------------------------------------------ note text


def checkin_path(author: str = "bob", day: str = "2026-11-24") -> str:
    return f"checkins/{day[:4]}/{day}-{author}.md"


def checkin_text(
    author: str = "bob",
    day: str = "2026-11-24",
    mood: int | None = 4,
    *,
    time: str | None = None,
    extra: str = "",
    body: str = "Feelings.",
) -> str:
    """A check-in note. `mood=None` and `time=None` leave those keys out; `extra` is raw YAML
    lines put before the closing fence; `body=""` leaves the body out."""
    head = f"---\ntype: checkin\nauthor: {author}\ndate: {day}\n"
    if time is not None:
        head += f'time: "{time}"\n'
    if mood is not None:
        head += f"mood: {mood}\n"
    return head + extra + "---\n" + (f"\n{body}\n" if body else "")


def question_text(
    qid: str = "Q-0001",
    *,
    asked_by: str = "alice",
    to: str = "bob",
    asked: str = "2026-11-20 10:00",
    status: str = "open",
    extra: str = "",
    body: str = "Where were you?",
) -> str:
    """A question note; `extra` is raw YAML lines before the closing fence."""
    return (
        f"---\ntype: question\nid: {qid}\nasked_by: {asked_by}\nto: {to}\n"
        f"asked: {asked}\nstatus: {status}\n{extra}---\n" + (f"{body}\n" if body else "")
    )


def agreement_text(
    line: str = "",
    title: str = "No private contact",
    *,
    aid: str = "A-001",
    status: str = "proposed",
    proposed_by: str = "alice",
    accepted_by: Sequence[str] | None = None,
    extra: str = "",
) -> str:
    """An agreement note whose body is a heading and `line`. `accepted_by=None` leaves the key
    out; `extra` is raw YAML lines before the closing fence."""
    accepted = "" if accepted_by is None else f"accepted_by: [{', '.join(accepted_by)}]\n"
    return (
        f"---\ntype: agreement\nid: {aid}\ntitle: {title}\nstatus: {status}\n"
        f"proposed_by: {proposed_by}\n{accepted}{extra}---\n\n# {title}\n\n{line}\n"
    )


# ------------------------------------------------------------------ two partners, one remote


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
    """Alice's and Bob's clones around one bare remote."""

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


def quiet_pair(tmp: Path) -> Pair:
    """A pair in which Alice's last sync was a full one with nothing more to say: her next
    sync with nothing to do is answered early (commands/fast.py)."""
    made = make_pair(tmp)
    assert made.sync("alice").exit_code == 0
    assert made.sync("alice").exit_code == 0
    return made


def small_repo(tmp: Path) -> Path:
    """A plain git repository under `tmp` with one commit of a.md and "dir/b b.md"."""
    root = tmp / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "a.md", "one\n")
    write(root, "dir/b b.md", "two\nlines\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "first")
    return root


def make_pair(tmp: Path, url: str | None = None, *, joined: bool = True) -> Pair:
    """Bob creates the vault and pushes it; Alice clones it. `url` is how both reach the
    remote (default: the bare repository's path). `joined=False`: Alice has not accepted
    the vault's first settings yet."""
    remote = bare_remote(tmp / "remote.git")
    bob = make_vault(tmp / "bob", "bob", joined=joined)
    git(bob, "remote", "add", "origin", url or str(remote))
    res = invoke(["sync"], vault=bob, as_partner="bob")
    if res.exit_code != 0:
        raise AssertionError(f"bob's first sync failed: {res.stderr}")
    alice = clone(url or str(remote), tmp / "alice", "alice")
    return Pair(remote, alice, bob)


def files_in_history(root: Path) -> set[str]:
    """Every .md blob ever committed on any ref, as text."""
    out: set[str] = set()
    listing = git(root, "rev-list", "--objects", "--all")
    for line in listing.splitlines():
        parts = line.split(" ", 1)
        if len(parts) == 2 and parts[1].endswith(".md"):
            out.add(git(root, "cat-file", "-p", parts[0]))
    return out


def start_merge_conflict(root: Path) -> None:
    """Leave git mid-merge with plain git, as a person might (README.md changed both ways)."""
    write(root, "README.md", "base\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "base")
    git(root, "switch", "-q", "-c", "side")
    write(root, "README.md", "side\n")
    git(root, "commit", "-q", "-am", "side")
    git(root, "switch", "-q", "main")
    write(root, "README.md", "main\n")
    git(root, "commit", "-q", "-am", "main")
    git(root, "merge", "side", check=False)
    assert (root / ".git" / "MERGE_HEAD").exists()
