"""Check a whole vault: every note's problems, the rules across notes, a cache."""

from __future__ import annotations

import copy
import os
import stat as statmod
from dataclasses import replace
from pathlib import Path
from typing import Any

from openbook.check.ahead import check_ahead
from openbook.check.authorship import Authorship, check_authorship
from openbook.check.cache import (
    Entry,
    NoteEntry,
    Stats,
    cache_key,
    in_folders,
    read_checks,
    read_notes,
    write_checks,
    write_notes,
)
from openbook.check.held_pauses import HeldPause, agreement_view, pauses_for, view_problems
from openbook.check.note import validate_note
from openbook.check.prefetch import start as start_reads
from openbook.check.provenance import Unproven, check_consent, effective
from openbook.check.rules import CROSS_NOTE_RULES, cross_check, facts_of, former_ids
from openbook.check.words import WordsChange, check_words, in_words
from openbook.config import Config
from openbook.git import repo as gitrepo
from openbook.git.state import head_from_files
from openbook.notes.parse import MAX_FILE_BYTES, Note, Problem, parse_bytes
from openbook.notetypes.registry import is_conflict_copy, is_draft
from openbook.vault import Vault
from openbook.words import plural

__all__ = ["CheckResult", "check_vault"]


FEW = 200  # notes read on their own, rather than every note at once


class CheckResult:
    """Problems of the whole vault; the notes themselves are loaded on first use."""

    def __init__(
        self,
        vault: Vault,
        notes: int,
        problems: list[Problem],
        stats: dict[str, tuple[int, int]],
        fresh: dict[str, Note],
        key: tuple[Any, ...],
        cache_dir: Path | None,
    ) -> None:
        self.vault = vault
        self.notes = notes
        self.problems = problems
        self._stats = stats
        self._fresh = fresh
        self._key = key
        self._cache_dir = cache_dir
        self._parsed: dict[str, Note] | None = None
        self._drafts: tuple[dict[str, Note], set[str]] | None = None  # for these notes
        self.unproven: list[Unproven] = []  # consents history does not prove (provenance)
        self._held: list[HeldPause] | None = None
        self._ready = self._viewed = False  # agreements show history's pauses once ready
        self._proven = False  # whether `parsed` shows what history proves
        self.authorship = Authorship()  # notes under a name (check/authorship.py)
        self.words: list[WordsChange] = []  # agreements whose words wait for consent
        self._worded = False  # whether `parsed` shows the words in force

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    def failed_paths(self) -> set[str]:
        """Notes that cannot be used: each has an error of its own. A problem the rules
        across notes find (an unknown or duplicate id) is reported but never leaves a note
        out of the agenda or `status`."""
        return {
            p.path
            for p in self.problems
            if p.severity == "error" and p.rule not in CROSS_NOTE_RULES
        }

    def error_paths(self) -> set[str]:
        """Notes with any error, their own or across notes: `commit` records none of them."""
        return {p.path for p in self.problems if p.severity == "error"}

    def summary(self) -> str:
        return (
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')} "
            f"in {plural(self.notes, 'note')}"
        )

    @property
    def parsed(self) -> dict[str, Note]:
        """Every note's frontmatter and body (positions only for notes read this run)."""
        if self._parsed is None:
            self._parsed = self._load_notes()
            self._proven = self._viewed = self._worded = False
        if self.unproven and not self._proven:
            effective(self._parsed, self.unproven, self.vault.config.partners)
            self._proven = True
        if self.words and not self._worded:
            in_words(self._parsed, self.words)
            self._worded = True
        if self._ready and not self._viewed:
            agreement_view(self._parsed, self.held(), self.vault.now())
            self._viewed = True
        return self._parsed

    def held(self) -> list[HeldPause]:
        """Every pause as history holds it (the notes', without a history of its own)."""
        if self._held is None:
            notes = self._parsed.values() if self._parsed is not None else ()
            self._held = pauses_for(self.vault, (n for n in notes if n.type == "pause"))
        return self._held

    def notes_of(self, paths: list[str]) -> dict[str, Note]:
        """The notes at `paths` as read this run when all of them were (a first check
        reads no cache back for them), else as `parsed` shows them: only these notes are
        read (`_few`) while every note's frontmatter and body is not needed yet."""
        if all(p in self._fresh for p in paths):
            return {p: self._fresh[p] for p in paths}
        return self.shown(paths)

    def shown(self, paths: list[str]) -> dict[str, Note]:
        """The notes at `paths` as `parsed` shows them; when the cache holds all but a few
        of them, only they are read (copies), not every note."""
        few = self._few(paths) if self._parsed is None and self._own_history() else None
        if few is not None:
            return few
        parsed = self.parsed
        return {p: parsed[p] for p in paths if p in parsed}

    def _own_history(self) -> bool:
        """A vault with commits of its own: its pauses come from history, not the notes."""
        gd = self.vault.git_dir
        return self.vault.is_own_repo and gd is not None and head_from_files(gd) is not None

    def _few(self, paths: list[str]) -> dict[str, Note] | None:
        """Some notes as `parsed` shows them, without reading every note: each as the
        notes cache gives it back while its size and time are those it was cached with,
        else read from disk (copies, so nothing is shown twice). None when more than FEW
        would be read from disk: reading every note then also writes them to the cache."""
        root, cfg = str(self.vault.root), self.vault.config
        wanted = [rel for rel in paths if rel in self._stats and rel not in self._fresh]
        folder = self._cache_dir / "notes" if self._cache_dir else None
        cached = read_notes(folder, self._key, wanted) if folder and len(wanted) > FEW else {}
        missing = [rel for rel in wanted if (cached.get(rel) or (0, 0))[:2] != self._stats[rel]]
        if len(missing) > FEW:
            return None
        by_path: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_path.setdefault(p.path, []).append(p)
        out: dict[str, Note] = {}
        for rel in paths:
            note = self._fresh.get(rel)
            if note is None and rel in self._stats:
                hit = cached.get(rel)
                if hit is not None and hit[:2] == self._stats[rel]:
                    note = Note(rel, hit[2], hit[3], has_frontmatter=True)
                else:
                    read = _load_one(root, rel, os.lstat(os.path.join(root, rel)), cfg)
                    note = Note(rel, read.meta, read.body, has_frontmatter=True)
                note.problems = list(by_path.get(rel, []))
            if note is not None and rel in self._stats:
                out[rel] = copy.copy(note)
        if self.unproven:
            effective(out, self.unproven, cfg.partners)
        if self.words:
            in_words(out, self.words)
        if self._ready:
            agreement_view(out, self.held(), self.vault.now())
        return out

    def drafts(self) -> set[str]:
        """Notes marked `draft: true` (never committed while they are drafts)."""
        parsed = self.parsed
        if self._drafts is None or self._drafts[0] is not parsed:
            self._drafts = (parsed, {p for p, note in parsed.items() if is_draft(note.meta)})
        return set(self._drafts[1])

    def uncounted_drafts(self) -> set[str]:
        """Drafts that counting, the agenda and `status` leave out: a draft that has not
        arrived in the log (it never reached HEAD), and a draft that still lacks a
        required field. A note committed before `draft: true` was added has arrived, and
        the log keeps it: it counts as the note on disk says."""
        drafts = self.drafts()
        if not drafts:
            return set()
        half = {p.path for p in self.problems if p.rule == "field-required" and p.path in drafts}
        return half | (drafts - in_head(self.vault, drafts))

    def uncounted(self) -> set[str]:
        """Notes that counting, the agenda and `status` leave out though they have no
        error: drafts that have not arrived, and notes "by X for Y" Y has not confirmed."""
        return self.uncounted_drafts() | set(self.authorship.unconfirmed)

    def valid_notes(self) -> list[Note]:
        """Notes with no error of their own, conflict copies and drafts that have not
        arrived left out (`uncounted_drafts`), sorted by path."""
        bad = self.failed_paths() | self.uncounted()
        return [
            n
            for path, n in sorted(self.parsed.items())
            if path not in bad and n.type and not is_conflict_copy(path)
        ]

    def _load_notes(self) -> dict[str, Note]:
        cache_file = self._cache_dir / "notes" if self._cache_dir else None
        cached = read_notes(cache_file, self._key) if cache_file else {}
        out: dict[str, Note] = {}
        entries: dict[str, NoteEntry] = {}
        by_path: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_path.setdefault(p.path, []).append(p)
        root = str(self.vault.root)
        cfg = self.vault.config
        changed = set(cached) - set(self._stats)  # notes gone since
        for rel, (size, mtime) in self._stats.items():
            note = self._fresh.get(rel)
            hit = cached.get(rel)
            if note is None and hit is not None and hit[0] == size and hit[1] == mtime:
                note = Note(rel, hit[2], hit[3], has_frontmatter=True)
                note.problems = by_path.get(rel, [])
            if note is None:
                note = _load_one(root, rel, os.lstat(os.path.join(root, rel)), cfg)
            if hit is None or hit[0] != size or hit[1] != mtime:
                changed.add(rel)
            entries[rel] = (size, mtime, note.meta, note.body)
            out[rel] = note
        if cache_file and changed:
            write_notes(cache_file, self._key, entries, changed)
        return out


def check_vault(vault: Vault, *, use_cache: bool = True) -> CheckResult:
    """Parse and validate every note of the vault; problems sorted by path and line."""
    cfg = vault.config
    problems: list[Problem] = [*cfg.problems, *cfg.set_aside]
    state = vault.state_dir() if use_cache else None
    start_reads(vault)  # history read by git while the notes are parsed here
    cache_file = state / "check.marshal" if state else None
    key = cache_key(cfg)
    cache: dict[str, Entry] = read_checks(cache_file, key) if cache_file else {}
    entries: dict[str, Entry] = {}
    stats = Stats()
    fresh: dict[str, Note] = {}
    root = str(vault.root)
    changed = False
    for rel, st in vault.note_files():
        size, mtime = st.st_size, st.st_mtime_ns
        stats[rel] = (size, mtime)
        hit = cache.get(rel)
        if hit is not None and hit[0] == size and hit[1] == mtime:
            entry = hit
        else:
            note = _load_one(root, rel, st, cfg)
            fresh[rel] = note
            entry = (size, mtime, tuple(note.problems), facts_of(note))
            changed = True
        entries[rel] = entry
        if entry[2]:
            problems.extend(entry[2])
    problems = _arrived_drafts(vault, problems)
    facts = {rel: e[3] for rel, e in entries.items()}
    problems.extend(cross_check(root, facts, lambda: former_ids(vault)))
    del facts  # a large vault's: not held through the reads of history below
    if cache_file and (changed or len(entries) != len(cache)):
        write_checks(cache_file, key, entries)
    result = CheckResult(vault, len(entries), problems, stats, fresh, key, state)
    unproven, proof = check_consent(vault, stats, result.notes_of, state)
    problems.extend(proof)
    # the words are judged against the files as written, as a first check reads them
    result.words, worded = check_words(vault, stats, result.notes_of, state)
    result.unproven = unproven
    problems.extend(worded)
    agreements = [p for p, _ in in_folders(stats, ("agreements/",))]
    if agreements and vault.is_own_repo:
        notes = result.notes_of(agreements)
        problems.extend(view_problems(notes, result.held(), vault.now()))
    result._ready = True
    # authorship before the check-ins' dates: on a first run both take their part of one
    # reading of history (check/changes.py), the larger part first, so it is not kept
    result.authorship, authored = check_authorship(vault, stats, result.notes_of)
    problems.extend(authored)
    problems.extend(check_ahead(vault, stats, result.notes_of, state))
    problems.sort()
    return result


def in_head(vault: Vault, paths: set[str]) -> set[str]:
    """Which of `paths` the last commit holds (one `git ls-tree`)."""
    if not paths or vault.git_dir is None or not gitrepo.has_head(vault.root):
        return set()
    args = ["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *sorted(paths)]
    raw = gitrepo.run(vault.root, args, strip=False).stdout
    return {p for p in raw.split("\0") if p}


def _arrived_drafts(vault: Vault, problems: list[Problem]) -> list[Problem]:
    """A draft may lack a required field (a warning) only while it is on this machine
    alone: once the note is in the shared log, `draft: true` excuses nothing, so the
    same edit cannot make a shared note quietly stop counting."""
    half = {p.path for p in problems if p.rule == "field-required" and p.severity == "warning"}
    shared = in_head(vault, half)
    if not shared:
        return problems
    return [
        replace(
            p,
            severity="error",
            message=f"{p.message.split(' before ', 1)[0]}; it is in the shared log already, "
            "so it is a note like any other, draft or not",
        )
        if p.path in shared and p.rule == "field-required" and p.severity == "warning"
        else p
        for p in problems
    ]


def _refused(rel: str, rule: str, message: str) -> Note:
    note = Note(rel)
    note.problems.append(Problem(rel, 1, 1, "error", rule, message))
    return note


def _load_one(root: str, rel: str, st: os.stat_result, cfg: Config) -> Note:
    """Read, parse and validate one file, refusing links and oversized files unread."""
    if statmod.S_ISLNK(st.st_mode):
        return _refused(
            rel,
            "encoding",
            "this note is a symbolic link; openbook refuses links, replace it with the file itself",
        )
    if st.st_size > MAX_FILE_BYTES:
        return _refused(
            rel, "file-too-large", "file is larger than 1 MiB; split it into smaller notes"
        )
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            # sized by the stat just taken: read(1 MiB) would allocate a MiB for every note
            data = fh.read(min(st.st_size, MAX_FILE_BYTES) + 1)
    except OSError as exc:
        return _refused(
            rel, "encoding", f"cannot read this file ({exc.strerror}); check its permissions"
        )
    note = parse_bytes(rel, data, positions=False)
    if not rel.endswith(".md"):  # a conflict copy of openbook.yml: a copy, not a note
        note.problems.clear()
        return validate_note(note, cfg)
    note = validate_note(note, cfg)
    if note.problems:  # read again, with positions, to say exactly where
        note = validate_note(parse_bytes(rel, data), cfg)
    return note
