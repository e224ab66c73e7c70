"""Git objects read in bulk: one `git cat-file --batch` for many names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openbook.git.repo import git_bytes


@dataclass
class Batch:
    """Objects from one `cat-file --batch` stream: name -> (object id, type, bytes)."""

    objects: dict[str, tuple[str, str, bytes]]

    def get(self, name: str) -> tuple[str, str, bytes] | None:
        return self.objects.get(name)


def read_objects(root: Path, names: Sequence[str]) -> Batch:
    """Read every object named (a sha or `rev:path`) through one `git cat-file --batch`."""
    if not names:
        return Batch({})
    for name in names:
        if "\n" in name or name.startswith("-"):
            raise ValueError(f"bad object name {name!r}")
    out = git_bytes(root, ["cat-file", "--batch"], ("\n".join(names) + "\n").encode())
    objects: dict[str, tuple[str, str, bytes]] = {}
    pos = 0
    for name in names:
        nl = out.index(b"\n", pos)
        header = out[pos:nl].split(b" ")
        pos = nl + 1
        if len(header) != 3:  # "<name> missing" or "ambiguous"
            continue
        size = int(header[2])
        objects[name] = (
            header[0].decode("ascii"),
            header[1].decode("ascii"),
            out[pos : pos + size],
        )
        pos += size + 1
    return Batch(objects)
