"""What a watched save costs: the check remembered while watch is idle (`Watcher.warm`)
leaves the commit no history to read, and the commit itself asks git only to stage and
commit. The commits, refusals and reports stay those of a commit made from cold."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, invoke, make_vault, write
from testing.gitlog import counting_git
from testing.watching import checkin, of_kind, wait_for, watching

from openbook.errors import GitError
from openbook.git import repo as gitrepo
from openbook.vault import Vault
from openbook.watch.loop import Watcher
from openbook.watch.reconcile import COMMIT_CHUNK

NOTE = "checkins/2026/2026-11-24-bob.md"
LATER = "checkins/2026/2026-11-23-bob.md"


def _watcher(root: Path, events: list[dict[str, object]]) -> Watcher:
    return Watcher(Vault(root), "bob", quiet=0.0, emit=events.append)


def _asked(log: Path, command: str) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith(command + " ")]


def _last_commit(root: Path) -> str:
    return git(root, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%B")


def test_a_save_after_a_warm_check_reads_no_history(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[dict[str, object]] = []
    watcher = _watcher(vault, events)
    write(vault, LATER, checkin("2026-11-23"))
    assert watcher.once().committed  # HEAD moves by watch's own commit
    watcher.warm()
    write(vault, NOTE, checkin())
    log = counting_git(tmp_path, monkeypatch)
    outcome = watcher.once()
    assert [c["path"] for c in outcome.committed] == [NOTE]
    asked = [line.split()[0] for line in log.read_text().splitlines()]
    # two looks at git, the second one also the commit's; the clone's settings; the commit
    assert asked == ["status", "status", "config", "add", "commit"], asked
    assert _asked(log, "config") == ["config -z --list"]
    assert git(vault, "status", "--porcelain") == ""


def test_a_watched_commit_after_a_warm_check_is_the_commit_openbook_commit_makes(
    tmp_path: Path,
) -> None:
    warm, cold = make_vault(tmp_path / "warm"), make_vault(tmp_path / "cold")
    events: list[dict[str, object]] = []
    watcher = _watcher(warm, events)
    watcher.warm()
    for root in (warm, cold):
        write(root, NOTE, checkin())
    assert watcher.once().committed
    assert invoke(["commit"], vault=cold).exit_code == 0
    assert _last_commit(warm) == _last_commit(cold)
    assert git(warm, "show", f"HEAD:{NOTE}") == git(cold, "show", f"HEAD:{NOTE}")


def test_an_invalid_edit_after_a_warm_check_is_refused_and_told(vault: Path) -> None:
    events: list[dict[str, object]] = []
    watcher = _watcher(vault, events)
    write(vault, NOTE, checkin())
    watcher.warm()  # remembers the valid note
    write(vault, NOTE, checkin().replace("mood: 4", "mood: eleven"))
    before = git(vault, "rev-parse", "HEAD")
    outcome = watcher.once()
    assert outcome.committed == [] and outcome.invalid == [NOTE]
    assert git(vault, "rev-parse", "HEAD") == before
    assert [e["path"] for e in of_kind(events, "invalid")] == [NOTE]


def test_a_warm_check_is_started_only_after_a_change_and_not_right_before_a_look(
    vault: Path,
) -> None:
    watcher = Watcher(Vault(vault), "bob", quiet=3.0)
    watcher.warm()
    assert watcher.warm_cost > 0
    assert not watcher._warm_fits(float("inf"), 10.0)  # nothing changed since
    watcher.changed(NOTE)
    soon = min(watcher.warm_cost, watcher.settle)
    assert not watcher._warm_fits(10.0 + soon / 2, 10.0)
    assert watcher._warm_fits(10.0 + soon * 2, 10.0)
    watcher.warm()
    assert not watcher._warm_fits(float("inf"), 10.0)
    watcher.changed(NOTE)  # saved again before its commit: no second warm
    assert not watcher._warm_fits(float("inf"), 10.0)
    watcher.changed(LATER)
    assert watcher._warm_fits(float("inf"), 10.0)


def test_committing_what_head_already_holds_installs_the_index_without_a_commit(
    vault: Path,
) -> None:
    """A commit whose index was never installed (the process was killed in between)."""
    write(vault, NOTE, checkin())
    private = {"GIT_INDEX_FILE": str(vault / ".git" / "openbook-test-index")}
    git(vault, "read-tree", "HEAD", env=private)
    git(vault, "add", "--", NOTE, env=private)
    git(vault, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "by hand", env=private)
    head = git(vault, "rev-parse", "HEAD")
    assert git(vault, "status", "--porcelain") != ""
    ident = gitrepo.identity_env("Bob Example", "bob@example.org")
    assert gitrepo.commit_paths(vault, [NOTE], "again\n", ident) == head
    assert git(vault, "rev-parse", "HEAD") == head
    assert git(vault, "status", "--porcelain") == ""


def test_a_commit_git_refuses_is_still_an_error_in_gits_words(vault: Path) -> None:
    write(vault, NOTE, checkin())
    git(vault, "config", "commit.gpgsign", "true")
    git(vault, "config", "gpg.format", "ssh")
    git(vault, "config", "user.signingkey", str(vault / "no-such-key"))
    ident = gitrepo.identity_env("Bob Example", "bob@example.org")
    before = git(vault, "rev-parse", "HEAD")
    with pytest.raises(GitError, match="git commit failed"):
        gitrepo.commit_paths(vault, [NOTE], "signed\n", ident)
    assert git(vault, "rev-parse", "HEAD") == before


def test_more_notes_than_a_chunk_are_all_committed_and_the_lock_is_let_go(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[dict[str, object]] = []
    watcher = _watcher(vault, events)
    paths = [f"checkins/2026/2026-10-{day:02d}-bob.md" for day in range(1, COMMIT_CHUNK + 6)]
    for path in paths:
        write(vault, path, checkin(path[14:24]))
    log = counting_git(tmp_path, monkeypatch)
    outcome = watcher.once()
    assert sorted(c["path"] for c in outcome.committed) == paths
    assert [e["path"] for e in of_kind(events, "committed")] == paths
    # the looks, then one more `git status` for the second chunk alone
    assert _asked(log, "status")[-1].endswith("-- " + " ".join(paths[COMMIT_CHUNK:]))
    assert git(vault, "status", "--porcelain") == ""
    with Vault(vault).lock(wait=0):  # nothing of watch's is still held
        pass


def test_inside_config_read_once_each_setting_is_asked_of_git_once(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = counting_git(tmp_path, monkeypatch)
    with gitrepo.config_read_once():
        assert gitrepo.config_get(vault, "openbook.partner") == "bob"
        assert gitrepo.config_get(vault, "openbook.partner") == "bob"
        gitrepo.config_set(vault, "openbook.partner", "alice")
        assert gitrepo.config_get(vault, "openbook.partner") == "alice"
    assert gitrepo.config_get(vault, "openbook.partner") == "alice"
    # all of them read at once, again after the one set; outside, the one asked for
    assert log.read_text().splitlines().count("config -z --list") == 2
    assert _asked(log, "config --get") == ["config --get openbook.partner"]


class _Warming(Watcher):
    """A watcher that notes when it warms, in the order of its events."""

    def warm(self) -> None:
        self.emit({"event": "warm"})
        super().warm()


def test_watch_warms_the_check_while_a_save_waits_out_the_quiet_period(vault: Path) -> None:
    with watching(vault, _Warming) as (_, events):
        wait_for(lambda: bool(of_kind(events, "warm")), "the warm at start")
        saved = len(events)
        write(vault, NOTE, checkin())
        wait_for(lambda: bool(of_kind(events, "committed")), "the commit")
    kinds = [e["event"] for e in events[saved:] if e["event"] in ("warm", "committed")]
    assert "warm" in kinds[: kinds.index("committed")], kinds
    assert git(vault, "status", "--porcelain") == ""


def test_a_warm_asks_git_for_each_setting_once(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watcher = _watcher(vault, [])
    write(vault, LATER, checkin("2026-11-23"))
    assert watcher.once().committed
    repair = "---\ntype: repair\nauthor: bob\ndate: 2026-11-24\nkind: rupture\nstatus: open\n"
    repair += "processed_by: [bob]\n---\n"
    write(vault, "repairs/2026/2026-11-24-bob-late.md", repair + "\nSorry.\n")
    log = counting_git(tmp_path, monkeypatch)
    watcher.warm()  # a claim folder changed: consent is judged again
    asked = log.read_text().splitlines()
    assert [a for a in asked if a.startswith("config")] == ["config -z --list"], asked
