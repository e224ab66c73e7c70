"""Errors the core raises. The CLI turns each into one calm sentence and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_INTEGRITY = 4
EXIT_UNREACHABLE = 5
EXIT_BUSY = 6


class OpenbookError(Exception):
    """A failure the user can act on. `str(err)` is the sentence shown on stderr."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
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
    pass


class IntegrityAlert(OpenbookError):
    exit_code = EXIT_INTEGRITY


class RemoteUnreachable(OpenbookError):
    exit_code = EXIT_UNREACHABLE


class Busy(OpenbookError):
    exit_code = EXIT_BUSY
