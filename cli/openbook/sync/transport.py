"""Talking to the remote: its checked URL, fetch and push, under one network timeout
and one environment (only the protocols openbook allows, never a prompt)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from openbook.errors import GitError, IntegrityAlert, OpenbookError, RemoteUnreachable
from openbook.git import repo as gitrepo
from openbook.git import runner
from openbook.git.urls import for_display
from openbook.sync.remotes import RemoteSetup

ALLOWED_PROTOCOLS = "ssh:https:git:file"
_REMOTE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# what git says when the address answers but holds no repository (as opposed to a
# network that is down, which stays exit 5)
_NOT_A_REPOSITORY = re.compile(
    r"does not appear to be a git repository|not a git repository|repository not found"
    r"|repository '[^']*' (?:not found|does not exist)|repository not exported"
    r"|invalid gitfile format",
    re.IGNORECASE,
)


def not_a_repository(stderr: str) -> bool:
    return _NOT_A_REPOSITORY.search(stderr) is not None


def no_repository(root: Path, remote: str) -> OpenbookError:
    """The exit-1 error for a remote address where the server has no repository."""
    res = gitrepo.run(root, ["remote", "get-url", remote], check=False)
    url = for_display(res.stdout.strip()) or remote
    return OpenbookError(
        f"{remote} ({url}) is not a git repository: check the address with "
        f"'git remote -v' and correct it with 'git remote set-url {remote} URL'. "
        "Your work is committed here."
    )


def network_timeout() -> float:
    """Seconds a fetch, push or clone may go without progress (git and what it started,
    such as ssh, all still): $OPENBOOK_NETWORK_TIMEOUT, else 60. A long transfer that
    keeps moving goes on, up to `runner.WHOLE` times that in all."""
    return runner.seconds_from("OPENBOOK_NETWORK_TIMEOUT", runner.NETWORK_TIMEOUT)


# seconds a fetch or push runs before a terminal is told it still does
SLOW = 3.0


def run_network(
    cwd: Path,
    args: Sequence[str],
    late: str,
    *,
    progress: Callable[[str], None] | None = None,
    doing: str = "",
) -> gitrepo.GitResult:
    """Run a git command that reaches a remote: only the allowed protocols, whatever the
    remote's configuration says, and the network timeout (on time without progress).
    `late` is the message of the RemoteUnreachable raised when it stalls that long.
    `progress` hears `doing` once, when git still runs after SLOW seconds."""
    waiting = None
    if progress is not None and doing:
        told: list[str] = []

        def waiting(seconds: float) -> None:
            if seconds >= SLOW and not told:
                told.append(doing)
                progress(doing)

    try:
        return gitrepo.run(
            cwd,
            args,
            env={"GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS},
            check=False,
            timeout=network_timeout(),
            idle=True,
            waiting=waiting,
        )
    except GitError:
        raise RemoteUnreachable(late) from None


def unreachable_reason(stderr: str) -> str:
    return gitrepo.first_line(stderr).rstrip(".")


def remote_url(root: Path, remote: str, setup: RemoteSetup | None = None) -> str:
    """The remote's fetch and push URLs, each checked; the fetch URL is returned. With
    `setup` (the remotes as read once for this sync) git is asked only when addresses
    are rewritten (`url.*.insteadOf`) or the remote is not in the configuration."""
    if not _REMOTE_NAME.match(remote):
        raise OpenbookError(f"'{remote}' is not a remote name; use a name like origin.")
    known = setup.urls(remote) if setup is not None else None
    if known is not None:
        url, push_url = known
        gitrepo.check_remote_url(url)
        if push_url:
            gitrepo.check_remote_url(push_url)
        return url
    res = gitrepo.run(root, ["remote", "get-url", remote], check=False)
    if res.status != 0:
        raise OpenbookError(
            f"This vault has no remote called '{remote}'; add your shared private repository "
            f"with 'git remote add {remote} URL' (docs/sync.md), "
            "then sync again."
        )
    url = res.stdout.strip()
    gitrepo.check_remote_url(url)
    push = gitrepo.run(root, ["remote", "get-url", "--push", remote], check=False)
    if push.status == 0 and push.stdout.strip():
        gitrepo.check_remote_url(push.stdout.strip())
    return url


def fetch(
    root: Path,
    remote: str,
    branch: str,
    dest: str,
    *,
    crypt: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> str | None:
    """Fetch the remote's branch into `dest`, a ref the caller has removed, so nothing
    is forced; from an encrypted remote, the history its bundles hold (encrypted.py).
    Returns the fetched commit, or None when the remote has no such branch yet.
    `crypt`: whether the remote is encrypted, when the caller read it already;
    `progress` hears a line when a plain fetch takes a while."""
    from openbook.sync import encrypted

    if encrypted.is_encrypted(root, remote) if crypt is None else crypt:
        return encrypted.fetch(root, remote, branch, dest)
    return fetch_plain(root, remote, branch, dest, progress)


def fetch_plain(
    root: Path,
    remote: str,
    branch: str,
    dest: str,
    progress: Callable[[str], None] | None = None,
) -> str | None:
    """Fetch the remote's branch as it is into `dest`, a ref the caller has removed.

    Returns the fetched commit, or None when the remote has no such branch yet.
    Raises RemoteUnreachable when the remote cannot be reached in time, and
    IntegrityAlert when the objects it sends fail git's checks.
    """
    args = [
        "-c",
        "fetch.fsckObjects=true",
        *gitrepo.WRITE_GRAPH,
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
    late = f"{remote} did not answer in time"
    doing = f"Still receiving from {remote}..."
    res = run_network(root, args, late, progress=progress, doing=doing)
    if res.status != 0 and gitrepo.graph_locked(root, res.stderr):
        # a commit-graph file left locked (a fetch killed while writing it): git's fetch
        # then dies after it fetched; fetch again without writing it (only walks slow)
        at = args.index(gitrepo.WRITE_GRAPH[1]) - 1
        res = run_network(root, args[:at] + args[at + 2 :], late, progress=progress, doing=doing)
    if res.status != 0:
        err = res.stderr
        if "couldn't find remote ref" in err:
            return None
        if not_a_repository(err):
            raise no_repository(root, remote)
        if "fsck" in err or "bad object" in err or "badTree" in err:
            raise IntegrityAlert(
                f"{remote} sent data that fails git's own checks ({unreachable_reason(err)}); "
                "nothing was merged or pushed. Ask your partner to check the shared repository."
            )
        raise RemoteUnreachable(unreachable_reason(err))
    return gitrepo.rev(root, dest)


def push(
    root: Path,
    remote: str,
    branch: str,
    source: str = "HEAD",
    *,
    crypt: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Push `source` (HEAD) to the remote branch without force (to an encrypted remote:
    one new bundle, encrypted.py). False when rejected as not a fast-forward (someone
    pushed meanwhile); RemoteUnreachable when offline. `crypt`, `progress` as for
    `fetch`."""
    from openbook.sync import encrypted

    if encrypted.is_encrypted(root, remote) if crypt is None else crypt:
        return encrypted.push(root, remote, branch, source)
    return push_plain(root, remote, branch, source, progress)


def push_plain(
    root: Path,
    remote: str,
    branch: str,
    source: str = "HEAD",
    progress: Callable[[str], None] | None = None,
) -> bool:
    """Push `source` as it is to the remote branch without force (see push)."""
    args = [
        "push",
        "--porcelain",
        "--no-recurse-submodules",
        remote,
        f"{source}:refs/heads/{branch}",
    ]
    late = f"{remote} did not answer in time"
    doing = f"Still sharing with {remote}..."
    res = run_network(root, args, late, progress=progress, doing=doing)
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
            "(docs/sync.md), then run 'openbook sync' again."
        )
    err = res.stderr
    if not_a_repository(err):
        raise no_repository(root, remote)
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
    raise RemoteUnreachable(unreachable_reason(err))
