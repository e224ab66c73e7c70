"""`new` and `ask`: a new note from its type, validated, committed; an editor shows the
template, and without one the body is only what the person gave."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import (
    build_vault,
    git,
    invoke,
    subjects,
    trailers,
)
from testing.editor import editor_env

from openbook.record.safety import CHECKIN_LINE, QUESTION_LINE

CHECKIN = "checkins/2026/2026-11-24-bob.md"


def test_set_value_of_wrong_type_writes_nothing(vault: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin", "--set", "mood=great", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: checkins/2026/2026-11-24-bob.md was not written: mood must be a whole number "
        "from 1 to 5; got 'great'. Fix the value you gave (for example with --set KEY=VALUE) "
        "and try again.\n",
    )
    assert not (vault / "checkins/2026/2026-11-24-bob.md").exists()
    assert subjects(vault) == before


def test_new_never_overwrites(vault: Path) -> None:
    assert invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=vault).exit_code == 0
    path = vault / "checkins/2026/2026-11-24-bob.md"
    path.write_text(path.read_text() + "my own words\n")
    res = invoke(["new", "checkin", "--set", "mood=3", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: checkins/2026/2026-11-24-bob.md already exists; openbook never overwrites a "
        "note. Edit it, or use --date or --set to make a different one.\n",
    )
    assert path.read_text().endswith("my own words\n")


@pytest.mark.parametrize(
    "note_type",
    ["checkin", "plan-change", "question", "agreement", "timeout", "repair", "meeting", "review"],
)
def test_every_type_can_be_made_and_checks_clean(vault: Path, note_type: str) -> None:
    sets = {
        "plan-change": [
            "--set",
            "plan_at=2026-11-24 18:00",
            "--set",
            "was=home at 6",
            "--set",
            "now=home at 7",
        ],
        "agreement": ["--set", "title=Phone stays open"],
        "timeout": [],
    }.get(note_type, ["--body", "Written."])
    res = invoke(["new", note_type, "--no-edit", *sets], vault=vault)
    assert res.exit_code == 0, res.stderr
    rel = res.stdout.strip()
    assert (vault / rel).is_file()
    assert trailers(vault)["Openbook-Type"] == note_type
    check = invoke(["check"], vault=vault)
    assert check.exit_code == 0, check.stdout
    assert check.stdout.strip().endswith("0 errors, 0 warnings in 2 notes")


def test_ask_names_the_id_not_the_text(vault: Path) -> None:
    res = invoke(["ask", "Did you reply to her message?", "--to", "alice"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == "questions/Q-0001.md"
    log = git(vault, "log", "-1", "--format=%B")
    assert "reply" not in log and "question: new Q-0001" in log
    text = (vault / "questions/Q-0001.md").read_text()
    assert "Did you reply to her message?" in text
    assert "answer_by: 2026-11-26 20:30" in text
    res2 = invoke(["ask", "And again?", "--repeat-of", "Q-0001"], vault=vault)
    assert (res2.exit_code, res2.stdout) == (0, "questions/Q-0002.md\n"), res2.stderr


def test_vault_template_override_is_sandboxed(vault: Path, tmp_path: Path) -> None:
    # templates both partners accepted (build_vault commits and accepts them)
    build_vault(vault, {".openbook/templates/checkin.md.j2": "Our own: {{ meta.author }}\n"})
    env = editor_env(tmp_path, 'sed -i "s/^mood:.*/mood: 4/" "$1"')
    res = invoke(["new", "checkin", "--edit"], vault=vault, env=env)
    assert res.exit_code == 0, res.stderr
    assert (
        (vault / res.stdout.strip())
        .read_text()
        .endswith(
            "Our own: bob\n\n*A check-in is listened to, not debated. If something here raises a "
            "question, ask it with `openbook ask` rather than replying under this note.*\n"
        )
    )
    build_vault(
        vault,
        {".openbook/templates/timeout.md.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"},
    )
    res = invoke(["new", "timeout", "--edit"], vault=vault, env=env)
    assert (res.exit_code, res.stdout) == (1, "")
    # the words in brackets are Jinja2's; the sentence around them is openbook's
    assert res.stderr.startswith("openbook: template timeout.md.j2 tried something unsafe (")
    assert res.stderr.endswith("); fix .openbook/templates/timeout.md.j2.\n")
    assert res.stderr.count("\n") == 1
    assert list((vault / "timeouts").rglob("*.md")) == []


def test_edit_opens_the_editor_then_validates_and_commits(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\nsed -i "s/^mood:.*/mood: 4/" "$1"\necho "I felt heard." >> "$1"\n'
    )
    editor.chmod(0o755)
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert res.exit_code == 0, res.stderr
    text = (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert "mood: 4\n" in text and text.endswith("I felt heard.\n")
    assert git(vault, "show", "HEAD:checkins/2026/2026-11-24-bob.md") == text.rstrip("\n")


def test_an_invalid_edit_is_kept_but_not_committed(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^mood:.*/mood: 12/" "$1"\n')
    editor.chmod(0o755)
    before = subjects(vault)
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert (res.exit_code, res.stdout, res.stderr.splitlines()) == (
        1,
        "",
        [
            "checkins/2026/2026-11-24-bob.md:6:7: error: mood must be between 1 and 5, got 12 "
            "[field-value]",
            "openbook: checkins/2026/2026-11-24-bob.md is saved but not committed because of the "
            "problems above; fix them, then run 'openbook commit'.",
        ],
    )
    assert "mood: 12" in (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert subjects(vault) == before


def test_new_without_a_required_value_says_which_set_to_give(vault: Path) -> None:
    res = invoke(["new", "agreement", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: a new agreement needs title; give it like this: "
        '--set title="Changed plans are announced ahead"\n',
    )
    assert list((vault / "agreements").glob("A-*.md")) == []


def test_blank_required_values_can_be_filled_in_the_editor(vault: Path, tmp_path: Path) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^title:.*/title: Phone stays open/" "$1"\n')
    editor.chmod(0o755)
    res = invoke(["new", "agreement", "--edit"], vault=vault, env={"EDITOR": str(editor)})
    assert res.exit_code == 0, res.stderr
    assert "title: Phone stays open" in (vault / res.stdout.strip()).read_text()
    assert trailers(vault)["Openbook-Action"] == "new"


def test_without_an_editor_new_writes_a_draft_and_commits_nothing(vault: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin"], vault=vault)  # no $EDITOR, and not a terminal
    assert (res.exit_code, res.stdout, res.stderr) == (
        0,
        f"{CHECKIN}\n",
        "No editor was opened (set $EDITOR, or run this in a terminal), so nothing is "
        f"committed yet: {CHECKIN} is ready; write in it, then run 'openbook commit'.\n",
    )
    assert "## Feelings" in (vault / CHECKIN).read_text()  # the prompts, to write under
    assert subjects(vault) == before
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"{CHECKIN} was not committed: nothing is written in it yet; write something first, "
        "then run 'openbook commit'.\n",
    )
    assert subjects(vault) == before
    path = vault / CHECKIN
    path.write_text(path.read_text().replace("## Appreciation", "Calm today.\n\n## Appreciation"))
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (0, f"committed {CHECKIN} (new)\n", "")


def test_a_note_closed_unchanged_in_the_editor_is_not_committed(
    vault: Path, tmp_path: Path
) -> None:
    before = subjects(vault)
    for script in ("true", 'printf "\\n\\n" >> "$1"'):  # nothing, or only blank lines
        res = invoke(["new", "checkin", "--edit"], vault=vault, env=editor_env(tmp_path, script))
        assert (res.exit_code, res.stdout, res.stderr) == (
            1,
            "",
            f"openbook: {CHECKIN} was not committed: nothing is written in it yet; write "
            "something first, then run 'openbook commit'.\n",
        )
        assert "## Feelings" in (vault / CHECKIN).read_text()  # kept, to write in
        assert subjects(vault) == before
        (vault / CHECKIN).unlink()


def test_template_prose_is_committed_only_from_an_editor(vault: Path, tmp_path: Path) -> None:
    """A template is the partner's text: without an editor the body is only what I gave."""
    admit = "I admit I {{ 'lied' }}."
    own = {
        ".openbook/templates/checkin.md.j2": f"{admit}\n{{{{ body }}}}\n",
        ".openbook/templates/question.md.j2": f"{admit}\n{{{{ body }}}}\n",
    }
    build_vault(vault, own)  # both partners accepted these templates
    assert invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=vault).exit_code == 0
    assert (vault / CHECKIN).read_text().endswith("discuss: []\n---\n")
    day = "2026-11-23"
    res = invoke(["new", "checkin", "--date", day, "--body", " Tired. \n"], vault=vault)
    assert res.exit_code == 0, res.stderr
    # openbook's own safety lines (never the vault's template prose) are kept, as in an editor
    assert (vault / res.stdout.strip()).read_text().endswith(f"---\n\nTired.\n\n{CHECKIN_LINE}\n")
    assert invoke(["ask", "Where were you?"], vault=vault).exit_code == 0
    assert (
        (vault / "questions/Q-0001.md")
        .read_text()
        .endswith(f"---\n\nWhere were you?\n\n{QUESTION_LINE}\n")
    )
    history = git(vault, "log", "-p", "--format=")
    assert "I admit I lied" not in history
    seen = tmp_path / "seen.md"
    env = editor_env(tmp_path, f'cp "$1" {seen}; sed -i "s/^mood:.*/mood: 2/" "$1"')
    res = invoke(["new", "checkin", "--date", "2026-11-22", "--edit"], vault=vault, env=env)
    assert res.exit_code == 0, res.stderr
    assert "I admit I lied." in seen.read_text()  # in an editor, the template is shown


def test_new_refuses_a_note_in_the_other_partners_name(vault: Path, tmp_path: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin", "--set", "author=alice", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        "openbook: a new checkin is written by the partner who runs openbook, and you are bob; "
        "each partner writes their own notes, so leave out --set author.\n",
    )
    env = editor_env(tmp_path, 'sed -i "s/^author:.*/author: alice/; s/^mood:.*/mood: 3/" "$1"')
    res = invoke(["new", "checkin", "--edit"], vault=vault, env=env)
    assert (res.exit_code, res.stdout, res.stderr) == (
        1,
        "",
        f"openbook: {CHECKIN} was not committed: its author is alice, but you are bob; each "
        "partner writes their own notes, so set 'author: bob' if it is yours, or let alice "
        "commit it from their own copy.\n",
    )
    assert subjects(vault) == before
    res = invoke(["new", "question", "--set", "asked_by=alice", "--no-edit"], vault=vault)
    assert res.exit_code == 1 and "leave out --set asked_by." in res.stderr
