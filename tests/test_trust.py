"""Signatures, verify and the fingerprint (SPEC section 7): keys made on the spot with
ssh-keygen, two clones around a bare remote, and one test per attack."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from testing import Pair, checkin_text, git, invoke, make_pair, make_vault, write

from openbook.trust import sshsig
from openbook.trust.signing import commit_tree_sign_args, signing_problem
from openbook.trust.verify import (
    VERIFIED_REF,
    commit_signers,
    trust_state_at,
    verify,
    verify_range,
)
from openbook.trust.yamledit import set_value
from openbook.vault import Vault

ALICE_ID = {"name": "Alice Example", "email": "alice@example.org"}
BOB_ID = {"name": "Bob Example", "email": "bob@example.org"}


def keygen(path: Path, kind: str = "ed25519") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", path.name, "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path.with_name(path.name + ".pub")


def commit(
    root: Path,
    rel: str,
    text: str,
    who: dict[str, str],
    *config: str,
    by: dict[str, str] | None = None,
) -> str:
    """A plain-git commit, authored as `who` (committed by `by`, default `who`)."""
    write(root, rel, text)
    by = by or who
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME=who["name"],
        GIT_AUTHOR_EMAIL=who["email"],
        GIT_COMMITTER_NAME=by["name"],
        GIT_COMMITTER_EMAIL=by["email"],
        GIT_AUTHOR_DATE="2026-11-24T21:00:00+01:00",
        GIT_COMMITTER_DATE="2026-11-24T21:00:00+01:00",
    )
    opts = [arg for c in config for arg in ("-c", c)]
    for args in (["add", "--", rel], [*opts, "commit", "-q", "-m", f"change {rel}"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return git(root, "rev-parse", "HEAD")


def ok(res: Result) -> None:
    assert res.exit_code == 0, (res.stdout, res.stderr)


_TEMPLATE: dict[str, Path] = {}


def _enrol_both(base: Path) -> None:
    """Bob enrols first, then Alice from her clone; then Bob requires signatures."""
    keys = {who: keygen(base / "keys" / who) for who in ("alice", "bob", "eve")}
    pair = make_pair(base)
    ok(invoke(["keys", "add", str(keys["bob"])], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    res = invoke(["keys", "require"], vault=pair.alice, as_partner="alice")
    assert res.exit_code == 1
    assert "Alice Example still needs to run 'openbook keys add'" in res.stderr
    ok(invoke(["keys", "add", str(keys["alice"])], vault=pair.alice, as_partner="alice"))
    ok(pair.sync("alice"))
    ok(pair.sync("bob"))
    ok(invoke(["keys", "require"], vault=pair.bob, as_partner="bob"))
    ok(pair.sync("bob"))
    ok(pair.sync("alice"))
    ok(invoke(["keys", "require"], vault=pair.alice, as_partner="alice"))  # accepts it
    ok(pair.sync("alice"))
    ok(pair.sync("bob"))


def _template(factory: pytest.TempPathFactory) -> Path:
    if "dir" not in _TEMPLATE:
        base = factory.mktemp("signed")
        _enrol_both(base)
        _TEMPLATE["dir"] = base
    return _TEMPLATE["dir"]


@pytest.fixture
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = _template(tmp_path_factory) / "keys"
    return {who: base / f"{who}.pub" for who in ("alice", "bob", "eve")}


@pytest.fixture
def signed(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """Both partners enrolled and signatures required: built once, copied per test."""
    base = _template(tmp_path_factory)
    for name in ("remote.git", "alice", "bob"):
        shutil.copytree(base / name, tmp_path / name, symlinks=True)
    for name in ("alice", "bob"):
        git(tmp_path / name, "remote", "set-url", "origin", str(tmp_path / "remote.git"))
        git(tmp_path / name, "update-index", "-q", "--refresh", check=False)  # copied files
    return Pair(tmp_path / "remote.git", tmp_path / "alice", tmp_path / "bob")


def verify_fails(root: Path, sha: str, rule: str) -> dict[str, Any]:
    res = invoke(["verify"], vault=root)
    assert res.exit_code == 4, res.stdout
    lines = [line for line in res.stdout.splitlines() if line.startswith(sha[:7])]
    assert len(lines) == 1 and lines[0].endswith(f"[{rule}]"), res.stdout
    data = json.loads(invoke(["verify", "--json"], vault=root).stdout)
    return {p["rule"]: p for p in data["problems"] if p["commit"] == sha}


def test_enrolled_and_required_history_verifies(signed: Pair, keys: dict[str, Path]) -> None:
    assert git(signed.bob, "log", "-1", "--format=%(trailers:key=Openbook-Action,valueonly)") == (
        "accept"
    )
    for who in ("alice", "bob"):
        res = invoke(["verify"], vault=signed.root(who))
        ok(res)
        assert res.stdout == "6 commits, 4 signed, 0 problems\n"  # with Alice's joining
    assert git(signed.bob, "config", "commit.gpgsign") == "true"
    assert git(signed.bob, "config", "user.signingkey") == str(keys["bob"])
    data = json.loads(invoke(["keys", "list", "--json"], vault=signed.bob).stdout)
    fps = {p["partner"]: p["fingerprint"] for p in data["partners"]}
    expected = subprocess.run(
        ["ssh-keygen", "-lf", str(keys["alice"])], capture_output=True, text=True
    ).stdout.split()[1]
    assert fps["alice"] == expected and data["require_signatures"] is True
    # a note written through openbook is signed and passes
    ok(invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob))
    ok(invoke(["verify"], vault=signed.bob))


def test_unsigned_plain_git_commit(signed: Pair) -> None:
    rel = "checkins/2026/x.md"
    sha = commit(signed.bob, rel, checkin_text("bob"), BOB_ID, "commit.gpgsign=false")
    problem = verify_fails(signed.bob, sha, "unsigned")["unsigned"]
    assert problem["author"] == "bob" and problem["message"] == "not signed"
    assert problem["date"] == "2026-11-24T21:00:00+01:00"
    res = invoke(["verify"], vault=signed.bob)
    assert res.stdout == (
        f"{sha[:7]} 2026-11-24 21:00 Bob Example: not signed [unsigned]\n"
        "7 commits, 4 signed, 1 problem\n"
    )


def test_written_as_alice_signed_by_bob(signed: Pair) -> None:
    sha = commit(signed.bob, "checkins/2026/x.md", checkin_text("alice"), ALICE_ID)
    found = verify_fails(signed.bob, sha, "signer-not-committer")
    assert found["signer-not-committer"]["message"] == "committed as alice but signed by bob's key"


def test_signed_by_an_outsider(signed: Pair, keys: dict[str, Path]) -> None:
    sha = commit(signed.bob, "x.md", "x\n", BOB_ID, f"user.signingkey={keys['eve']}")
    found = verify_fails(signed.bob, sha, "unknown-key")
    assert sshsig.parse_public_key(keys["eve"].read_text()).fingerprint in str(found)


def test_bob_replaces_alices_key(signed: Pair, keys: dict[str, Path]) -> None:
    text = (signed.bob / "openbook.yml").read_text()
    eve = keys["eve"].read_text().strip()
    changed = set_value(text, ("partners", "alice", "signing_key"), eve)
    sha = commit(signed.bob, "openbook.yml", changed, BOB_ID)
    found = verify_fails(signed.bob, sha, "key-change-not-by-owner")
    assert found["key-change-not-by-owner"]["message"] == (
        "changes alice's signing key without alice's previous key"
    )


def test_bob_changes_alices_email(signed: Pair) -> None:
    text = (signed.bob / "openbook.yml").read_text()
    changed = set_value(text, ("partners", "alice", "email"), "eve@example.org")
    sha = commit(signed.bob, "openbook.yml", changed, BOB_ID)
    ok(invoke(["verify"], vault=signed.bob))  # a proposal: nothing to report, nothing in force
    state = trust_state_at(signed.bob, sha)
    assert state.partners["alice"].email == "alice@example.org"
    assert state.pending["partners.alice"].value == {
        "name": "Alice Example",
        "email": "eve@example.org",
    }


def test_turning_the_requirement_off_is_a_proposal_until_accepted(signed: Pair) -> None:
    res = invoke(["keys", "require", "--off"], vault=signed.alice, as_partner="alice")
    ok(res)
    assert "Nothing changes until Bob Example accepts it" in res.stdout
    ok(signed.sync("alice"))
    sha = commit(signed.alice, "x.md", "x\n", ALICE_ID, "commit.gpgsign=false")
    verify_fails(signed.alice, sha, "unsigned")
    ok(signed.sync("bob"))
    ok(invoke(["keys", "require", "--off"], vault=signed.bob, as_partner="bob"))
    commit(signed.bob, "x.md", "x\n", BOB_ID, "commit.gpgsign=false")
    res = invoke(["verify"], vault=signed.bob)
    ok(res)
    assert res.stdout == "9 commits, 6 signed, 0 problems\n"


def test_tampered_signature(signed: Pair) -> None:
    sha = commit(signed.bob, "x.md", "x\n", BOB_ID)
    raw = subprocess.run(
        ["git", "cat-file", "commit", sha], cwd=signed.bob, capture_output=True, check=True
    ).stdout
    assert b"-----BEGIN SSH SIGNATURE-----" in raw
    forged = raw.replace(b"change x.md", b"change y.md")
    new = (
        subprocess.run(
            ["git", "hash-object", "-w", "-t", "commit", "--stdin"],
            cwd=signed.bob,
            input=forged,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(signed.bob, "update-ref", "refs/heads/main", new)
    found = verify_fails(signed.bob, new, "bad-signature")
    assert found["bad-signature"]["message"] == "the signature does not match the commit"


def test_by_x_for_y_must_be_signed_by_the_committer(signed: Pair, keys: dict[str, Path]) -> None:
    commit(signed.bob, "a.md", "a\n", ALICE_ID, by=BOB_ID)  # signed by bob, the committer
    ok(invoke(["verify"], vault=signed.bob))
    sha = commit(signed.bob, "b.md", "b\n", ALICE_ID, f"user.signingkey={keys['alice']}", by=BOB_ID)
    verify_fails(signed.bob, sha, "signer-not-committer")
    eve = {"name": "Eve", "email": "eve@example.org"}
    sha = commit(signed.bob, "c.md", "c\n", eve, by=BOB_ID)
    verify_fails(signed.bob, sha, "committer-mismatch")


def test_key_rotation_is_signed_by_the_previous_key(signed: Pair, tmp_path: Path) -> None:
    new = keygen(tmp_path / "keys" / "bob2")
    res = invoke(["keys", "add", str(new)], vault=signed.bob, as_partner="bob")
    ok(res)
    assert git(signed.bob, "config", "user.signingkey") == str(new)
    ok(invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=signed.bob))
    res = invoke(["verify"], vault=signed.bob)
    ok(res)
    assert "0 problems" in res.stdout


def test_unusable_key_writes_nothing(signed: Pair, tmp_path: Path) -> None:
    new = keygen(tmp_path / "keys" / "lost")
    new.with_suffix("").unlink()  # the private half is gone
    before = ((signed.bob / "openbook.yml").read_bytes(), signed.head("bob"))
    config = git(signed.bob, "config", "user.signingkey")
    res = invoke(["keys", "add", str(new)], vault=signed.bob, as_partner="bob")
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1 and "nothing was written" in res.stderr
    assert ((signed.bob / "openbook.yml").read_bytes(), signed.head("bob")) == before
    assert git(signed.bob, "config", "user.signingkey") == config
    assert git(signed.bob, "status", "--porcelain") == ""


def test_signing_problem_names_a_key_that_is_gone(signed: Pair) -> None:
    assert signing_problem(signed.bob) is None
    private = Path(git(signed.bob, "config", "user.signingkey")).with_suffix("")
    moved = private.with_name("moved")
    private.rename(moved)
    try:
        problem = signing_problem(signed.bob)
    finally:
        moved.rename(private)
    assert problem == (
        f"This clone signs commits, but there is no private key at {private} and no "
        "ssh-agent holds it; unlock or restore it. Nothing was written."
    )


def test_commit_signers_name_the_partner_whose_key_signed(signed: Pair) -> None:
    sha = commit(signed.bob, "x.md", "x\n", ALICE_ID)  # signed by bob's key
    signers = commit_signers(signed.bob, sha)
    assert signers[sha] == "bob"
    assert list(signers.values()).count("alice") == 2  # her enrolment and her acceptance


def test_second_run_reads_only_new_commits_and_keeps_problems(signed: Pair) -> None:
    vault = Vault(signed.bob)
    first = verify(vault)
    assert first.checked == 6 and git(signed.bob, "rev-parse", VERIFIED_REF) == signed.head("bob")
    sha = commit(signed.bob, "x.md", "x\n", BOB_ID, "commit.gpgsign=false")
    second = verify(vault)
    assert (second.checked, second.commits, [p.commit for p in second.problems]) == (1, 7, [sha])
    third = verify(vault)
    assert (third.checked, third.commits, len(third.problems)) == (0, 7, 1)
    git(signed.bob, "reset", "-q", "--hard", "HEAD~1")
    fourth = verify(vault)
    assert (fourth.checked, fourth.commits, fourth.problems) == (6, 6, [])


def test_verify_range_checks_incoming_commits(signed: Pair) -> None:
    sha = commit(signed.alice, "x.md", "x\n", ALICE_ID, "commit.gpgsign=false")
    git(signed.alice, "push", "-q", "origin", "main")
    git(signed.bob, "fetch", "-q", "origin")
    incoming = git(signed.bob, "rev-parse", "origin/main")
    problems = verify_range(signed.bob, signed.head("bob"), incoming)
    assert [(p.commit, p.rule) for p in problems] == [(sha, "unsigned")]
    assert verify_range(signed.bob, incoming, incoming) == []


def test_commit_tree_needs_explicit_signing(signed: Pair) -> None:
    root = signed.bob
    tree = git(root, "rev-parse", "HEAD^{tree}")
    args = commit_tree_sign_args(root)
    assert args == ["-S"]
    plain = git(root, "commit-tree", tree, "-p", "HEAD", "-m", "merge")
    assert "gpgsig" not in git(root, "cat-file", "commit", plain)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bob Example", "GIT_AUTHOR_EMAIL": "bob@example.org"}
    env.update(GIT_COMMITTER_NAME="Bob Example", GIT_COMMITTER_EMAIL="bob@example.org")
    cmd = ["git", "commit-tree", *args, tree, "-p", "HEAD", "-m", "merge"]
    sha = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True).stdout.strip()
    assert verify_range(root, git(root, "rev-parse", "HEAD"), sha) == []


def test_fingerprint_is_shared_and_changes_with_history(signed: Pair) -> None:
    def fp(who: str) -> dict[str, Any]:
        res = invoke(["fingerprint", "--json"], vault=signed.root(who))
        ok(res)
        return json.loads(res.stdout)

    same = fp("alice")
    assert same == fp("bob") and same["commit"] == signed.head("bob")
    assert len(same["fingerprint"].split()) == 6
    assert all(len(g) == 5 and g.isdigit() for g in same["fingerprint"].split())
    text = invoke(["fingerprint"], vault=signed.bob).stdout
    assert text.startswith(same["fingerprint"] + "  (") and signed.head("bob")[:7] in text
    commit(signed.alice, "checkins/2026/2026-11-24-alice.md", checkin_text("alice"), ALICE_ID)
    ok(signed.sync("alice"))
    assert fp("alice")["fingerprint"] != fp("bob")["fingerprint"]
    ok(signed.sync("bob"))
    assert fp("alice") == fp("bob")


def test_fingerprint_without_remote_uses_head(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "solo")
    data = json.loads(invoke(["fingerprint", "--json"], vault=root).stdout)
    assert data["commit"] == git(root, "rev-parse", "HEAD")
    assert invoke(["verify"], vault=root).stdout == "2 commits, 0 signed, 0 problems\n"


def test_keys_are_added_by_their_owner_only(signed: Pair, keys: dict[str, Path]) -> None:
    res = invoke(["keys", "add", str(keys["eve"])], vault=signed.bob, as_partner="alice")
    assert res.exit_code == 2 and "own clone" in res.stderr


# ------------------------------------------------------------------ the building blocks


@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "ed25519"])
def test_sshsig_matches_ssh_keygen(tmp_path: Path, kind: str) -> None:
    pub = keygen(tmp_path / kind, kind)
    msg = tmp_path / "msg"
    msg.write_bytes(b"hello\n")
    sign = ["ssh-keygen", "-Y", "sign", "-n", "git", "-f", str(pub.with_suffix("")), str(msg)]
    subprocess.run(sign, check=True, capture_output=True)
    armored = (tmp_path / "msg.sig").read_text()
    key = sshsig.parse_public_key(pub.read_text())
    listed = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True)
    assert key.fingerprint == listed.stdout.split()[1]
    assert sshsig.verify(armored, b"hello\n") == key
    with pytest.raises(sshsig.BadSignature):
        sshsig.verify(armored, b"hellO\n")
    with pytest.raises(sshsig.BadSignature):
        sshsig.verify(armored, b"hello\n", namespace="file")


def test_in_process_signature_passes_ssh_keygen(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    pub = keygen(tmp_path / "k")
    private = load_ssh_private_key(pub.with_suffix("").read_bytes(), None)
    (tmp_path / "m.sig").write_text(sshsig.sign_ed25519(private, b"data"))  # type: ignore[arg-type]
    (tmp_path / "allowed").write_text(f"bob {pub.read_text()}")
    check = ["ssh-keygen", "-Y", "verify", "-f", "allowed", "-I", "bob", "-n", "git", "-s", "m.sig"]
    res = subprocess.run(check, cwd=tmp_path, input=b"data", capture_output=True)
    assert res.returncode == 0, res.stderr


def test_yaml_edit_changes_only_that_value() -> None:
    text = (
        "# ours\npartners:\n  alice:\n    name: Alice   # her\n    email: a@x.org\n"
        "  bob:   {name: Bob,\n          email: b@x.org}   # flow\nrequire_signatures: false\n"
    )
    out = set_value(text, ("partners", "bob", "signing_key"), "ssh-ed25519 AAAA b@l, }")
    assert out == text.replace("b@x.org}", 'b@x.org, signing_key: "ssh-ed25519 AAAA b@l, }"}')
    out = set_value(text, ("partners", "alice", "signing_key"), "k")
    assert out == text.replace("a@x.org\n", 'a@x.org\n    signing_key: "k"\n')
    assert set_value(text, ("require_signatures",), True) == text.replace("false", "true")
