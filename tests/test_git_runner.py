"""Every git process openbook starts goes through `openbook.git.runner.execute`: one
environment, one time limit, one error naming the command and git's first line."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from testing import small_repo
from testing.process import run_openbook, running

from openbook.errors import GitError, OpenbookError
from openbook.git import runner
from openbook.git.objects import object_info, read_blobs, read_objects
from openbook.git.state import git_dir_of

PACKAGE = Path(__file__).resolve().parent.parent / "cli" / "openbook"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return small_repo(tmp_path)


def test_a_failure_names_the_command_and_gits_first_line(repo: Path) -> None:
    with pytest.raises(GitError) as caught:
        runner.execute(repo, ["-c", "core.quotepath=off", "rev-parse", "--verify", "nothing"])
    err = caught.value
    assert str(err) == "git rev-parse failed: Needed a single revision"
    assert err.command == ("git", "-c", "core.quotepath=off", "rev-parse", "--verify", "nothing")
    assert err.detail == "Needed a single revision"
    done = runner.execute(repo, ["rev-parse", "--verify", "nothing"], check=False)
    assert done.status != 0 and done.stdout == b""


def test_git_runs_without_prompts_editors_or_optional_locks(repo: Path) -> None:
    out = runner.execute(repo, ["-c", "alias.showenv=!env", "showenv"]).stdout.decode()
    for line in ("GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C"):
        assert line in out.splitlines(), line


def test_a_git_that_does_not_finish_is_stopped_with_what_it_started(repo: Path) -> None:
    marker = "37.4321"
    start = time.monotonic()
    with pytest.raises(GitError) as caught:
        runner.execute(repo, ["-c", f"alias.slow=!sleep {marker}", "slow"], timeout=0.5)
    assert time.monotonic() - start < 10
    assert str(caught.value) == "git slow did not finish within 0.5 seconds"
    assert running(marker) == []


WRITES = "!i=0; while [ $i -lt 25 ]; do echo line $i; sleep 0.1; i=$((i+1)); done"
COMPUTES = f"!{sys.executable} -c 'import time; t = time.time()\nwhile time.time() - t < 2.5: pass'"


@pytest.mark.parametrize("work", [WRITES, COMPUTES], ids=["writes", "computes"])
def test_a_transfer_that_keeps_working_is_not_cut_off_by_the_network_limit(
    repo: Path, work: str
) -> None:
    """A long fetch over a slow link moves data or computes the whole time: the network
    limit is on time without progress, so 2.5 seconds of work pass a 1-second limit."""
    start = time.monotonic()
    done = runner.execute(repo, ["-c", f"alias.busy={work}", "busy"], timeout=1, idle=True)
    assert time.monotonic() - start >= 2.4
    assert done.status == 0
    if work == WRITES:
        assert done.stdout.decode().splitlines()[-1] == "line 24"
    with pytest.raises(GitError, match="did not finish within 1 seconds"):
        runner.execute(repo, ["-c", f"alias.busy={work}", "busy"], timeout=1)


def test_a_network_git_that_never_ends_is_stopped_after_its_whole_limit(repo: Path) -> None:
    """A remote that trickles forever cannot hold a sync, and watch's commits behind it:
    a git that keeps moving is stopped after WHOLE times the limit in all."""
    marker = "0.0537"
    # "endless" for the test: 20 s of output, so that a broken bound fails, not hangs
    endless = f"!for i in $(seq 370); do echo more; sleep {marker}; done"
    start = time.monotonic()
    with pytest.raises(GitError) as caught:
        runner.execute(repo, ["-c", f"alias.endless={endless}", "endless"], timeout=0.1, idle=True)
    assert 0.1 * runner.WHOLE - 0.5 < time.monotonic() - start < 10
    assert str(caught.value) == f"git endless did not finish within {0.1 * runner.WHOLE:g} seconds"
    assert running(marker) == []


def test_a_network_git_that_stops_moving_is_stopped_with_what_it_started(repo: Path) -> None:
    marker = "38.4321"
    start = time.monotonic()
    with pytest.raises(GitError) as caught:
        runner.execute(
            repo, ["-c", f"alias.stuck=!echo first; sleep {marker}", "stuck"], timeout=1, idle=True
        )
    assert time.monotonic() - start < 10
    assert str(caught.value) == "git stuck made no progress for 1 seconds"
    assert running(marker) == []


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "nan", "inf", "60s"])
def test_a_time_limit_set_to_no_number_of_seconds_is_named(
    repo: Path, monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    """A limit someone typed into their environment is said back as one calm sentence
    naming it (it was a traceback at start-up), and nothing runs with it."""
    monkeypatch.setenv("OPENBOOK_GIT_TIMEOUT", raw)
    with pytest.raises(OpenbookError) as caught:
        runner.execute(repo, ["status"])
    assert str(caught.value) == (
        f"OPENBOOK_GIT_TIMEOUT is '{raw}', not a number of seconds above zero; set it to "
        "one, like 300, or unset it."
    )
    ran = run_openbook("--vault", str(repo), "check", env={"OPENBOOK_NETWORK_TIMEOUT": raw})
    assert "Traceback" not in ran.stderr


def test_a_time_limit_in_the_environment_is_taken_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENBOOK_GIT_TIMEOUT", " 2.5 ")
    assert runner.git_limit() == 2.5
    monkeypatch.setenv("OPENBOOK_GIT_TIMEOUT", "")
    assert runner.git_limit() == runner.DEFAULT_TIMEOUT
    monkeypatch.delenv("OPENBOOK_NETWORK_TIMEOUT", raising=False)
    assert runner.seconds_from("OPENBOOK_NETWORK_TIMEOUT", 60) == 60


def test_standard_input_reaches_git_unchanged(repo: Path) -> None:
    data = b"\x00\xffbytes\r\n"
    oid = runner.execute(repo, ["hash-object", "-w", "--stdin"], input_data=data).stdout
    assert read_blobs(repo, [oid.decode().strip()]) == {oid.decode().strip(): data}


def test_one_reader_serves_many_names_and_leaves_out_missing_ones(repo: Path) -> None:
    names = ["HEAD:a.md", "HEAD:dir/b b.md", "HEAD:none.md", "HEAD", "HEAD:dir"]
    batch = read_objects(repo, names)
    assert batch.get("HEAD:a.md") is not None and batch.get("HEAD:a.md")[2] == b"one\n"  # type: ignore[index]
    assert batch.get("HEAD:none.md") is None
    assert batch.get("HEAD")[1] == "commit"  # type: ignore[index]
    assert read_blobs(repo, names) == {"HEAD:a.md": b"one\n", "HEAD:dir/b b.md": b"two\nlines\n"}
    info = object_info(repo, names)
    assert [i.kind if i else None for i in info] == ["blob", "blob", None, "commit", "tree"]
    assert info[1] is not None and info[1].size == len(b"two\nlines\n")
    with pytest.raises(ValueError):
        read_objects(repo, ["--batch-all-objects"])


def test_one_git_dir_of_for_the_top_a_folder_inside_and_outside(repo: Path, tmp_path: Path) -> None:
    assert git_dir_of(repo) == (repo / ".git").resolve()
    assert git_dir_of(repo / "dir") == (repo / ".git").resolve()
    outside = tmp_path / "plain"
    outside.mkdir()
    assert git_dir_of(outside) is None


_STARTS_GIT = re.compile(r"""((subprocess\.\w+|Popen)\(\s*\[|posix_spawnp?\()\s*["']git["']""")
# the runner, and how its `spawn` starts git before subprocess is loaded
RUNNER = ("git/runner.py", "git/spawned.py")


def test_only_the_runner_starts_git() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in RUNNER:
            continue
        if _STARTS_GIT.search(text) or re.search(r"^\s*(from git[ .]|import git\b)", text, re.M):
            offenders.append(rel)
    assert offenders == []
    for rel in RUNNER:
        assert _STARTS_GIT.search((PACKAGE / rel).read_text(encoding="utf-8")), rel
