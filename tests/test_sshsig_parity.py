"""openbook's in-process SSH signature check agrees with OpenSSH and git, case by case.

Every case is judged twice: by `ssh-keygen -Y verify -n git` (the oracle, see
tests/testing/sshsig_cases.py) and by `openbook.trust.sshsig.verify`; the verdicts must
be equal, except for the one intended difference: openbook refuses RSA keys under 2048
bits with a sentence naming the type, which OpenSSH accepts from 1024 bits.
"""

from __future__ import annotations

import base64
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testing.sshsig_cases import (
    Key,
    Oracle,
    add_sk_key,
    armor,
    intended_difference,
    keygen_sign,
    make_keys,
    openbook_accepts,
    openssh_version,
    sk_sign,
)
from testing.sshsig_corpus import MESSAGE, Case, corpus

from openbook.trust import sshsig
from openbook.trust.commits import parse_commit


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sshsig-parity")


@pytest.fixture(scope="module")
def keys(folder: Path) -> dict[str, Key]:
    return make_keys(folder)


@pytest.fixture(scope="module")
def oracle(folder: Path) -> Oracle:
    return Oracle(folder, openssh_version())


def judge(oracle: Oracle, cases: list[Case]) -> tuple[list[str], int, Counter[str]]:
    """(a line for each case where openbook and OpenSSH disagree, the number of cases
    openbook accepts, the intended differences met, by name)."""
    differ: list[str] = []
    accepted = 0
    intended: Counter[str] = Counter()
    for case in cases:
        theirs = oracle.accepts(case.key, case.armored, case.message)
        ours, reason = openbook_accepts(case.key, case.armored, case.message)
        accepted += ours
        named = intended_difference(case.key, reason) if theirs and not ours else None
        if named:
            intended[named] += 1
        elif theirs != ours:
            verdict = "accepts" if ours else f"refuses ({reason})"
            differ.append(
                f"{case.name}: ssh-keygen {'accepts' if theirs else 'refuses'}, openbook {verdict}"
            )
    return differ, accepted, intended


def _sk_cases(key: Key) -> list[Case]:
    sig = sk_sign(key, MESSAGE)
    return [
        Case("sk-ed25519: as made", key, sig, MESSAGE),
        Case("sk-ed25519: without user presence", key, sk_sign(key, MESSAGE, flags=0), MESSAGE),
        Case("sk-ed25519: another message", key, sig, MESSAGE + b"x"),
        Case("sk-ed25519: text after END", key, sig + b"more\n", MESSAGE),
    ]


@pytest.mark.slow
def test_fixed_corpus_agrees_with_ssh_keygen(keys: dict[str, Key], folder: Path) -> None:
    oracle = Oracle(folder, openssh_version())
    cases = corpus(keys, folder) + _sk_cases(add_sk_key(folder))
    differ, accepted, intended = judge(oracle, cases)
    summary = (
        f"{len(cases)} cases, {len(differ)} disagreements, {accepted} accepted by openbook, "
        f"intended differences {dict(intended)}, {oracle.emulated} judged by an OpenSSH fix "
        f"newer than the installed OpenSSH {'.'.join(map(str, oracle.version))}"
    )
    print(summary)
    assert not differ, summary + "\n" + "\n".join(differ)
    assert len(cases) >= 100 and set(intended) == {"RSA under 2048 bits", "security-key type"}


def test_rsa_under_2048_bits_is_refused_with_a_sentence(keys: dict[str, Key], folder: Path) -> None:
    key = keys["rsa1024"]
    armored = keygen_sign(key, MESSAGE, folder, "-n", "git")
    assert Oracle(folder, openssh_version()).accepts(key, armored, MESSAGE)  # OpenSSH takes it
    with pytest.raises(sshsig.BadSignature, match=r"ssh-rsa key has 1024 bits.* 2048 bits"):
        sshsig.verify(armored, MESSAGE)
    with pytest.raises(sshsig.KeyFormatError, match=r"ssh-rsa key has 1024 bits"):
        sshsig.parse_public_key(key.path.with_suffix(".pub").read_text())


def test_dearmor_reads_base64_as_b64_pton() -> None:
    blob = b"SSHSIG-something"
    text = base64.b64encode(blob)
    assert sshsig.dearmor(armor(blob)) == blob
    assert sshsig.dearmor(armor(blob).replace(b"\n", b"\r\n")) == blob
    with pytest.raises(ValueError, match="stray"):
        sshsig.dearmor(
            b"-----BEGIN SSH SIGNATURE-----\n" + text[:-3] + b"R==\n-----END SSH SIGNATURE-----"
        )


# ------------------------------------------------------------------ random mutations

_EDIT = st.tuples(
    st.sampled_from(["flip", "insert", "delete"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(b" \t\r\n\0=+/-A") | st.integers(min_value=0, max_value=255),
)


def _edit(data: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    for op, at, value in edits:
        at = at % (len(data) + 1)
        if op == "insert":
            data = data[:at] + bytes([value]) + data[at:]
        elif data and op == "flip":
            at = at % len(data)
            data = data[:at] + bytes([data[at] ^ (value or 1)]) + data[at + 1 :]
        elif data:
            at = at % len(data)
            data = data[:at] + data[at + 1 :]
    return data


@pytest.mark.slow
def test_mutated_signatures_agree_with_ssh_keygen(keys: dict[str, Key], folder: Path) -> None:
    """Byte flips, insertions and deletions in the armored text and in the decoded blob of
    real signatures: ssh-keygen and openbook give the same verdict on each."""
    oracle = Oracle(folder, openssh_version())
    kinds = ("ed25519", "p256", "rsa2048")
    sigs = {kind: keygen_sign(keys[kind], MESSAGE, folder, "-n", "git") for kind in kinds}
    seen: list[bool] = []
    differ: list[str] = []

    @settings(max_examples=1500, deadline=None, database=None)
    @given(
        kind=st.sampled_from(kinds),
        in_blob=st.booleans(),
        edits=st.lists(_EDIT, min_size=1, max_size=3),
    )
    def check(kind: str, in_blob: bool, edits: list[tuple[str, int, int]]) -> None:
        sig = sigs[kind]
        mutated = armor(_edit(sshsig.dearmor(sig), edits)) if in_blob else _edit(sig, edits)
        found, accepted, _ = judge(oracle, [Case(f"{kind} {edits}", keys[kind], mutated, MESSAGE)])
        seen.append(bool(accepted))
        differ.extend(f"{line}\n{mutated!r}" for line in found)

    check()
    summary = f"{len(seen)} mutated signatures, {len(differ)} disagreements, {sum(seen)} accepted"
    print(summary)
    assert not differ, summary + "\n" + "\n".join(differ[:5])
    assert len(seen) >= 1000 and 0 < sum(seen) < len(seen), summary


# ---------------------------------------------------------------- commits, with git


def _git(repo: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], input=data, capture_output=True)


def _signed_repo(folder: Path, keys: dict[str, Key], name: str, *init: str) -> Path:
    repo = folder / name
    _git(folder, "init", "-q", *init, str(repo))
    allowed = str(folder / "allowed_signers")
    for item in ("gpg.format=ssh", f"gpg.ssh.allowedSignersFile={allowed}", "user.name=T"):
        _git(repo, "config", *item.split("=", 1))
    return repo


def _commit(repo: Path, key: Key, text: str) -> str:
    signing = ["-c", f"user.signingkey={key.path}", "-c", f"user.email={key.principal}"]
    done = _git(repo, *signing, "commit", "-q", "--allow-empty", "-S", "-m", text)
    assert done.returncode == 0, done.stderr
    return _git(repo, "rev-parse", "HEAD").stdout.decode().strip()


def _hand_made(raw: bytes) -> dict[str, bytes]:
    """Commit objects changed around their signature header, as another tool could write."""
    head, _, message = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"gpgsig "))
    end = next((i for i in range(at + 1, len(lines)) if not lines[i].startswith(b" ")), len(lines))
    before, block, after = lines[:at], lines[at:end], lines[end:]
    renamed = [b"gpgsig-sha256 " + block[0][7:], *block[1:]]
    garbage = [b"gpgsig-sha256 not a signature", b" at all"]

    def build(*parts: list[bytes], body: bytes = message) -> bytes:
        return b"\n".join(line for part in parts for line in part) + b"\n\n" + body

    split = [block[0], *block[1:3], b"gpgsig " + block[3][1:], *block[4:]]
    return {
        "as git made it": raw,
        "signature under gpgsig-sha256 only": build(before, renamed, after),
        "gpgsig and a copy under gpgsig-sha256": build(before, block, renamed, after),
        "gpgsig-sha256 (not a signature) before gpgsig": build(before, garbage, block, after),
        "gpgsig and a header gpgsigx added": build(before, block, [b"gpgsigx added later"], after),
        "gpgsig and a bare gpgsig line added": build(before, block, [b"gpgsig"], after),
        "gpgsig and a header mergetag added": build(before, block, [b"mergetag x"], after),
        "signature split over two gpgsig headers": build(before, split, after),
        "signature body lines ending in CR": build(
            before, [block[0], *(line + b"\r" for line in block[1:-1]), block[-1]], after
        ),
        "text after END in the header": build(before, block, [b" and after"], after),
        "message changed": build(before, block, after, body=message + b"more\n"),
        "no signature at all": build(before, after),
    }


def _openbook_accepts_commit(sha: str, raw: bytes, key: Key) -> tuple[bool, str]:
    commit = parse_commit(sha, raw)
    if commit.signature is None:
        return False, "unsigned"
    return openbook_accepts(key, commit.signature, commit.payload)


@pytest.mark.slow
def test_commits_agree_with_git_verify_commit(keys: dict[str, Key], folder: Path) -> None:
    repo = _signed_repo(folder, keys, "repo")
    cases: list[tuple[str, Path, str, Key]] = []
    for name, key in keys.items():
        cases.append((f"{name}: signed by git", repo, _commit(repo, key, f"by {name}"), key))
    key = keys["ed25519"]
    raw = _git(repo, "cat-file", "commit", _commit(repo, key, "to change")).stdout
    for name, obj in _hand_made(raw).items():
        made = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", data=obj)
        assert made.returncode == 0, made.stderr
        cases.append((f"hand-made: {name}", repo, made.stdout.decode().strip(), key))
    sha256 = _signed_repo(folder, keys, "repo-sha256", "--object-format=sha256")
    for name in ("ed25519", "p256", "rsa3072"):
        cases.append(
            (f"{name}: SHA-256 repository", sha256, _commit(sha256, keys[name], name), keys[name])
        )
    differ, intended = [], Counter[str]()
    for name, where, sha, key in cases:
        theirs = _git(where, "verify-commit", sha).returncode == 0
        ours, reason = _openbook_accepts_commit(
            sha, _git(where, "cat-file", "commit", sha).stdout, key
        )
        named = intended_difference(key, reason) if theirs and not ours else None
        if named:
            intended[named] += 1
        elif theirs != ours:
            differ.append(
                f"{name}: git {'accepts' if theirs else 'refuses'}, openbook {reason or 'accepts'}"
            )
    summary = f"{len(cases)} commits, {len(differ)} disagreements, intended {dict(intended)}"
    print(summary)
    assert not differ, summary + "\n" + "\n".join(differ)
    assert intended == {"RSA under 2048 bits": 1}, summary
