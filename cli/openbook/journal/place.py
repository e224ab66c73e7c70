"""Where the journal lives, the places it must never be, and private scratch files."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from openbook.config import CONFIG_NAME
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo

ENV = "OPENBOOK_JOURNAL"
CONFIG_KEY = "openbook.journal"
FOLDER_MODE = 0o700


class JournalError(OpenbookError):
    """The journal cannot do what was asked; the message says what to do."""


def global_config(key: str) -> str | None:
    """`git config --global --type=path KEY` (a leading ~ expanded), or None."""
    home = Path.home()
    cwd = home if home.is_dir() else Path("/")
    res = gitrepo.run(cwd, ["config", "--global", "--type=path", "--get", key], check=False)
    value = res.stdout.strip() if res.status == 0 else ""
    return value or None


def journal_root() -> Path:
    """$OPENBOOK_JOURNAL, else git config --global openbook.journal, else the XDG data folder.

    Refuses (JournalError) a folder inside a git repository or a vault.
    """
    raw = os.environ.get(ENV)
    source = f"${ENV}"
    if not raw:
        raw = global_config(CONFIG_KEY)
        source = f"git config --global {CONFIG_KEY}"
    if raw:
        path = Path(raw).expanduser()
    else:
        data = os.environ.get("XDG_DATA_HOME", "")
        base = Path(data) if data and Path(data).is_absolute() else Path.home() / ".local/share"
        path = base / "openbook" / "journal"
        source = "the default place"
    path = path.absolute()
    refuse_shared(path, source)
    return path


def _is_git_dir(folder: Path) -> bool:
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir()


def refuse_shared(path: Path, source: str) -> None:
    """Raise when `path` (or where its symlinks lead) lies inside a vault or a git repository."""
    fix = (
        f"choose a folder outside it with ${ENV} or "
        f"'git config --global {CONFIG_KEY} ~/some/private/folder'"
    )
    for candidate in dict.fromkeys([path, path.resolve()]):
        for folder in (candidate, *candidate.parents):
            if (folder / CONFIG_NAME).is_file():
                raise JournalError(
                    f"The journal folder {path} (from {source}) is inside the openbook vault "
                    f"{folder}, and the journal never goes into a shared vault; {fix}."
                )
            if (folder / ".git").exists() or _is_git_dir(folder):
                raise JournalError(
                    f"The journal folder {path} (from {source}) is inside the git repository "
                    f"{folder}, and the journal must stay out of every repository; {fix}."
                )


def ensure_folder(root: Path) -> None:
    """Create the journal folder (and missing parents) readable by its owner only."""
    missing: list[Path] = []
    probe = root
    while not probe.exists() and not probe.is_symlink():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, FOLDER_MODE)
            os.chmod(folder, FOLDER_MODE)
    if not root.is_dir():
        raise JournalError(
            f"The journal folder {root} is a file, not a folder; move it away or choose "
            f"another folder with ${ENV}."
        )
    if stat.S_IMODE(root.stat().st_mode) & 0o077:
        os.chmod(root, FOLDER_MODE)


def now() -> dt.datetime:
    """Local wall-clock time (naive), or $OPENBOOK_NOW as written."""
    value = os.environ.get("OPENBOOK_NOW")
    if not value:
        return dt.datetime.now().replace(second=0, microsecond=0)
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise JournalError(
            f"OPENBOOK_NOW='{value}' is not an ISO 8601 time; use e.g. 2026-11-24T21:00."
        ) from None
    return parsed.replace(tzinfo=None, second=0, microsecond=0)


@contextlib.contextmanager
def scratch(text: str, name: str) -> Iterator[Path]:
    """A file only its owner can read, in a fresh private temporary folder, for an editor.

    The folder and everything in it (editor swap files too) is removed afterwards.
    """
    folder = Path(tempfile.mkdtemp(prefix="openbook-"))
    try:
        path = folder / name
        atomic_write(path, text.encode("utf-8"), exclusive=True)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
