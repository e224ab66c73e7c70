"""Reading `git log` output as git writes it (`openbook.git.ledger.iter_commits`): the
command, its records one at a time, and its dates with one zone object per offset (a long
history holds tens of thousands of dates and few offsets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from openbook.git.view import VaultView

_FORMAT = "%x1e" + "%x1f".join(
    ("%H", "%P", "%an", "%ae", "%cn", "%ce", "%aI", "%cI", "%s", "%(trailers:only,unfold)", "")
)
_ZONES: dict[dt.tzinfo, dt.tzinfo] = {}


def records(pieces: Iterable[bytes], sep: bytes = b"\x1e") -> Iterator[bytes]:
    """What comes after each `sep` in the output `pieces` make up, up to the next one
    (what `output.split(sep)[1:]` gives), one record at a time."""
    tail, started = b"", False
    for piece in pieces:
        start = 0
        while (end := piece.find(sep, start)) >= 0:
            record, tail = tail + piece[start:end], b""
            if started:
                yield record
            started, start = True, end + 1
        tail += piece[start:]
    if started:
        yield tail


def terminated(pieces: Iterable[bytes], end: bytes = b"\0") -> Iterator[bytes]:
    """Each item `end` closes in the output `pieces` make up (what `git ls-tree -z` and
    `--name-only -z` write), one at a time; a last one without its `end` too."""
    tail = b""
    for piece in pieces:
        items = (tail + piece).split(end)
        tail = items.pop()
        yield from items
    if tail:
        yield tail


def log_date(text: str) -> dt.datetime:
    """An ISO 8601 date of the log, its zone shared with every date of the same offset."""
    when = dt.datetime.fromisoformat(text)
    zone = when.tzinfo
    if zone is None:
        return when
    shared = _ZONES.setdefault(zone, zone)
    return when if shared is zone else when.replace(tzinfo=shared)


def commits_args(
    vault: VaultView,
    *,
    since: dt.date | None = None,
    exclude: str | None = None,
    paths: Iterable[str] = (),
    topo: bool = False,
    rev: str = "HEAD",
) -> list[str]:
    """The `git log` that `read_commits` runs."""
    args = ["log", "-z", "--raw", "--no-renames", "--no-abbrev", "--diff-merges=first-parent"]
    args.append(f"--format={_FORMAT}")
    if since:
        args.append(f"--since={since.isoformat()} 00:00")
    if topo:  # a commit never before its parents, whatever their dates say
        args.append("--topo-order")
    args += ["--end-of-options", rev]
    if exclude:
        args.append(f"^{exclude}")
    limit = list(paths)
    if not vault.is_own_repo:
        args.insert(1, "--relative")
        limit = limit or ["."]
    if limit:
        args += ["--", *limit]
    return args
