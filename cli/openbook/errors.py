"""Errors the core raises. The CLI turns each into one calm sentence and an exit code."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    import re

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_INTEGRITY = 4
EXIT_UNREACHABLE = 5
EXIT_BUSY = 6


# anything outside printable ASCII is looked at; only controls and format characters
# (Unicode category Cf: bidi overrides, zero-width spaces, direction marks) are escaped
_SUSPECT = r"[^\x20-\x7e\n\t]"  # text of many lines: tabs kept too
_SUSPECT_OR_NEWLINE = r"[^\x20-\x7e]"
# joiners that emoji and some scripts need to read as written: kept
_JOINERS = frozenset("\u200c\u200d")


def _escaped(match: re.Match[str]) -> str:
    import unicodedata

    ch = match.group()
    if ch in _JOINERS or unicodedata.category(ch) not in ("Cc", "Cf"):
        return ch
    return repr(ch)[1:-1]


def shown(text: str, *, newlines: bool = False) -> str:
    """`text` with control and format characters written as escapes (ESC as \\x1b, a
    right-to-left override as \\u202e), so a name that came from the partner can never
    move the cursor, ring the bell, start a new line or turn the text around."""
    plain = text.replace("\n", "").replace("\t", "") if newlines else text
    if plain.isascii() and plain.isprintable():
        return text  # nothing to escape: `re` is not even loaded (a sync with nothing to do)
    import re

    return re.sub(_SUSPECT if newlines else _SUSPECT_OR_NEWLINE, _escaped, text)


class OpenbookError(Exception):
    """A failure the user can act on. `str(err)` is the sentence shown on stderr."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(shown(message, newlines=True))
        if exit_code is not None:
            self.exit_code = exit_code


class VaultNotFound(OpenbookError):
    pass


class ConfigError(OpenbookError):
    pass


class NoteError(OpenbookError):
    """A note could not be written or changed as asked."""


class ValidationFailed(OpenbookError):
    """Validation found errors; `problems` holds them for display."""

    def __init__(self, message: str, problems: list[object] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class GitError(OpenbookError):
    """A git command failed or did not finish: `command` is what ran (empty when the
    error was found by reading git's output), `detail` git's own first line."""

    def __init__(self, message: str, *, command: tuple[str, ...] = (), detail: str = "") -> None:
        super().__init__(message)
        self.command = command
        self.detail = detail


class IntegrityAlert(OpenbookError):
    exit_code = EXIT_INTEGRITY


class RemoteUnreachable(OpenbookError):
    exit_code = EXIT_UNREACHABLE


class Busy(OpenbookError):
    exit_code = EXIT_BUSY
