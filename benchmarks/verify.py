"""Benchmark `openbook verify`: with nothing new, and against git's own signature check.

By default: `openbook verify` with nothing new since the last verify, on the realistic
10,000-note vault of _vault.py (`check` exits 0 on it, asserted), against
`openbook --help`, interleaved (goal <= 2x).

With `--signed`, also the measures below, on a history signed by both partners:

Builds (once, cached under /tmp) a vault whose history has 10,000 commits signed by two
partners with SSH keys and `require_signatures: true`, plus 50 more on a side ref. The
commits are written by `git fast-import`, then each one is signed in this process
(cryptography, OpenSSH's sshsig format, verified by ssh-keygen in the test suite) and
written back with one `git hash-object -w --stdin-paths`.

Prints, each the best of a few runs:
  - a cold `openbook verify` against `git log --format=%G?` over the same history
    (target <= 0.05x). git runs ssh-keygen for every commit, so by default %G? is
    timed over the newest 500 commits and scaled linearly to the whole history (said so
    in the output); `--full-baseline` times it over everything;
  - a second run after 50 new commits against `git log -50 --format=%H` plus
    `python -c "import openbook"` (target <= 3x).

    python benchmarks/verify.py [--commits 10000] [--repeat 3] [--full-baseline]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbook.git.objects import read_objects
from openbook.trust import sshsig

MORE = 50
SIDE_REF = "refs/bench/more"
PARTNERS = {"alice": "Alice Example", "bob": "Bob Example"}
CONFIG = """version: 1
timezone: Europe/Berlin
partners:
  alice: {{name: Alice Example, email: alice@example.org, signing_key: "{alice}"}}
  bob: {{name: Bob Example, email: bob@example.org, signing_key: "{bob}"}}
checkins:
  bob: {{every: day, by: "21:00"}}
  alice: {{every: week, on: sunday, by: "20:00"}}
require_signatures: true
"""


def git(cwd: Path, *args: str, data: bytes | None = None) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=True)
    return res.stdout.decode().strip()


def _blob(text: str) -> bytes:
    data = text.encode()
    return b"data %d\n" % len(data) + data + b"\n"


def fast_import(
    root: Path, start: int, count: int, ref: str, parent: str, config: str | None
) -> None:
    """`count` unsigned commits on `ref`, alternating authors, one check-in note each."""
    chunks = []
    t = 1_790_000_000
    for i in range(start, start + count):
        who = "alice" if i % 2 else "bob"
        rel = f"checkins/{2000 + i // 365}/{i:05d}-{who}.md"
        body = f"---\ntype: checkin\nauthor: {who}\ndate: 2026-01-01\nmood: 3\n---\n\nNote {i}.\n"
        ident = f"{PARTNERS[who]} <{who}@example.org> {t + i * 60} +0100"
        msg = f"checkin: new {rel}\n\nOpenbook-Action: new\nOpenbook-Partner: {who}\n"
        cmd = f"commit {ref}\nauthor {ident}\ncommitter {ident}\n".encode() + _blob(msg)
        if i == start:
            cmd += f"from {parent}\n".encode()
        if config is not None and i == start:
            cmd += b"M 100644 inline openbook.yml\n" + _blob(config)
        cmd += f"M 100644 inline {rel}\n".encode() + _blob(body) + b"\n"
        chunks.append(cmd)
    git(root, "fast-import", "--quiet", "--force", data=b"".join(chunks))


def sign_range(root: Path, tip: str, base: str, keys: dict[str, Ed25519PrivateKey]) -> str:
    """Rewrite `base..tip` with an SSH signature by each commit's author; returns the new tip."""
    shas = git(root, "rev-list", "--reverse", "--topo-order", tip, f"^{base}").split()
    batch = read_objects(root, shas)
    renamed: dict[str, str] = {}
    paths = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, sha in enumerate(shas):
            raw = batch.objects[sha][2]
            for old, new in renamed.items():
                raw = raw.replace(f"parent {old}\n".encode(), f"parent {new}\n".encode(), 1)
            head, _, message = raw.partition(b"\n\n")
            payload = head + b"\n\n" + message
            who = "alice" if b"<alice@example.org>" in head.split(b"\ncommitter ")[0] else "bob"
            armored = sshsig.sign_ed25519(keys[who], payload).rstrip("\n")
            header = b"gpgsig " + armored.replace("\n", "\n ").encode()
            signed = head + b"\n" + header + b"\n\n" + message
            new = hashlib.sha1(b"commit %d\0" % len(signed) + signed).hexdigest()
            renamed = {sha: new}  # each commit's only parent is the previous one
            path = Path(tmp) / f"{n:06d}"
            path.write_bytes(signed)
            paths.append(str(path))
        written = git(
            root,
            "hash-object",
            "-w",
            "-t",
            "commit",
            "--stdin-paths",
            data="\n".join(paths).encode(),
        ).split()
    assert written[-1] == new, "signed commits were not written as computed"
    return new


def build(root: Path, commits: int) -> None:
    from openbook.start.setup import create_vault

    create_vault(
        root,
        ["alice:Alice Example <alice@example.org>", "bob:Bob Example <bob@example.org>"],
        "bob",
        timezone="Europe/Berlin",
    )
    keys = {who: Ed25519PrivateKey.generate() for who in PARTNERS}
    lines = {who: sshsig.ed25519_public(k, f"{who}@bench").line for who, k in keys.items()}
    base = git(root, "rev-parse", "HEAD")
    fast_import(root, 0, commits, "refs/heads/main", base, CONFIG.format(**lines))
    main = sign_range(root, "refs/heads/main", base, keys)
    git(root, "update-ref", "refs/heads/main", main)
    fast_import(root, commits, MORE, SIDE_REF, main, None)
    more = sign_range(root, SIDE_REF, main, keys)
    git(root, "update-ref", SIDE_REF, more)
    git(root, "reset", "-q", "--hard", "refs/heads/main")
    allowed = root / ".git" / "allowed_signers"
    allowed.write_text("".join(f"{w}@example.org {lines[w]}\n" for w in PARTNERS))
    git(root, "config", "gpg.ssh.allowedSignersFile", str(allowed))
    (root.parent / "ready").write_text("ok\n")


def timed(cmd: list[str], cwd: Path, repeat: int, before: object = None) -> float:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        runs.append(time.perf_counter() - start)
    return min(runs)


def nothing_new(notes: int, runs: int) -> None:
    """`verify` when HEAD is the commit verified last time, against `openbook --help`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _vault import assert_checks, bench_env, cached_vault, interleaved, quiet, ratio_line

    bench_env(Path(tempfile.mkdtemp(prefix="openbook-bench-verify-")))
    root = cached_vault("history", notes)
    assert_checks(root)
    ob = [sys.executable, "-c", "from openbook.cli import main; main()"]
    verify = [*ob, "--vault", str(root), "--as", "bob", "verify"]
    # from a clean start: the first verify reads everything and remembers it
    subprocess.run(["git", "update-ref", "-d", "refs/openbook/verified"], cwd=root)
    (root / ".git" / "openbook" / "verified.json").unlink(missing_ok=True)
    quiet(verify)
    t = interleaved({"help": lambda: quiet([*ob, "--help"]), "verify": lambda: quiet(verify)}, runs)
    print(f"verify benchmark, {notes:,} notes with a real history, {runs} runs")
    print(ratio_line("verify, nothing new", t["verify"], t["help"], 2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notes", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--signed", action="store_true")
    ap.add_argument("--commits", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-commits", type=int, default=500)
    ap.add_argument("--full-baseline", action="store_true")
    args = ap.parse_args()
    nothing_new(args.notes, args.runs)
    if not args.signed:
        return
    home = Path(tempfile.gettempdir()) / f"openbook-bench-verify-{args.commits}"
    root = home / "vault"
    if not (home / "ready").exists():
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        print(f"building {args.commits:,} signed commits in {root} (cached) ...", flush=True)
        build(root, args.commits)
    more_sha = git(root, "rev-parse", SIDE_REF)
    main_sha = git(root, "rev-parse", f"{SIDE_REF}~{MORE}")
    state = root / ".git" / "openbook" / "verified.json"
    py = sys.executable
    openbook = [py, "-c", "from openbook.cli import main; main()", "--vault", str(root), "verify"]

    def cold() -> None:
        git(root, "update-ref", "refs/heads/main", main_sha)
        subprocess.run(["git", "update-ref", "-d", "refs/openbook/verified"], cwd=root)
        state.unlink(missing_ok=True)

    check = subprocess.run(openbook, cwd=root, capture_output=True, text=True)
    cold()
    assert check.returncode == 0, check.stdout + check.stderr
    total = int(git(root, "rev-list", "--count", main_sha))
    verify_cold = timed(openbook, root, args.repeat, cold)
    n = total if args.full_baseline else min(args.baseline_commits, total)
    gsig = timed(["git", "log", f"-{n}", "--format=%G?"], root, 1 if n > 1000 else args.repeat)
    gsig_all = gsig * total / n
    # the remembered state after a verify of main, then 50 new commits on top
    cold()
    subprocess.run(openbook, cwd=root, capture_output=True)
    saved = state.read_bytes()

    def after_fifty() -> None:
        git(root, "update-ref", "refs/openbook/verified", main_sha)
        state.write_bytes(saved)
        git(root, "update-ref", "refs/heads/main", more_sha)

    second = timed(openbook, root, args.repeat * 3, after_fifty)
    out = subprocess.run(openbook, cwd=root, capture_output=True, text=True).stdout.strip()
    log50 = timed(["git", "log", "-50", "--format=%H"], root, args.repeat * 3)
    imp = timed([py, "-c", "import openbook"], root, args.repeat * 3)
    helps = timed([py, "-c", "from openbook.cli import main; main()", "--help"], root, 9)
    git(root, "update-ref", "refs/heads/main", main_sha)
    scaled = "" if n == total else f" (timed over the newest {n:,}, scaled to {total:,})"
    print(f"history: {total:,} commits, signed by two partners; verify says: {out}")
    print(f"git log --format=%G?: {gsig_all:.2f} s{scaled}")
    print(f"verify cold: {verify_cold:.3f} s = {verify_cold / gsig_all:.4f}x %G? (target <= 0.05x)")
    base = log50 + imp
    print(
        f"verify after {MORE} new commits: {second:.3f} s = {second / base:.2f}x "
        f"(git log -50 {log50:.3f} s + import openbook {imp:.3f} s) (target <= 3x)"
    )
    print(f"for scale: openbook --help takes {helps:.3f} s = {helps / base:.2f}x the same baseline")


if __name__ == "__main__":
    main()
