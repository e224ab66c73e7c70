"""Authenticated history (SPEC section 7): a trust root, an introduction, every parent
judged, trust settings that move only by consent. One two-clone test per attack; Bob
acts with plain git."""

# ruff: noqa: F811
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from test_trust import ALICE_ID, BOB_ID, commit, keygen, keys, ok, signed  # noqa: F401
from testing import Pair, checkin_text, git, invoke

from openbook.trust.inforce import SETTING_TRAILER, setting_digest
from openbook.trust.yamledit import set_value

OLD = "2026-11-24T22:00:00+01:00"


def plain(root: Path, *args: str, who: dict[str, str] = BOB_ID, sign: str | None = None) -> str:
    """`git ARGS` as `who`, signed with the key file `sign` (unsigned when None)."""
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = who["name"]
        env[f"GIT_{role}_EMAIL"] = who["email"]
        env[f"GIT_{role}_DATE"] = OLD
    opts = ["-c", "gpg.format=ssh"]
    if sign:
        opts += ["-c", f"user.signingkey={sign}", "-c", "commit.gpgsign=true"]
    else:
        opts += ["-c", "commit.gpgsign=false"]
    if sign and args[0] == "commit-tree":
        args = ("commit-tree", "-S", *args[1:])
    res = subprocess.run(["git", *opts, *args], cwd=root, env=env, capture_output=True, check=True)
    return res.stdout.decode().strip()


def tree_with(root: Path, rel: str, text: str, base: str = "HEAD") -> str:
    """A tree: `base`'s with `rel` set to `text` (the work tree is not touched)."""
    env = {**os.environ, "GIT_INDEX_FILE": str(root / ".git" / "tmp-index")}
    subprocess.run(["git", "read-tree", base], cwd=root, env=env, check=True)
    blob = (
        subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=root,
            input=text.encode(),
            capture_output=True,
        )
        .stdout.decode()
        .strip()
    )
    subprocess.run(
        ["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}"],
        cwd=root,
        env=env,
        check=True,
    )
    out = subprocess.run(["git", "write-tree"], cwd=root, env=env, capture_output=True, check=True)
    return out.stdout.decode().strip()


def alice_refuses(pair: Pair, head: str, rule: str) -> str:
    """Bob's `head` is pushed; Alice's sync refuses it (exit 4, nothing merged)."""
    git(pair.bob, "push", "-q", "-f", "origin", f"{head}:refs/heads/main")
    before = pair.head("alice")
    res = pair.sync("alice")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert f"[{rule}]" in res.stderr, res.stderr
    assert pair.head("alice") == before
    return res.stderr


def rules_of(root: Path) -> dict[str, str]:
    data = json.loads(invoke(["verify", "--json"], vault=root).stdout)
    return {p["commit"]: p["rule"] for p in data["problems"]}


def first_commit(root: Path) -> str:
    return git(root, "rev-list", "--max-parents=0", "HEAD")


def test_history_built_on_a_commit_from_before_signatures(signed: Pair) -> None:
    bob = signed.bob
    old = first_commit(bob)
    tree = tree_with(bob, "checkins/2026/x.md", checkin_text("alice"), old)
    side = plain(bob, "commit-tree", tree, "-p", old, "-m", "as alice", who=ALICE_ID)
    merge_tree = git(bob, "merge-tree", "--write-tree", "HEAD", side).splitlines()[0]
    key = git(bob, "config", "user.signingkey")
    merged = plain(bob, "commit-tree", merge_tree, "-p", "HEAD", "-p", side, "-m", "m", sign=key)
    alice_refuses(signed, merged, "outside-introduction")
    git(bob, "update-ref", "refs/heads/main", merged)
    assert rules_of(bob) == {side: "outside-introduction"}


def test_a_merge_choosing_its_first_parent(signed: Pair) -> None:
    bob = signed.bob
    old = first_commit(bob)
    tree = tree_with(bob, "checkins/2026/x.md", checkin_text("bob"))
    merged = plain(bob, "commit-tree", tree, "-p", old, "-p", "HEAD", "-m", "unsigned merge")
    alice_refuses(signed, merged, "unsigned")


def test_a_key_enrolled_for_alice_on_a_side_branch(signed: Pair, keys: dict[str, Path]) -> None:
    bob = signed.bob
    text = (bob / "openbook.yml").read_text()
    eve = keys["eve"].read_text().strip()
    tree = tree_with(
        bob, "openbook.yml", set_value(text, ("partners", "alice", "signing_key"), eve)
    )
    bobkey = git(bob, "config", "user.signingkey")
    intro = git(bob, "rev-parse", "HEAD")
    commit(bob, "checkins/2026/y.md", checkin_text("bob"), BOB_ID)
    side = plain(bob, "commit-tree", tree, "-p", intro, "-m", "side", sign=bobkey)
    merged = plain(bob, "commit-tree", tree, "-p", "HEAD", "-p", side, "-m", "m", sign=bobkey)
    alice_refuses(signed, merged, "key-change-not-by-owner")
    # and what Eve signs as Alice does not verify in Bob's clone either
    git(bob, "update-ref", "refs/heads/main", merged)
    git(bob, "reset", "-q", "--hard")
    forged = commit(bob, "x.md", "x\n", ALICE_ID, f"user.signingkey={keys['eve']}")
    assert rules_of(bob)[forged] == "unknown-key"


def test_turning_the_requirement_off_in_the_push_that_uses_the_gap(signed: Pair) -> None:
    bob = signed.bob
    text = (bob / "openbook.yml").read_text()
    commit(bob, "openbook.yml", set_value(text, ("require_signatures",), False), BOB_ID)
    gap = commit(bob, "checkins/2026/x.md", checkin_text("bob"), BOB_ID, "commit.gpgsign=false")
    alice_refuses(signed, gap, "unsigned")


def test_a_second_root_is_refused(signed: Pair) -> None:
    bob = signed.bob
    tree = git(bob, "rev-parse", "HEAD^{tree}")
    key = git(bob, "config", "user.signingkey")
    stranger = plain(bob, "commit-tree", tree, "-m", "another start", sign=key)
    plain(bob, "merge", "-q", "--allow-unrelated-histories", "-m", "join", stranger, sign=key)
    stderr = alice_refuses(signed, signed.head("bob"), "foreign-root")
    assert stranger[:7] in stderr
    assert rules_of(bob) == {stranger: "foreign-root"}
    assert git(bob, "rev-parse", "refs/openbook/root") == first_commit(signed.alice)


def test_a_commit_signed_by_its_author_but_committed_by_the_other(
    signed: Pair, keys: dict[str, Path]
) -> None:
    bob = signed.bob
    rel, text = "checkins/2026/x.md", checkin_text("alice")
    sha = commit(bob, rel, text, ALICE_ID, f"user.signingkey={keys['alice']}", by=BOB_ID)
    alice_refuses(signed, sha, "signer-not-committer")


def test_a_replaced_key_is_pending_until_accepted(signed: Pair, tmp_path: Path) -> None:
    new = keygen(tmp_path / "keys" / "bob-new")
    res = invoke(["keys", "replace", str(new)], vault=signed.bob, as_partner="bob")
    ok(res)
    assert "compare this fingerprint with you in person" in res.stdout
    commit(signed.bob, "checkins/2026/y.md", checkin_text("bob"), BOB_ID)
    ok(signed.sync("bob"))
    ok(signed.sync("alice"))  # merged, not an alert
    res = invoke(["verify"], vault=signed.alice)
    ok(res)
    assert res.stdout.endswith(", 2 pending key\n"), res.stdout
    pending = json.loads(invoke(["verify", "--json"], vault=signed.alice).stdout)["pending_key"]
    assert len(pending) == 2
    # Alice accepts the key after comparing it in person
    line = new.read_text().split()
    value = f"{line[0]} {line[1]}"
    trailer = f"{SETTING_TRAILER}: partners.bob.signing_key {setting_digest(value)}"
    alice_key = git(signed.alice, "config", "user.signingkey")
    plain(
        signed.alice,
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        f"accept\n\n{trailer}",
        who=ALICE_ID,
        sign=alice_key,
    )
    ok(signed.sync("alice"))
    ok(signed.sync("bob"))
    commit(signed.bob, "checkins/2026/z.md", checkin_text("bob"), BOB_ID)
    data = json.loads(invoke(["verify", "--json"], vault=signed.bob).stdout)
    assert data["problems"] == [] and len(data["pending_key"]) == 2


def test_an_acknowledged_commit_is_unverified_here_and_in_a_fresh_clone(
    signed: Pair, tmp_path: Path
) -> None:
    rel, text = "checkins/2026/x.md", checkin_text("bob")
    sha = commit(signed.bob, rel, text, BOB_ID, "commit.gpgsign=false")
    alice_refuses(signed, sha, "unsigned")
    alice = signed.alice
    git(alice, "fetch", "-q", "origin")
    key = git(alice, "config", "user.signingkey")
    msg = (
        "acknowledge\n\nOpenbook-Action: acknowledge\nOpenbook-Partner: alice\n"
        f"Openbook-Unverified: {sha}\n"
    )
    plain(alice, "merge", "-q", "--no-ff", "-m", msg, "origin/main", who=ALICE_ID, sign=key)
    res = invoke(["verify"], vault=alice)
    ok(res)
    assert res.stdout.endswith(", 1 unverified\n"), res.stdout
    assert json.loads(invoke(["verify", "--json"], vault=alice).stdout)["unverified"] == [sha]
    git(alice, "push", "-q", "origin", "HEAD:main")
    fresh = tmp_path / "fresh"
    res = invoke(["clone", str(signed.remote), str(fresh), "--as", "alice"])
    ok(res)
    res = invoke(["verify"], vault=fresh)
    ok(res)
    assert res.stdout.endswith(", 1 unverified\n"), res.stdout


def test_clone_with_the_right_or_a_wrong_introduction(signed: Pair, tmp_path: Path) -> None:
    data = json.loads(invoke(["keys", "list", "--json"], vault=signed.bob).stdout)
    intro = data["introduction"]["commit"]
    assert intro == git(signed.bob, "rev-parse", "HEAD")  # Alice's acceptance
    res = invoke(["clone", str(signed.remote), str(tmp_path / "a"), "--as", "alice"])
    ok(res)
    assert "trusted" in res.stdout and "openbook fingerprint" in res.stdout
    ok(
        invoke(
            [
                "clone",
                str(signed.remote),
                str(tmp_path / "b"),
                "--as",
                "alice",
                "--introduction",
                intro,
            ]
        )
    )
    assert git(tmp_path / "b", "rev-parse", "refs/openbook/introduction") == intro
    wrong = first_commit(signed.bob)
    res = invoke(
        ["clone", str(signed.remote), str(tmp_path / "c"), "--as", "alice", "--introduction", wrong]
    )
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert wrong[:7] in res.stderr and intro[:7] in res.stderr
    fp = json.loads(invoke(["fingerprint", "--json"], vault=signed.bob).stdout)
    assert fp["introduction"]["commit"] == intro


def test_acknowledged_reads_the_trailers(signed: Pair) -> None:
    from openbook.trust.acknowledge import acknowledge_message, acknowledged

    target = git(signed.bob, "rev-parse", "HEAD~1")
    msg = acknowledge_message("bob", [target])
    plain(signed.bob, "commit", "-q", "--allow-empty", "-m", msg)
    ack = signed.head("bob")
    assert acknowledged(signed.bob, ["HEAD"]) == {target: ack}


def test_a_second_run_reads_again_when_old_history_is_merged_in(signed: Pair) -> None:
    from openbook.trust.verify import verify
    from openbook.vault import Vault

    bob = signed.bob
    assert verify(Vault(bob)).problems == []
    old = first_commit(bob)
    tree = tree_with(bob, "checkins/2026/x.md", checkin_text("bob"), old)
    side = plain(bob, "commit-tree", tree, "-p", old, "-m", "old side")
    key = git(bob, "config", "user.signingkey")
    merge_tree = git(bob, "merge-tree", "--write-tree", "HEAD", side).splitlines()[0]
    merged = plain(bob, "commit-tree", merge_tree, "-p", "HEAD", "-p", side, "-m", "m", sign=key)
    git(bob, "update-ref", "refs/heads/main", merged)
    result = verify(Vault(bob))
    assert [(p.commit, p.rule) for p in result.problems] == [(side, "outside-introduction")]
    assert result.checked == result.commits == 8


def test_trust_state_at_shows_a_proposal_until_it_is_accepted(signed: Pair) -> None:
    from openbook.trust.verify import trust_state_at

    ok(invoke(["keys", "require", "--off"], vault=signed.alice, as_partner="alice"))
    state = trust_state_at(signed.alice, "HEAD")
    assert state.require is True and state.introduction is not None
    assert (state.pending["require_signatures"].value, state.pending["require_signatures"].by) == (
        False,
        "alice",
    )
    assert set(state.partners) == {"alice", "bob"} and state.timezone == "Europe/Berlin"
    assert trust_state_at(signed.alice, "HEAD~1").pending == {}


def test_settings_that_cannot_be_in_force_are_a_config_problem(signed: Pair) -> None:
    from openbook.trust.verify import trust_state_at

    bob = signed.bob
    text = (bob / "openbook.yml").read_text()
    same = set_value(text, ("partners", "alice", "email"), "bob@example.org")
    sha = commit(bob, "openbook.yml", same, BOB_ID)
    assert rules_of(bob) == {sha: "config"}
    assert trust_state_at(bob, sha).partners["alice"].email == "alice@example.org"
