"""Starting to use an encrypted remote (SPEC section 11): `openbook remote encrypt URL`
in a vault, and `openbook clone --identity KEY URL` of one."""

from __future__ import annotations

from pathlib import Path

from openbook.errors import OpenbookError, RemoteUnreachable
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.git.urls import for_display
from openbook.sync import bundles, encrypted
from openbook.sync.refs import SEEN, TRACKING
from openbook.sync.transport import not_a_repository, run_network, unreachable_reason
from openbook.trust.verify import trust_state_at
from openbook.vault import Vault


def holds_only_bundles(root: Path, rev: str) -> bool:
    listing = plumbing.tree_listing(root, rev)
    return bool(listing) and all(bundles.sequence_of(e.path) is not None for e in listing)


def _remote_refs(root: Path, url: str) -> list[str]:
    res = run_network(
        root, ["ls-remote", "--end-of-options", url], f"{for_display(url)} did not answer in time"
    )
    if res.status != 0:
        if not_a_repository(res.stderr):
            raise OpenbookError(f"{for_display(url)} is not a git repository; check the address.")
        raise RemoteUnreachable(unreachable_reason(res.stderr))
    return [line.split("\t", 1)[1] for line in res.stdout.splitlines() if "\t" in line]


def _refuse_plain(root: Path, url: str) -> None:
    """A remote that already holds a plain history (anything but openbook's bundles on
    `main`) is refused: encrypting beside it would leave the plain copy readable."""
    names = [n for n in _remote_refs(root, url) if n != "HEAD"]
    if not names:
        return
    start = (
        f"{for_display(url)} already holds a plain history, and encrypting there would leave that "
        "copy readable by the host. Create a new, empty private repository (or 'git init "
        "--bare' on your server or drive), then run 'openbook remote encrypt NEW-URL'; "
        "delete the old one once you both use the new one."
    )
    if names != ["refs/heads/main"]:
        raise OpenbookError(start)
    temp = "refs/openbook/encrypted/probe"
    plumbing.delete_ref(root, temp)
    res = run_network(
        root,
        [
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--refmap=",
            "--end-of-options",
            url,
            f"refs/heads/main:{temp}",
        ],
        f"{for_display(url)} did not answer in time",
    )
    try:
        if res.status != 0:
            raise RemoteUnreachable(unreachable_reason(res.stderr))
        if not holds_only_bundles(root, temp):
            raise OpenbookError(start)
    finally:
        plumbing.delete_ref(root, temp)


def check_identity(root: Path, rev: str, partner: str, path: Path) -> None:
    """The private key at `path` must open what is encrypted to `partner`'s key in force."""
    state = trust_state_at(root, rev)
    own = state.partners.get(partner)
    ident = bundles.load_identity(path)
    if own is None or own.key is None:
        return
    probe = bundles.encrypt(b"openbook", [own.key.text])
    if bundles.decrypt(probe, ident) is None:
        raise OpenbookError(
            f"The private key {path} is not the one matching your signing key "
            f"({own.key.fingerprint}); give the right one with --identity PATH."
        )


def encrypt_remote(
    vault: Vault, partner: str, url: str, remote: str = "origin", identity: Path | None = None
) -> list[str]:
    """Make `remote` of this vault the encrypted remote at `url`; returns what to say."""
    vault.require_writable()
    vault.require_config()
    root = vault.root
    url = gitrepo.check_remote_url(url)
    if not gitrepo.has_head(root):
        raise OpenbookError("This vault has no commits yet; write a note first, then try again.")
    bundles.recipients(root, "HEAD")  # both partners' keys, of a type age encrypts to
    path = (identity or encrypted.identity_path(root)).expanduser().absolute()
    check_identity(root, "HEAD", partner, path)
    _refuse_plain(root, url)
    current = gitrepo.run(root, ["remote", "get-url", remote], check=False)
    had = current.status == 0
    same = had and current.stdout.strip() == url and encrypted.is_encrypted(root, remote)
    gitrepo.run(root, ["remote", "set-url" if had else "add", remote, url])
    gitrepo.run(root, ["config", "--unset-all", f"remote.{remote}.fetch"], check=False)
    _mark(root, remote, path)
    if not same:
        _forget_remote(root, remote)  # a new remote starts unseen
    return [
        f"{remote} is now the encrypted remote at {for_display(url)}: what you share there is "
        "encrypted to both your keys, and the host sees only numbered bundles.",
        "Run 'openbook sync' to share your history there; your partner runs 'openbook "
        f"remote encrypt {for_display(url)}' in their copy (or clones it with --identity).",
    ]


def _mark(root: Path, remote: str, identity: Path) -> None:
    """Mark `remote` encrypted for this clone. A plain `git push` to it pushes only what
    it already holds (the last encrypted commit seen), never readable history."""
    gitrepo.config_set(root, encrypted.MARK.format(remote=remote), "true")
    gitrepo.config_set(root, encrypted.IDENTITY, str(identity))
    cipher = encrypted.CIPHER.format(remote=remote)
    gitrepo.config_set(root, f"remote.{remote}.push", f"{cipher}:refs/heads/main")


def _forget_remote(root: Path, remote: str) -> None:
    """A new remote starts unseen: the seen and fetched refs of the old address go."""
    branch = gitrepo.current_branch(root) or "main"
    _, values = plumbing.read_refs(root, "refs/openbook/", "refs/remotes/")
    names = [
        SEEN.format(remote=remote, branch=branch),
        TRACKING.format(remote=remote, branch=branch),
        encrypted.CIPHER.format(remote=remote),
        encrypted.PLAIN.format(remote=remote),
    ]
    gone = [n for n in names if n in values]
    if gone:
        plumbing.update_refs(root, delete=gone)
    shadow = encrypted.read_shadow(root, remote)
    if shadow.applied or shadow.skipped:
        encrypted.write_shadow(root, remote, encrypted.Shadow())


def _default_identity() -> Path:
    """~/.ssh/id_ed25519, else ~/.ssh/id_rsa (the key types age encrypts to)."""
    for name in ("id_ed25519", "id_rsa"):
        path = Path("~/.ssh").expanduser() / name
        if path.is_file():
            return path
    return Path("~/.ssh/id_ed25519")


def open_clone(root: Path, url: str, identity: Path | None) -> None:
    """A fresh clone of an encrypted remote: mark it, apply every bundle, and put the
    decrypted history where a plain clone has it (refs/heads/main), before any check."""
    path = (identity or _default_identity()).expanduser().absolute()
    if identity is None and not path.is_file():
        raise OpenbookError(
            f"{for_display(url)} is an encrypted remote; give the SSH private key matching your "
            "signing key: 'openbook clone --identity ~/.ssh/KEY URL DIRECTORY'. Nothing "
            "was cloned."
        )
    bundles.load_identity(path)  # readable, no passphrase
    gitrepo.run(root, ["config", "--unset-all", "remote.origin.fetch"], check=False)
    _mark(root, "origin", path)
    gitrepo.run(root, ["symbolic-ref", "--delete", "refs/remotes/origin/HEAD"], check=False)
    _, values = plumbing.read_refs(root, "refs/heads/", "refs/remotes/")
    plumbing.update_refs(root, delete=[n for n in values if not n.endswith("/HEAD")])
    gitrepo.run(root, ["symbolic-ref", "HEAD", "refs/heads/main"])
    head = encrypted.fetch(root, "origin", "main", "refs/heads/main")
    if head is None:
        raise OpenbookError(
            f"{for_display(url)} holds no bundle yet; the partner who set it up runs 'openbook "
            "sync' first, then clone again."
        )
    plumbing.update_refs(root, update={TRACKING.format(remote="origin", branch="main"): head})
    gitrepo.config_set(root, "branch.main.remote", "origin")
    gitrepo.config_set(root, "branch.main.merge", "refs/heads/main")
