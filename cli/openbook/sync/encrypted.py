"""An encrypted remote the host cannot read (SPEC section 11).

The remote's branch `main` holds only `bundles/<sequence>-<random>.age`: each a git
bundle of what earlier bundles lack, encrypted to both partners' keys in force. This
clone keeps a shadow of it:

- `refs/openbook/encrypted/<remote>/cipher`: the remote commit last seen (the host may
  only add to it: anything else is an alert);
- `refs/openbook/encrypted/<remote>/main`: the decrypted history, the head of the last
  applied bundle; it plays the part of the fetched remote branch for sync (run.py), so
  the integration, integrity and verification of sections 5 and 7 run unchanged;
- `.git/openbook/encrypted.json`: the bundles applied (or skipped, when written to a key
  before this partner's current one and followed by a whole-history bundle), and the
  keys the last whole-history bundle was encrypted to.

`transport.fetch` and `transport.push` hand an encrypted remote to `fetch` and `push`
here; nothing else of sync knows the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.errors import IntegrityAlert, OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.sync import bundles
from openbook.vault import Vault

MARK = "remote.{remote}.openbook-encrypted"
IDENTITY = "openbook.identity"
CIPHER = "refs/openbook/encrypted/{remote}/cipher"
PLAIN = "refs/openbook/encrypted/{remote}/main"
FETCHED = "refs/openbook/encrypted/{remote}/fetched"
STATE_FILE = "encrypted.json"
BRANCH = "main"
# the remote's commits say nothing about who made them or when
NEUTRAL = gitrepo.identity_env("openbook", "openbook@localhost", "2000-01-01T00:00:00+00:00")
MESSAGE = "openbook bundle\n"
BULK = 20  # more new bundles than this are applied as one batch, then repacked


def is_encrypted(root: Path, remote: str) -> bool:
    return gitrepo.config_get(root, MARK.format(remote=remote)) == "true"


def encrypted_remotes(root: Path) -> list[str]:
    """The remotes this clone marked encrypted, by name."""
    tail = ".openbook-encrypted"
    return [
        key[len("remote.") : -len(tail)]
        for key, value in gitrepo.config_entries(root, ("remote.",))
        if key.endswith(tail) and len(key) > len("remote." + tail) and value.strip() == "true"
    ]


def _own_dir(root: Path) -> Path:
    """.git/openbook/ of the clone at `root` (never committed, never pushed)."""
    git_dir = Vault(root).git_dir
    if git_dir is None:
        raise OpenbookError(f"{root} is not a git repository.")
    return git_dir / "openbook"


def _state_path(root: Path) -> Path:
    return _own_dir(root) / STATE_FILE


def _scratch(root: Path) -> Path:
    path = _own_dir(root) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Shadow:
    """What this clone knows of one encrypted remote."""

    applied: list[str] = field(default_factory=list)  # bundle paths, in sequence order
    skipped: list[str] = field(default_factory=list)  # could not be opened, superseded
    keys: list[str] = field(default_factory=list)  # of the last whole-history bundle

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "skipped": self.skipped, "keys": self.keys}


def read_shadow(root: Path, remote: str) -> Shadow:
    try:
        data = json.loads(_state_path(root).read_text(encoding="utf-8"))
        own = data.get(remote, {})
        return Shadow(list(own["applied"]), list(own.get("skipped", [])), list(own["keys"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Shadow()


def write_shadow(root: Path, remote: str, shadow: Shadow) -> None:
    path = _state_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        data = {}
    data[remote] = shadow.as_dict()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(data, indent=1) + "\n").encode("utf-8"))


def _beside_signing_key(root: Path) -> Path | None:
    signing = gitrepo.config_get(root, "user.signingkey") or ""
    if signing.endswith(".pub") and Path(signing).expanduser().is_file():
        return Path(signing[: -len(".pub")]).expanduser()
    return None


def identity_path(root: Path) -> Path:
    """The private key that opens bundles: `openbook.identity`, else the one beside the
    public key this clone signs with, else ~/.ssh/id_ed25519."""
    given = gitrepo.config_get(root, IDENTITY)
    if given:
        return Path(given).expanduser()
    return _beside_signing_key(root) or Path("~/.ssh/id_ed25519").expanduser()


def identity(root: Path) -> bundles.Identity:
    """The key of `identity_path`, with the one beside the signing key as well when that
    differs (after 'openbook keys replace', later bundles open with the new key)."""
    first = bundles.load_identity(identity_path(root))
    other = _beside_signing_key(root)
    if other is None or other.absolute() == first.path.absolute() or not other.is_file():
        return first
    try:
        extra = bundles.load_identity(other)
    except OpenbookError:
        return first
    return bundles.Identity(first.path, first.key, (extra.key,))


def _alert(name: str, what: str) -> IntegrityAlert:
    return IntegrityAlert(
        f"The encrypted remote's {name} {what}; nothing was merged or pushed and your history "
        "is untouched. Talk with your partner; if the host changed it, share through a new "
        "empty repository instead: 'openbook remote encrypt NEW-URL' in both copies "
        "(docs/sync.md)."
    )


def _listing(root: Path, cipher: str, shadow: Shadow) -> list[tuple[int, str, str]]:
    """(sequence, path, blob) of every bundle on the remote, checked: only bundles,
    numbered 1, 2, 3... without a gap, every bundle applied before still there."""
    found: list[tuple[int, str, str]] = []
    for entry in plumbing.tree_listing(root, cipher):
        seq = bundles.sequence_of(entry.path)
        if seq is None or entry.mode != "100644":
            raise _alert(entry.path, "is not a bundle openbook wrote")
        found.append((seq, entry.path, entry.oid))
    found.sort()
    for at, (seq, path, _oid) in enumerate(found, start=1):
        if seq != at:
            missing = f"bundle {at:06d}" if seq > at else path
            raise _alert(missing, "is missing from the sequence (or numbered twice)")
    paths = [path for _seq, path, _oid in found]
    known = shadow.applied + shadow.skipped
    if sorted(known) != sorted(paths[: len(known)]):
        gone = next((p for p in known if p not in paths), paths[0] if paths else "history")
        raise _alert(gone, "was removed or replaced since you applied it")
    return found


def _fetch_cipher(root: Path, remote: str) -> str | None:
    from openbook.sync.transport import fetch_plain

    temp = FETCHED.format(remote=remote)
    plumbing.delete_ref(root, temp)
    try:
        return fetch_plain(root, remote, BRANCH, temp)
    finally:
        plumbing.delete_ref(root, temp)


def fetch(root: Path, remote: str, branch: str, dest: str) -> str | None:
    """Fetch the encrypted remote, apply the bundles not applied yet, in order, and put
    the decrypted head in `dest` (None when the remote holds no bundle). IntegrityAlert
    (nothing recorded) for a bundle that does not open, does not apply, is missing, or
    would rewrite what was applied, and for a branch the host rolled back."""
    if branch != BRANCH:
        return None  # the encrypted remote has no hold branches
    cipher = _fetch_cipher(root, remote)
    seen_cipher, plain = plumbing.resolve(
        root, CIPHER.format(remote=remote), PLAIN.format(remote=remote)
    )
    if cipher is None:
        if seen_cipher is not None:
            raise _alert(f"branch {BRANCH}", "is gone, though this copy saw it")
        return None
    if seen_cipher is not None and not plumbing.is_ancestor(root, seen_cipher, cipher):
        raise _alert(
            f"branch {BRANCH}",
            f"was rolled back or rewritten (it no longer holds {seen_cipher[:7]})",
        )
    shadow = read_shadow(root, remote)
    listing = _listing(root, cipher, shadow)
    new = listing[len(shadow.applied) + len(shadow.skipped) :]
    if new:
        plain = _apply(root, new, shadow, plain)
    plumbing.update_refs(
        root,
        update={
            CIPHER.format(remote=remote): cipher,
            **({PLAIN.format(remote=remote): plain} if plain else {}),
        },
    )
    write_shadow(root, remote, shadow)
    if plain is not None:
        plumbing.update_refs(root, update={dest: plain})
    return plain


def _apply(
    root: Path, new: list[tuple[int, str, str]], shadow: Shadow, plain: str | None
) -> str | None:
    """Open and apply `new` in order; returns the new decrypted head. A bundle that does
    not open is forgiven only when a later whole-history bundle opens (a replaced key).
    The objects are stored first (one `git bundle unbundle` each); the chain of heads is
    checked after, at once, before any ref or record moves."""
    ident = identity(root)
    texts = plumbing.read_blobs(root, [oid for _s, _p, oid in new])
    scratch = _scratch(root)
    unopened: list[str] = []
    chain: list[tuple[str, str]] = []  # (bundle, head), in order
    skipped: list[str] = []
    full_at: str | None = None
    bulk = len(new) > BULK
    needs: list[tuple[str, str]] = []  # (bundle, commit it needs), in bulk
    for _seq, path, oid in new:
        data = bundles.decrypt(texts[oid], ident)
        if data is None:
            unopened.append(path)
            continue
        if unopened and not bundles.full_bundle(data):
            break  # the bundles before it stay unreadable: alert below
        if bulk:
            header = bundles.store_pack(root, data, path)
            needs += [(path, sha) for sha in header.prerequisites]
            chain.append((path, header.heads[0]))
        else:
            chain.append((path, bundles.apply_bundle(root, data, path, scratch)))
        skipped += unopened
        unopened = []
        if bundles.full_bundle(data):
            full_at = chain[-1][1]
    if unopened:
        raise _alert(
            unopened[0],
            f"does not open with your key ({ident.path}); if you replaced a lost key, your "
            "partner's next sync after accepting it shares everything again (docs/sync.md)",
        )
    if bulk:
        bundles.repack(root)
    _check_chain(root, plain, chain, needs)
    shadow.skipped += skipped
    shadow.applied += [path for path, _head in chain]
    if full_at is not None:
        shadow.keys = _keys_at(root, full_at)
    return chain[-1][1] if chain else plain


def _check_chain(
    root: Path, plain: str | None, chain: list[tuple[str, str]], needs: list[tuple[str, str]]
) -> None:
    """Each bundle's needs and head are here, and each head holds the one before it (the
    decrypted history only grows)."""
    if not chain:
        return
    found = plumbing.object_sizes(root, [sha for _path, sha in [*needs, *chain]])
    for path, sha in needs:
        if sha not in found:
            raise _alert(path, f"does not apply to your history (it needs {sha[:7]})")
    for path, head in chain:
        if head not in found:
            raise _alert(path, "names a commit it does not hold")
    pairs = list(zip([plain, *[h for _p, h in chain]], chain, strict=False))
    if len(pairs) <= 2:
        for older, (path, head) in pairs:
            if older is not None and not plumbing.is_ancestor(root, older, head):
                raise _alert(path, f"would rewrite history you applied before ({older[:7]})")
        return
    parents: dict[str, list[str]] = {}
    raw = gitrepo.out(root, "rev-list", "--parents", "--end-of-options", chain[-1][1])
    for line in raw.splitlines():
        sha, *rest = line.split()
        parents[sha] = rest
    for older, (path, head) in pairs:
        if older is not None and not _reaches(parents, head, older):
            raise _alert(path, f"would rewrite history you applied before ({older[:7]})")


def _reaches(parents: dict[str, list[str]], start: str, goal: str) -> bool:
    todo, seen = [start], {start}
    while todo:
        sha = todo.pop()
        if sha == goal:
            return True
        for parent in parents.get(sha, []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return False


def _keys_at(root: Path, rev: str) -> list[str]:
    try:
        return sorted(bundles.recipients(root, rev))
    except bundles.KeyMissing:
        return []


def push(root: Path, remote: str, branch: str, source: str) -> bool:
    """Push one new bundle of what the remote lacks, on top of the remote commit last
    fetched, fast-forward only. False when the remote moved meanwhile (fetch, apply and
    push again); True when it already holds `source`."""
    from openbook.sync.transport import push_plain

    if branch != BRANCH:
        raise OpenbookError(
            "the encrypted remote has no hold branch; they wait here until the next sync"
        )
    head = gitrepo.rev(root, f"{source}^{{commit}}")
    assert head is not None
    cipher, plain = plumbing.resolve(
        root, CIPHER.format(remote=remote), PLAIN.format(remote=remote)
    )
    if plain is not None and plumbing.is_ancestor(root, head, plain):
        return True
    keys = bundles.recipients(root, head)
    shadow = read_shadow(root, remote)
    whole = plain is None or sorted(keys) != sorted(shadow.keys)
    scratch = _scratch(root)
    data = bundles.make_bundle(root, head, None if whole else plain, scratch)
    sealed = bundles.encrypt(data, keys)
    seq = len(shadow.applied) + len(shadow.skipped) + 1
    name = bundles.bundle_name(seq)
    blob = plumbing.write_blob(root, sealed)
    base_tree = f"{cipher}^{{tree}}" if cipher else _empty_tree(root)
    tree = plumbing.tree_with(root, base_tree, [("100644", blob, name)], scratch / "index")
    parents = [cipher] if cipher else []
    commit = plumbing.commit_tree(root, tree, parents, MESSAGE, NEUTRAL, ["--no-gpg-sign"])
    if not push_plain(root, remote, BRANCH, commit):
        return False
    shadow.applied.append(name)
    if whole:
        shadow.keys = sorted(keys)
    plumbing.update_refs(
        root, update={CIPHER.format(remote=remote): commit, PLAIN.format(remote=remote): head}
    )
    write_shadow(root, remote, shadow)
    return True


def _empty_tree(root: Path) -> str:
    return gitrepo.run(
        root, ["hash-object", "-t", "tree", "-w", "--stdin"], input_data=""
    ).stdout.strip()
