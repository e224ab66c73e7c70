"""Find the vault, list its notes, know who is acting and what time it is."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from openbook.config import CONFIG_NAME, Config, load_config
from openbook.errors import ConfigError, OpenbookError, VaultNotFound
from openbook.git.state import clear_own_ref_locks, clear_stale_ref_locks, require_safe_state
from openbook.words import parse_now as parse_now

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from openbook.notes.note import Problem
# the note types and the index helpers load when first used: finding the vault, and the
# commands answered from what they remembered, need neither

SKIP_DIRS = {"node_modules", "__pycache__"}
Listed = tuple[str, os.stat_result]  # a note file: its vault-relative path, its lstat


def find_vault(start: Path | None = None, explicit: str | os.PathLike[str] | None = None) -> Path:
    """--vault PATH, else $OPENBOOK_VAULT, else walk up from `start` (the cwd)."""
    chosen = explicit if explicit else os.environ.get("OPENBOOK_VAULT")
    if chosen:
        root = Path(chosen).expanduser()
        if not (root / CONFIG_NAME).is_file():
            raise VaultNotFound(
                f"{root} is not an openbook vault (no {CONFIG_NAME}); "
                "check the path or run 'openbook init' there."
            )
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise VaultNotFound(
        "No openbook vault here: no openbook.yml in this folder or above it. "
        "cd into your vault, pass --vault PATH, or run 'openbook setup' or 'openbook demo'."
    )


def config_notice(problems: list[Problem]) -> str:
    """One calm sentence: which file does not load, and how to fix it."""
    first = problems[0] if problems else None
    where = f" (line {first.line}: {first.message})" if first else ""
    return (
        f"{CONFIG_NAME} does not load{where}; openbook keeps to the settings you both "
        f"accepted until it is fixed. Fix {CONFIG_NAME} and commit it ('openbook check' "
        "shows where)."
    )


@dataclass(frozen=True)
class Terms:
    """What binds now (SPEC section 10): openbook.yml with the binding part both partners
    accepted, and the vault's own templates in force ({name under .openbook/templates/:
    text}; empty: openbook's own)."""

    config: Config
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Vault:
    root: Path
    _config: Config | None = field(default=None, repr=False)
    # set by the layer that can read history (commands/_common.get_vault); without it,
    # new notes use openbook.yml as it is and openbook's own templates
    terms_provider: Callable[[], Terms] | None = field(default=None, repr=False, compare=False)
    # set by the same layer: openbook.yml with the settings in force from history; a file
    # that does not load is set aside for them (SPEC section 7)
    config_provider: Callable[[Config], Config] | None = field(
        default=None, repr=False, compare=False
    )
    _file_config: Config | None = field(default=None, repr=False, compare=False)
    # set by a watch that follows the file system's events (watch/listing.py): given the
    # walk, it gives the note files as the walk would, looking again only where events
    # or git said something changed; without it, `note_files` walks the folders
    files_provider: Callable[[Callable[[], Iterator[Listed]]], Iterable[Listed]] | None = field(
        default=None, repr=False, compare=False
    )

    @classmethod
    def find(cls, explicit: str | os.PathLike[str] | None = None) -> Vault:
        return cls(find_vault(explicit=explicit))

    # -- configuration -------------------------------------------------------------

    @property
    def file_config(self) -> Config:
        """openbook.yml as the file is now, whether or not it is in force."""
        if self._file_config is None:
            self._file_config = load_config(self.root)
        return self._file_config

    @property
    def config(self) -> Config:
        """The settings in force: from the provider (history), else openbook.yml as it is."""
        if self._config is None:
            self._file_config = None  # read again: `_config = None` means the file changed
            found = self.file_config
            self._config = found  # what the provider itself reads while it works
            if self.config_provider is not None:
                self._config = self.config_provider(found)
        return self._config

    def forget_config(self) -> None:
        """Read openbook.yml and the settings in force again (after a merge or commit)."""
        self._config = self._file_config = None

    def require_config(self) -> Config:
        cfg = self.config
        if not cfg.ok:
            first = cfg.problems[0]
            raise ConfigError(
                f"{CONFIG_NAME} could not be read (line {first.line}: {first.message}). Fix that "
                f"line in {CONFIG_NAME}, then try again ('openbook check' shows every problem)."
            )
        return cfg

    def terms(self) -> Terms:
        """The terms in force: from the provider, else openbook.yml and the built-ins."""
        if self.terms_provider is not None:
            return self.terms_provider()
        return Terms(self.config)

    @property
    def tz(self) -> dt.tzinfo:
        return self.config.tz

    def now(self) -> dt.datetime:
        return parse_now(os.environ.get("OPENBOOK_NOW"), self.tz)

    def today(self) -> dt.date:
        return self.now().date()

    # -- git -----------------------------------------------------------------------

    @property
    def is_own_repo(self) -> bool:
        return (self.root / ".git").exists()

    @property
    def git_dir(self) -> Path | None:
        """The .git folder of the vault's repository (or of the enclosing one)."""
        for folder in (self.root, *self.root.parents):
            candidate = folder / ".git"
            if candidate.is_dir():
                return candidate
            if candidate.is_file():
                text = candidate.read_text(encoding="utf-8", errors="replace").strip()
                if text.startswith("gitdir:"):
                    return (folder / text[7:].strip()).resolve()
        return None

    def state_dir(self) -> Path | None:
        """Local, never-committed state (cache, last sync): .git/openbook/."""
        gd = self.git_dir
        if gd is None:
            return None
        if self.is_own_repo:
            return gd / "openbook"
        # a vault inside a larger repository keeps its state apart from any other
        top = next(f for f in self.root.parents if (f / ".git").exists())
        safe = str(self.root.relative_to(top)).replace(os.sep, "__")
        return gd / "openbook" / "sub" / safe

    def require_writable(self) -> None:
        """The one guard of every writing command: our own repository, and git not mid-way
        through a merge, rebase, cherry-pick, revert or bisect, nor on a detached HEAD."""
        if not self.is_own_repo:
            raise OpenbookError(
                f"{self.root} is a folder inside another git repository; openbook only writes "
                "to a vault that is its own repository. Copy it out and run 'openbook init' there."
            )
        require_safe_state(self.root)

    # -- identity ------------------------------------------------------------------

    def own_partner(self) -> str | None:
        """Whose copy this is: git config openbook.partner, never an override."""
        from openbook.git import repo as gitrepo

        return gitrepo.config_get(self.root, "openbook.partner") if self.is_own_repo else None

    def partner(self, override: str | None = None) -> str:
        """Who is acting: --as, else $OPENBOOK_PARTNER, else git config openbook.partner."""
        from openbook.git import repo as gitrepo

        cfg = self.require_config()
        pid = override or os.environ.get("OPENBOOK_PARTNER") or None
        source = "--as" if override else "OPENBOOK_PARTNER"
        if not pid and self.git_dir is not None:
            pid = gitrepo.config_get(self.root, "openbook.partner")
            source = "git config openbook.partner"
        if not pid:
            names = ", ".join(sorted(cfg.partners))
            raise OpenbookError(
                "This clone does not know which partner you are; "
                f"run 'git config openbook.partner ID' in the vault or pass --as ID ({names})."
            )
        if pid not in cfg.partners:
            names = ", ".join(sorted(cfg.partners))
            raise OpenbookError(
                f"'{pid}' (from {source}) is not a partner in {CONFIG_NAME}; use one of: {names}."
            )
        return pid

    # -- files ---------------------------------------------------------------------

    def note_files(self) -> Iterator[Listed]:
        """(vault-relative posix path, lstat) of every candidate note file."""
        if self.files_provider is not None:
            yield from self.files_provider(self._walk_notes)
        else:
            yield from self._walk_notes()

    def _walk_notes(self) -> Iterator[Listed]:
        from openbook.notetypes.registry import LANGUAGE_FILE, NOTE_FOLDERS, is_top_copy

        root = str(self.root)
        lang = os.path.join(root, LANGUAGE_FILE)
        with contextlib.suppress(FileNotFoundError):
            yield LANGUAGE_FILE, os.lstat(lang)
        # conflict copies of openbook.yml and language.md, beside them
        with contextlib.suppress(OSError), os.scandir(root) as top:
            for entry in sorted(top, key=lambda e: e.name):
                if is_top_copy(entry.name) and entry.is_file(follow_symlinks=False):
                    yield entry.name, entry.stat(follow_symlinks=False)
        for folder in NOTE_FOLDERS:
            base = os.path.join(root, folder)
            if os.path.isdir(base) and not os.path.islink(base):
                yield from _walk(base, folder)

    def conflict_copies(self) -> list[str]:
        from openbook.notetypes.registry import is_conflict_copy

        return sorted(rel for rel, _ in self.note_files() if is_conflict_copy(rel))

    # -- locking -------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float | None = None) -> Iterator[None]:
        """The one vault lock (.git/openbook.lock) around every write and sync."""
        gd = self.git_dir
        if gd is None:
            yield
            return
        path = gd / "openbook.lock"
        # re-entrant within one thread; another thread (or process) waits like anyone else
        key = (str(path), threading.get_ident())
        if _HELD.get(key, 0):
            _HELD[key] += 1
            try:
                yield
            finally:
                _HELD[key] -= 1
            return
        from openbook.git import vaultlock
        from openbook.git.index import clear_private_leftovers

        fd = vaultlock.take(str(path), vaultlock.default_wait() if wait is None else wait)
        try:
            clear_own_ref_locks(gd)
            clear_private_leftovers(gd)
            clear_stale_ref_locks(self.root, gd)
            _HELD[key] = 1
            try:
                yield
            finally:
                _HELD[key] = 0
        finally:
            vaultlock.let_go(fd)


_HELD: dict[tuple[str, int], int] = {}


def note_file(root: str, rel: str) -> os.stat_result | None:
    """The lstat of `rel` when `note_files` would list it now (by the walk's own rules),
    else None: one path looked at again, not every folder walked."""
    from openbook.notetypes.registry import LANGUAGE_FILE, NOTE_FOLDERS, is_top_copy

    parts = rel.split("/")
    try:
        st = os.lstat(os.path.join(root, *parts))
    except (OSError, ValueError):
        return None
    if rel == LANGUAGE_FILE:
        return st
    if len(parts) == 1:
        return st if is_top_copy(rel) and stat.S_ISREG(st.st_mode) else None
    if parts[0] not in NOTE_FOLDERS or not rel.endswith(".md") or stat.S_ISDIR(st.st_mode):
        return None
    if any(part.startswith(".") or part in SKIP_DIRS for part in parts[1:]):
        return None
    for depth in range(1, len(parts)):  # the walk enters real folders only
        try:
            if not stat.S_ISDIR(os.lstat(os.path.join(root, *parts[:depth])).st_mode):
                return None
        except OSError:
            return None
    return st


def _walk(base: str, rel: str) -> Iterator[Listed]:
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name in SKIP_DIRS:
            continue
        child = f"{rel}/{name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, child)
        elif name.endswith(".md"):
            yield child, entry.stat(follow_symlinks=False)
