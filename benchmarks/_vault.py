"""Realistic vaults for the benchmarks, built with `git fast-import` (shared by the scripts).

A vault is made as openbook makes one: Bob's `init` (openbook's own first commit and
`refs/openbook/root`), Alice's `accept settings` of that first version (openbook's own
commit), then one `git fast-import` stream of history on top:

  - every check-in its own commit by its author, in the evening of its own date;
  - every agreement proposed by one partner (`accepted_by: [proposer]`) and accepted in
    the other partner's own commit (`Openbook-Terms`: the digest of the words accepted);
  - every question asked in the asker's own commit and answered in the asked partner's.

So consent is proven by history and `openbook check` exits 0 on the result: each
benchmark asserts that (`assert_checks`). Times end before NOW (pinned by `bench_env`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

NOW = "2026-11-24T20:30:00+01:00"
TZ = dt.timezone(dt.timedelta(hours=1))
ALICE = "alice:Alice Example <alice@example.org>"
BOB = "bob:Bob Example <bob@example.org>"
NAMES = {"alice": ("Alice Example", "alice@example.org"), "bob": ("Bob Example", "bob@example.org")}
SCHEDULES = {"alice": {"every": "day", "by": "21:00"}, "bob": {"every": "day", "by": "21:00"}}
AGREEMENTS = 20
QUESTION_EVERY = 10  # one question for every this many check-ins

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


def bench_env(tmp: Path) -> dict[str, str]:
    """An isolated git config and a pinned now, for this process and its children."""
    (tmp / "gitconfig").write_text(
        "[user]\n\tname = Bench\n\temail = bench@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    os.environ.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
            "OPENBOOK_LOCK_WAIT": "5",
            "OPENBOOK_NOW": NOW,
            # a loaded machine pushing 20,000 commits to a local remote is not offline
            "OPENBOOK_NETWORK_TIMEOUT": "900",
        }
    )
    # as installed: Python's compiled modules are written once and used after
    for var in ("OPENBOOK_VAULT", "OPENBOOK_PARTNER", "PYTHONDONTWRITEBYTECODE"):
        os.environ.pop(var, None)
    return dict(os.environ)


def git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=True)
    return res.stdout.decode().strip()


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def _stamp(who: str, when: dt.datetime) -> bytes:
    name, email = NAMES[who]
    return f"{name} <{email}> {int(when.timestamp())} +0100".encode()


def _message(ntype: str, action: str, target: str, who: str, extra: str = "") -> str:
    return (
        f"{ntype}: {action} {target}\n\nOpenbook-Action: {action}\nOpenbook-Type: {ntype}\n"
        f"Openbook-Partner: {who}\n{extra}"
    )


class Stream:
    """One fast-import stream on refs/heads/main: each commit one partner's own."""

    def __init__(self, parent: str) -> None:
        self.chunks: list[bytes] = []
        self.parent = parent

    def commit(self, who: str, when: dt.datetime, msg: str, files: dict[str, str]) -> None:
        stamp = _stamp(who, when)
        cmd = b"commit refs/heads/main\nauthor " + stamp + b"\ncommitter " + stamp + b"\n"
        cmd += _data(msg)
        if self.parent:
            cmd += f"from {self.parent}\n".encode()
            self.parent = ""
        for rel, text in files.items():
            cmd += f"M 100644 inline {rel}\n".encode() + _data(text)
        self.chunks.append(cmd + b"\n")

    def run(self, root: Path) -> None:
        git(root, "fast-import", "--quiet", data=b"".join(self.chunks))


def checkin_text(who: str, day: dt.date, i: int) -> str:
    return (
        f'---\ntype: checkin\nauthor: {who}\ndate: {day.isoformat()}\ntime: "20:{i % 60:02d}"\n'
        f"mood: {1 + i % 5}\nconnection: {1 + (i // 3) % 5}\non_track: yes\ncontact: none\n"
        f"tags: [week]\n---\n{BODY}"
    )


def agreement_text(n: int, by: str, accepted: list[str], since: dt.date | None) -> str:
    status = "active" if since else "proposed"
    tail = f"since: {since.isoformat()}\n" if since else ""
    return (
        f"---\ntype: agreement\nid: A-{n:03d}\ntitle: Rule {n}\nstatus: {status}\n"
        f"proposed_by: {by}\naccepted_by: [{', '.join(accepted)}]\n{tail}"
        f"review_every: 30d\nnext_review: 2030-01-01\n---\n\n## Why this matters\n\nRule {n}.\n"
    )


def question_text(n: int, asked: dt.datetime, answered: dt.datetime | None) -> str:
    a = asked.strftime("%Y-%m-%d %H:%M")
    head = f"---\ntype: question\nid: Q-{n:04d}\nasked_by: alice\nto: bob\nasked: {a}\n"
    if answered is None:
        return head + "status: open\n---\n\nWhere were you that evening?\n"
    b = answered.strftime("%Y-%m-%d %H:%M")
    return (
        head + f"status: answered\nanswered: {b}\n---\n\nWhere were you that evening?\n\n"
        "## Answer\n\nAt the office, then the train home. I should have called.\n"
    )


def _terms(text: str) -> str:
    from openbook.notes.parse import parse_bytes
    from openbook.notetypes.agreement import terms_digest

    note = parse_bytes("agreements/x.md", text.encode(), positions=False)
    return terms_digest(note.meta, note.body)


def _begin(root: Path, start: dt.datetime) -> None:
    """Bob's `init` and Alice's `accept settings`, both through openbook itself."""
    from openbook.ritual.settings_consent import accept_settings
    from openbook.start.setup import create_vault
    from openbook.vault import Vault

    os.environ["OPENBOOK_COMMIT_DATE"] = start.isoformat()
    try:
        create_vault(root, [ALICE, BOB], "bob", timezone="Europe/Berlin", checkins=SCHEDULES)
    finally:
        del os.environ["OPENBOOK_COMMIT_DATE"]
    accept_settings(Vault(root), "alice", when=start + dt.timedelta(minutes=5))


Commits = list[tuple[str, dt.datetime, str, dict[str, str]]]


def repair_text(who: str, day: dt.date, n: int) -> str:
    return (
        f"---\ntype: repair\nauthor: {who}\ndate: {day.isoformat()}\nkind: rupture\n"
        f"status: open\n---\n\nA missed call, talked through ({n}).\n"
    )


def history(notes: int, end: dt.date) -> tuple[dt.datetime, Commits]:
    """(when the vault begins, its commits in order) for about `notes` notes: two
    check-ins a day, and repairs besides when the days since 1971 are too few."""
    daily = notes - AGREEMENTS - max(0, notes // (QUESTION_EVERY + 1))
    days = min(max(1, daily // 2 + 1), (end - dt.date(1971, 1, 10)).days)
    # repairs a day, on average (a little over, so the notes end by `end`)
    asked = 2 * days // QUESTION_EVERY
    extra = max(0, notes - AGREEMENTS - asked - 2 * days) / days * 1.02
    first = end - dt.timedelta(days=days)
    start = dt.datetime.combine(first - dt.timedelta(days=2), dt.time(9, 0), TZ)
    out: Commits = []
    for n in range(1, AGREEMENTS + 1):  # proposed, then accepted by the other
        by, other = ("bob", "alice") if n % 2 else ("alice", "bob")
        rel = f"agreements/A-{n:03d}-rule-{n}.md"
        t = start + dt.timedelta(hours=1, minutes=n)
        proposed = agreement_text(n, by, [by], None)
        msg = _message("agreement", "new", rel, by)
        out.append((by, t, msg, {rel: proposed}))
        accepted = agreement_text(n, by, [by, other], t.date())
        terms = f"Openbook-Terms: {_terms(proposed)}\n"
        msg = _message("agreement", "accept", f"A-{n:03d}", other, terms)
        out.append((other, t + dt.timedelta(minutes=30), msg, {rel: accepted}))
    made, i, q, r, owed = AGREEMENTS, 0, 0, 0, 0.0
    while made < notes:
        day = first + dt.timedelta(days=i // 2)
        who = "bob" if i % 2 == 0 else "alice"
        rel = f"checkins/{day.year}/{day.isoformat()}-{who}.md"
        t = dt.datetime.combine(day, dt.time(20, i % 60), TZ)
        out.append((who, t, _message("checkin", "new", rel, who), {rel: checkin_text(who, day, i)}))
        made += 1
        i += 1
        owed += extra / 2
        while owed >= 1 and made < notes:
            owed -= 1
            r += 1
            rel = f"repairs/{day.year}/{day.isoformat()}-{who}-r{r}.md"
            t = dt.datetime.combine(day, dt.time(12, r % 60), TZ)
            msg = _message("repair", "new", rel, who)
            out.append((who, t, msg, {rel: repair_text(who, day, r)}))
            made += 1
        if i % QUESTION_EVERY == 0 and made < notes:
            q += 1
            rel = f"questions/Q-{q:04d}.md"
            asked = dt.datetime.combine(day, dt.time(10, 0), TZ)
            answered = asked + dt.timedelta(hours=8)
            msg = _message("question", "new", rel, "alice")
            out.append(("alice", asked, msg, {rel: question_text(q, asked, None)}))
            msg = _message("question", "answer", f"Q-{q:04d}", "bob")
            out.append(("bob", answered, msg, {rel: question_text(q, asked, answered)}))
            made += 1
    return start, out


def make_vault(root: Path, notes: int = 10_000, end: dt.date = dt.date(2026, 11, 23)) -> Path:
    """A vault of about `notes` notes at `root` (Bob's clone), one commit per change."""
    t0 = time.perf_counter()
    start, commits = history(notes, end)
    _begin(root, start)
    stream = Stream(git(root, "rev-parse", "HEAD"))
    for who, when, msg, files in sorted(commits, key=lambda c: c[1]):
        stream.commit(who, when, msg, files)
    stream.run(root)
    git(root, "reset", "-q", "--hard", "refs/heads/main")
    print(f"built a vault of {notes:,} notes in {time.perf_counter() - t0:.1f} s", flush=True)
    return root


def cached_vault(name: str, notes: int) -> Path:
    """A built vault kept under /tmp between runs (copied fresh by `fresh_copy`)."""
    import tempfile

    home = Path(tempfile.gettempdir()) / f"openbook-bench-{name}-{notes}"
    if not (home / "ready").exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        make_vault(home / "vault", notes)
        (home / "ready").write_text("ok\n")
    return home / "vault"


def openbook_cmd() -> list[str]:
    return [sys.executable, "-c", "from openbook.cli import main; main()"]


def assert_checks(root: Path, who: str = "bob") -> None:
    """`openbook check` exits 0 on the vault: its history proves every consent."""
    res = subprocess.run(
        [*openbook_cmd(), "--vault", str(root), "--as", who, "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "OPENBOOK_NOW": NOW},  # the time the vault was built for
    )
    assert res.returncode == 0, f"check failed on the benchmark vault:\n{res.stdout}{res.stderr}"


def interleaved(cases: dict[str, object], runs: int) -> dict[str, list[float]]:
    """Run each case once per round, `runs` rounds, so load hits all of them alike.
    A case is a callable, or a (setup, callable) pair whose setup is not timed."""
    out: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(runs):
        for name, case in cases.items():
            setup, fn = case if isinstance(case, tuple) else (None, case)
            if setup is not None:
                setup()  # type: ignore[operator]
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            out[name].append(time.perf_counter() - t0)
    return out


def ratio_line(label: str, times: list[float], floor: list[float], goal: float) -> str:
    """`label: min/median ratio against the floor, the goal, held or not`."""
    import statistics

    lo = min(times) / min(floor)
    med = statistics.median(times) / statistics.median(floor)
    held = "held" if med <= goal else "MISSED"
    return (
        f"{label:<38} {min(times) * 1000:8.0f} ms  floor {min(floor) * 1000:7.0f} ms  "
        f"ratio min {lo:5.2f}x  median {med:5.2f}x  goal <= {goal:g}x  {held}"
    )


def drop_caches(root: Path) -> None:
    """A cold start: every cache under .git/openbook/ gone; what this clone knows that
    no cache can rebuild (when each commit arrived here, what `verify` remembers beside
    refs/openbook/verified) stays."""
    folder = root / ".git" / "openbook"
    for entry in folder.iterdir() if folder.is_dir() else []:
        if entry.name in ("arrivals", "verified.json"):
            continue  # what this clone saw, and what it verified (with its ref)
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def peak_rss(cmd: list[str]) -> tuple[float, int]:
    """Wall time (s) and peak resident set size (KiB) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, f"{cmd} failed"
    return time.perf_counter() - t0, usage.ru_maxrss


def quiet(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
