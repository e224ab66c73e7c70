"""One note in memory: its frontmatter, body, value positions and the problems found in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from openbook.errors import shown

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any

Pos = tuple[int, int]
PathKey = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of `check`: where, how bad, which rule, and what to do."""

    path: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    rule: str
    message: str

    def format(self) -> str:
        return (
            f"{shown(self.path)}:{self.line}:{self.column}: {self.severity}: "
            f"{shown(self.message)} [{self.rule}]"
        )


class _NoPositions(dict):  # type: ignore[type-arg]
    """The positions of a note read without them: one empty mapping all such notes share
    (a large vault holds tens of thousands of notes), which refuses to be written to."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a note read without positions records none; parse it with them")

    __setitem__ = setdefault = update = pop = popitem = clear = __delitem__ = _refuse  # type: ignore[assignment]


_NO_POSITIONS: dict[Any, Pos] = _NoPositions()


def no_positions() -> dict[Any, Pos]:
    return _NO_POSITIONS


@dataclass(slots=True)
class Note:
    """A parsed note. `meta` is the frontmatter; positions are 1-based file lines/columns.
    Slotted: a check of a large vault holds tens of thousands of them."""

    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    key_pos: dict[str, Pos] = field(default_factory=no_positions)
    value_pos: dict[PathKey, Pos] = field(default_factory=no_positions)
    nested_key_pos: dict[PathKey, Pos] = field(default_factory=no_positions)
    problems: list[Problem] = field(default_factory=list)
    has_frontmatter: bool = False

    @property
    def type(self) -> str | None:
        t = self.meta.get("type")
        return t if isinstance(t, str) else None

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def pos(self, *path: str | int) -> Pos:
        """Position of a value (falls back to its key, then to line 1)."""
        if path in self.value_pos:
            return self.value_pos[path]
        if path and isinstance(path[0], str) and path[0] in self.key_pos:
            return self.key_pos[path[0]]
        return (1, 1)

    def entry_pos(self, *path: str | int) -> Pos:
        """Position of a nested mapping key (falls back to its value)."""
        return self.nested_key_pos.get(path) or self.pos(*path)

    def keypos(self, key: str) -> Pos:
        return self.key_pos.get(key, (1, 1))
