"""Note types: one module per type in this folder, a `NoteType` in base.py, a registry.

`NAMES` lists the types from the file names alone, without importing a type module,
so that `openbook new --help` stays fast. A module `plan_change.py` is the type
`plan-change`; registry.py loads them all.
"""

from __future__ import annotations

import os

# the modules of this folder that are not note types
_NOT_TYPES = frozenset({"__init__", "base", "registry"})


def _names() -> tuple[str, ...]:
    modules = (
        entry[:-3]
        for entry in os.listdir(os.path.dirname(os.path.abspath(__file__)))
        if entry.endswith(".py")
    )
    return tuple(
        sorted(m.replace("_", "-") for m in modules if m.isidentifier() and m not in _NOT_TYPES)
    )


NAMES: tuple[str, ...] = _names()


def module_name(note_type: str) -> str:
    """The module that defines `note_type`: plan-change -> openbook.notetypes.plan_change."""
    return f"{__name__}.{note_type.replace('-', '_')}"
