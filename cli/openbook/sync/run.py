"""Sync between partners: fetch, integrity check, merge with conflict copies, push.

The flow of one sync, under the vault lock:

1. refuse unsafe states (mid-merge, mid-rebase, detached HEAD): Busy, nothing changed;
2. commit pending changes (validated, one commit per file, as `openbook commit` does);
3. record `refs/openbook/backup/<UTC timestamp>` at HEAD;
4. fetch the remote branch into a fresh ref (`refs/openbook/incoming/...`) with a refspec
   that cannot force-update anything;
5. integrity: the fetched head must contain `refs/openbook/seen/<remote>/<branch>`, the
   last remote head this clone saw; else IntegrityAlert, nothing merged or pushed;
6. refuse incoming commits that add symlinks, submodules or files outside the vault's
   folders, before they touch the work tree (IntegrityAlert);
7. fast-forward, or merge: `git merge-tree --write-tree` computes the merge without
   touching anything; conflicted files keep ours at the path and theirs verbatim as a
   conflict copy beside it; the merge commit is built with `commit-tree` and the work
   tree moved with `read-tree -m -u` (which refuses to overwrite local changes);
8. push without force; a rejected push is retried by fetching and merging again;
9. record the new seen head and verify the end state.

No rebase, no force, no `-X ours/theirs`, no conflict markers and no half-done merge.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from openbook.errors import Busy, GitError, IntegrityAlert, OpenbookError, RemoteUnreachable
from openbook.git import repo as gitrepo
from openbook.notetypes.registry import shared_path as allowed_path
from openbook.vault import Vault

SEEN = "refs/openbook/seen/{remote}/{branch}"
INCOMING = "refs/openbook/incoming/{remote}/{branch}"
PROBE = "refs/openbook/check/{remote}/{branch}"
BACKUP_PREFIX = "refs/openbook/backup/"
MAX_RETRIES = 3  # a rejected push is retried at most this many times
ALLOWED_PROTOCOLS = "ssh:https:git:file"
REGULAR_MODES = ("100644", "100755")
_REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_PARTNER_ID = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


def network_timeout() -> float:
    return float(os.environ.get("OPENBOOK_NETWORK_TIMEOUT", str(gitrepo.NETWORK_TIMEOUT)))


def _net_env() -> dict[str, str]:
    # only the protocols openbook allows, whatever the remote's configuration says
    return {"GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS}


@dataclass
class ConflictFile:
    path: str
    kind: str  # "both-changed", "deleted-here", "deleted-there"
    copy: str | None
    partner: str
    sha: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "copy": self.copy,
            "partner": self.partner,
            "sha": self.sha,
        }


@dataclass
class SyncResult:
    """What one sync did. `exit_code` is 0 done, 3 conflict copies written, 5 remote
    unreachable (work committed locally); `lines` are calm one-line messages."""

    exit_code: int = 0
    lines: list[str] = field(default_factory=list)
    remote: str = "origin"
    branch: str = "main"
    check_only: bool = False
    outcome: str = "up to date"
    committed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    pending: int = 0
    ahead: int = 0
    behind: int = 0
    received: int = 0
    pushed: int = 0
    conflicts: list[ConflictFile] = field(default_factory=list)
    conflicts_expected: list[str] = field(default_factory=list)
    backup: str | None = None
    head: str | None = None
    remote_head: str | None = None

    @property
    def conflict_copies(self) -> list[str]:
        return [c.copy for c in self.conflicts if c.copy]

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "outcome": self.outcome,
            "lines": self.lines,
            "remote": self.remote,
            "branch": self.branch,
            "check_only": self.check_only,
            "committed": self.committed,
            "refused": self.refused,
            "pending": self.pending,
            "ahead": self.ahead,
            "behind": self.behind,
            "received": self.received,
            "pushed": self.pushed,
            "conflicts": [c.as_dict() for c in self.conflicts],
            "conflict_copies": self.conflict_copies,
            "conflicts_expected": self.conflicts_expected,
            "backup": self.backup,
            "head": self.head,
            "remote_head": self.remote_head,
        }


def _n(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------- git helpers


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return gitrepo.run(root, list(args), env=env).stdout


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    res = gitrepo.run(
        root, ["merge-base", "--is-ancestor", "--end-of-options", older, newer], check=False
    )
    if res.status not in (0, 1):
        raise GitError(f"git merge-base failed: {gitrepo.first_line(res.stderr)}")
    return res.status == 0


def _count(root: Path, *revs: str) -> int:
    return int(_git(root, "rev-list", "--count", "--end-of-options", *revs) or "0")


def _delete_ref(root: Path, ref: str) -> None:
    gitrepo.run(root, ["update-ref", "-d", ref], check=False)


def remote_url(root: Path, remote: str) -> str:
    """The remote's fetch and push URLs, each checked; the fetch URL is returned."""
    if not _REMOTE_NAME.match(remote):
        raise OpenbookError(f"'{remote}' is not a remote name; use a name like origin.")
    res = gitrepo.run(root, ["remote", "get-url", remote], check=False)
    if res.status != 0:
        raise OpenbookError(
            f"This vault has no remote called '{remote}'; add your shared private repository "
            f"with 'git remote add {remote} URL' (README, 'Sharing with your partner'), "
            "then sync again."
        )
    url = res.stdout.strip()
    gitrepo.check_remote_url(url)
    push = gitrepo.run(root, ["remote", "get-url", "--push", remote], check=False)
    if push.status == 0 and push.stdout.strip():
        gitrepo.check_remote_url(push.stdout.strip())
    return url


def _unreachable_reason(stderr: str) -> str:
    return gitrepo.first_line(stderr).rstrip(".")


def fetch(root: Path, remote: str, branch: str, dest: str) -> str | None:
    """Fetch the remote's branch into `dest`, a ref deleted first so nothing is forced.

    Returns the fetched commit, or None when the remote has no such branch yet.
    Raises RemoteUnreachable when the remote cannot be reached in time, and
    IntegrityAlert when the objects it sends fail git's checks.
    """
    _delete_ref(root, dest)
    args = [
        "-c",
        "fetch.fsckObjects=true",
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-recurse-submodules",
        "--refmap=",
        "--end-of-options",
        remote,
        f"refs/heads/{branch}:{dest}",
    ]
    try:
        res = gitrepo.run(root, args, env=_net_env(), check=False, timeout=network_timeout())
    except GitError:
        raise RemoteUnreachable(f"{remote} did not answer in time") from None
    if res.status != 0:
        err = res.stderr
        if "couldn't find remote ref" in err:
            return None
        if "fsck" in err or "bad object" in err or "badTree" in err:
            raise IntegrityAlert(
                f"{remote} sent data that fails git's own checks ({_unreachable_reason(err)}); "
                "nothing was merged or pushed. Ask your partner to check the shared repository."
            )
        raise RemoteUnreachable(_unreachable_reason(err))
    return gitrepo.rev(root, dest)


def check_integrity(
    root: Path, remote: str, branch: str, seen: str | None, incoming: str | None
) -> None:
    """The fetched head must contain the last remote head this clone saw."""
    if seen is None:
        return
    if incoming is None:
        raise IntegrityAlert(
            f"The branch {branch} is gone from {remote}, though this clone saw it at "
            f"{seen[:7]}; nothing was merged or pushed and your history is untouched. "
            "Talk with your partner before syncing again "
            "(README, 'Sharing with your partner', exit code 4)."
        )
    if _is_ancestor(root, seen, incoming):
        return
    raw = _git(root, "log", "--format=%h %s", "-n", "11", "--end-of-options", seen, f"^{incoming}")
    missing = raw.splitlines()
    total = _count(root, seen, f"^{incoming}")
    shown = "; ".join(missing[:10]) + ("; ..." if total > 10 else "")
    raise IntegrityAlert(
        f"Shared history on {remote} was rewritten: {_n(total, 'commit')} this clone had "
        f"seen {'is' if total == 1 else 'are'} missing there ({shown}). Nothing was merged or "
        "pushed and your history is untouched; talk with your partner before syncing again "
        "(README, 'Sharing with your partner', exit code 4)."
    )


def _unsafe_entry(mode: str, path: str) -> str | None:
    if mode == "120000":
        return f"a symbolic link at {path}"
    if mode == "160000":
        return f"a submodule at {path}"
    if mode not in REGULAR_MODES:
        return f"an unusual file (mode {mode}) at {path}"
    if not allowed_path(path):
        return f"{path}, outside the vault's folders"
    return None


def unsafe_incoming(root: Path, head: str | None, incoming: str) -> list[str]:
    """What the incoming commits add that openbook refuses, before it reaches the work tree."""
    args = [
        "log",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "-m",
        "--format=%x1e%H",
        "--end-of-options",
        incoming,
    ]
    if head:
        args.append(f"^{head}")
    raw = gitrepo.run(root, args, strip=False).stdout
    found: list[str] = []
    tokens = iter(raw.split("\0"))
    for token in tokens:
        token = token.strip("\n")
        if not token.startswith(":"):
            continue
        meta = token[1:].split()
        path = next(tokens, "")
        if len(meta) < 5 or meta[4].startswith("D"):
            continue
        problem = _unsafe_entry(meta[1], path)
        if problem and problem not in found:
            found.append(problem)
    return found


def unsafe_tree(root: Path, rev: str) -> list[str]:
    raw = gitrepo.run(
        root, ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", rev], strip=False
    ).stdout
    found = []
    for item in raw.split("\0"):
        if not item:
            continue
        meta, _, path = item.partition("\t")
        problem = _unsafe_entry(meta.split()[0], path)
        if problem:
            found.append(problem)
    return found


def _refuse_unsafe(problems: list[str], remote: str) -> None:
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise IntegrityAlert(
            f"Incoming changes from {remote} add {shown}; openbook refuses them, and nothing "
            "was merged or pushed. A vault holds only notes in its folders; ask your partner "
            "to remove these with a new commit, then sync again."
        )


def _move_work_tree(root: Path, old: str, new: str) -> None:
    """Move index, work tree and branch from `old` to `new`; refuse to overwrite local work."""
    res = gitrepo.run(root, ["read-tree", "-m", "-u", old, new], check=False)
    if res.status != 0:
        raise OpenbookError(
            f"Could not bring in the new notes: {gitrepo.first_line(res.stderr)}. Your local "
            "copy of that file has changes that are not committed (run 'openbook check' and "
            "'openbook commit'), then sync again; nothing was changed."
        )
    gitrepo.run(root, ["update-ref", "-m", "openbook sync", "HEAD", new, old])


# --------------------------------------------------------------------------- merging


Stages = dict[str, dict[int, tuple[str, str]]]


def merge_tree(root: Path, ours: str, theirs: str) -> tuple[str, Stages]:
    """Merge without touching the work tree: (tree, {path: {stage: (mode, oid)}})."""
    res = gitrepo.run(
        root,
        ["-c", "merge.renames=false", "merge-tree", "--write-tree", "-z", ours, theirs],
        check=False,
        strip=False,
    )
    if res.status not in (0, 1):
        raise GitError(f"git merge-tree failed: {gitrepo.first_line(res.stderr)}")
    parts = res.stdout.split("\0")
    tree = parts[0].strip()
    conflicts: Stages = {}
    if res.status == 1:
        for item in parts[1:]:
            if not item:
                break
            meta, _, path = item.partition("\t")
            mode, oid, stage = meta.split()
            conflicts.setdefault(path, {})[int(stage)] = (mode, oid)
    return tree, conflicts


def _their_side(vault: Vault, base: str, theirs: str, path: str) -> tuple[str, str]:
    """(partner id, commit) of the last commit on their side that touched `path`."""
    fmt = "%H%x1f%ae%x1f%(trailers:key=Openbook-Partner,valueonly,separator=%x2c)"
    raw = _git(
        vault.root,
        "log",
        "-1",
        f"--format={fmt}",
        "--end-of-options",
        theirs,
        f"^{base}",
        "--",
        path,
    )
    sha, email, who = [*raw.split("\x1f"), "", "", ""][:3]
    sha = sha.strip() or theirs
    who = who.strip().split(",")[0].strip()
    partners = vault.config.partners
    if who not in partners:
        by_email = {p.email.lower(): pid for pid, p in partners.items()}
        who = by_email.get(email.strip().lower(), "")
    if not _PARTNER_ID.match(who):
        who = "partner"
    return who, sha


def copy_name(path: str, partner: str, sha: str) -> str:
    p = PurePosixPath(path)
    suffix = p.suffix or ".md"
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return str(p.with_name(f"{stem}.conflict-{partner}-{sha[:7]}{suffix}"))


def _resolve(
    vault: Vault, tree: str, conflicts: Stages, base: str, theirs: str
) -> tuple[str, list[ConflictFile]]:
    """A tree where every conflicted path holds ours, or the surviving modified version,
    and theirs sits verbatim beside it as a conflict copy. No markers anywhere."""
    root = vault.root
    lines: list[str] = []
    files: list[ConflictFile] = []
    for path, stages in sorted(conflicts.items()):
        ours, their = stages.get(2), stages.get(3)
        for side in (ours, their):
            if side and side[0] not in REGULAR_MODES:
                raise OpenbookError(
                    f"{path} changed on both sides and is not a plain file; nothing was merged. "
                    "Resolve it by hand with git, then sync again."
                )
        who, sha = _their_side(vault, base, theirs, path)
        if ours and their:
            copy = copy_name(path, who, sha)
            lines.append(f"{ours[0]} {ours[1]} 0\t{path}")
            lines.append(f"{their[0]} {their[1]} 0\t{copy}")
            files.append(ConflictFile(path, "both-changed", copy, who, sha))
        elif ours:
            lines.append(f"{ours[0]} {ours[1]} 0\t{path}")
            files.append(ConflictFile(path, "deleted-there", None, who, sha))
        elif their:
            lines.append(f"{their[0]} {their[1]} 0\t{path}")
            files.append(ConflictFile(path, "deleted-here", None, who, sha))
    state = vault.state_dir()
    assert state is not None
    state.mkdir(parents=True, exist_ok=True)
    index = state / f"sync-index-{os.getpid()}"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        gitrepo.run(root, ["read-tree", tree], env=env)
        gitrepo.run(
            root,
            ["update-index", "-z", "--index-info"],
            env=env,
            input_data="".join(line + "\0" for line in lines),
        )
        resolved = gitrepo.run(root, ["write-tree"], env=env).stdout.strip()
    finally:
        index.unlink(missing_ok=True)
    return resolved, files


def _conflict_line(c: ConflictFile, vault: Vault, me: str) -> str:
    name = (
        vault.config.partners[c.partner].name.split()[0]
        if c.partner in vault.config.partners
        else "your partner"
    )
    if c.kind == "both-changed":
        return (
            f"{c.path}: you both changed it. Yours stays there and {name}'s version is "
            f"in {c.copy}; keep what you both want in {c.path}, then delete the copy."
        )
    if c.kind == "deleted-there":
        return (
            f"{c.path}: {name} deleted it and you changed it; your version is kept. "
            "Delete it again if you both agree."
        )
    return (
        f"{c.path}: you deleted it and {name} changed it; the changed version is kept. "
        "Delete it again if you both agree."
    )


def _merge_message(action: str, target: str, partner: str, body: str | None) -> str:
    from openbook.git.ledger import message

    return message("vault", action, target, partner, body)


def integrate(
    vault: Vault,
    partner: str,
    head: str,
    incoming: str | None,
    remote: str,
    branch: str,
    result: SyncResult,
) -> str:
    """Bring `incoming` into HEAD: nothing, fast-forward or a merge. Returns the new HEAD."""
    root = vault.root
    if incoming is None or incoming == head or _is_ancestor(root, incoming, head):
        return head
    if _is_ancestor(root, head, incoming):
        received = _count(root, incoming, f"^{head}")
        _move_work_tree(root, head, incoming)
        result.received += received
        return incoming
    base_res = gitrepo.run(root, ["merge-base", "--end-of-options", head, incoming], check=False)
    base = base_res.stdout.strip()
    if base_res.status != 0 or not base:
        raise OpenbookError(
            f"This vault and the one on {remote} were started separately and share no history; "
            "nothing was merged. Keep one of them: clone it with 'openbook clone URL DIR --as ID' "
            "and copy your notes over."
        )
    received = _count(root, incoming, f"^{head}")
    tree, conflicts = merge_tree(root, head, incoming)
    from openbook.git.ledger import identity

    ident = identity(vault, partner)
    if conflicts:
        tree, files = _resolve(vault, tree, conflicts, base, incoming)
        paths = [c.path for c in files]
        target = paths[0] + (f" and {_n(len(paths) - 1, 'more file')}" if len(paths) > 1 else "")
        body = "\n".join(_conflict_line(c, vault, partner) for c in files)
        msg = _merge_message("conflict", target, partner, body)
        result.conflicts.extend(files)
    else:
        msg = _merge_message("merge", f"{remote}/{branch}", partner, None)
    commit = gitrepo.run(
        root,
        ["commit-tree", tree, "-p", head, "-p", incoming, "-F", "-"],
        env=ident,
        input_data=msg,
    ).stdout.strip()
    _move_work_tree(root, head, commit)
    result.received += received
    return commit


# --------------------------------------------------------------------------- pushing


def push(root: Path, remote: str, branch: str) -> bool:
    """Push HEAD to the remote branch without force. False when rejected as not a
    fast-forward (someone pushed meanwhile); RemoteUnreachable when offline."""
    args = ["push", "--porcelain", "--no-recurse-submodules", remote, f"HEAD:refs/heads/{branch}"]
    try:
        res = gitrepo.run(root, args, env=_net_env(), check=False, timeout=network_timeout())
    except GitError:
        raise RemoteUnreachable(f"{remote} did not answer in time") from None
    if res.status == 0:
        return True
    rows = [line for line in res.stdout.splitlines() if line.startswith("!")]
    if rows:
        row = rows[0]
        # not a fast-forward, or the remote's ref moved while the push was under way
        if "[rejected]" in row or "failed to update ref" in row or "cannot lock" in row:
            return False
        reason = row.rsplit("\t", 1)[-1].strip()
        raise OpenbookError(
            f"{remote} refused the push ({reason}); your work is committed and merged locally. "
            "Check the repository's settings on the server "
            "(README, 'Sharing with your partner'), then sync again."
        )
    err = res.stderr
    if "hook" in err and "declined" not in err:
        raise OpenbookError(
            f"A local pre-push hook stopped the push ({gitrepo.first_line(err)}); your work is "
            "committed locally. Fix or remove .git/hooks/pre-push, then sync again."
        )
    if "failed to push some refs" in err and "Could not read" not in err:
        raise OpenbookError(
            f"The push to {remote} failed ({gitrepo.first_line(err)}); your work is committed "
            "locally. Sync again in a moment."
        )
    raise RemoteUnreachable(_unreachable_reason(err))


# --------------------------------------------------------------------------- the sync


def _waiting(root: Path, remote: str, branch: str, head: str | None) -> int:
    if not head:
        return 0
    base = gitrepo.rev(root, SEEN.format(remote=remote, branch=branch)) or gitrepo.rev(
        root, f"refs/remotes/{remote}/{branch}"
    )
    return _count(root, head, f"^{base}") if base else _count(root, head)


def _backup(root: Path, head: str) -> str:
    existing = _git(
        root,
        "for-each-ref",
        "--count=1",
        f"--points-at={head}",
        "--format=%(refname)",
        BACKUP_PREFIX,
    )
    if existing.strip():
        return existing.strip().splitlines()[0]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    ref = BACKUP_PREFIX + stamp
    gitrepo.run(root, ["update-ref", ref, head, ""])
    return ref


def _preflight(vault: Vault) -> str:
    root = vault.root
    op = gitrepo.operation_in_progress(root)
    if op:
        raise Busy(
            f"git is in the middle of a {op} in {root}; finish it or abort it "
            f"('git {op} --abort'), then sync again. Nothing was changed."
        )
    branch = gitrepo.current_branch(root)
    if branch is None:
        raise Busy(
            f"{root} is not on a branch (detached HEAD); run 'git switch main' (or your "
            "branch), then sync again. Nothing was changed."
        )
    return branch


def _write_last_sync(vault: Vault, result: str, exit_code: int) -> None:
    import json

    from openbook.fsutil import atomic_write
    from openbook.ritual.overview import LAST_SYNC_FILE

    state = vault.state_dir()
    if state is None:
        return
    state.mkdir(parents=True, exist_ok=True)
    data = {
        "time": vault.now().isoformat(timespec="seconds"),
        "result": result,
        "exit_code": exit_code,
    }
    atomic_write(state / LAST_SYNC_FILE, (json.dumps(data) + "\n").encode("utf-8"))


def sync(
    vault: Vault, partner: str, *, remote: str = "origin", check_only: bool = False
) -> SyncResult:
    """Share this clone's work and receive the partner's (see the module docstring)."""
    vault.require_writable()
    vault.require_config()
    with vault.lock():
        branch = _preflight(vault)
        remote_url(vault.root, remote)
        if check_only:
            return _check(vault, remote, branch)
        try:
            result = _sync(vault, partner, remote, branch)
        except OpenbookError as exc:
            short = {4: "integrity alert, nothing merged", 6: "refused, git was busy"}.get(
                exc.exit_code, "failed"
            )
            _write_last_sync(vault, short, exc.exit_code)
            raise
        _write_last_sync(vault, result.outcome, result.exit_code)
        return result


def _sync(vault: Vault, partner: str, remote: str, branch: str) -> SyncResult:
    from openbook.record.pending import commit_pending

    root = vault.root
    result = SyncResult(remote=remote, branch=branch)
    outcome = commit_pending(vault, partner)
    result.committed = [c.path for c in outcome.committed]
    result.refused = list(outcome.refused)
    for path in outcome.outside:
        result.lines.append(
            f"{path} was not shared: it is outside the vault's note folders. Move it into a "
            "note folder or keep it outside the vault."
        )
    head = gitrepo.rev(root, "HEAD")
    if head is None:
        raise OpenbookError(f"{root} has no commits yet; write a note first, then sync.")
    result.backup = _backup(root, head)
    seen_ref = SEEN.format(remote=remote, branch=branch)
    incoming_ref = INCOMING.format(remote=remote, branch=branch)
    tracking = f"refs/remotes/{remote}/{branch}"
    attempts = 0
    try:
        while True:
            seen = gitrepo.rev(root, seen_ref)
            try:
                incoming = fetch(root, remote, branch, incoming_ref)
            except RemoteUnreachable as exc:
                return _offline(vault, result, remote, branch, head, str(exc))
            check_integrity(root, remote, branch, seen, incoming)
            if incoming is not None:
                _refuse_unsafe(unsafe_incoming(root, head, incoming), remote)
                if attempts == 0:
                    result.ahead = _count(root, head, f"^{incoming}")
                    result.behind = _count(root, incoming, f"^{head}")
            else:
                result.ahead = _count(root, head)
            head = integrate(vault, partner, head, incoming, remote, branch, result)
            if incoming is not None:
                gitrepo.run(root, ["update-ref", seen_ref, incoming])
                gitrepo.run(root, ["update-ref", tracking, incoming])
            if head == incoming:
                break
            try:
                pushed = push(root, remote, branch)
            except RemoteUnreachable as exc:
                return _offline(vault, result, remote, branch, head, str(exc))
            if pushed:
                result.pushed = (
                    _count(root, head, f"^{incoming}") if incoming else _count(root, head)
                )
                gitrepo.run(root, ["update-ref", seen_ref, head])
                gitrepo.run(root, ["update-ref", tracking, head])
                break
            attempts += 1
            if attempts > MAX_RETRIES:
                raise OpenbookError(
                    f"{remote} kept changing while this sync ran ({_n(attempts, 'try', 'tries')}); "
                    "your work is committed and merged locally. Sync again in a moment."
                )
    finally:
        _delete_ref(root, incoming_ref)
    result.head = head
    result.remote_head = gitrepo.rev(root, tracking)
    _finish(vault, result)
    return result


def _offline(
    vault: Vault, result: SyncResult, remote: str, branch: str, head: str, reason: str
) -> SyncResult:
    root = vault.root
    waiting = _waiting(root, remote, branch, head)
    result.exit_code = 5
    result.head = head
    result.outcome = f"remote unreachable, {_n(waiting, 'change')} waiting"
    result.lines.append(
        f"Saved locally, {_n(waiting, 'change')} waiting: could not reach {remote} ({reason}). "
        "Sync again when you are online."
    )
    result.lines[:0] = [_conflict_line(c, vault, "") for c in result.conflicts]
    _refused_lines(result)
    return result


def _refused_lines(result: SyncResult) -> None:
    for path in result.refused:
        result.lines.append(
            f"{path} was not shared: it has errors; 'openbook check {path}' shows them. "
            "Fix it and sync again."
        )


def _finish(vault: Vault, result: SyncResult) -> None:
    root = vault.root
    ok = (
        result.head is not None
        and result.head == gitrepo.rev(root, "HEAD")
        and result.head == result.remote_head
    )
    dirty = [
        c.path
        for c in gitrepo.status(root)
        if c.path not in result.refused and allowed_path(c.path)
    ]
    parts = []
    if result.committed:
        parts.append(f"committed {_n(len(result.committed), 'change')}")
    if result.received:
        parts.append(f"received {_n(result.received, 'change')}")
    if result.pushed:
        parts.append(f"shared {_n(result.pushed, 'change')}")
    if result.conflicts:
        result.exit_code = 3
        result.outcome = f"conflict copies to reconcile: {len(result.conflicts)}"
        for c in result.conflicts:
            result.lines.append(_conflict_line(c, vault, ""))
        result.lines.append(
            "Both versions are safe in the history; 'openbook status' lists the copies "
            "until they are deleted."
        )
    elif parts:
        result.outcome = ", ".join(parts)
        result.lines.append(f"Synced with {result.remote}: {result.outcome}.")
    else:
        result.outcome = "up to date"
        result.lines.append(f"Up to date with {result.remote}; nothing to share or receive.")
    _refused_lines(result)
    if not ok:
        result.lines.append(
            f"Note: {result.branch} moved while syncing; run 'openbook sync' again to finish."
        )
    if dirty:
        result.lines.append(
            f"{_n(len(dirty), 'change')} saved during the sync will go with the next one."
        )


def _check(vault: Vault, remote: str, branch: str) -> SyncResult:
    """What a sync would do; changes nothing but a temporary ref."""
    root = vault.root
    result = SyncResult(remote=remote, branch=branch, check_only=True)
    result.pending = len(gitrepo.status(root))
    head = gitrepo.rev(root, "HEAD")
    probe = PROBE.format(remote=remote, branch=branch)
    seen = gitrepo.rev(root, SEEN.format(remote=remote, branch=branch))
    try:
        try:
            incoming = fetch(root, remote, branch, probe)
        except RemoteUnreachable as exc:
            waiting = _waiting(root, remote, branch, head)
            result.exit_code = 5
            result.outcome = "remote unreachable"
            result.lines.append(
                f"Could not reach {remote} ({exc}); {_n(waiting, 'change')} would wait locally."
            )
            return result
        try:
            check_integrity(root, remote, branch, seen, incoming)
        except IntegrityAlert as exc:
            raise IntegrityAlert(f"Rewrite detected, a sync would stop. {exc}") from None
        if incoming is not None:
            _refuse_unsafe(unsafe_incoming(root, head, incoming), remote)
        result.remote_head = incoming
        result.head = head
        if result.pending:
            result.lines.append(
                f"{_n(result.pending, 'uncommitted change')} would be checked and committed first."
            )
        if incoming is None:
            result.ahead = _count(root, head) if head else 0
            result.outcome = "remote empty"
            result.lines.append(
                f"{remote} has no {branch} yet; a sync would share {_n(result.ahead, 'change')}."
            )
            return result
        if head is None:
            result.behind = _count(root, incoming)
            result.outcome = "behind"
            return result
        counts = _git(
            root, "rev-list", "--left-right", "--count", "--end-of-options", f"{head}...{incoming}"
        ).split()
        result.ahead, result.behind = int(counts[0]), int(counts[1])
        if result.ahead and result.behind:
            _, conflicts = merge_tree(root, head, incoming)
            result.conflicts_expected = sorted(conflicts)
            result.outcome = "diverged"
            line = (
                f"Diverged from {remote}: {_n(result.ahead, 'change')} here, "
                f"{_n(result.behind, 'change')} there; a sync would merge them"
            )
            if conflicts:
                line += (
                    f", with conflicts expected in {', '.join(sorted(conflicts))} "
                    "(both versions would be kept)."
                )
            else:
                line += ", without conflicts."
            result.lines.append(line)
        elif result.ahead:
            result.outcome = "ahead"
            result.lines.append(
                f"Ahead of {remote}: a sync would share {_n(result.ahead, 'change')}."
            )
        elif result.behind:
            result.outcome = "behind"
            result.lines.append(
                f"Behind {remote}: a sync would receive {_n(result.behind, 'change')}."
            )
        else:
            result.outcome = "up to date"
            result.lines.append(f"Up to date with {remote}.")
        return result
    finally:
        _delete_ref(root, probe)


# --------------------------------------------------------------------------- clone


def _adopt_branch(root: Path) -> str | None:
    """When the remote's HEAD names no branch (a bare repository made with another default
    branch), use its `main`, or its only branch."""
    names = _git(
        root, "for-each-ref", "--format=%(refname:strip=3)", "refs/remotes/origin/"
    ).split()
    names = [n for n in names if n != "HEAD"]
    branch = "main" if "main" in names else (names[0] if len(names) == 1 else None)
    if branch is None:
        return None
    sha = gitrepo.rev(root, f"refs/remotes/origin/{branch}")
    if sha is None:
        return None
    gitrepo.run(root, ["update-ref", f"refs/heads/{branch}", sha])
    gitrepo.run(root, ["symbolic-ref", "HEAD", f"refs/heads/{branch}"])
    gitrepo.config_set(root, f"branch.{branch}.remote", "origin")
    gitrepo.config_set(root, f"branch.{branch}.merge", f"refs/heads/{branch}")
    return sha


def clone(url: str, directory: Path, partner: str) -> Path:
    """Clone the shared vault into `directory` as `partner`: check the remote URL, refuse
    unsafe content before checkout, set openbook.partner and core.fsync, check the vault
    and record the seen head. Returns the vault root."""
    from openbook.check.result import check_vault
    from openbook.config import CONFIG_NAME

    url = gitrepo.check_remote_url(url)
    target = directory.expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OpenbookError(f"{target} already exists and is not empty; choose a new folder.")
    created = not target.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    args = [
        "-c",
        "fetch.fsckObjects=true",
        "clone",
        "--quiet",
        "--no-checkout",
        "--no-recurse-submodules",
        "--origin",
        "origin",
        "-c",
        "core.fsync=all",
        "-c",
        "core.quotepath=off",
        "--",
        url,
        str(target),
    ]
    try:
        try:
            res = gitrepo.run(
                target.parent, args, env=_net_env(), check=False, timeout=network_timeout()
            )
        except GitError:
            raise RemoteUnreachable(
                f"{url} did not answer in time; nothing was cloned. Try again when online."
            ) from None
        if res.status != 0:
            raise RemoteUnreachable(
                f"Could not clone {url} ({_unreachable_reason(res.stderr)}); nothing was "
                "cloned. Check the address and that you are online."
            )
        root = target.resolve()
        head = gitrepo.rev(root, "HEAD") or _adopt_branch(root)
        if head is None:
            raise OpenbookError(
                f"{url} is empty; the partner who created the vault runs 'openbook sync' "
                "first, then clone again."
            )
        _refuse_unsafe(unsafe_tree(root, head), url)
        gitrepo.run(root, ["checkout", "--quiet", "HEAD", "--", "."])
        if not (root / CONFIG_NAME).is_file():
            raise OpenbookError(
                f"{url} is not an openbook vault (no {CONFIG_NAME} at its top); check the address."
            )
        vault = Vault(root)
        cfg = vault.require_config()
        if partner not in cfg.partners:
            names = ", ".join(sorted(cfg.partners))
            raise OpenbookError(f"'{partner}' is not a partner in this vault; use one of: {names}.")
        gitrepo.config_set(root, "openbook.partner", partner)
        gitrepo.config_set(root, "core.fsync", "all")
        branch = gitrepo.current_branch(root)
        if branch:
            gitrepo.run(root, ["update-ref", SEEN.format(remote="origin", branch=branch), head])
        check_vault(vault)
    except BaseException:
        if created and target.exists():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise
    return root
