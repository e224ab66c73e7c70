"""Rules -> Problems: one note at a time, then the rules that span notes. Cached."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import pickle
import stat as statmod
from pathlib import Path
from typing import Any

from openbook import __version__
from openbook.config import Config, parse_duration, parse_hhmm
from openbook.fsutil import atomic_write
from openbook.notes.parse import MAX_FILE_BYTES, Note, Problem, parse_bytes
from openbook.notes.yamlio import parse_timestamp
from openbook.notetypes.schema import (
    AGREEMENT_ID,
    CONFLICT_COPY,
    FOLDERS,
    LANGUAGE_FILE,
    PERIOD,
    QUESTION_ID,
    TYPES,
    WEEK,
    Field,
    as_datetime,
    fields_for,
    iso_week,
)
from openbook.vault import Vault

__all__ = ["CheckResult", "Problem", "check_vault", "validate_note"]

CACHE_FORMAT = 5


def _code_stamp() -> tuple[int, ...]:
    """Cached results are only as good as the code that made them: key on its files."""
    here = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for name in ("validate.py", "notes.py", "schema.py", "yamlio.py", "config.py"):
        try:
            stamps.append(os.stat(os.path.join(here, name)).st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


_CODE = _code_stamp()


def is_conflict_copy(path: str) -> bool:
    return CONFLICT_COPY.match(path.rsplit("/", 1)[-1]) is not None


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f", did you mean '{close[0]}'?" if close else ""


# ----------------------------------------------------------------------- one note


class _NoteChecker:
    def __init__(self, note: Note, cfg: Config) -> None:
        self.note = note
        self.cfg = cfg
        self.meta = note.meta

    def add(self, pos: tuple[int, int], rule: str, msg: str, severity: str = "error") -> None:
        self.note.problems.append(Problem(self.note.path, pos[0], pos[1], severity, rule, msg))

    def run(self) -> None:
        note, meta = self.note, self.meta
        path = note.path
        name = path.rsplit("/", 1)[-1]
        if CONFLICT_COPY.match(name):
            original = CONFLICT_COPY.match(name)["stem"] + ".md"  # type: ignore[index]
            folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
            self.add(
                (1, 1),
                "conflict-copy",
                f"conflict copy from sync: compare it with {folder}{original}, keep what you "
                "both want there, then delete this file",
                "warning",
            )
            return
        if not note.has_frontmatter or not isinstance(meta, dict) or not meta:
            if note.has_frontmatter and not note.problems:
                self.add((1, 1), "field-required", "note has no 'type'; add e.g. 'type: checkin'")
            return
        t = meta.get("type")
        if t is None:
            self.add((1, 1), "field-required", "note has no 'type'; add e.g. 'type: checkin'")
            return
        if not isinstance(t, str) or t not in TYPES:
            self.add(
                note.pos("type"),
                "unknown-type",
                f"unknown type '{t}'{_suggest(str(t), list(TYPES))}"
                + ("" if _suggest(str(t), list(TYPES)) else f"; use one of {', '.join(TYPES)}"),
            )
            return
        spec = fields_for(t)
        for key, f in spec.items():
            value = meta.get(key)
            if value is None or value == "" or value == []:
                if f.required:
                    where = note.keypos(key) if key in meta else (1, 1)
                    self.add(
                        where, "field-required", f"{t} needs '{key}'; add '{key}:' with a value"
                    )
                continue
            self.field(key, f, value)
        for key in meta:
            if key not in spec:
                hint = _suggest(str(key), list(spec))
                self.add(
                    note.keypos(str(key)),
                    "unknown-field",
                    f"unknown field '{key}'{hint}"
                    + ("" if hint else f"; {t} notes do not use it (it is kept)"),
                    "warning",
                )
        self.placement(t, name)
        self.consistency(t)

    # -- fields --------------------------------------------------------------------

    def field(self, key: str, f: Field, value: Any) -> None:
        kind = f.kind
        bad_type = None
        if kind in ("str", "text"):
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                bad_type = "text"
            elif not isinstance(value, str):
                self.meta[key] = str(value)
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                bad_type = f"a whole number from {f.low} to {f.high}"
            elif (f.low is not None and value < f.low) or (f.high is not None and value > f.high):
                self.add(
                    self.note.pos(key),
                    "field-value",
                    f"{key} must be between {f.low} and {f.high}, got {value}",
                )
        elif kind == "bool":
            if not isinstance(value, bool):
                bad_type = "true or false"
        elif kind == "date":
            value = self.coerce_time(key, value)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                bad_type = "a date like 2026-11-24"
        elif kind == "datetime":
            value = self.coerce_time(key, value)
            if not isinstance(value, dt.datetime):
                bad_type = "a date and time like 2026-11-24 17:30"
        elif kind == "time":
            if parse_hhmm(value) is None:
                bad_type = 'a time like "21:05"'
        elif kind == "duration":
            if parse_duration(value) is None:
                bad_type = "a duration like 30d"
        elif kind == "enum":
            if not isinstance(value, str) or value not in f.choices:
                shown = value if not isinstance(value, bool) else str(value).lower()
                self.add(
                    self.note.pos(key),
                    "field-value",
                    f"{key} must be one of {', '.join(f.choices)}; got '{shown}'",
                )
        elif kind == "partner":
            self.partner(key, value, (key,))
        elif kind == "partners":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                bad_type = "a list of partner ids like [alice, bob]"
            else:
                for i, item in enumerate(items):
                    self.partner(key, item, (key, i) if not isinstance(value, str) else (key,))
        elif kind == "strs":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not all(
                isinstance(x, str | int | float) and not isinstance(x, bool) for x in items
            ):
                bad_type = "a list of short texts"
        elif kind in ("qid", "aid", "qref", "aref"):
            pattern, example = (
                (QUESTION_ID, "Q-0007") if kind in ("qid", "qref") else (AGREEMENT_ID, "A-003")
            )
            if not isinstance(value, str) or not pattern.match(value):
                self.add(
                    self.note.pos(key), "id-format", f"{key} '{value}' is not an id like {example}"
                )
        elif kind == "arefs":
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                bad_type = "a list of agreement ids like [A-001]"
            else:
                for i, item in enumerate(items):
                    if not isinstance(item, str) or not AGREEMENT_ID.match(item):
                        self.add(
                            self.note.pos(key, i)
                            if not isinstance(value, str)
                            else self.note.pos(key),
                            "id-format",
                            f"{key} entry '{item}' is not an agreement id like A-003",
                        )
        elif kind == "amap":
            if not isinstance(value, dict):
                bad_type = "a mapping of agreement id to " + "/".join(f.choices)
            else:
                for aid, v in value.items():
                    if not isinstance(aid, str) or not AGREEMENT_ID.match(aid):
                        self.add(
                            self.note.entry_pos(key, str(aid)),
                            "id-format",
                            f"{key} key '{aid}' is not an agreement id like A-003",
                        )
                    if v is not None and v not in f.choices:
                        self.add(
                            self.note.pos(key, str(aid)),
                            "field-value",
                            f"{key}.{aid} must be one of {', '.join(f.choices)}; got '{v}'",
                        )
        elif kind == "week":
            if not isinstance(value, str) or not WEEK.match(value):
                bad_type = "an ISO week like 2026-W48"
        elif kind == "period":
            if not isinstance(value, str) or not PERIOD.match(value):
                bad_type = "a month like 2026-11"
        elif kind == "phrases":
            if not isinstance(value, dict):
                bad_type = "a mapping of partner id to a list of phrases"
            else:
                for pid in value:
                    self.partner(key, pid, (key, str(pid)))
        if bad_type:
            self.add(
                self.note.pos(key), "field-type", f"{key} must be {bad_type}; got '{_show(value)}'"
            )

    def coerce_time(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = parse_timestamp(value)
            except ValueError:
                return value
            self.meta[key] = value
        return value

    def partner(self, key: str, value: Any, where: tuple[str | int, ...]) -> None:
        if not self.cfg.partners:
            return  # openbook.yml itself is broken; `check` reports that once, not per note
        if not isinstance(value, str) or value not in self.cfg.partners:
            pos = self.note.pos(*where)
            names = ", ".join(sorted(self.cfg.partners)) or "none configured"
            self.add(
                pos,
                "partner-unknown",
                f"{key} '{_show(value)}' is not a partner in openbook.yml; use one of: {names}",
            )

    # -- where the file is -----------------------------------------------------------

    def placement(self, t: str, name: str) -> None:
        path = self.note.path
        top = path.split("/", 1)[0] if "/" in path else ""
        if t == "language":
            if path != LANGUAGE_FILE:
                self.add(
                    (1, 1),
                    "wrong-folder",
                    "the shared language belongs in language.md at the top of the vault",
                    "warning",
                )
            return
        want = FOLDERS[t]
        if top != want:
            where = f"{top}/" if top else "the top of the vault"
            self.add(
                self.note.pos("type"),
                "wrong-folder",
                f"a {t} note is in {where}; move it to {want}/",
                "warning",
            )
        m = self.meta
        stem = name[:-3]
        expected: str | None = None
        if (
            t == "checkin"
            and isinstance(m.get("date"), dt.date)
            and isinstance(m.get("author"), str)
        ):
            expected = f"{m['date'].isoformat()}-{m['author']}"
            ok = stem == expected
        elif t == "question" and isinstance(m.get("id"), str):
            expected = m["id"]
            ok = stem == expected or stem.startswith(expected + "-")
        elif t == "agreement" and isinstance(m.get("id"), str):
            expected = m["id"] + "-…"
            ok = stem == m["id"] or stem.startswith(m["id"] + "-")
        elif t == "meeting" and isinstance(m.get("week"), str):
            expected = m["week"]
            ok = stem == expected
        elif t == "review" and isinstance(m.get("period"), str):
            expected = m["period"]
            ok = stem == expected
        else:
            ok = True
        if not ok:
            self.add(
                (1, 1),
                "filename-mismatch",
                f"file name {name} does not match the note; rename it to {expected}.md",
                "warning",
            )

    # -- fields that depend on each other ------------------------------------------

    def consistency(self, t: str) -> None:
        m, note, cfg = self.meta, self.note, self.cfg
        tz = cfg.tz
        if t == "question":
            if m.get("status") == "answered" and not m.get("answered"):
                self.add(
                    note.pos("status"),
                    "status-consistency",
                    "status is answered but 'answered' is missing; add when it was answered",
                )
            if m.get("to") and m.get("to") == m.get("asked_by"):
                self.add(
                    note.pos("to"),
                    "field-value",
                    "a question is asked to the other partner; fix 'to'",
                )
        elif t == "agreement":
            accepted = m.get("accepted_by") or []
            if isinstance(accepted, str):
                accepted = [accepted]
            if m.get("status") == "active" and isinstance(accepted, list):
                missing = [p for p in sorted(cfg.partners) if p not in accepted]
                if missing:
                    self.add(
                        note.pos("status"),
                        "status-consistency",
                        f"agreement is active but not accepted by {', '.join(missing)}; "
                        "set status: proposed until both have run 'openbook accept'",
                    )
        elif t == "repair":
            if m.get("kind") == "setback" and "self_reported" not in m:
                self.add(
                    note.pos("kind"),
                    "field-required",
                    "a setback needs 'self_reported: true' or 'false'",
                )
            if m.get("status") in ("processed", "archived") and not m.get("processed"):
                self.add(
                    note.pos("status"),
                    "status-consistency",
                    f"status is {m.get('status')} but 'processed' (date) is missing; add it",
                    "warning",
                )
        elif t == "timeout":
            called = as_datetime(m.get("called"), tz)
            ret = as_datetime(m.get("return_by"), tz)
            if (
                isinstance(m.get("called"), dt.datetime)
                and isinstance(m.get("return_by"), dt.datetime)
                and called
                and ret
            ):
                gap = ret - called
                if gap < cfg.timeout_min or gap > cfg.timeout_max:
                    self.add(
                        note.pos("return_by"),
                        "field-value",
                        f"return_by must be {_fmt_td(cfg.timeout_min)} to "
                        f"{_fmt_td(cfg.timeout_max)} after called; it is {_fmt_td(gap)}",
                    )
        elif t == "meeting":
            d, w = m.get("date"), m.get("week")
            if isinstance(d, dt.date) and isinstance(w, str) and WEEK.match(w) and iso_week(d) != w:
                self.add(
                    note.pos("week"),
                    "field-value",
                    f"week {w} does not contain the meeting date {d}; use {iso_week(d)}",
                )
        elif t == "review":
            p, d = m.get("period"), m.get("date")
            if isinstance(p, str) and PERIOD.match(p) and not 1 <= int(p[5:]) <= 12:
                self.add(
                    note.pos("period"),
                    "field-value",
                    f"period {p} is not a month; use e.g. 2026-11",
                )


def _show(value: Any) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fmt_td(td: dt.timedelta) -> str:
    mins = int(td.total_seconds() // 60)
    if mins % (60 * 24) == 0 and mins:
        return f"{mins // (60 * 24)}d"
    if mins % 60 == 0 and mins:
        return f"{mins // 60}h"
    return f"{mins}m"


def validate_note(note: Note, cfg: Config) -> Note:
    """Add the single-note problems to `note.problems` (in place) and return it."""
    _NoteChecker(note, cfg).run()
    return note


# -------------------------------------------------------------------- across notes

# What the cross-note rules need of one note, small enough to cache cheaply:
# (type, id, ((ref, where), ...)) where `where` is the path of the referring value.
Where = tuple[str | int, ...]
Facts = tuple[str | None, str | None, tuple[tuple[str, Where], ...]]


def facts_of(note: Note) -> Facts:
    path, m, t = note.path, note.meta, note.type
    if is_conflict_copy(path) or not t:
        return (None, None, ())
    nid = m.get("id") if t in ("question", "agreement") and isinstance(m.get("id"), str) else None
    refs: list[tuple[str, Where]] = []
    if t == "checkin" and isinstance(m.get("kept"), dict):
        refs += [(k, ("kept", k)) for k in m["kept"] if isinstance(k, str)]
    if t == "review" and isinstance(m.get("agreements"), dict):
        refs += [(k, ("agreements", k)) for k in m["agreements"] if isinstance(k, str)]
    if t in ("question", "agreement"):
        refs += [(m[k], (k,)) for k in ("repeat_of", "supersedes") if isinstance(m.get(k), str)]
    if t == "repair":
        items = m.get("agreements")
        if isinstance(items, str):
            refs.append((items, ("agreements",)))
        elif isinstance(items, list):
            refs += [(x, ("agreements", i)) for i, x in enumerate(items) if isinstance(x, str)]
    kept = tuple((r, w) for r, w in refs if QUESTION_ID.match(r) or AGREEMENT_ID.match(r))
    return (t, nid, kept)


def cross_check(root: str, facts: dict[str, Facts]) -> list[Problem]:
    """ids unique, references resolve. Positions are looked up only for what is reported."""
    problems: list[Problem] = []
    ids: dict[str, list[str]] = {}
    for path, (_, nid, _) in facts.items():
        if nid is not None:
            ids.setdefault(nid, []).append(path)
    located: dict[str, Note] = {}

    def locate(path: str) -> Note:
        if path not in located:
            try:
                with open(os.path.join(root, path), "rb") as fh:
                    located[path] = parse_bytes(path, fh.read(MAX_FILE_BYTES + 1))
            except OSError:
                located[path] = Note(path)
        return located[path]

    for nid, holders in ids.items():
        if len(holders) > 1:
            for path in holders:
                others = ", ".join(p for p in holders if p != path)
                line, col = locate(path).keypos("id")
                problems.append(
                    Problem(
                        path,
                        line,
                        col,
                        "error",
                        "id-duplicate",
                        f"duplicate id {nid}, also in {others}; give one a new id",
                    )
                )
    for path, (_, _, refs) in facts.items():
        for ref, where in refs:
            if ref not in ids:
                kind = "question" if ref.startswith("Q-") else "agreement"
                line, col = locate(path).entry_pos(*where)
                problems.append(
                    Problem(
                        path,
                        line,
                        col,
                        "error",
                        "ref-unknown",
                        f"{ref} is not a {kind} in this vault; check the id",
                    )
                )
    return problems


# ----------------------------------------------------------------------------- vault

# cache entry per file: (size, mtime_ns, problems, facts)
Entry = tuple[int, int, tuple[Problem, ...], Facts]


def _read_cache(path: Path, key: tuple[Any, ...]) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if isinstance(data, dict) and data.get("key") == key:
            entries: dict[str, Any] = data["entries"]
            return entries
    except (
        OSError,
        EOFError,
        pickle.UnpicklingError,
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        ImportError,
        IndexError,
    ):
        pass
    return {}


def _write_cache(path: Path, key: tuple[Any, ...], entries: dict[str, Any]) -> None:
    data = pickle.dumps({"key": key, "entries": entries}, protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(OSError):  # a read-only vault still checks, without a cache
        atomic_write(path, data)


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

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    def failed_paths(self) -> set[str]:
        return {p.path for p in self.problems if p.severity == "error"}

    def summary(self) -> str:
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        return (
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')} "
            f"in {plural(self.notes, 'note')}"
        )

    @property
    def parsed(self) -> dict[str, Note]:
        """Every note's frontmatter and body (positions only for notes read this run)."""
        if self._parsed is None:
            self._parsed = self._load_notes()
        return self._parsed

    def valid_notes(self) -> list[Note]:
        """Notes with no error of their own, conflict copies left out, sorted by path."""
        bad = self.failed_paths()
        return [
            n
            for path, n in sorted(self.parsed.items())
            if path not in bad and n.type and not is_conflict_copy(path)
        ]

    def _load_notes(self) -> dict[str, Note]:
        cache_file = self._cache_dir / "notes.pickle" if self._cache_dir else None
        cached = _read_cache(cache_file, self._key) if cache_file else {}
        out: dict[str, Note] = {}
        entries: dict[str, tuple[int, int, dict[str, Any], str]] = {}
        by_path: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_path.setdefault(p.path, []).append(p)
        root = str(self.vault.root)
        cfg = self.vault.config
        changed = False
        for rel, (size, mtime) in self._stats.items():
            note = self._fresh.get(rel)
            hit = cached.get(rel)
            if note is None and hit is not None and hit[0] == size and hit[1] == mtime:
                note = Note(rel, hit[2], hit[3], has_frontmatter=True)
                note.problems = by_path.get(rel, [])
            if note is None:
                note = _load_one(root, rel, os.lstat(os.path.join(root, rel)), cfg)
            if hit is None or hit[0] != size or hit[1] != mtime:
                changed = True
            entries[rel] = (size, mtime, note.meta, note.body)
            out[rel] = note
        if cache_file and (changed or len(entries) != len(cached)):
            _write_cache(cache_file, self._key, entries)
        return out


def check_vault(vault: Vault, *, use_cache: bool = True) -> CheckResult:
    """Parse and validate every note of the vault; problems sorted by path and line."""
    cfg = vault.config
    problems: list[Problem] = list(cfg.problems)
    state = vault.state_dir() if use_cache else None
    cache_file = state / "check.pickle" if state else None
    key = (CACHE_FORMAT, __version__, _CODE, cfg.digest)
    cache: dict[str, Entry] = _read_cache(cache_file, key) if cache_file else {}
    entries: dict[str, Entry] = {}
    stats: dict[str, tuple[int, int]] = {}
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
        problems.extend(entry[2])
    problems.extend(cross_check(root, {rel: e[3] for rel, e in entries.items()}))
    problems.sort()
    if cache_file and (changed or len(entries) != len(cache)):
        _write_cache(cache_file, key, entries)
    return CheckResult(vault, len(entries), problems, stats, fresh, key, state)


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
    note = validate_note(parse_bytes(rel, data, positions=False), cfg)
    if note.problems:  # read again, with positions, to say exactly where
        note = validate_note(parse_bytes(rel, data), cfg)
    return note
