"""Errors the core raises. The CLI turns each into one calm sentence and an exit code."""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_INTEGRITY = 4
EXIT_UNREACHABLE = 5
EXIT_BUSY = 6


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str, *, newlines: bool = False) -> str:
    """`text` with control characters written as escapes (ESC as \\x1b), so a name that
    came from the partner can never move the cursor, ring the bell or start a new line."""
    pattern = _CONTROL if newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(lambda m: repr(m.group())[1:-1], text)


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
