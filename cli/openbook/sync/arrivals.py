"""What arrived from the partner, told by kind: `Received 3 changes from Alice: 1 check-in,
1 answer to Q-0007, 1 conflict copy to reconcile.`, and one line for each shared
setting they changed (`Alice changed openbook.yml.`, `Alice changed the check-in
template.`).

Each file that changed between the shared history and the incoming head counts once,
as it is now (a note added and edited is one new note; a file added and removed again is
nothing). Its kind comes from the folder and whether it was added, changed or deleted;
the commits' Openbook-Action trailers are only a hint for answers and consent; the
partner is the author (by email in openbook.yml) of the last commit that changed it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from openbook.config import Config, Partner
from openbook.errors import shown
from openbook.git import plumbing
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import FOLDER_TYPES, is_conflict_copy
from openbook.sync.settings import is_setting
from openbook.words import plural

TEMPLATES = ".openbook/templates/"
_ID = re.compile(r"^(Q-\d{4}|A-\d{3})(?=$|-)")
# how a sentence names a note type, singular and plural
_LABELS = {
    "checkin": ("check-in", "check-ins"),
    "plan-change": ("plan change", "plan changes"),
    "meeting": ("meeting note", "meeting notes"),
    "review": ("monthly review", "monthly reviews"),
    "language": ("shared language", "shared language"),
    "timeout": ("timeout", "timeouts"),
    "repair": ("repair", "repairs"),
}
# new notes first, conflict copies last
_ORDER = ("new", "answer", "accept", "pause", "retire", "edit", "delete", "export", "conflict")
_CONSENT = {
    "accept": ("acceptance of", "acceptances of"),
    "pause": ("pause of", "pauses of"),
    "retire": ("retirement request for", "retirement requests for"),
    "answer": ("answer to", "answers to"),
}


def type_label(note_type: str, n: int = 1) -> str:
    one, many = _LABELS.get(note_type, (note_type.replace("-", " "), ""))
    return one if n == 1 else (many or one + "s")


def setting_label(path: str) -> str:
    """openbook.yml, language.md, .gitignore, 'the check-in template'."""
    if path.startswith(TEMPLATES):
        name = path[len(TEMPLATES) :]
        stem = name.split(".", 1)[0]
        if stem in FOLDER_TYPES.values() or stem in ("agenda", "language"):
            return f"the {type_label(stem)} template"
        return f"the template {shown(name)}"
    return shown(path)


def _note_id(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    m = _ID.match(stem)
    return m.group(1) if m else shown(path)


def _kind(action: str, letter: str, path: str) -> tuple[str, str] | None:
    """(kind, subject) of one file a commit changed, or None when it tells nothing."""
    if path.rsplit("/", 1)[-1] in (".gitkeep", ".gitattributes"):
        return None
    if is_conflict_copy(path):
        return ("conflict", "") if letter == "A" else None
    note_type = FOLDER_TYPES.get(path.split("/", 1)[0]) if "/" in path else None
    if note_type is None:
        return None
    if letter == "A":
        return ("new", note_type)
    if letter == "D":
        return ("delete", note_type)
    if action == "answer" and note_type == "question":
        return ("answer", _note_id(path))
    if action in ("accept", "pause", "retire") and note_type == "agreement":
        return (action, _note_id(path))
    return ("edit", note_type)


def _label(kind: str, subject: str, n: int) -> str:
    if kind == "new":
        return plural(n, type_label(subject), type_label(subject, 2))
    if kind in ("edit", "delete"):
        word = "edited" if kind == "edit" else "deleted"
        return plural(n, f"{word} {type_label(subject)}", f"{word} {type_label(subject, 2)}")
    if kind == "conflict":
        return plural(n, "conflict copy to reconcile", "conflict copies to reconcile")
    if kind == "export":
        return plural(n, "export")
    one, many = _CONSENT[kind]
    return f"{n} {one if n == 1 else many} {subject}"


@dataclass
class _FromOne:
    name: str
    kinds: Counter[tuple[str, str]] = field(default_factory=Counter)
    settings: dict[str, str] = field(default_factory=dict)  # path -> "added"/"changed"/...


@dataclass
class Arrivals:
    """What came in over one sync (several fetches when a push had to be retried)."""

    by_partner: dict[str, _FromOne] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(sum(p.kinds.values()) + len(p.settings) for p in self.by_partner.values())

    def add(
        self,
        root: Path,
        config: Config,
        old_head: str,
        incoming: str,
        records: list[gitrepo.LogRecord] | None = None,
    ) -> None:
        """Count what `incoming` changed since the history it shares with `old_head`:
        each file once, as it is now (a note added and then edited is one new note),
        told by the partner who last changed it. `records`: the commits in `incoming`
        and not in `old_head` when the caller read them (plumbing.arrived)."""
        base = plumbing.merge_base(root, old_head, incoming)
        if base is None:
            return
        emails = {p.email.lower(): p for p in config.partners.values()}
        if records is None:
            records = gitrepo.log_records(root, ["--end-of-options", incoming, f"^{old_head}"])
        last: dict[str, gitrepo.LogRecord] = {}  # newest commit that touched each path
        actions: dict[str, list[str]] = {}  # what the commits that touched it said they did
        for rec in records:
            merge = len(rec.parents) > 1
            for _, path in rec.files:
                if path not in last or (len(last[path].parents) > 1 and not merge):
                    last[path] = rec
                if not merge:
                    actions.setdefault(path, []).append(rec.trailers.get("Openbook-Action", ""))
        for rec in records:
            if not rec.files and rec.trailers.get("Openbook-Action") == "export":
                self._one(emails, rec).kinds[("export", "")] += 1
        for letter, path in plumbing.name_status(root, base, incoming):
            newest = last.get(path)
            if newest is None:
                continue
            one = self._one(emails, newest)
            if is_setting(path):
                verb = {"A": "added", "D": "removed"}.get(letter, "changed")
                one.settings[path] = verb if path.startswith(TEMPLATES) else "changed"
                continue
            said = next((a for a in actions.get(path, []) if a in _CONSENT), "")
            kind = _kind(said, letter, path)
            if kind is not None:
                one.kinds[kind] += 1

    def _one(self, emails: dict[str, Partner], rec: gitrepo.LogRecord) -> _FromOne:
        partner = emails.get(rec.email.lower())
        words = partner.name.split() if partner else []
        name = shown(words[0]) if words else (partner.id if partner else "")
        return self.by_partner.setdefault(
            partner.id if partner else "", _FromOne(name or "someone not in openbook.yml")
        )

    def lines(self) -> list[str]:
        out: list[str] = []
        for one in self.by_partner.values():
            n = sum(one.kinds.values())
            if n:
                kinds = sorted(one.kinds.items(), key=lambda item: _ORDER.index(item[0][0]))
                parts = ", ".join(_label(k, s, c) for (k, s), c in kinds)
                out.append(f"Received {plural(n, 'change')} from {one.name}: {parts}.")
            for path, verb in one.settings.items():
                out.append(f"{one.name} {verb} {setting_label(path)}.")
        return out
