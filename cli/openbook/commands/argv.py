"""The plainest command lines, read before click loads: `[GLOBAL...] COMMAND [OPTION...]`.
What commands/fast.py answers and commands/replay.py says again are only ever these;
any other word leaves the command line to click, which says what it makes of it."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

GLOBAL = ("--vault", "--as")


def parse(
    argv: Sequence[str],
    takes: Mapping[str, tuple[str, ...]],
    flags: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[str, dict[str, str]] | None:
    """(command, {option: value}): `takes[command]` names the options with a value the
    command accepts after its name, `flags[command]` its flags (given as ""); before the
    name only GLOBAL options. The last value of an option wins, as in click. None for any
    other command line: an unknown word, or a missing, empty or option-like value."""
    given: dict[str, str] = {}
    command: str | None = None
    words = list(argv)
    while words:
        word = words.pop(0)
        if command is None and word in takes:
            command = word
            continue
        if command is not None and flags is not None and word in flags.get(command, ()):
            given[word] = ""
            continue
        name, eq, value = word.partition("=")
        if name not in (GLOBAL if command is None else takes[command]):
            return None
        if not eq:
            if not words:
                return None
            value = words.pop(0)
        if not value or value.startswith("-"):
            return None  # an empty or option-like value: click says what it makes of it
        given[name] = value
    return (command, given) if command is not None else None
