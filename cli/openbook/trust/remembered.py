"""`verify` with nothing new since it last ran: answered from what it remembered, before
the verifier itself is loaded (trust/verify.py keeps the state this reads)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from openbook.git.state import head_from_files, ref_from_files

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from openbook.vault import Vault

VERIFIED_REF = "refs/openbook/verified"
STATE_FILE = "verified.json"
STATE_VERSION = 3  # bump when the policy changes, so remembered results are redone


def summary_text(
    commits: int, signed: int, problems: int, unverified: Sequence[str], pending: Sequence[str]
) -> str:
    """`10,929 commits, 0 signed, 0 problems` (and the unverified and pending counts)."""
    text = (
        f"{commits:,} commit{'' if commits == 1 else 's'}, {signed:,} signed, "
        f"{problems:,} problem{'' if problems == 1 else 's'}"
    )
    if unverified:
        text += f", {len(unverified):,} unverified"
    if pending:
        text += f", {len(pending):,} pending key"
    return text


def nothing_new(vault: Vault) -> str | None:
    """The summary `verify` prints when HEAD is the commit it verified last and that
    found nothing to list; None otherwise (then `verify` runs)."""
    gd, state = vault.git_dir, vault.state_dir()
    if not vault.is_own_repo or gd is None or state is None:
        return None
    head = head_from_files(gd)
    if head is None or ref_from_files(gd, VERIFIED_REF) != head:
        return None
    try:
        data = json.loads((state / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != STATE_VERSION or data.get("commit") != head:
            return None
        if data.get("problems") or data.get("unverified") or data.get("pending_key"):
            return None
        return summary_text(int(data["commits"]), int(data["signed"]), 0, (), ())
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
