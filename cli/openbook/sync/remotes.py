"""This clone's remotes as git's configuration lists them, read in one `git config` call
for a whole sync: the addresses of a remote (when no `url.*.insteadOf` rewrites them) and
which remotes are encrypted (encrypted.py marks them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openbook.git import repo as gitrepo

MARK = "remote.{remote}.openbook-encrypted"  # as encrypted.py sets it


@dataclass(frozen=True)
class RemoteSetup:
    """(key, value) pairs of `remote.*` and `url.*`, in git's order; keys as git prints
    them (section and name in lower case, the remote's name as written)."""

    entries: tuple[tuple[str, str], ...] = ()

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.entries if k == key]

    def last(self, key: str) -> str | None:
        """What `git config --get KEY` says: the last value."""
        found = self.values(key)
        return found[-1] if found else None

    @property
    def rewrites(self) -> bool:
        """Some `url.<base>.insteadOf` changes addresses: only git can tell them."""
        return any(k.startswith("url.") for k, _ in self.entries)

    def urls(self, remote: str) -> tuple[str, str | None] | None:
        """(fetch URL, push URL or None) as `git remote get-url [--push]` gives them, or
        None when only git can tell (addresses rewritten, or none in the config)."""
        fetch = self.values(f"remote.{remote}.url")
        if self.rewrites or not fetch or not fetch[0]:
            return None
        push = self.values(f"remote.{remote}.pushurl")
        return fetch[0], (push[0] if push else None)

    def encrypted(self, remote: str) -> bool:
        return self.last(MARK.format(remote=remote)) == "true"

    def encrypted_remotes(self) -> list[str]:
        """The remotes marked encrypted, by name, in the config's order."""
        head, tail = "remote.", ".openbook-encrypted"
        return [
            k[len(head) : -len(tail)]
            for k, v in self.entries
            if k.startswith(head)
            and k.endswith(tail)
            and len(k) > len(head + tail)
            and v.strip() == "true"
        ]


def remote_setup(root: Path) -> RemoteSetup:
    """Every `remote.*` and `url.*` setting, in one call."""
    return RemoteSetup(tuple(gitrepo.config_entries(root, ("remote.", "url."))))
