"""When this clone first saw each commit, and the time the log can stand behind (SPEC
section 10).

A commit's date is whatever its writer chose. Each clone therefore keeps, for itself
only, when each commit first arrived in it: `.git/openbook/arrivals`, one line
`<sha> <unix seconds>` per commit, only ever appended to (one write and an fsync per
batch; a line a kill cut short is skipped when read, and the commit is seen again "now"
the next time). Commits arrive through `sync` (what it fetched), `clone` (the whole
history, at clone time), openbook's own commits, and, for anything else (a plain `git
pull` or `git commit`), the first time openbook reads the history.

For counting, a commit's time is its committer date kept within [the latest of its
parents' times, the time this clone first saw it], with 10 minutes of clock skew allowed
after the arrival (`standing_time`). A commit dated more than 10 minutes before a parent or after it
arrived is marked `clock` in the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from openbook.fsutil import atomic_write
from openbook.git import repo as gitrepo
from openbook.words import parse_now

FILE = "arrivals"
TIP = "arrivals.tip"  # `<sha> <size> <inode>`: the file then held all of sha's history
SKEW = 600  # seconds of clock skew allowed between two machines


def _git_dir(root: Path) -> Path | None:
    """The repository's own folder (the common one, for a linked worktree)."""
    for folder in (root, *root.parents):
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            gd = (folder / text[7:].strip()).resolve()
            common = gd / "commondir"
            if common.is_file():
                return (gd / common.read_text(encoding="utf-8").strip()).resolve()
            return gd
    return None


def store_path(root: Path) -> Path | None:
    gd = _git_dir(root)
    return gd / "openbook" / FILE if gd is not None else None


def arrivals(root: Path) -> dict[str, int]:
    """sha -> when this clone first saw it (unix seconds); the earliest line wins."""
    path = store_path(root)
    out: dict[str, int] = {}
    if path is None:
        return out
    try:
        data = path.read_bytes()
    except OSError:
        return out
    # the last piece has no newline yet: a line being written, or one a kill cut short
    text, start = data.decode("ascii", "replace"), 0
    del data
    stamps: dict[str, int] = {}
    while (end := text.find("\n", start)) >= 0:  # line by line: no list of every line
        line, start = text[start:end], end + 1
        sha, _, when = line.partition(" ")
        if len(sha) not in (40, 64) or len(when) != 10 or not when.isdigit():
            continue  # a line a kill cut short (and a later write ended), or not ours
        seen = stamps.setdefault(when, int(when))  # commits noted together share one
        if sha not in out or seen < out[sha]:
            out[sha] = seen
    return out


def seconds(when: dt.datetime | int) -> int:
    return when if isinstance(when, int) else int(when.timestamp())


def record_arrivals(
    root: Path, shas: Iterable[str], when: dt.datetime | int, known: dict[str, int] | None = None
) -> None:
    """Note that `shas` arrived at `when`, unless this clone saw them before."""
    stamp = seconds(when)
    append_arrivals(root, {s: stamp for s in shas if s}, arrivals(root) if known is None else known)


def append_arrivals(root: Path, times: dict[str, int], seen: dict[str, int]) -> bool:
    """Append the arrivals of `times` not in `seen` (one write, one fsync); `seen` learns
    them. Whether they are all noted now."""
    path = store_path(root)
    new = {s: t for s, t in times.items() if s not in seen}
    if path is None or not new:
        return path is not None
    lines = "".join(f"{s} {t}\n" for s, t in new.items()).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if os.fstat(fd).st_size and _last_byte(path) != b"\n":
                lines = b"\n" + lines  # after a line a kill cut short
            os.write(fd, lines)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        return False  # a clone that cannot note arrivals counts by the dates alone
    seen.update(new)
    return True


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1)


def now() -> dt.datetime:
    """openbook's "now": $OPENBOOK_NOW, else the system clock."""
    return parse_now(os.environ.get("OPENBOOK_NOW"), dt.UTC)


LIST = "--format=%H%x1f%ct%x1f%ce%x1f%P"


def _listed(root: Path, args: list[str]) -> list[tuple[str, int, str, list[str]]] | None:
    """(sha, committer date, committer email, parents) of each commit `git log` lists;
    None when git fails (no commits yet, or no such revision)."""
    listed = gitrepo.run(root, ["log", LIST, *args], check=False)
    if listed.status != 0:
        return None
    out = []
    for line in listed.stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 4 and parts[1].isdigit():
            out.append((parts[0], int(parts[1]), parts[2].lower(), parts[3].split()))
    return out


def _note_new(
    root: Path,
    rows: list[tuple[str, int, str, list[str]]],
    when: dt.datetime | int | None,
    seen: dict[str, int],
) -> bool:
    """Note the commits of `rows` this clone has not seen as arriving `when` (default:
    now); whether every one of them is noted now."""
    gitrepo.keep_walks_exact(root, (r[1] for r in rows))
    if any(r[0] not in seen for r in rows):
        stamp = seconds(now() if when is None else when)
        return append_arrivals(root, {r[0]: stamp for r in rows}, seen)
    return True


def see(
    root: Path, when: dt.datetime | int | None = None, rev: str = "HEAD", *, only: bool = False
) -> None:
    """Note every commit reachable from `rev` (`only`: `rev` alone) that this clone has
    not seen yet, as arriving `when` (default: now). A commit named by its full id
    (`only`: the commit openbook just made) is noted without asking git; the history of
    one already noted whole (`arrivals.tip`) is not listed again."""
    if only and is_oid(rev):
        if not _listed_in_store(root, rev):  # one new commit: no need to read every line
            _note_new(root, [(rev, 0, "", [])], when, {})
        return
    if only:
        one = _listed(root, ["-1", "--end-of-options", rev]) or []
        _note_new(root, one, when, arrivals(root))
        return
    tip = _tip(root)
    rows = _listed(root, ["--end-of-options", rev, f"^{tip}"]) if tip else None
    if rows is None:
        rows = _listed(root, ["--end-of-options", rev])
    if not rows:
        return
    seen = _known(root, [r[0] for r in rows])
    if _note_new(root, rows, when, seen) and is_oid(rev):
        _set_tip(root, rev)


def _known(root: Path, shas: list[str]) -> dict[str, int]:
    """The arrivals of `shas` this clone noted (a few looked up, else every line read)."""
    if len(shas) > 64:
        return arrivals(root)
    data = store_bytes(root)
    return {sha: 0 for sha in shas if _in_store(data, sha)}


def _tip(root: Path) -> str | None:
    """The commit whose whole history the arrivals file holds, when it is still the
    same file and holds everything it held then (it only grows)."""
    path = store_path(root)
    if path is None:
        return None
    try:
        sha, size, inode = (path.parent / TIP).read_text(encoding="ascii").split()
        st = path.stat()
    except (OSError, ValueError):
        return None
    if not (is_oid(sha) and size.isdigit() and inode.isdigit()):
        return None
    return sha if st.st_ino == int(inode) and st.st_size >= int(size) else None


def _set_tip(root: Path, sha: str) -> None:
    path = store_path(root)
    if path is None:
        return
    with contextlib.suppress(OSError):
        st = path.stat()
        data = f"{sha} {st.st_size} {st.st_ino}\n".encode("ascii")
        atomic_write(path.parent / TIP, data, durable=False)


def _listed_in_store(root: Path, sha: str) -> bool:
    """Whether the arrivals file has a whole line for `sha`, as `arrivals` reads one."""
    return _in_store(store_bytes(root), sha)


def store_bytes(root: Path) -> bytes:
    path = store_path(root)
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""


def _in_store(data: bytes, sha: str) -> bool:
    key = sha.encode("ascii") + b" "
    at = data.find(key)
    while at >= 0:
        at_start = at == 0 or data[at - 1 : at] == b"\n"
        when = data[at + len(key) : at + len(key) + 11]
        if at_start and when[:10].isdigit() and when[10:] == b"\n":
            return True
        at = data.find(key, at + 1)
    return False


def is_oid(rev: str) -> bool:
    return len(rev) in (40, 64) and all(c in "0123456789abcdef" for c in rev)


def mark(data: bytes) -> tuple[int, str]:
    """The arrivals file as read (its bytes `data`): its size and digest."""
    return (len(data), hashlib.sha1(data).hexdigest())


def tail_shas(data: bytes, then: tuple[int, str]) -> set[str] | None:
    """The commits the arrivals file (its bytes now, `data`) noted since it was read as
    `then` (`mark`); None when it is not that file grown by whole lines (rewritten, cut,
    or a line left unfinished then)."""
    size = then[0]
    if len(data) < size or mark(data[:size]) != then:
        return None
    if size and data[size - 1 : size] != b"\n":
        return None  # an unfinished line then: a later write may have ended it
    found = {line.partition(" ")[0] for line in data[size:].decode("ascii", "replace").split("\n")}
    found.discard("")
    return found


def arrivals_of(data: bytes, shas: Iterable[str]) -> dict[str, int]:
    """When this clone first saw each of `shas`, as `arrivals` reads the file's `data`
    (the earliest whole line wins), without reading every line."""
    out: dict[str, int] = {}
    for sha in shas:
        needle = sha.encode("ascii")
        at = data.find(needle)
        while at != -1:
            end = data.find(b"\n", at)
            if end != -1 and (at == 0 or data[at - 1] == 0x0A):
                name, _, when = data[at:end].decode("ascii", "replace").partition(" ")
                if name == sha and len(when) == 10 and when.isdigit():
                    out[sha] = min(int(when), out.get(sha, int(when)))
            at = data.find(needle, at + 1)
    return out
