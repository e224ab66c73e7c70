"""The agreements as the words both accepted make them (SPEC section 10, "Consent is to
the words"): which acceptances wait again after a change, what stays in force meanwhile,
and `consent-unproven` where an agreement file's `status` or `accepted_by` says otherwise.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from openbook.check.cache import digest_of, in_folders
from openbook.check.terms import Replayed, replayed
from openbook.notes.locate import key_position
from openbook.notes.parse import Note, Problem, parse_bytes
from openbook.notetypes.agreement import TERMS, terms_digest
from openbook.vault import Vault

CACHE_FILE = "words.json"
CACHE_VERSION = 1
LIVE = ("active", "paused")


@dataclass
class WordsChange:
    """An agreement whose words are not (yet) both partners' words."""

    id: str
    path: str
    title: str  # the file's title: the words proposed
    changed_after: list[str] = field(default_factory=list)  # whose acceptance waits again
    waiting_for: list[str] = field(default_factory=list)  # who has not accepted these words
    declined_by: list[str] = field(default_factory=list)  # who said no to these words
    in_force: str | None = None  # the text of the version both accepted, still in force
    committed: bool = True  # the file's words are the last committed ones


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def change_of(note: Note, st: Replayed, partners: list[str]) -> WordsChange | None:
    """How the words of `note` stand against what history shows was accepted."""
    aid = str(note.meta.get("id"))
    digest = terms_digest(note.meta, note.body)
    after = [p for p in partners if p in st.latest and st.latest[p] != digest]
    declined = [p for p in partners if st.declined.get(p) == digest]
    if (not after and not declined) or (after and st.in_force == digest):
        return None
    return WordsChange(
        aid,
        note.path,
        str(note.meta.get("title") or aid),
        after,
        [p for p in partners if st.latest.get(p) != digest],
        declined,
        st.in_force_text if after and st.in_force else None,
        digest == st.current,
    )


def judge(
    vault: Vault, notes: Mapping[str, Note], states: Mapping[str, Replayed]
) -> list[WordsChange]:
    partners = list(vault.config.partners)
    out = []
    for _, note in sorted(notes.items()):
        st = states.get(str(note.meta.get("id")))
        if note.meta.get("type") != "agreement" or st is None:
            continue
        change = change_of(note, st, partners)
        if change is not None:
            out.append(change)
    return out


def problems_of(
    vault: Vault, changes: list[WordsChange], notes: Mapping[str, Note]
) -> list[Problem]:
    """`consent-unproven` where a committed file claims consent to words history does not
    show both accepting."""
    names = {pid: p.name for pid, p in vault.config.partners.items()}
    out = []
    for c in changes:
        note = notes.get(c.path)
        if note is None or not c.committed or not c.changed_after:
            continue
        listed = _as_list(note.meta.get("accepted_by"))
        for p in c.changed_after:
            if p in listed:
                line, col = key_position(vault.root, c.path, "accepted_by")
                who = names.get(p, p)
                out.append(
                    Problem(
                        c.path,
                        line,
                        col,
                        "error",
                        "consent-unproven",
                        f"{who} is listed in accepted_by, but {c.id} changed after {who} "
                        f"accepted, so it waits for {who} ('openbook accept {c.id}', run by "
                        f"{who}); the earlier acceptance does not count for these words",
                    )
                )
        if c.in_force is None and note.meta.get("status") in LIVE:
            line, col = key_position(vault.root, c.path, "status")
            out.append(
                Problem(
                    c.path,
                    line,
                    col,
                    "error",
                    "consent-unproven",
                    f"{c.id} says it is {note.meta.get('status')}, but you have not both "
                    f"accepted these words; it stays proposed until both run "
                    f"'openbook accept {c.id}'",
                )
            )
    return out


def check_words(
    vault: Vault,
    stats: Mapping[str, tuple[int, int]],
    notes: Callable[[list[str]], Mapping[str, Note]],
    state: Path | None,
) -> tuple[list[WordsChange], list[Problem]]:
    """The agreements whose words wait for consent and their problems, remembered under
    `state` while HEAD, the settings and the agreement files stay as they were."""
    head, states = replayed(vault, state)
    if not states:
        return [], []
    watched = in_folders(stats, ("agreements/",))
    key = digest_of(CACHE_VERSION, head, vault.config.digest, watched)
    cache = state / CACHE_FILE if state else None
    if cache is not None:
        with contextlib.suppress(
            OSError, ValueError, TypeError, KeyError, AttributeError, IndexError
        ):
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("key") == key:
                found = [WordsChange(**c) for c in saved["changes"]]
                return found, [Problem(**p) for p in saved["problems"]]
    parsed = notes([p for p, _ in watched])
    found = judge(vault, parsed, states)
    problems = problems_of(vault, found, parsed)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.parent.mkdir(parents=True, exist_ok=True)
            saved = {
                "key": key,
                "changes": [asdict(c) for c in found],
                "problems": [asdict(p) for p in problems],
            }
            cache.write_text(json.dumps(saved), encoding="utf-8")
    return found, problems


def in_words(notes: Mapping[str, Note], changes: list[WordsChange]) -> None:
    """What history proves, in every output: an agreement whose words changed after a
    partner accepted stays in force in the words both accepted, or is proposed."""
    for c in changes:
        note = notes.get(c.path)
        if note is None or not c.changed_after:
            continue
        meta = dict(note.meta)
        if c.in_force is not None:
            old = parse_bytes(c.path, c.in_force.encode("utf-8"), positions=False)
            for key in TERMS:
                meta.pop(key, None)
                if key in old.meta:
                    meta[key] = old.meta[key]
            if meta.get("status") not in (*LIVE, "retired"):
                meta["status"] = "active"
            note.body = old.body
        else:
            if meta.get("status") in LIVE:
                meta["status"] = "proposed"
            listed = _as_list(meta.get("accepted_by"))
            meta["accepted_by"] = [p for p in listed if p not in c.changed_after]
        note.meta = meta
