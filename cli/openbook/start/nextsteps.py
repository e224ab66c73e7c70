"""What now? The three commands most likely to help next, from what `status` gathered."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULTS = [
    ("openbook new checkin", "write a check-in"),
    ("openbook ask TEXT", "ask your partner a question"),
    ("openbook agenda", "this week's meeting agenda"),
    ("openbook sync", "share your notes and receive your partner's"),
]


def _mine(items: Any, key: str, me: str | None) -> list[Mapping[str, Any]]:
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, Mapping) and _names(i.get(key), me)]


def _names(value: Any, me: str | None) -> bool:
    return value == me or (isinstance(value, list) and me in value)


def next_commands(data: Mapping[str, Any], me: str | None) -> list[tuple[str, str]]:
    """Up to three (command, why) pairs: what waits for `me` first, then the daily ones."""
    found: list[tuple[str, str]] = []
    if data.get("uncommitted"):
        found.append(("openbook commit", "put what you changed into the log"))
    if _mine(data.get("open_timeouts"), "called_by", me):
        found.append(("openbook back", "say you are back from your timeout"))
    for c in _mine(data.get("checkins"), "partner", me):
        if not c.get("written"):
            found.append(("openbook new checkin", f"your check-in, due by {c.get('by')}"))
            break
    for q in _mine(data.get("open_questions"), "to", me)[:1]:
        found.append((f"openbook answer {q.get('id')}", "a question waiting for your answer"))
    proposal = data.get("settings_proposal")
    if isinstance(proposal, Mapping) and _names(proposal.get("waiting"), me):
        found.append(("openbook accept settings", "settings waiting for you to read"))
    for a in _mine(data.get("agreements_waiting"), "waiting_for", me)[:1]:
        found.append((f"openbook accept {a.get('id')}", "an agreement waiting for you"))
    if data.get("not_shared") or data.get("last_sync") is None:
        found.append(("openbook sync", "share your notes and receive your partner's"))
    for pair in DEFAULTS:
        if len(found) >= 3:
            break
        if all(pair[0] != f[0] for f in found):
            found.append(pair)
    return found[:3]


OUTSIDE = [
    "This folder is not in an openbook vault.",
    "  openbook setup    begin: a few questions, then your vault (or join your partner's)",
    "  openbook demo     look around a demo vault first",
    "  openbook --help   every command",
]


def _proposed(root: Path, email: str) -> bool:
    """Whether this partner's own commits proposed settings (`openbook propose`)."""
    from openbook.git import repo as gitrepo

    args = ["log", "-1", "--format=%H", f"--author=<{email}>", "--fixed-strings"]
    args += ["--grep=Openbook-Action: propose", "--end-of-options", "HEAD"]
    return bool(gitrepo.run(root, args, check=False).stdout.strip())


def next_lines(root: Path, me: str, *, joined: bool, shared: bool, accepted: bool) -> list[str]:
    """After `setup`: what this partner does next, and what the other does, one line each."""
    from openbook.git import repo as gitrepo
    from openbook.git.urls import for_display
    from openbook.start.guided import home_path
    from openbook.vault import Vault

    cfg = Vault(root).require_config()
    other_id = next(pid for pid in cfg.partners if pid != me)
    other = cfg.partners[other_id].name
    url = gitrepo.config_get(root, "remote.origin.url")
    if joined:
        mine = "openbook status shows what is due; openbook sync shares what you write."
        if not accepted:
            mine = "when you agree with the first settings, openbook accept settings."
        theirs = "openbook sync, to receive what you write."
        if _proposed(root, cfg.partners[me].email):
            theirs = "openbook sync, then openbook accept settings to read what you proposed."
    elif shared:
        mine = "openbook status; once they joined, openbook sync and openbook accept settings."
        address = for_display(url) if url else "the address you shared"
        theirs = f"openbook setup on their own computer, choose join, address {address}."
    else:
        mine = "make an empty private repository, then git remote add origin ADDRESS and "
        mine += "openbook sync (docs/sync.md)."
        theirs = "once you shared the vault, openbook setup and choose join."
    return [f"Next for you: cd {home_path(root)}; {mine}", f"Next for {other}: {theirs}"]
