"""How this clone signs: which key, whether git can use it, and the git settings for it.

Signing itself is git's (`gpg.format=ssh` runs ssh-keygen with the private key or the
agent); verifying is openbook's own (`trust.sshsig`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from openbook.errors import OpenbookError
from openbook.git import repo as gitrepo
from openbook.trust import sshsig

DEFAULT_KEY = "~/.ssh/id_ed25519.pub"


# --------------------------------------------------------------------- the signing key


@dataclass(frozen=True)
class SigningKey:
    """A key as given to `keys add`: the public key and how git finds it."""

    key: sshsig.PublicKey
    spec: str  # user.signingkey: the .pub path, or key::TEXT for an agent's key


def read_key(given: str | None) -> SigningKey:
    """PUBKEY is a path to a .pub file or the key text; default ~/.ssh/id_ed25519.pub."""
    text = (given or DEFAULT_KEY).strip()
    looks_like_key = text.split(" ", 1)[0] in sshsig.KEY_TYPES or text.startswith("sk-")
    if not looks_like_key:
        path = Path(text).expanduser()
        if path.is_file() and path.suffix != ".pub" and Path(f"{path}.pub").is_file():
            path = Path(f"{path}.pub")
        if not path.is_file():
            raise OpenbookError(
                f"{path} does not exist; make a key with 'ssh-keygen -t ed25519' or give "
                "the path of your .pub file."
            )
        try:
            content = path.read_text(encoding="utf-8").strip()
            key = sshsig.parse_public_key(content)
        except (OSError, UnicodeDecodeError, sshsig.KeyFormatError) as exc:
            why = exc if isinstance(exc, sshsig.KeyFormatError) else "it cannot be read"
            raise OpenbookError(f"{path} is not a public key openbook can use: {why}.") from None
        return SigningKey(key, str(path.absolute()))
    try:
        key = sshsig.parse_public_key(text)
    except sshsig.KeyFormatError as exc:
        raise OpenbookError(
            f"That key cannot be used: {exc}. Make one with 'ssh-keygen -t ed25519', then "
            "run 'openbook keys add' again."
        ) from None
    for pub in sorted(Path("~/.ssh").expanduser().glob("*.pub")):
        try:
            if sshsig.parse_public_key(pub.read_text(encoding="utf-8")) == key:
                return SigningKey(key, str(pub))
        except (OSError, UnicodeDecodeError, sshsig.KeyFormatError):
            continue
    return SigningKey(key, f"key::{key.text}")


def _agent_has(key: sshsig.PublicKey) -> bool:
    if not os.environ.get("SSH_AUTH_SOCK"):
        return False
    try:
        proc = subprocess.run(
            ["ssh-add", "-L"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    for line in proc.stdout.splitlines():
        try:
            if sshsig.parse_public_key(line) == key:
                return True
        except sshsig.KeyFormatError:
            continue
    return False


def unusable(signing: SigningKey) -> str | None:
    """Why git could not sign with this key here (None when it can)."""
    if not signing.spec.startswith("key::"):
        pub = Path(signing.spec).expanduser()
        private = pub.with_suffix("") if pub.suffix == ".pub" else pub
        if private.is_file() and os.access(private, os.R_OK):
            return None
        if _agent_has(signing.key):
            return None
        return f"there is no private key at {private} and no ssh-agent holds it"
    if _agent_has(signing.key):
        return None
    return "no private key for it is in ~/.ssh and no ssh-agent holds it"


def configured_key(root: Path) -> SigningKey | None:
    """The key this clone signs with (user.signingkey with gpg.format=ssh), if any."""
    if (gitrepo.config_get(root, "gpg.format") or "openpgp") != "ssh":
        return None
    spec = gitrepo.config_get(root, "user.signingkey")
    if not spec:
        return None
    try:
        return read_key(spec.removeprefix("key::"))
    except OpenbookError:
        return None


def signs_commits(root: Path) -> bool:
    return gitrepo.config_bool(root, "commit.gpgsign")


def signing_problem(root: Path) -> str | None:
    """One sentence when this clone is set to sign commits but cannot: call it before a
    write, and write nothing when it returns a sentence."""
    if not signs_commits(root) or (gitrepo.config_get(root, "gpg.format") or "") != "ssh":
        return None
    spec = gitrepo.config_get(root, "user.signingkey")
    signing = configured_key(root)
    if signing is None:
        return (
            f"This clone signs commits but its key ({spec or 'user.signingkey is not set'}) "
            "cannot be read; run 'openbook keys add' again. Nothing was written."
        )
    why = unusable(signing)
    if why:
        return f"This clone signs commits, but {why}; unlock or restore it. Nothing was written."
    return None


def commit_tree_sign_args(root: Path) -> list[str]:
    """`git commit-tree` ignores commit.gpgsign (checked with git 2.39): pass these
    arguments to it so merge commits are signed like every other commit."""
    return ["-S"] if signs_commits(root) else []


def sign_env(signing: SigningKey) -> dict[str, str]:
    """Git configuration for one command that signs with `signing`."""
    pairs = [("gpg.format", "ssh"), ("user.signingkey", signing.spec), ("commit.gpgsign", "true")]
    env = {"GIT_CONFIG_COUNT": str(len(pairs))}
    for i, (k, v) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{i}"] = k
        env[f"GIT_CONFIG_VALUE_{i}"] = v
    return env


def use_key(root: Path, signing: SigningKey) -> None:
    """This clone signs every commit with `signing` from now on."""
    gitrepo.config_set(root, "gpg.format", "ssh")
    gitrepo.config_set(root, "user.signingkey", signing.spec)
    gitrepo.config_set(root, "commit.gpgsign", "true")
