"""`new` on its small paths: a note with nothing written is refused before anything is
written (SPEC section 4), `--set` takes only the type's own fields, and `new --help`
says which types there are."""

from __future__ import annotations

from pathlib import Path

import pytest
from testing import git, invoke, subjects

from openbook.notes.parse import parse_bytes, render_note
from openbook.notetypes.registry import TYPES

CHECKIN = "checkins/2026/2026-11-24-bob.md"


def _untouched(vault: Path, before: list[str]) -> None:
    assert subjects(vault) == before
    assert git(vault, "status", "--porcelain", "--untracked-files=all") == ""


# ------------------------------------------------------------------ nothing written


@pytest.mark.parametrize(
    ("note_type", "words"),
    [
        ("checkin", "check-in"),
        ("question", "question"),
        ("repair", "repair"),
        ("meeting", "meeting"),
        ("review", "review"),
    ],
)
def test_new_with_nothing_given_is_refused_and_leaves_nothing(
    vault: Path, note_type: str, words: str
) -> None:
    before = subjects(vault)
    res = invoke(["new", note_type, "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"openbook: nothing is written in this new {words}, so ")
    assert "write something first" in res.stderr
    assert "--body TEXT" in res.stderr
    _untouched(vault, before)


def test_new_checkin_with_nothing_given_says_how_in_one_line(vault: Path) -> None:
    res = invoke(["new", "checkin", "--no-edit"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        2,
        "",
        "openbook: nothing is written in this new check-in, so nothing was saved; write "
        "something first: give it words with --body TEXT or a field with --set KEY=VALUE, "
        "or leave out --no-edit to write it in your editor.\n",
    )
    assert not (vault / CHECKIN).exists()


def test_defaults_set_again_are_still_nothing_written(vault: Path) -> None:
    before = subjects(vault)
    res = invoke(["new", "checkin", "--no-edit", "--set", "author=bob"], vault=vault)
    assert res.exit_code == 2
    assert "write something first" in res.stderr
    _untouched(vault, before)


@pytest.mark.parametrize(
    "args",
    [
        ["--body", "Steady today."],
        ["--set", "mood=4"],
        ["--set", "discuss=[the weekend]"],
    ],
)
def test_new_with_something_given_is_committed(vault: Path, args: list[str]) -> None:
    res = invoke(["new", "checkin", "--no-edit", *args], vault=vault)
    assert (res.exit_code, res.stdout) == (0, f"{CHECKIN}\n"), res.stderr
    assert subjects(vault)[0] == f"checkin: new {CHECKIN}"


def test_a_timeout_is_its_fields_and_needs_no_words(vault: Path) -> None:
    """Calling a timeout asks no reason: the note with only its times is the timeout."""
    res = invoke(["new", "timeout", "--no-edit"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert subjects(vault)[0].startswith("timeout: new timeouts/2026/")


# ------------------------------------------------------------------ --set keys


@pytest.mark.parametrize(
    ("key", "close"),
    [("content", "contact"), ("handler", None), ("mod", "mood"), ("on-track", "on_track")],
)
def test_set_of_a_field_the_type_does_not_have_is_refused(
    vault: Path, key: str, close: str | None
) -> None:
    before = subjects(vault)
    res = invoke(
        ["new", "checkin", "--no-edit", "--set", f"{key}=x", "--set", "mood=4"], vault=vault
    )
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"openbook: a check-in has no field '{key}', so nothing was ")
    if close:
        assert f"did you mean --set {close}=...?" in res.stderr
    else:
        assert "did you mean" not in res.stderr
        assert "its fields are: author, date, time, mood, connection" in res.stderr
    _untouched(vault, before)


def test_set_content_names_the_closest_field(vault: Path) -> None:
    res = invoke(["new", "checkin", "--no-edit", "--set", "content=hello"], vault=vault)
    assert (res.exit_code, res.stdout, res.stderr) == (
        2,
        "",
        "openbook: a check-in has no field 'content', so nothing was written; did you mean "
        "--set contact=...? Write what you want to say with --body TEXT.\n",
    )


def test_fields_every_note_has_can_be_set(vault: Path) -> None:
    res = invoke(
        ["new", "checkin", "--no-edit", "--set", "tags=[calm]", "--set", "mood=3"], vault=vault
    )
    assert res.exit_code == 0, res.stderr
    assert "tags: [calm]\n" in (vault / CHECKIN).read_text()


@pytest.mark.parametrize("key", ["content", "handler", "metadata"])
def test_render_note_keeps_any_key_as_a_field(key: str) -> None:
    """Field names are metadata, never arguments of python-frontmatter's Post."""
    text = render_note({"type": "checkin", key: "kept"}, "The body.")
    note = parse_bytes("n.md", text.encode())
    assert note.meta == {"type": "checkin", key: "kept"}
    assert note.body == "\nThe body.\n"


# ------------------------------------------------------------------ new --help


def test_new_help_lists_every_type_with_a_few_words() -> None:
    res = invoke(["new", "--help"])
    assert res.exit_code == 0
    out = res.stdout
    assert "Note types:" in out
    listed = out.split("Note types:", 1)[1]
    for name, t in TYPES.items():
        assert t.about, name
        assert f"  {name} " in listed, name
        assert t.about.split()[0] in listed, name
    assert "checkin " in listed and "one day's check-in" in listed
