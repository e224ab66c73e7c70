"""The one object reader: git objects read in bulk, one `git cat-file` for many names.

`read_objects` gives the bytes (`--batch`), `object_info` only the id, type and size
(`--batch-check`); `read_blobs` keeps the blobs of a `read_objects`. Names arrive on
standard input, so none can be read as an option.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openbook.git import runner


@dataclass
class Batch:
    """Objects from one `cat-file --batch` stream: name -> (object id, type, bytes)."""

    objects: dict[str, tuple[str, str, bytes]]

    def get(self, name: str) -> tuple[str, str, bytes] | None:
        return self.objects.get(name)


def _stdin(names: Sequence[str]) -> bytes:
    for name in names:
        if "\n" in name or name.startswith("-"):
            raise ValueError(f"bad object name {name!r}")
    return ("\n".join(names) + "\n").encode("utf-8")


def read_objects(root: Path, names: Sequence[str]) -> Batch:
    """Read every object named (a sha or `rev:path`) through one `git cat-file --batch`;
    names that name nothing are left out."""
    if not names:
        return Batch({})
    out = runner.execute(root, ["cat-file", "--batch"], input_data=_stdin(names)).stdout
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


def read_blobs(root: Path, names: Iterable[str]) -> dict[str, bytes]:
    """name -> the bytes of each name (a blob id or `rev:path`) that is a blob, unchanged."""
    wanted = list(dict.fromkeys(names))
    batch = read_objects(root, wanted)
    return {n: obj[2] for n, obj in batch.objects.items() if obj[1] == "blob"}


@dataclass(frozen=True)
class Info:
    oid: str
    kind: str  # blob, tree, commit, tag
    size: int


def object_info(root: Path, names: Sequence[str]) -> list[Info | None]:
    """The id, type and size each name (`rev:path`, `rev^{commit}`, an id) points to, in
    order, None where it names nothing; one `git cat-file --batch-check`."""
    if not names:
        return []
    args = ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"]
    raw = runner.execute(root, args, input_data=_stdin(names)).stdout
    found: list[Info | None] = []
    for line in raw.decode("utf-8", "replace").splitlines()[: len(names)]:
        parts = line.split(" ")
        ok = len(parts) == 3 and parts[2].isdigit()
        found.append(Info(parts[0], parts[1], int(parts[2])) if ok else None)
    return found + [None] * (len(names) - len(found))
