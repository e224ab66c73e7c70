"""What a note type is (`NoteType`), the kinds of field, and what every type shares."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol

from openbook.errors import NoteError

if TYPE_CHECKING:
    from openbook.config import Config
    from openbook.notes.parse import Note

QUESTION_ID = re.compile(r"^Q-\d{4}$")
AGREEMENT_ID = re.compile(r"^A-\d{3}$")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")

LANGUAGE_FILE = "language.md"
_SUFFIXED = re.compile(r"-[2-9]|-[1-9][0-9]+")

CONFLICT_COPY = re.compile(
    r"^(?P<stem>.+)\.conflict-(?P<partner>[a-z][a-z0-9-]{0,31})-(?P<sha>[0-9a-f]{7})"
    r"(?P<ext>\.[A-Za-z0-9]{1,10})?$"
)
# the shared settings whose conflict copies sit beside them, at the top of the vault:
# openbook.conflict-alice-SHA.yml, language.conflict-alice-SHA.md
TOP_COPIES = ("openbook.yml", LANGUAGE_FILE)

Meta = dict[str, Any]
Pos = tuple[int, int]
Where = tuple[str | int, ...]  # the path of a value inside the frontmatter
Ref = tuple[str, Where]  # an id another note is referred to by, and where it is written


def is_conflict_copy(path: str) -> bool:
    """A copy sync left beside a file both partners changed, its extension kept:
    NAME.conflict-PARTNER-SHA.md (a note), openbook.conflict-PARTNER-SHA.yml."""
    return ".conflict-" in path and CONFLICT_COPY.match(path.rsplit("/", 1)[-1]) is not None


def conflict_original(path: str) -> str:
    """The note a conflict copy was made beside (call only for a conflict copy), or the
    shared file a settings conflict note holds the partner's version of."""
    folder, _, name = path.rpartition("/")
    match = CONFLICT_COPY.match(name)
    stem = match["stem"] if match else name[:-3]
    ext = (match["ext"] or "") if match else ".md"
    if folder == SETTINGS_COPIES and ext == ".md" and (original := _settings_original(stem)):
        return original
    return f"{folder}/{stem}{ext}" if folder else f"{stem}{ext}"


def is_top_copy(path: str) -> bool:
    """A conflict copy of openbook.yml or language.md, beside it at the top."""
    return "/" not in path and is_conflict_copy(path) and conflict_original(path) in TOP_COPIES


# Sync writes the partner's version of a shared file outside the note folders that both
# changed (openbook.yml, language.md, a template, .gitignore) as a conflict note here,
# where check, status and the agenda list it: reviews/openbook.yml.conflict-alice-SHA.md
SETTINGS_COPIES = "reviews"
_TEMPLATES = ".openbook/templates/"


def settings_stem(path: str) -> str:
    """The stem of a settings conflict note for `path`: openbook.yml, language.md,
    gitignore, README.md, openbook.templates.checkin.md.j2 (no leading dot: hidden
    names are not listed)."""
    if path.startswith(_TEMPLATES):
        return "openbook.templates." + path[len(_TEMPLATES) :].replace("/", ".")
    return path.lstrip(".").replace("/", ".")


def _settings_original(stem: str) -> str | None:
    if stem.startswith("openbook.templates."):
        return _TEMPLATES + stem[len("openbook.templates.") :]
    if stem == "gitignore":
        return ".gitignore"
    if stem in ("openbook.yml", LANGUAGE_FILE) or stem.startswith("README"):
        return stem
    return None


def is_draft(meta: Any) -> bool:
    """A note its writer marked `draft: true`: it stays on this machine until that line goes."""
    return isinstance(meta, dict) and meta.get(DRAFT_KEY) is True


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def as_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """A note's datetime as an aware datetime; naive values are in the vault's zone."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=tz)
    return None


def iso_week(day: dt.date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


# ------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class Field:
    """kind is one of: str, text, int, bool, date, datetime, time, duration, enum, partner,
    partners, strs, qref, aref, arefs, amap, week, period, qid, aid, any, phrases
    (check/fields.py has one check per kind)."""

    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None


def F(
    kind: str, *choices: str, req: bool = False, low: int | None = None, high: int | None = None
) -> Field:
    return Field(kind, req, tuple(choices), low, high)


# keys phone and desktop editors add on their own (Obsidian, GitJournal, front-matter
# plugins): accepted on every note without a warning, kept, and never checked
EDITOR_KEYS = ("created", "modified", "updated", "aliases", "cssclasses", "publish")

# a note with `draft: true` stays on this machine: never committed, counted or shared
DRAFT_KEY = "draft"

# the fields every type has
COMMON = {
    "type": F("str", req=True),
    "tags": F("strs"),
    DRAFT_KEY: F("bool"),
    **{key: F("any") for key in EDITOR_KEYS},
}


@dataclass(frozen=True)
class IdFormat:
    """The ids of a type whose notes are referred to by id (Q-0007, A-003)."""

    prefix: str
    width: int
    pattern: re.Pattern[str]
    example: str

    def make(self, number: int) -> str:
        return f"{self.prefix}-{number:0{self.width}d}"


QUESTION_IDS = IdFormat("Q", 4, QUESTION_ID, "Q-0007")
AGREEMENT_IDS = IdFormat("A", 3, AGREEMENT_ID, "A-003")


# ----------------------------------------------------------------------- new notes


@dataclass(frozen=True)
class NewNote:
    """What a type's defaults for a new note may use. record/create.py builds it."""

    partner: str  # who writes the note
    other: str  # the other partner (the same one when the vault has one partner)
    partners: list[str]  # every partner, sorted
    today: dt.date  # the note's own date
    at: dt.datetime  # the note's own date at the current time, naive, to the minute
    config: Config
    next_id: Callable[[], str]  # the next free id of this type
    active_agreements: Callable[[], list[str]]  # active agreements that ask of this partner


# ----------------------------------------------------------------------- file names


class Unnamed(Exception):
    """The fields a file name is made of are missing or unusable (check then skips it)."""


class NameFields:
    """The fields a file name is made of. With `partners` (a new note) each must be
    valid or NoteError says which; without (check) ids and partners only need to be
    text, since check reports them on their own, and anything unusable raises Unnamed."""

    def __init__(self, meta: Meta, partners: Collection[str] | None) -> None:
        self.meta = meta
        self.partners = partners

    def _fail(self, message: str) -> NoReturn:
        if self.partners is None:
            raise Unnamed(message)
        raise NoteError(message)

    def get(self, key: str) -> Any:
        return self.meta.get(key)

    def text(self, key: str) -> str:
        v = self.meta.get(key)
        if not isinstance(v, str):
            self._fail(f"{key} must be text (got '{v}').")
        return v

    def day(self, key: str) -> dt.date:
        v = self.meta.get(key)
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        self._fail(f"{key} must be a date like 2026-11-24 (got '{v}').")

    def stamp(self, key: str) -> str:
        v = self.meta.get(key)
        if not isinstance(v, dt.datetime):
            self._fail(f"{key} must be a date and time like 2026-11-24 17:30 (got '{v}').")
        return v.strftime("%Y-%m-%d-%H%M")

    def partner(self, key: str) -> str:
        v = self.meta.get(key)
        if not isinstance(v, str) or (self.partners is not None and v not in self.partners):
            self._fail(f"{key} must be a partner id from openbook.yml (got '{v}').")
        return v

    def ident(self, key: str, ids: IdFormat) -> str:
        v = self.meta.get(key)
        if not isinstance(v, str) or (self.partners is not None and not ids.pattern.match(v)):
            self._fail(f"{key} must look like {ids.example} (got '{v}').")
        return v


# ------------------------------------------------------------------------ the type


# --set keys that mean the body, which --body gives
_BODY_WORDS = frozenset({"body", "content", "text", "note", "words"})


class Report(Protocol):
    """How a type's consistency rules report a problem of one note."""

    def __call__(self, pos: Pos, rule: str, message: str, severity: str = "error") -> None: ...


def _no_rules(note: Note, cfg: Config, report: Report) -> None:
    return None


def _no_references(meta: Meta) -> list[Ref]:
    return []


@dataclass(frozen=True)
class NoteType:
    """One note type. Each module of this folder defines one as `TYPE`.

    `file_name` names a note's file ONCE, for `new` (`path_for`) and for `check`
    (`misnamed`): it returns (subfolder, stem) from a note's fields. `name_check` says
    how strictly check compares: "exact", "id" (the stem starts with the note's id), or
    None (not checked). A type with `fixed_path` has exactly one note, at that path.
    """

    name: str
    fields: Mapping[str, Field]  # the type's own fields; `spec` adds the common ones
    defaults: Callable[[NewNote], Meta]  # the frontmatter of a new note
    folder: str | None = None
    file_name: Callable[[NameFields], tuple[str, str]] | None = None
    name_check: Literal["exact", "id"] | None = None
    fixed_path: str | None = None
    title: str = ""  # how a sentence names the type, when not by `name`
    about: str = ""  # a few words on what the type is for (`openbook new --help`)
    # a new note of this type says what it is for with its fields alone (calling a
    # timeout, a pause): it is committed even with nothing written in it
    fields_say_enough: bool = False
    date_field: str | None = None  # the date a note is about (year folders, late edits)
    ids: IdFormat | None = None  # for notes that other notes refer to by `id`
    consistency: Callable[[Note, Config, Report], None] = _no_rules
    references: Callable[[Meta], list[Ref]] = _no_references  # ids of other notes
    set_examples: Mapping[str, str] = field(default_factory=dict)  # `--set` hints by field
    spec: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", {**COMMON, **self.fields})

    @property
    def words(self) -> str:
        """How a sentence names the type: 'check-in', 'plan change'."""
        return self.title or self.name

    def unknown_field(self, key: str) -> str | None:
        """Why `--set KEY=...` cannot be given to a new note of this type, with the closest
        field; None when KEY is one of its fields or those every note has."""
        if key in self.spec:
            return None
        close = get_close_matches(key, list(self.spec), n=1)
        why = f"a {self.words} has no field '{key}', so nothing was written; "
        why += (
            f"did you mean --set {close[0]}=...?"
            if close
            else f"its fields are: {', '.join(self.fields)}."
        )
        if key in _BODY_WORDS:
            why += " Write what you want to say with --body TEXT."
        return why

    def required(self) -> list[str]:
        return [key for key, f in self.fields.items() if f.required]

    def path_for(self, meta: Meta, partners: Collection[str]) -> str:
        """Where a new note goes; NoteError names the field that cannot make the name."""
        if self.fixed_path is not None:
            return self.fixed_path
        if self.file_name is None or self.folder is None:
            raise NoteError(f"a {self.name} note has no file name rule")
        sub, stem = self.file_name(NameFields(meta, partners))
        return f"{self.folder}/{sub}/{stem}.md" if sub else f"{self.folder}/{stem}.md"

    def misnamed(self, meta: Meta, stem: str) -> str | None:
        """The stem the file should have when `stem` is not it; None when it fits or
        when the fields the name is made of are unusable (check reports those)."""
        if self.name_check is None or self.file_name is None:
            return None
        try:
            _, want = self.file_name(NameFields(meta, None))
        except Unnamed:
            return None
        if self.name_check == "exact":
            # `-2`, `-3`...: sync keeps two notes both partners added at one name apart
            tail = stem[len(want) :] if stem.startswith(want) else None
            return None if stem == want or (tail and _SUFFIXED.fullmatch(tail)) else want
        key = meta.get("id")
        if not isinstance(key, str) or stem == key or stem.startswith(key + "-"):
            return None
        return key if want == key else key + "-…"
