"""`openbook keys`: enrol a partner's SSH key, list the keys, require signatures.

Each write changes one setting of openbook.yml in place and commits it as a signed
entry of the log (`Openbook-Action: keys`). The signing settings for that commit are
passed through git's `GIT_CONFIG_*` environment, so a commit that fails leaves the
file, the index and this clone's git config as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openbook.config import CONFIG_NAME
from openbook.errors import EXIT_USAGE, Busy, OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.trust import allowed, sshsig
from openbook.trust.inforce import setting_digest
from openbook.trust.signing import SigningKey, configured_key, read_key, sign_env, unusable, use_key
from openbook.trust.trustconfig import REQUIRE
from openbook.trust.verify import trust_state_at
from openbook.trust.yamledit import set_value
from openbook.vault import Vault


@dataclass(frozen=True)
class KeyInfo:
    partner: str
    name: str
    key: sshsig.PublicKey | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "name": self.name,
            "fingerprint": self.key.fingerprint if self.key else None,
            "type": self.key.algorithm if self.key else None,
            "comment": self.key.comment if self.key else None,
            "error": self.error,
        }


@dataclass(frozen=True)
class KeysResult:
    message: str
    commit: str | None = None
    fingerprint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "commit": self.commit, "fingerprint": self.fingerprint}


def _key_of(vault: Vault, pid: str) -> sshsig.PublicKey | None:
    """A partner's signing key as the current openbook.yml lists it."""
    info = (vault.config.raw.get("partners") or {}).get(pid)
    text = info.get("signing_key") if isinstance(info, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return sshsig.parse_public_key(text)
    except sshsig.KeyFormatError as exc:
        raise OpenbookError(
            f"{CONFIG_NAME}: {pid}'s signing_key cannot be read ({exc}); "
            f"{pid} can replace it with 'openbook keys add'."
        ) from None


def list_keys(vault: Vault) -> list[KeyInfo]:
    cfg = vault.require_config()
    out = []
    for pid, partner in cfg.partners.items():
        try:
            out.append(KeyInfo(pid, partner.name, _key_of(vault, pid)))
        except OpenbookError as exc:
            out.append(KeyInfo(pid, partner.name, None, str(exc)))
    return out


def _ready(vault: Vault, partner: str) -> None:
    """A write of `keys`: own repository, not mid-operation, on a branch, own partner."""
    vault.require_writable()
    vault.require_config()
    root = vault.root
    if gitrepo.current_branch(root) is None:
        raise Busy(f"{root} is not on a branch (detached HEAD); run 'git switch main' first.")
    own = gitrepo.config_get(root, "openbook.partner")
    if own and own != partner:
        raise OpenbookError(
            f"Keys are managed by each partner from their own copy; {partner} runs this "
            "in their own clone.",
            exit_code=EXIT_USAGE,
        )
    if gitrepo.status(root, CONFIG_NAME):
        raise OpenbookError(
            f"{CONFIG_NAME} has changes that are not committed; commit them first "
            "('openbook commit'), then try again."
        )


def _signable(signing: SigningKey) -> None:
    why = unusable(signing)
    if why:
        raise OpenbookError(
            f"openbook cannot sign with your key {signing.key.fingerprint}: {why}; "
            "nothing was written."
        )


def _commit(
    vault: Vault, partner: str, path: tuple[str, ...], value: Any, signing: SigningKey, body: str
) -> str:
    """Set one value of openbook.yml and commit it signed with `signing`; on failure put
    the file and the index back as they were."""
    root = vault.root
    file = root / CONFIG_NAME
    old = file.read_bytes()
    atomic_write(file, set_value(old.decode("utf-8"), path, value).encode("utf-8"))
    msg = ledger.message("config", "keys", ".".join(path), partner, body)
    env = {**ledger.identity(vault, partner), **sign_env(signing)}
    try:
        sha = gitrepo.commit_paths(root, [CONFIG_NAME], msg, env)
    except OpenbookError as exc:
        atomic_write(file, old)
        gitrepo.run(root, ["reset", "-q", "--", CONFIG_NAME], check=False)
        raise OpenbookError(
            f"git could not sign the change with {signing.key.fingerprint} ({exc}); "
            "nothing was written."
        ) from None
    finally:
        vault._config = None
    return sha


def add_key(vault: Vault, partner: str, given: str | None) -> KeysResult:
    """Put `partner`'s public key into openbook.yml, commit it signed, sign with it here."""
    _ready(vault, partner)
    signing = read_key(given)
    fp = signing.key.fingerprint
    with vault.lock():
        old = _key_of(vault, partner)
        if old == signing.key:
            _signable(signing)
            use_key(vault.root, signing)
            return KeysResult(
                f"Your key {fp} is already in {CONFIG_NAME}; this clone now signs with it.",
                None,
                fp,
            )
        for pid in vault.config.partners:
            if pid != partner and _key_of(vault, pid) == signing.key:
                raise OpenbookError(f"That key ({fp}) is {pid}'s; each of you needs your own key.")
        signer = signing
        if old is not None and vault.config.require_signatures:
            mine = configured_key(vault.root)
            if mine is None or mine.key != old:
                raise OpenbookError(
                    "Signatures are required, so a new key is added in a commit signed with "
                    f"your current one ({old.fingerprint}), which this clone cannot use; run "
                    "this where that key is, or turn the requirement off first with "
                    "'openbook keys require --off'."
                )
            signer = mine
        _signable(signing)  # this clone signs with it from now on
        if signer is not signing:
            _signable(signer)
        body = f"{partner} signs with {signing.key.algorithm} key {fp}."
        sha = _commit(
            vault, partner, ("partners", partner, "signing_key"), signing.key.line, signer, body
        )
        use_key(vault.root, signing)
        allowed.write(vault.root)
    return KeysResult(
        f"Added your key {fp} to {CONFIG_NAME} in a signed commit; this clone now signs "
        "every commit with it.",
        sha,
        fp,
    )


def _other(vault: Vault, partner: str) -> str:
    cfg = vault.config
    other = next((p for p in cfg.partners if p != partner), partner)
    return cfg.partners[other].name if other in cfg.partners else other


def _accept_commit(vault: Vault, partner: str, name: str, value: Any, signing: SigningKey) -> str:
    """An empty commit by `partner`, signed, accepting setting `name` at `value`."""
    msg = ledger.message(
        "config",
        "accept",
        "settings",
        partner,
        f"{partner} accepts {name}.",
        {"Setting": f"{name} {setting_digest(value)}"},
    )
    env = {**ledger.identity(vault, partner), **sign_env(signing)}
    return gitrepo.commit_paths(vault.root, [], msg, env, allow_empty=True)


def require(vault: Vault, partner: str, on: bool = True) -> KeysResult:
    """Propose `require_signatures` (on: both need a key) in a commit signed by `partner`,
    or accept the other partner's proposal of the same value."""
    _ready(vault, partner)
    with vault.lock():
        cfg = vault.config
        state = trust_state_at(vault.root, "HEAD")
        pending = state.pending.get(REQUIRE)
        other = _other(vault, partner)
        wanted = pending is not None and pending.value is on
        if state.require == on and not wanted:
            word = "already required" if on else "not required"
            return KeysResult(f"Signatures are {word}; nothing changed.")
        if wanted and pending is not None and pending.by == partner:
            return KeysResult(
                f"You proposed this already. Nothing changes until {other} accepts it with "
                "'openbook accept settings'."
            )
        keys = {pid: _key_of(vault, pid) for pid in cfg.partners}
        missing = [cfg.partners[pid].name for pid, key in keys.items() if key is None]
        if on and missing:
            raise OpenbookError(
                "Signatures can be required once both of you have a key; "
                f"{' and '.join(missing)} still {'needs' if len(missing) == 1 else 'need'} "
                "to run 'openbook keys add'."
            )
        mine = keys[partner]
        signing = configured_key(vault.root)
        if mine is None or signing is None or signing.key != mine:
            raise OpenbookError(
                "This change is signed with your key, and this clone does not sign with the "
                f"key {CONFIG_NAME} lists for you; run 'openbook keys add' here first."
            )
        _signable(signing)
        if wanted:
            sha = _accept_commit(vault, partner, REQUIRE, on, signing)
            vault._config = None
            word = (
                "now required: 'openbook verify' checks every new commit"
                if on
                else ("no longer required")
            )
            return KeysResult(
                f"You accepted it: signatures are {word}.", sha, signing.key.fingerprint
            )
        body = f"{partner} proposes {'requiring' if on else 'no longer requiring'} signed commits."
        sha = _commit(vault, partner, ("require_signatures",), on, signing, body)
    what = "requiring signed commits" if on else "no longer requiring signed commits"
    return KeysResult(
        f"You proposed {what}. Nothing changes until {other} accepts it with "
        "'openbook accept settings'.",
        sha,
        signing.key.fingerprint,
    )


def replace(vault: Vault, partner: str, given: str) -> KeysResult:
    """Replace `partner`'s lost key: a commit signed by the new key that changes only
    their signing_key, a proposal until the other partner accepts it."""
    _ready(vault, partner)
    signing = read_key(given)
    fp = signing.key.fingerprint
    with vault.lock():
        old = _key_of(vault, partner)
        if old is None:
            raise OpenbookError("You have no key yet; add one with 'openbook keys add'.")
        if old == signing.key:
            return KeysResult(f"Your key {fp} is already in {CONFIG_NAME}; nothing changed.")
        for pid in vault.config.partners:
            if pid != partner and _key_of(vault, pid) == signing.key:
                raise OpenbookError(f"That key ({fp}) is {pid}'s; each of you needs your own key.")
        _signable(signing)
        body = f"{partner} replaces a lost key with {signing.key.algorithm} key {fp}."
        sha = _commit(
            vault, partner, ("partners", partner, "signing_key"), signing.key.line, signing, body
        )
        use_key(vault.root, signing)
        other = _other(vault, partner)
    return KeysResult(
        f"You replaced your key with {fp}, in a commit signed by it. {other} must compare "
        f"this fingerprint with you in person, then accept it with 'openbook accept "
        "settings'; until then your commits are marked 'pending key'.",
        sha,
        fp,
    )
