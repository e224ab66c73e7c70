"""Notes written on phones and in other editors (SPEC section 2): the datetime forms they
write are the same datetime, and the keys they add on their own pass without a warning."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from testing import build_vault, checkin_path, checkin_text, invoke, question_text

from openbook.notes.yamlio import parse_timestamp

BERLIN = ZoneInfo("Europe/Berlin")
SAME = dt.datetime(2026, 11, 24, 10, 5, tzinfo=BERLIN)
TODAY = "2026-11-24T20:00:00+01:00"  # a check-in is written on its day or after
FORMS = [
    "2026-11-24 10:05",  # what openbook writes
    "2026-11-24T10:05",  # iOS Shortcuts, GitJournal
    "2026-11-24T10:05:00",
    "2026-11-24T10:05:00+01:00",  # Obsidian's templates, front-matter plugins
    "2026-11-24T10:05+01:00",
    "2026-11-24T09:05:00Z",
    "2026-11-24T09:05:00.000Z",  # JavaScript's toISOString
    "2026-11-24t10:05",
    "2026-11-24 10:05:00 +01:00",
    "'2026-11-24T10:05'",  # quoted by an editor that quotes everything
    '"2026-11-24T10:05:00+01:00"',
]
EDITOR_KEYS = (
    "created: 2026-11-24T10:05:00+01:00\n"
    "modified: 2026-11-24T21:07:12.345Z\n"
    "updated: 2026-11-24\n"
    "aliases: [tuesday]\n"
    "cssclasses: [wide-page]\n"
    "publish: false\n"
)


@pytest.mark.parametrize("form", FORMS)
def test_every_form_is_the_same_datetime(vault: Path, form: str) -> None:
    build_vault(vault, {"questions/Q-0001.md": question_text("Q-0001", asked=form)})
    res = invoke(["check", "--strict"], vault=vault)
    assert res.exit_code == 0, res.stdout
    assert res.stdout == "0 errors, 0 warnings in 2 notes\n"
    status = json.loads(invoke(["status", "--json"], vault=vault).stdout)
    (question,) = status["open_questions"]
    assert dt.datetime.fromisoformat(question["asked"]) == SAME
    # asked + 48h (the same moment; a note's own offset may still show in the JSON)
    assert dt.datetime.fromisoformat(question["answer_by"]) == SAME + dt.timedelta(hours=48)


@pytest.mark.parametrize("form", [f.strip("'\"") for f in FORMS])
def test_the_reader_reads_each_form(form: str) -> None:
    value = parse_timestamp(form)
    assert isinstance(value, dt.datetime)
    aware = value if value.tzinfo else value.replace(tzinfo=BERLIN)
    assert aware == SAME


def test_forms_mixed_in_one_note_compare_right(vault: Path) -> None:
    """A timeout written on a phone (with an offset) and finished on a laptop (without)."""
    ok = "timeouts/2026/2026-11-24-1940-alice.md"
    short = "timeouts/2026/2026-11-24-1941-alice.md"
    build_vault(
        vault,
        {
            ok: "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-11-24T19:40:00+01:00\n"
            "return_by: 2026-11-24 20:40\nreturned: 2026-11-24T19:30Z\n---\n",
            short: "---\ntype: timeout\ncalled_by: alice\ncalled: 2026-11-24T19:41:00+01:00\n"
            "return_by: 2026-11-24T18:50:00Z\n---\n",
        },
    )
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    problems = [line for line in res.stdout.splitlines() if ": error: " in line]
    assert len(problems) == 1 and problems[0].startswith(f"{short}:"), res.stdout
    assert invoke(["agenda", "--json"], vault=vault).exit_code == 0


def test_keys_editors_add_pass_without_a_warning(vault: Path) -> None:
    build_vault(vault, {checkin_path("bob"): checkin_text("bob", extra=EDITOR_KEYS)}, when=TODAY)
    res = invoke(["check", "--strict"], vault=vault)
    assert res.exit_code == 0
    assert res.stdout == "0 errors, 0 warnings in 2 notes\n"


def test_a_misspelt_key_is_still_reported(vault: Path) -> None:
    text = checkin_text("bob", extra="creatd: 2026-11-24\n")
    build_vault(vault, {checkin_path("bob"): text}, when=TODAY)
    res = invoke(["check"], vault=vault)
    assert res.stdout.splitlines()[0] == (
        f"{checkin_path('bob')}:6:1: warning: unknown field 'creatd', did you mean "
        "'created'? [unknown-field]"
    )


def test_editor_keys_survive_an_answer_untouched(vault: Path) -> None:
    text = question_text("Q-0001", to="bob", asked="2026-11-24T10:00:00+01:00", extra=EDITOR_KEYS)
    build_vault(vault, {"questions/Q-0001.md": text})
    res = invoke(["answer", "Q-0001", "--text", "At my brother's."], vault=vault, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    after = (vault / "questions/Q-0001.md").read_text(encoding="utf-8")
    for line in ["asked: 2026-11-24T10:00:00+01:00", *EDITOR_KEYS.splitlines()]:
        assert f"\n{line}\n" in after
    assert invoke(["check", "--strict"], vault=vault).exit_code == 0
