"""Consent proven by history (SPEC section 7, GUIDE invariant 7).

A partner counts in an agreement's `accepted_by`, `paused_by` or `retire_requested_by`,
as the one who answered a question, or as the one who paused everything (a `pause`
note's `by`, and its `resumed` and `until`: only the pauser ends a pause), only through a
commit that is that partner's own:
author and committer are that partner (and, when signatures are required, the commit is
signed by that partner's key). A claim that history does not support is reported as
`consent-unproven`, and the ritual treats it as not given.

One `git log` over the agreement and question folders finds the commits that changed
them; one `git cat-file --batch` reads each such version and its first parent's, so the
commit that *introduced* each claim is known. A claim present only in the work tree (not
yet committed) is this clone's partner's to commit: it is judged when it is committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openbook.git.repo import git_bytes
from openbook.notes.parse import Note, Problem, parse_bytes
from openbook.vault import Vault

CLAIM_FIELDS = ("accepted_by", "paused_by", "retire_requested_by")
ANSWERED = "answered"
PAUSE_FIELDS = ("by", "resumed", "until")  # a pause note's claims, each the pauser's own
FOLDERS = ("agreements", "questions", "pauses")
Claim = tuple[str, str]  # (field, partner)


@dataclass(frozen=True)
class Unproven:
    path: str
    field: str
    partner: str
    commit: str  # the commit that introduced the claim, or "" when it was never committed
    by: str  # who that commit was by (author email), or ""


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def claims_of(meta: Mapping[str, Any]) -> set[Claim]:
    """The consents a note's frontmatter claims, as (field, partner)."""
    kind = meta.get("type")
    if kind == "agreement":
        return {(f, p) for f in CLAIM_FIELDS for p in _as_list(meta.get(f))}
    if kind == "question" and meta.get("status") == "answered" and isinstance(meta.get("to"), str):
        return {(ANSWERED, meta["to"])}
    if kind == "pause" and isinstance(meta.get("by"), str):
        return {(f, meta["by"]) for f in PAUSE_FIELDS if meta.get(f) not in (None, "")}
    return set()


@dataclass(frozen=True)
class _Touch:
    sha: str
    parent: str | None
    author: str
    committer: str
    paths: tuple[str, ...]


def _git(root: Path, args: list[str], data: bytes | None = None) -> bytes:
    """git's output as bytes through the git layer; empty when git refuses (no history)."""
    return git_bytes(root, args, data, check=False)


def _touches(root: Path, rev: str = "HEAD") -> list[_Touch]:
    """Commits (no merges) that changed a note in the agreement or question folders."""
    fmt = "%x1e%H%x1f%P%x1f%ae%x1f%ce"
    raw = _git(
        root,
        [
            "log",
            "--no-merges",
            "--no-renames",
            "-z",
            f"--format={fmt}",
            "--name-only",
            "--end-of-options",
            rev,
            "--",
            *FOLDERS,
        ],
    )
    out = []
    for record in raw.decode("utf-8", "replace").split("\x1e")[1:]:
        head, _, names = record.partition("\n")
        sha, parents, author, committer = [*head.strip("\0").split("\x1f"), "", "", ""][:4]
        paths = tuple(p for p in names.strip("\n\0").split("\0") if p.endswith(".md"))
        parent = parents.split()[0] if parents.split() else None
        out.append(_Touch(sha, parent, author.lower(), committer.lower(), paths))
    return out


def _read_blobs(root: Path, names: list[str]) -> dict[str, bytes]:
    """`rev:path` -> content for every name that exists (one cat-file stream)."""
    if not names:
        return {}
    raw = _git(root, ["cat-file", "--batch"], ("\n".join(names) + "\n").encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for name in names:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs[name] = raw[pos : pos + size]
            pos += size + 1
    return blobs


def _claims_at(blobs: Mapping[str, bytes], name: str) -> set[Claim]:
    data = blobs.get(name)
    if data is None:
        return set()
    return claims_of(parse_bytes(name.split(":", 1)[-1], data, positions=False).meta)


def introductions(
    root: Path, wanted: Iterable[str], rev: str = "HEAD"
) -> dict[tuple[str, Claim], _Touch]:
    """For each (path, claim), the newest commit that introduced it (relative to its
    first parent). Merges introduce nothing: the commits they bring in are looked at."""
    paths = set(wanted)
    touches = [t for t in _touches(root, rev) if paths.intersection(t.paths)]
    names: list[str] = []
    for t in touches:
        for p in paths.intersection(t.paths):
            names.append(f"{t.sha}:{p}")
            if t.parent:
                names.append(f"{t.parent}:{p}")
    blobs = _read_blobs(root, names)
    found: dict[tuple[str, Claim], _Touch] = {}
    for t in touches:  # newest first: the first introduction seen is the latest
        for p in sorted(paths.intersection(t.paths)):
            before = _claims_at(blobs, f"{t.parent}:{p}") if t.parent else set()
            for claim in _claims_at(blobs, f"{t.sha}:{p}") - before:
                found.setdefault((p, claim), t)
    return found


def _signers(root: Path, wanted: set[str]) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(whose key in force signed each commit, the same with a replaced key not yet
    accepted also counting: for pauses only)."""
    from openbook.trust.verify import signers_and_pausers

    firm, pausing = signers_and_pausers(root, "HEAD")
    return (
        {sha: who for sha, who in firm.items() if sha in wanted},
        {sha: who for sha, who in pausing.items() if sha in wanted},
    )


def _admitted(root: Path) -> set[str]:
    """Commits admitted without proof (`sync --accept-unverified`): nothing they claim
    counts."""
    from openbook.trust.acknowledge import acknowledged

    return set(acknowledged(root, ["HEAD"]))


def find_unproven(vault: Vault, notes: Mapping[str, Note]) -> list[Unproven]:
    """Claims in `notes` that history does not show the claimed partner's own commit adding.
    A folder without a history of its own (inside another repository) has nothing to prove
    against: the rule is skipped there."""
    if not vault.is_own_repo:
        return []
    current = {path: claims_of(n.meta) for path, n in notes.items()}
    current = {p: c for p, c in current.items() if c}
    if not current:
        return []
    found = introductions(vault.root, current)
    emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
    me = vault.own_partner()
    signers, pausing = (
        _signers(vault.root, {t.sha for t in found.values()})
        if vault.config.require_signatures
        else ({}, {})
    )
    admitted = _admitted(vault.root) if found else set()
    out = []
    for path, claims in sorted(current.items()):
        for field, partner in sorted(claims):
            touch = found.get((path, (field, partner)))
            if touch is None:
                # uncommitted: only this clone's partner may commit it (a clone that does
                # not know its partner commits nothing, so there is nothing to judge yet)
                if me is not None and partner != me:
                    out.append(Unproven(path, field, partner, "", ""))
                continue
            email = emails.get(partner)
            own = email is not None and touch.author == email and touch.committer == email
            if own and vault.config.require_signatures:
                # a pause signed by its partner's replaced key counts before it is accepted
                by = pausing if field in PAUSE_FIELDS and path.startswith("pauses/") else signers
                own = by.get(touch.sha) == partner
            if touch.sha in admitted:
                own = False
            if not own:
                out.append(Unproven(path, field, partner, touch.sha, touch.author))
    return out


def _clone_partner(vault: Vault) -> str | None:
    try:
        return vault.partner()
    except Exception:
        return None


WHAT = {
    ANSWERED: "answered",
    "by": "named as the one who paused everything",
    "resumed": "named as ending the pause",
    "until": "named as setting when the pause ends",
}


def claim_words(field: str) -> str:
    """What a claim says of its partner: 'named as ending the pause', 'listed in
    accepted_by'."""
    return WHAT.get(field, f"listed in {field}")


def problems_of(vault: Vault, unproven: list[Unproven]) -> list[Problem]:
    """`consent-unproven` problems, each at the line of the field that makes the claim."""
    names = {pid: p.name for pid, p in vault.config.partners.items()}
    located: dict[str, Note] = {}
    out = []
    for u in unproven:
        if u.path not in located:
            try:
                located[u.path] = parse_bytes(u.path, (vault.root / u.path).read_bytes())
            except OSError:
                located[u.path] = Note(u.path)
        key = "status" if u.field == ANSWERED else u.field
        line, col = located[u.path].keypos(key)
        who = names.get(u.partner, u.partner)
        what = WHAT[ANSWERED] if u.field == ANSWERED else claim_words(u.field)
        source = (
            f"the commit that added it ({u.commit[:7]}, by {u.by}) is not {who}'s own"
            if u.commit
            else f"only {who} can commit it, from their own copy"
        )
        out.append(
            Problem(
                u.path,
                line,
                col,
                "error",
                "consent-unproven",
                f"{who} is {what}, but {source}; each partner consents from their own copy "
                "with openbook, so it does not count",
            )
        )
    return out


def _head(git_dir: Path) -> str:
    """HEAD's commit id read from the files (no git process); '' when it cannot be read."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        loose = git_dir / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8").strip()
        for line in (git_dir / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        pass
    return ""


def check_consent(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
) -> tuple[list[Unproven], list[Problem]]:
    """The unproven claims and their problems, remembered under `state` while HEAD, the
    settings and the files of the agreement and question folders stay as they were."""
    if not vault.is_own_repo or vault.git_dir is None:
        return [], []
    watched = sorted((p, s) for p, s in stats.items() if p.split("/", 1)[0] in FOLDERS)
    blob = json.dumps([_head(vault.git_dir), vault.config.digest, watched, vault.own_partner()])
    key = hashlib.sha1(blob.encode()).hexdigest()
    cache = state / "consent.json" if state else None
    if cache is not None:
        try:
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                found = [Unproven(**u) for u in saved["unproven"]]
                return found, [Problem(**p) for p in saved["problems"]]
        except (OSError, ValueError, TypeError, KeyError):
            pass
    parsed = notes([p for p, _ in watched])
    found = find_unproven(vault, {p: parsed[p] for p, _ in watched if p in parsed})
    problems = problems_of(vault, found)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            saved = {
                "key": key,
                "unproven": [asdict(u) for u in found],
                "problems": [asdict(p) for p in problems],
            }
            cache.write_text(json.dumps(saved), encoding="utf-8")
    return found, problems


def effective(
    notes: Mapping[str, Note], unproven: Iterable[Unproven], partners: Iterable[str]
) -> None:
    """What history proves, in every output: an unproven consent is not given. An agreement
    whose acceptance is unproven stays proposed; an unproven pause or retirement request is
    not there; an unproven answer leaves the question open."""
    everyone = set(partners)
    by_path: dict[str, set[Claim]] = {}
    for u in unproven:
        if u.commit:  # an uncommitted claim is this copy's own draft: commit refuses it
            by_path.setdefault(u.path, set()).add((u.field, u.partner))
    for path, claims in by_path.items():
        note = notes.get(path)
        if note is None:
            continue
        meta = dict(note.meta)
        if meta.get("type") == "pause":
            note.meta = _pause_effective(meta, claims)
            continue
        if (ANSWERED, meta.get("to")) in claims:
            meta["status"] = "open"
            meta.pop("answered", None)
        for field in CLAIM_FIELDS:
            if field in meta:
                kept = [p for p in _as_list(meta[field]) if (field, p) not in claims]
                meta[field] = kept
        status = meta.get("status")
        if status == "paused" and not meta.get("paused_by"):
            status = "active"
        if status == "retired" and not everyone <= set(_as_list(meta.get("retire_requested_by"))):
            status = "active"
        if status in ("active", "paused") and not everyone <= set(
            _as_list(meta.get("accepted_by"))
        ):
            status = "proposed"
        if meta.get("type") == "agreement":
            meta["status"] = status
        note.meta = meta


def _pause_effective(meta: dict[str, Any], claims: set[Claim]) -> dict[str, Any]:
    """A pause history does not show its pauser making never held; an end (`resumed`,
    `until`) someone else wrote is not there: only the one who paused ends a pause."""
    by = meta.get("by")
    if ("by", by) in claims:
        meta["resumed"] = meta.get("since")
    else:
        for field in ("resumed", "until"):
            if (field, by) in claims:
                meta[field] = None
    return meta


def arriving_unproven(vault: Vault, head: str, incoming: str) -> list[Unproven]:
    """Consents the incoming head claims, that our head did not, and that the incoming
    history does not show the claimed partner's own commit adding (sync: exit 4)."""
    listing = _git(vault.root, ["ls-tree", "-r", "--name-only", incoming, "--", *FOLDERS])
    paths = [p for p in listing.decode("utf-8", "replace").splitlines() if p.endswith(".md")]
    blobs = _read_blobs(vault.root, [f"{r}:{p}" for p in paths for r in (incoming, head)])
    new = {
        p: _claims_at(blobs, f"{incoming}:{p}") - _claims_at(blobs, f"{head}:{p}") for p in paths
    }
    new = {p: c for p, c in new.items() if c}
    if not new:
        return []
    found = introductions(vault.root, new, rev=incoming)
    emails = {pid: p.email.lower() for pid, p in vault.config.partners.items()}
    out = []
    for path, claims in sorted(new.items()):
        for field, partner in sorted(claims):
            touch = found.get((path, (field, partner)))
            email = emails.get(partner)
            own = touch is not None and email is not None
            own = own and touch.author == email and touch.committer == email  # type: ignore[union-attr]
            if not own:
                sha = touch.sha if touch else ""
                out.append(Unproven(path, field, partner, sha, touch.author if touch else ""))
    return out
