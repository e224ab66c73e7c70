"""Is it safe to write? Git's own in-progress states, read from files (no git process
when the vault is the top of its work tree)."""

from __future__ import annotations

import os
from pathlib import Path

from openbook.errors import Busy
from openbook.git import runner

# marker file in .git -> (what git is doing, how to finish, how to leave)
_IN_PROGRESS = (
    ("MERGE_HEAD", "merge", "git commit", "git merge --abort"),
    ("rebase-merge", "rebase", "git rebase --continue", "git rebase --abort"),
    ("rebase-apply", "rebase", "git rebase --continue", "git rebase --abort"),
    ("CHERRY_PICK_HEAD", "cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
    ("REVERT_HEAD", "revert", "git revert --continue", "git revert --abort"),
    ("BISECT_LOG", "bisect", "", "git bisect reset"),
)


def git_dir_of(root: Path) -> Path | None:
    """The absolute .git folder of the repository at or above `root`, None outside one.
    Read from `.git` itself when `root` is the top of the work tree (no git process)."""
    candidate = root / ".git"
    if candidate.is_dir():
        return candidate.resolve()
    if candidate.is_file():
        text = candidate.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            return (root / text[7:].strip()).resolve()
    if not root.is_dir():
        return None
    done = runner.execute(root, ["rev-parse", "--absolute-git-dir"], check=False)
    found = done.stdout.decode("utf-8", "replace").strip()
    return Path(found) if done.status == 0 and found else None


def own_index_lock(git_dir: Path) -> bool:
    """Whether .git/index.lock is openbook's own hold on it (a hard link to one of its
    private indexes, left by a killed openbook), which openbook clears under its lock."""
    lock = git_dir / "index.lock"
    folder = git_dir / "openbook"
    if not folder.is_dir():
        return False
    for private in folder.glob("index-*"):
        try:
            if os.path.samefile(lock, private):
                return True
        except OSError:
            continue
    return False


def unsafe_state(root: Path) -> str | None:
    """A sentence naming git's unfinished operation and the command that ends it, or None."""
    gd = git_dir_of(root)
    if gd is None:
        return None
    for marker, op, finish, leave in _IN_PROGRESS:
        if (gd / marker).exists():
            how = f"finish it with '{finish}' or undo it with '{leave}'" if finish else leave
            if not finish:
                how = f"end it with '{leave}'"
            return f"git is in the middle of a {op} in {root}; {how}, then try again."
    try:
        head = (gd / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        head = "ref:"
    if not head.startswith("ref:"):
        return (
            f"{root} is not on a branch (detached HEAD); run 'git switch main' "
            "(or your branch), then try again."
        )
    if (gd / "index.lock").exists() and not own_index_lock(gd):
        return (
            f"{gd / 'index.lock'} is left over from a git program that stopped; if no other git "
            "program is running, run 'openbook doctor --fix' to clear it."
        )
    return None


def require_safe_state(root: Path) -> None:
    """Refuse (exit 6) before anything is written or staged while git is mid-operation."""
    problem = unsafe_state(root)
    if problem:
        raise Busy(problem)


def clear_own_ref_locks(git_dir: Path) -> list[Path]:
    """Remove lock files under refs/openbook/: only openbook writes there, so one found while
    openbook holds the vault lock is its own leftover from a process that was killed."""
    cleared = []
    base = git_dir / "refs" / "openbook"
    if base.is_dir():
        for lock in base.rglob("*.lock"):
            if lock.is_file() and not lock.is_symlink():
                lock.unlink(missing_ok=True)
                cleared.append(lock)
    return cleared


def clear_index_lock(root: Path) -> Path | None:
    """Remove git's .git/index.lock (only when the user has confirmed no git is running)."""
    gd = git_dir_of(root)
    if gd is None:
        return None
    lock = gd / "index.lock"
    if lock.is_file() and not lock.is_symlink():
        lock.unlink()
        return lock
    return None


def git_running_in(root: Path) -> bool | None:
    """Whether a git process works in `root` (Linux /proc); None where that cannot be known."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    top = str(root.resolve())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == top or cwd.startswith(top + os.sep):
            return True
    return False


def clear_stale_ref_locks(root: Path, git_dir: Path) -> list[Path]:
    """git holds HEAD.lock and a ref's lock for milliseconds while it moves the ref; one
    found while openbook holds the vault lock and no git process works in the vault was left
    by a killed process, and would block every later commit."""
    locks = [git_dir / "HEAD.lock", git_dir / "packed-refs.lock"]
    refs = git_dir / "refs"
    if refs.is_dir():
        locks += refs.rglob("*.lock")
    found = [lock for lock in locks if lock.is_file() and not lock.is_symlink()]
    if not found or git_running_in(root) is not False:
        return []
    for lock in found:
        lock.unlink(missing_ok=True)
    return found


_OID = frozenset("0123456789abcdef")


def _oid(text: str) -> str | None:
    value = text.strip()
    return value if len(value) in (40, 64) and set(value) <= _OID else None


def head_from_files(git_dir: Path) -> str | None:
    """The commit HEAD names, read from git's own files (HEAD, the branch's loose ref,
    else packed-refs) with no git process; None whenever they do not say it plainly (a
    branch with no commits, refs in another format, a linked work tree): ask git then."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not head.startswith("ref: "):
        return _oid(head)
    name = head[5:].strip()
    return ref_from_files(git_dir, name) if name.startswith("refs/heads/") else None


def ref_from_files(git_dir: Path, name: str) -> str | None:
    """The object a ref names (`refs/...`), from its loose file, else packed-refs; None
    when the files do not say it plainly."""
    if not name.startswith("refs/") or ".." in name:
        return None
    try:
        loose = git_dir / name
        if loose.is_file():
            return _oid(loose.read_text(encoding="ascii"))
        packed = (git_dir / "packed-refs").read_text(encoding="ascii", errors="replace")
    except (OSError, UnicodeDecodeError):
        return None
    for line in packed.splitlines():
        oid, _, ref = line.partition(" ")
        if ref == name:
            return _oid(oid)
    return None
