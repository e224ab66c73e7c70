"""Alice's and Bob's clones around an encrypted remote (SPEC section 11), built once and
copied per test, and what the tests of it check on the remote: no plaintext in any
object, a branch that only fast-forwards."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import Result

from testing import Pair, bare_remote, git, invoke, make_pair, write

# whole names: a word as short as "Bob" turns up in random ciphertext now and then
WORDS = (
    "Alice Example",
    "Bob Example",
    "alice@example.org",
    "bob@example.org",
    "checkins/",
    "openbook.yml",
)


def keygen(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path


def ok(res: Result) -> Result:
    assert res.exit_code == 0, (res.stdout, res.stderr)
    return res


class Crypt:
    """Alice's and Bob's clones around an encrypted bare remote, and their keys."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.plain = base / "remote.git"
        self.remote = base / "crypt.git"
        self.alice = base / "alice"
        self.bob = base / "bob"
        self.keys = {who: base / "keys" / who for who in ("alice", "bob")}

    def root(self, who: str) -> Path:
        return self.alice if who == "alice" else self.bob

    def sync(self, who: str, *args: str) -> Result:
        return invoke(["sync", *args], vault=self.root(who), as_partner=who)

    def write(self, who: str, rel: str, text: str) -> Path:
        return write(self.root(who), rel, text)


_TEMPLATE: dict[str, Path] = {}


def _build(base: Path) -> None:
    for who in ("alice", "bob"):
        keygen(base / "keys" / who)
    pair: Pair = make_pair(base)
    ok(invoke(["keys", "add", str(base / "keys" / "bob.pub")], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    alice_key = str(base / "keys" / "alice.pub")
    ok(invoke(["keys", "add", alice_key], vault=pair.alice, as_partner="alice"))
    ok(pair.sync("alice"))
    ok(pair.sync("bob"))
    bare_remote(base / "crypt.git")
    git(base / "crypt.git", "config", "core.logAllRefUpdates", "always")
    url = str(base / "crypt.git")
    ok(invoke(["remote", "encrypt", url], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(invoke(["remote", "encrypt", url], vault=pair.alice, as_partner="alice"))
    ok(pair.sync("alice"))


def copy_crypt(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Crypt:
    """Both partners enrolled, both on one encrypted remote: built once, copied per test."""
    if "dir" not in _TEMPLATE:
        base = tmp_path_factory.mktemp("crypt")
        _build(base)
        _TEMPLATE["dir"] = base
    base = _TEMPLATE["dir"]
    for name in ("remote.git", "crypt.git", "alice", "bob", "keys"):
        shutil.copytree(base / name, tmp_path / name, symlinks=True)
    c = Crypt(tmp_path)
    for who in ("alice", "bob"):
        root = c.root(who)
        git(root, "remote", "set-url", "origin", str(c.remote))
        git(root, "config", "openbook.identity", str(c.keys[who]))
        git(root, "config", "user.signingkey", str(c.keys[who]) + ".pub")
        git(root, "update-index", "-q", "--refresh", check=False)
    return c


def remote_objects(remote: Path) -> bytes:
    """Every object on the remote, as git stores it (after inflating)."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=remote,
        capture_output=True,
        check=True,
    )
    return out.stdout


def assert_no_plaintext(c: Crypt, *extra: str, bundles_only: bool = True) -> None:
    data = remote_objects(c.remote)
    for word in (*WORDS, *extra, str(c.base)):
        assert word.encode() not in data, word
    if bundles_only:
        names = git(c.remote, "ls-tree", "-r", "--name-only", "main").splitlines()
        assert names and all(n.startswith("bundles/") and n.endswith(".age") for n in names)


def fast_forwards_only(remote: Path) -> None:
    """Every value the remote's branch took contains the one before it."""
    heads = git(remote, "reflog", "show", "--format=%H", "refs/heads/main").splitlines()
    for newer, older in itertools.pairwise(heads):
        git(remote, "merge-base", "--is-ancestor", older, newer)


def host_commit(remote: Path, put: dict[str, bytes], drop: tuple[str, ...] = ()) -> str:
    """What a hostile host can do: a new commit on the remote's main (a fast-forward)
    that adds or replaces the files `put` and removes `drop`, made with plain git."""
    index = remote / "host-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}

    def run(*args: str, data: bytes | None = None) -> str:
        out = subprocess.run(
            ["git", *args], cwd=remote, env=env, input=data, capture_output=True, check=True
        )
        return out.stdout.decode().strip()

    run("read-tree", "main")
    for path, data in put.items():
        blob = run("hash-object", "-w", "--stdin", data=data)
        run("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    gone = "".join(f"0 {'0' * 40}\t{path}\n" for path in drop).encode()
    if drop:
        run("update-index", "--index-info", data=gone)
    tree = run("write-tree")
    commit = run("commit-tree", tree, "-p", "main", "-m", "openbook bundle")
    run("update-ref", "refs/heads/main", commit)
    index.unlink(missing_ok=True)
    return commit


def bundle_names(remote: Path) -> list[str]:
    return git(remote, "ls-tree", "-r", "--name-only", "main").splitlines()


def sealed_bundle(c: Crypt, who: str, tip: str, *exclude: str) -> bytes:
    """A bundle of `tip` in `who`'s clone, encrypted to both partners' public keys, as
    anyone who knows those keys could make it."""
    import pyrage
    from pyrage import ssh

    root = c.root(who)
    git(root, "update-ref", "refs/heads/forged", tip)
    path = c.base / "forged.bundle"
    git(root, "bundle", "create", "-q", str(path), "refs/heads/forged", *[f"^{e}" for e in exclude])
    git(root, "update-ref", "-d", "refs/heads/forged")
    keys = [
        ssh.Recipient.from_str(Path(f"{c.keys[w]}.pub").read_text().strip())
        for w in ("alice", "bob")
    ]
    data: bytes = pyrage.encrypt(path.read_bytes(), keys)
    return data
