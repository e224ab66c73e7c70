"""The vault's templates bind by consent (SPEC section 10): a template one partner commits
is a proposal, never used for the other's notes until they accept it; openbook's own
safety lines are in every new check-in and question whatever the template; new notes take
their defaults from the settings in force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import Pair, git, invoke, load_config, make_pair, write
from testing.editor import editor_env
from testing.terminal import run_on_a_terminal

from openbook.record.safety import CHECKIN_LINE, QUESTION_LINE, with_safety_lines
from openbook.ritual.history import CACHE_FILE, CACHE_VERSION, read_history
from openbook.vault import Vault

CHECKIN_TEMPLATE = ".openbook/templates/checkin.md.j2"
QUESTION_TEMPLATE = ".openbook/templates/question.md.j2"
ALICE_CHECKIN = "## Where were you today, hour by hour?\n\n{{ body }}\n"
ALICE_QUESTION = "Before you ask: breathe.\n\n{{ body }}\n\n## Answer\n"
PROPOSED = "2026-11-23T10:00:00+01:00"  # the day before the pinned now
COMMITTED = "2026-11-24T12:00:00+01:00"  # openbook's own commits, unless a test says


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pair:
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", COMMITTED)
    return make_pair(tmp_path)


def commit_as(root: Path, who: str, files: dict[str, str], when: str = PROPOSED) -> None:
    """A plain git commit of `files`, authored and committed by `who` at `when`."""
    partner = load_config(root).partners[who]
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = partner.name
        env[f"GIT_{role}_EMAIL"] = partner.email
    for rel, text in files.items():
        write(root, rel, text)
    git(root, "add", "--", *files)
    git(root, "commit", "-q", "--no-verify", "-m", f"{who}'s own change", env=env)


def alice_proposes(pair: Pair, files: dict[str, str], when: str = PROPOSED) -> None:
    commit_as(pair.alice, "alice", files, when)
    assert pair.sync("alice").exit_code == 0
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr


def new_draft(root: Path, *args: str) -> str:
    """`openbook new ...` without an editor: the draft's text (then the draft is removed)."""
    res = invoke(["new", *args], vault=root, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    path = root / res.stdout.strip()
    text = path.read_text()
    path.unlink()
    return text


def accept(root: Path, when: str = COMMITTED) -> str:
    env = {"OPENBOOK_COMMIT_DATE": when}
    res = invoke(["accept", "settings", "--yes"], vault=root, as_partner="bob", env=env)
    assert res.exit_code == 0, res.stderr
    return str(res.stdout)


def test_a_check_in_template_binds_only_once_both_accepted(pair: Pair, tmp_path: Path) -> None:
    alice_proposes(pair, {CHECKIN_TEMPLATE: ALICE_CHECKIN})
    draft = new_draft(pair.bob, "checkin")
    assert "Where were you today" not in draft
    assert "## Feelings" in draft  # openbook's own template
    assert draft.endswith(f"\n\n{CHECKIN_LINE}\n")
    seen = tmp_path / "seen.md"
    env = editor_env(tmp_path, f'cp "$1" {seen}; sed -i "s/^mood:.*/mood: 3/" "$1"')
    res = invoke(["new", "checkin", "--edit"], vault=pair.bob, as_partner="bob", env=env)
    assert res.exit_code == 0, res.stderr
    assert "Where were you today" not in seen.read_text()
    assert CHECKIN_LINE in seen.read_text()
    assert CHECKIN_LINE in (pair.bob / res.stdout.strip()).read_text()

    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    proposal = status["settings_proposal"]
    assert (proposal["changes"], proposal["waiting"]) == (["the check-in template: new"], ["bob"])
    assert "the check-in template: new" in invoke(["status"], vault=pair.bob).stdout
    assert "the check-in template: new" in invoke(["agenda"], vault=pair.bob).stdout

    assert accept(pair.bob) == (
        "  the check-in template: new\n"
        "You accepted the new settings; they are in force from now for both of you.\n"
    )
    after = new_draft(pair.bob, "checkin", "--date", "2026-11-22")
    assert after.endswith(
        f"---\n\n## Where were you today, hour by hour?\n\n{CHECKIN_LINE}\n"
    )  # Alice's template, and still the listening line: no template can remove it
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"] is None


def test_a_question_template_binds_only_once_both_accepted(pair: Pair, tmp_path: Path) -> None:
    alice_proposes(pair, {QUESTION_TEMPLATE: ALICE_QUESTION})
    draft = new_draft(pair.bob, "question")
    assert "breathe" not in draft
    assert (
        "*What would you like to ask Alice Example? One question, in your own words.*\n\n"
        f"{QUESTION_LINE}\n> Some questions belong with your therapist"
    ) in draft  # openbook's own template, as it always read
    assert "the question template: new" in invoke(["status"], vault=pair.bob).stdout
    accept(pair.bob)
    after = new_draft(pair.bob, "question")
    assert after.endswith(f"---\n\nBefore you ask: breathe.\n\n{QUESTION_LINE}\n\n## Answer\n")
    seen = tmp_path / "seen.md"
    env = editor_env(tmp_path, f'cp "$1" {seen}')
    args = ["new", "question", "--edit", "--body", "Where were you on Friday?"]
    res = invoke(args, vault=pair.bob, as_partner="bob", env=env)
    assert res.exit_code == 0, res.stderr
    assert seen.read_text().endswith(
        f"\n\nBefore you ask: breathe.\n\nWhere were you on Friday?\n\n{QUESTION_LINE}\n\n"
        "## Answer\n"
    )  # right after the question text


def test_a_template_on_disk_but_not_accepted_is_never_used(pair: Pair) -> None:
    write(pair.bob, CHECKIN_TEMPLATE, "Uncommitted: {{ body }}\n")
    assert "Uncommitted" not in new_draft(pair.bob, "checkin")
    git(pair.bob, "add", CHECKIN_TEMPLATE)
    git(pair.bob, "commit", "-q", "-m", "a template by someone who is not a partner")
    assert "Uncommitted" not in new_draft(pair.bob, "checkin")


def test_accept_settings_shows_the_prompts_a_template_adds_and_removes(pair: Pair) -> None:
    alice_proposes(pair, {CHECKIN_TEMPLATE: ALICE_CHECKIN})
    code, screen = run_on_a_terminal(pair.bob, ["accept", "settings"], b"n\n")
    assert code == 0, screen
    assert "Nothing was accepted; the settings you both accepted stay in force." in screen
    assert "the check-in template: new" in screen
    assert "  The check-in template:\n" in screen
    assert "    adds: Where were you today, hour by hour?\n" in screen
    assert "    removes: Feelings\n" in screen
    assert "+++" not in screen and "{%" not in screen  # words, not a diff of Jinja
    assert "Accept these settings? [y/N]" in screen
    assert git(pair.bob, "log", "-1", "--format=%s") != "settings: accept openbook.yml"


def test_a_changed_and_a_removed_template_in_plain_words(pair: Pair) -> None:
    alice_proposes(pair, {CHECKIN_TEMPLATE: ALICE_CHECKIN})
    accept(pair.bob)
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    changed = ALICE_CHECKIN.replace("hour by hour", "in a few words") + "Thank you.\n"
    alice_proposes(pair, {CHECKIN_TEMPLATE: changed}, "2026-11-24T13:00:00+01:00")
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"]["changes"] == [
        "the check-in template: changed (2 lines added, 1 removed)"
    ]
    git(pair.alice, "rm", "-q", CHECKIN_TEMPLATE)
    commit_as(pair.alice, "alice", {}, "2026-11-24T14:00:00+01:00")
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"]["changes"] == [
        "the check-in template: removed, openbook's own is used"
    ]
    # until Bob accepts, the accepted template (the first of Alice's) stays in force
    assert "hour by hour" in new_draft(pair.bob, "checkin")
    accept(pair.bob, "2026-11-24T15:00:00+01:00")
    assert "## Feelings" in new_draft(pair.bob, "checkin")


def test_a_one_sided_answer_time_does_not_change_the_next_question(pair: Pair) -> None:
    text = (pair.alice / "openbook.yml").read_text()
    assert "answer_within: 48h" in text
    alice_proposes(pair, {"openbook.yml": text.replace("answer_within: 48h", "answer_within: 15m")})
    assert "answers within 15m, was 48h" in invoke(["status"], vault=pair.bob).stdout
    res = invoke(["ask", "Where were you?"], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    assert "answer_by: 2026-11-26 20:30\n" in (pair.bob / "questions/Q-0001.md").read_text()
    accept(pair.bob)
    res = invoke(["ask", "And after?"], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    assert "answer_by: 2026-11-24 20:45\n" in (pair.bob / "questions/Q-0002.md").read_text()


def test_a_one_sided_timeout_range_never_turns_past_timeouts_into_errors(pair: Pair) -> None:
    res = invoke(["new", "timeout", "--no-edit"], vault=pair.bob, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    past = res.stdout.strip()
    assert "return_by: 2026-11-24 21:30\n" in (pair.bob / past).read_text()  # an hour
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    text = (pair.alice / "openbook.yml").read_text()
    assert "max: 24h" in text
    alice_proposes(pair, {"openbook.yml": text.replace("max: 24h", "max: 1h")})
    for root in (pair.bob, pair.alice):
        res = invoke(["check"], vault=root)
        assert res.exit_code == 0, res.stdout
        assert "return_by" not in res.stdout
    # not in force yet: Bob's new timeout still comes back in an hour
    res = invoke(["new", "timeout", "--no-edit", "--date", "2026-11-23"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "return_by: 2026-11-23 21:30\n" in (pair.bob / res.stdout.strip()).read_text()
    accept(pair.bob)
    res = invoke(["new", "timeout", "--no-edit", "--date", "2026-11-22"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "return_by: 2026-11-22 21:30\n" in (pair.bob / res.stdout.strip()).read_text()
    # calling a timeout is never refused: outside the agreed range it is recorded at
    # the nearest bound, and says so (SPEC section 10)
    timeout = ["new", "timeout", "--no-edit", "--set"]
    args = [*timeout, "called=2026-11-24 20:40", "--set", "return_by=2026-11-24 22:40"]
    res = invoke(args, vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "return_by: 2026-11-24 21:40\n" in (pair.bob / res.stdout.strip()).read_text()
    assert res.stderr == (
        "The timeout is recorded to end at 21:40 (1h), the longest time you both agreed "
        "(20m to 1h); you asked for 2h.\n"
    )
    assert invoke(["check"], vault=pair.bob).exit_code == 0  # the 1h timeout stays valid
    args = [*timeout, "called=2026-11-24 20:45", "--set", "return_by=2026-12-03 10:45"]
    res = invoke(args, vault=pair.bob)
    assert "you asked for 8d 14h." in res.stderr  # a long span in days and hours
    args = [*timeout, "called=2026-11-24 20:50", "--set", "return_by=2026-11-24 20:55"]
    res = invoke(args, vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "the shortest time you both agreed (20m to 1h); you asked for 5m." in res.stderr


def test_check_still_holds_every_timeout_to_20m_to_24h(pair: Pair) -> None:
    note = (
        "---\ntype: timeout\ncalled_by: bob\ncalled: 2026-11-24 20:30\n"
        "return_by: 2026-11-26 20:30\n---\n"
    )
    write(pair.bob, "timeouts/2026/2026-11-24-2030-bob.md", note)
    res = invoke(["check"], vault=pair.bob)
    assert res.exit_code == 1
    assert "return_by must be 20m to 24h after called; it is 2d" in res.stdout


def test_an_old_history_cache_is_read_again(pair: Pair) -> None:
    alice_proposes(pair, {CHECKIN_TEMPLATE: ALICE_CHECKIN})
    vault = Vault(pair.bob)
    first = read_history(vault)
    assert first.terms[-1][2] == {"checkin.md.j2": ALICE_CHECKIN}
    cache = pair.bob / ".git/openbook" / CACHE_FILE
    data = json.loads(cache.read_text())
    assert data["version"] == CACHE_VERSION == 6
    del data["terms"]  # as openbook wrote it before templates were terms
    data["version"] = 2
    cache.write_text(json.dumps(data))
    again = read_history(vault)
    assert again.terms == first.terms
    assert json.loads(cache.read_text())["version"] == CACHE_VERSION
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"]["changes"] == ["the check-in template: new"]


@pytest.mark.parametrize(
    ("rendered", "expected"),
    [
        ("", f"{CHECKIN_LINE}\n"),
        ("Hello\n", f"Hello\n\n{CHECKIN_LINE}\n"),
        (f"{CHECKIN_LINE}\n\nHello\n", f"Hello\n\n{CHECKIN_LINE}\n"),  # moved, once
        (f"<!--\n{CHECKIN_LINE}\n-->\n", f"<!--\n-->\n\n{CHECKIN_LINE}\n"),
    ],
)
def test_the_listening_line_ends_every_check_in(rendered: str, expected: str) -> None:
    assert with_safety_lines("checkin", rendered) == expected


@pytest.mark.parametrize(
    ("rendered", "question", "expected"),
    [
        ("", "", f"{QUESTION_LINE}\n"),
        ("Q?\n", "Q?", f"Q?\n\n{QUESTION_LINE}\n"),
        ("Intro\n\nQ?\n\nMore\n", "Q?", f"Intro\n\nQ?\n\n{QUESTION_LINE}\n\nMore\n"),
        ("Intro\n\n## Answer\n", "", f"Intro\n\n{QUESTION_LINE}\n\n## Answer\n"),
        (
            "Intro\n\n> A quote\n\n## Answer\n",
            "",
            f"Intro\n\n{QUESTION_LINE}\n> A quote\n\n## Answer\n",
        ),
        ("## Answer\n\nQ?\n", "Q?", f"{QUESTION_LINE}\n\n## Answer\n\nQ?\n"),
        ("Intro\n", "not there", f"Intro\n\n{QUESTION_LINE}\n"),
    ],
)
def test_the_asking_again_line_follows_the_question(
    rendered: str, question: str, expected: str
) -> None:
    assert with_safety_lines("question", rendered, question) == expected


def test_syncing_the_other_partners_template_is_not_accepting_it(pair: Pair) -> None:
    """A merge brings the partner's change in; it endorses nothing for the one who syncs."""
    commit_as(pair.bob, "bob", {CHECKIN_TEMPLATE: "Bob's own: {{ body }}\n"})
    assert pair.sync("bob").exit_code == 0
    commit_as(pair.alice, "alice", {"README.md": "Ours.\n"}, "2026-11-23T11:00:00+01:00")
    res = pair.sync("alice")  # Alice's copy merges Bob's template in, as Alice
    assert res.exit_code == 0, res.stderr
    assert len(git(pair.alice, "log", "-1", "--format=%P").split()) == 2
    status = json.loads(invoke(["status", "--json"], vault=pair.alice).stdout)
    proposal = status["settings_proposal"]
    assert (proposal["changes"], proposal["waiting"]) == (["the check-in template: new"], ["alice"])
    res = invoke(["new", "checkin"], vault=pair.alice, as_partner="alice")
    assert "Bob's own" not in (pair.alice / res.stdout.strip()).read_text()
