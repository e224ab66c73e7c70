"""Create a vault: configuration, shared language, folders, git, the first commit."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openbook.config import CONFIG_NAME, PARTNER_ID
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notes.yamlio import dump_mapping
from openbook.notetypes.registry import GITATTRIBUTES, LANGUAGE_FILE, NOTE_FOLDERS
from openbook.vault import Vault

_SPEC = re.compile(r"^(?P<id>[^:\s]+)(?::\s*(?P<name>[^<>]+?)\s*(?:<(?P<email>[^<>\s]+)>)?)?\s*$")


GITIGNORE = """\
# editor and system droppings: never part of the shared log
*.swp
*.swo
*~
4913
.#*
*.tmp
.DS_Store
Thumbs.db
.obsidian/workspace*
.obsidian/cache
.trash/
# a private journal never belongs in the shared vault
journal/
private/
"""

HEADER = """\
# openbook settings, shared by both partners. Times are in `timezone`.
# Durations are written 20m, 48h, 7d. A change to checkins, questions, meeting, review or
# timeouts is a proposal: it binds once the other partner runs `openbook accept settings`.
"""

CHECKINS_HELP = """\
# checkins: none yet. A check-in schedule is agreed together, like an agreement. To
# propose one, write it here (remove the `# ` before the two lines below and change them),
# then commit (openbook sync does); it binds once the other partner runs
# `openbook accept settings`. every: day, or every: week with on: DAY; by: the time;
# agreement: the agreement it serves (optional; it runs only while that one is active).
# checkins:
#   {pid}: {{every: day, by: "21:00", agreement: A-002}}
"""


def parse_partner_spec(spec: str) -> dict[str, str]:
    m = _SPEC.match(spec.strip())
    if not m or not PARTNER_ID.match(m["id"]):
        raise OpenbookError(
            f"--partner '{spec}' is not `id` or `id:Name <email>`; ids are lowercase letters, "
            "digits and dashes, like alice."
        )
    pid = m["id"]
    name = (m["name"] or pid.capitalize()).strip()
    email = m["email"] or f"{pid}@openbook.invalid"
    return {"id": pid, "name": name, "email": email}


def local_timezone() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz:
        return tz
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    except OSError:
        pass
    return "UTC"


def config_text(
    tzname: str, parsed: list[dict[str, str]], checkins: Mapping[str, Mapping[str, Any]] | None
) -> str:
    """openbook.yml of a new vault: the partners, the time zone and the defaults; the
    check-in schedules only when given, else a commented example of how to propose one."""
    head: dict[str, Any] = {
        "version": 1,
        "timezone": tzname,
        "partners": {p["id"]: {"name": p["name"], "email": p["email"]} for p in parsed},
    }
    rest: dict[str, Any] = {
        "questions": {"answer_within": "48h"},
        "meeting": {"on": "sunday", "at": "19:00", "minutes": 60},
        "review": {"every": "month"},
        "timeouts": {"min": "20m", "max": "24h"},
        "require_signatures": False,
    }
    if checkins:
        middle = dump_mapping({"checkins": {pid: dict(s) for pid, s in checkins.items()}})
    else:
        middle = CHECKINS_HELP.format(pid=parsed[-1]["id"])
    return HEADER + dump_mapping(head) + middle + dump_mapping(rest)


def create_vault(
    directory: Path,
    specs: list[str],
    me: str,
    *,
    timezone: str | None = None,
    remote: str | None = None,
    checkins: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Make the vault in `directory` (new or empty) and its first commit, as `me`.

    No check-in schedule is written (SPEC section 10): openbook.yml shows, commented out,
    how to propose one. `checkins` ({partner: {"every": "day", "by": "21:00"}}) writes
    schedules into the first version, which is in force from the start: for tests and
    vaults made from a known story, never for `openbook init`."""
    parsed = [parse_partner_spec(s) for s in specs]
    ids = [p["id"] for p in parsed]
    if len(parsed) != 2 or len(set(ids)) != 2:
        raise OpenbookError(
            "give exactly two different partners, e.g. --partner alice --partner bob."
        )
    if me not in ids:
        raise OpenbookError(f"--as {me} is not one of the partners ({', '.join(ids)}).")
    if remote:
        remote = gitrepo.check_remote_url(remote)
    root = directory.expanduser().resolve()
    if (root / CONFIG_NAME).exists():
        raise OpenbookError(
            f"{root} already holds a vault ({CONFIG_NAME}); nothing was changed. "
            f"Use it ('openbook --vault {root} status'), or choose another folder."
        )
    if root.exists() and any(p for p in root.iterdir() if p.name != ".git"):
        raise OpenbookError(
            f"{root} is not empty; choose a new or empty folder so nothing of yours is mixed in."
        )
    tzname = timezone or local_timezone()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tzname)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpenbookError(
            f"unknown time zone '{tzname}'; use a name like Europe/Berlin."
        ) from None
    root.mkdir(parents=True, exist_ok=True)
    text = config_text(tzname, parsed, checkins)
    atomic_write(root / CONFIG_NAME, text.encode("utf-8"))
    atomic_write(root / ".gitignore", GITIGNORE.encode("utf-8"))
    atomic_write(root / ".gitattributes", GITATTRIBUTES.encode("utf-8"))
    for folder in NOTE_FOLDERS:
        (root / folder).mkdir(exist_ok=True)
        keep = root / folder / ".gitkeep"
        if not keep.exists():
            atomic_write(keep, b"")
    if not (root / ".git").exists():
        gitrepo.init(root)
    else:
        gitrepo.config_set(root, "core.fsync", "all")
    gitrepo.config_set(root, "openbook.partner", me)
    vault = Vault(root)
    from openbook.record.create import draft, write_draft

    write_draft(vault, draft(vault, "language", me))
    if remote:
        gitrepo.run(root, ["remote", "add", "origin", remote])
    paths = [CONFIG_NAME, ".gitignore", ".gitattributes", LANGUAGE_FILE] + [
        f"{f}/.gitkeep" for f in NOTE_FOLDERS
    ]
    sha = ledger.record(vault, me, "init", "vault", paths, "vault")
    if sha and vault.is_own_repo:
        from openbook.trust.authentic import vault_root

        vault_root(root, sha)  # the trust root of this clone (SPEC section 7)
    return root


def first_screen(root: Path, me: str, *, remote: bool) -> list[str]:
    """What `openbook init` says: what was made, whose copy it is, the safety notice, that
    no check-in schedule is set yet, and what to do next."""
    cfg = Vault(root).config
    mine = cfg.partners[me].name
    other_id = next(pid for pid in cfg.partners if pid != me)
    other = cfg.partners[other_id].name
    share = "openbook sync" if remote else "git remote add origin ADDRESS, then openbook sync"
    return [
        f"Created the vault in {root}: openbook.yml, language.md, the note folders and a "
        "first commit.",
        f"This copy is {mine}'s ({me}). {other} makes their own from the shared repository "
        f"with 'openbook --as {other_id} clone ADDRESS'.",
        "openbook is not therapy, and not for a relationship where one partner fears the other.",
        "Helplines by country: findahelpline.com; therapists and how to stop: openbook resources.",
        "No check-in schedule is set yet: agree on one together; one of you proposes it "
        f"with 'openbook propose checkins {me} --every day --by 21:00', and {other} "
        "accepts it with 'openbook accept settings'.",
        "Next:",
        "  openbook new checkin    write a check-in",
        "  openbook status         what is due and what is waiting",
        f"  {share}    share it with {other} (docs/sync.md)",
    ]
