"""The binding terms as history left them: openbook.yml and the vault's templates at each
commit that changed them, and the order settings and consents are replayed in."""

from __future__ import annotations

import datetime as dt

from openbook.config import CONFIG_NAME
from openbook.git import repo as gitrepo
from openbook.git.objects import read_objects
from openbook.render import VAULT_TEMPLATES
from openbook.ritual.settings import TermsVersions
from openbook.vault import Vault

TEMPLATES = VAULT_TEMPLATES + "/"


def ordered_time(when: dt.datetime, seq: int) -> dt.datetime:
    """Settings and consents replay in history's order: equal times a microsecond apart."""
    return when - dt.timedelta(seconds=1, microseconds=-(seq % 10**6))


def is_term(path: str) -> bool:
    return path == CONFIG_NAME or (path.startswith(TEMPLATES) and path.endswith(".j2"))


def terms_at(vault: Vault, changed: list[tuple[dt.datetime, str, str]]) -> TermsVersions:
    """The whole of the terms at each commit of `changed` (newest first), oldest first.
    Only regular files count: a symbolic link is never a template."""
    listings: list[tuple[dt.datetime, dict[str, str], str]] = []
    for when, sha, own in changed:
        args = ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", sha]
        raw = gitrepo.run(vault.root, [*args, "--", CONFIG_NAME, VAULT_TEMPLATES], strip=False)
        files = {}
        for item in raw.stdout.split("\0"):
            meta, _, path = item.partition("\t")
            fields = meta.split()
            if len(fields) == 3 and fields[0] in ("100644", "100755") and is_term(path):
                files[path] = fields[2]
        listings.append((when, files, own))
    blobs = read_objects(vault.root, sorted({o for _, f, _ in listings for o in f.values()}))
    out: TermsVersions = []
    for when, files, own in reversed(listings):  # oldest first: equal times keep order
        texts = {
            p: obj[2].decode("utf-8", "replace")
            for p, o in files.items()
            if (obj := blobs.get(o)) is not None
        }
        config = texts.pop(CONFIG_NAME, "")
        out.append((when, config, {p[len(TEMPLATES) :]: t for p, t in texts.items()}, own))
    return out
