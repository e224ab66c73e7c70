"""`check`, `agenda` and `status` asked again with nothing changed are said again from
what the last run printed (commands/replay.py), before click, the YAML reader or git
start: the same bytes on the same streams and the same exit code. Anything that could
change the answer (a note, the other partner's commit pulled with plain git, a setting in
git config, the minute, the environment) runs the command again. Real processes, as a
user runs them."""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, make_pair, question_text
from testing.gitlog import counting_git
from testing.process import Ran, run_openbook

ASKED = [
    ["check"],
    ["check", "--json", "--strict"],
    ["agenda"],
    ["agenda", "--short", "--format=html"],
    ["status"],
    ["status", "--json"],
]


def run(vault: Path, *args: str, env: dict[str, str] | None = None) -> Ran:
    return run_openbook("--vault", str(vault), "--as", "alice", *args, env=env)


def settle() -> None:
    """A file changed within a second of a run is not trusted to keep its answer."""
    time.sleep(1.1)


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    made = make_pair(tmp_path)
    made.write("alice", checkin_path("alice"), checkin_text("alice"))
    git(made.alice, "add", "-A")
    git(made.alice, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "check-in")
    settle()
    return made


def test_each_answer_asked_again_is_said_again_without_git(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = counting_git(tmp_path, monkeypatch)
    for args in ASKED:
        first = run(pair.alice, *args)
        assert not first.light
        assert first.code in (0, 1), first.stderr
        log.write_text("")
        again = run(pair.alice, *args)
        assert again.light, args
        assert again.said == first.said
        assert log.read_text() == ""  # no git process: nothing was read again


def test_a_note_changed_or_added_is_read_again(pair: Pair) -> None:
    run(pair.alice, "check")
    assert run(pair.alice, "check").light
    path = pair.alice / checkin_path("alice")
    text = path.read_text()
    path.write_text(text.replace("mood: 4", "mood: 9"))  # same size, a wrong mood
    settle()
    ran = run(pair.alice, "check")
    assert not ran.light
    assert ran.code == 1 and "mood" in ran.stdout
    assert run(pair.alice, "check").said == ran.said
    pair.write("alice", "questions/Q-0009.md", question_text("Q-0009", asked_by="alice"))
    settle()
    added = run(pair.alice, "check")
    assert not added.light and "10001" not in added.stdout
    assert added.stdout != ran.stdout


def test_the_partners_commit_pulled_with_plain_git_is_read_again(pair: Pair) -> None:
    before = run(pair.alice, "status", "--json")
    assert run(pair.alice, "status", "--json").light
    pair.write("bob", "questions/Q-0042.md", question_text("Q-0042", asked_by="bob", to="alice"))
    git(pair.bob, "add", "-A")
    git(pair.bob, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "a question")
    git(pair.bob, "push", "-q", "origin", "main")
    plain = ("-c", "commit.gpgsign=false", "pull", "-q", "--no-rebase", "--no-edit")
    git(pair.alice, *plain, "origin", "main")
    settle()
    after = run(pair.alice, "status", "--json")
    assert not after.light
    assert "Q-0042" in after.stdout and "Q-0042" not in before.stdout


def test_git_config_the_minute_and_the_environment_are_part_of_the_answer(pair: Pair) -> None:
    first = run(pair.alice, "status", "--json")
    assert run(pair.alice, "status", "--json").light
    later = run(pair.alice, "status", "--json", env={"OPENBOOK_NOW": "2026-11-25T09:00:00+01:00"})
    assert not later.light and later.stdout != first.stdout
    other = run(pair.alice, "status", "--json", env={"OPENBOOK_LOCK_WAIT": "7"})
    assert not other.light and other.said == first.said
    git(pair.alice, "config", "user.name", "Alice A.")
    assert not run(pair.alice, "status", "--json").light


def test_a_file_changed_just_before_the_run_keeps_no_answer(pair: Pair) -> None:
    run(pair.alice, "check")
    path = pair.alice / checkin_path("alice")
    path.write_text(path.read_text() + "More.\n")
    ran = run(pair.alice, "check")  # within a second of the change
    assert not ran.light
    assert not run(pair.alice, "check").light  # nothing was remembered
    settle()
    assert not run(pair.alice, "check").light  # a second later it is remembered
    assert run(pair.alice, "check").light


def test_failures_and_a_damaged_store_are_never_said_again(pair: Pair) -> None:
    wrong = run(pair.alice, "status", env={"OPENBOOK_NOW": "tomorrow"})
    assert wrong.code == 1 and "OPENBOOK_NOW" in wrong.stderr
    again = run(pair.alice, "status", env={"OPENBOOK_NOW": "tomorrow"})
    assert not again.light and again.said == wrong.said
    first = run(pair.alice, "check")
    store = pair.alice / ".git/openbook/answers.marshal"
    assert store.exists()
    for damage in (b"", b"\x00garbage", b"\xfb\x00\x00\x00\x00"):
        store.write_bytes(damage)
        ran = run(pair.alice, "check")
        assert not ran.light and ran.said == first.said
        assert "Traceback" not in ran.stderr
    assert run(pair.alice, "check").light


def test_the_fingerprint_of_equal_values_is_equal_however_they_are_shared() -> None:
    from openbook.commands.replay import digest

    word = "".join(["openbook-", "vault"])  # one string object, met twice below
    shared = [(word, 1), (word, 2), {word: word}]
    apart = [("openbook-vault", 1), ("".join(["openbook-", "vault"]), 2)]
    apart.append({"".join(["openbook", "-vault"]): "".join(["open", "book-vault"])})
    assert shared == apart
    assert digest(shared) == digest(apart)


def test_a_run_that_ends_in_an_exception_is_not_remembered(pair: Pair) -> None:
    from openbook.commands.replay import recording

    argv = ["--vault", str(pair.alice), "--as", "alice", "status"]
    store = pair.alice / ".git/openbook/answers.marshal"
    with pytest.raises(RuntimeError), recording(argv):
        print("half an answer")
        raise RuntimeError("a fault in the middle")
    assert not store.exists()
    with pytest.raises(SystemExit), recording(argv):
        print("a whole answer")
        raise SystemExit(0)
    assert store.exists()  # the same run ending as the command line ends is kept


def test_the_look_for_an_answer_is_the_runs_fingerprint_before(pair: Pair) -> None:
    """The vault is walked before and after a run, not a third time: what `replayed`
    took when it had no answer is the run's "before", so a change made after it (here a
    branch made with plain git) leaves the answer unremembered."""
    from openbook.commands.replay import recording, replayed

    argv = ["--vault", str(pair.alice), "--as", "alice", "status"]
    store = pair.alice / ".git/openbook/answers.marshal"
    assert replayed(argv) is None
    git(pair.alice, "branch", "elsewhere")
    with pytest.raises(SystemExit), recording(argv):
        print("an answer to things as they were")
        raise SystemExit(0)
    assert not store.exists()
    assert replayed(argv) is None  # looked again, now with the branch
    with pytest.raises(SystemExit), recording(argv):
        print("an answer to things as they are")
        raise SystemExit(0)
    assert store.exists()
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert replayed(argv) == 0
    assert said.getvalue() == "an answer to things as they are\n"


def test_a_link_is_fingerprinted_with_the_file_it_names(pair: Pair, tmp_path: Path) -> None:
    from openbook.commands.replay import _fingerprint

    outside = tmp_path / "elsewhere.md"
    outside.write_text("one\n")
    (pair.alice / "linked.md").symlink_to(outside)
    argv = ["status"]
    git_dir = str(pair.alice / ".git")
    before = _fingerprint(str(pair.alice), git_dir, argv)
    outside.write_text("two, longer\n")
    after = _fingerprint(str(pair.alice), git_dir, argv)
    assert before is not None and after is not None and before[1] != after[1]
