"""The check cache says its format; a damaged or old cache file is left aside and made
again, and `check` says the same as without it."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import pickle
from pathlib import Path

from testing import agreement_text, checkin_path, checkin_text, invoke, question_text, write

from openbook.check.cache import CACHE_FORMAT, read_notes, write_notes


def _vault_with_notes(vault: Path) -> Path:
    write(vault, checkin_path(), checkin_text(mood=9))  # an error: mood is 1 to 5
    write(vault, checkin_path("alice"), checkin_text("alice"))
    write(vault, "questions/Q-0001.md", question_text())
    write(vault, "agreements/A-001-no-contact.md", agreement_text("No contact."))
    return vault


def _caches(vault: Path) -> list[Path]:
    state = vault / ".git" / "openbook"
    return sorted([*state.glob("*.json"), *state.glob("*.marshal")])


def test_a_damaged_cache_is_made_again_and_check_says_the_same(vault: Path) -> None:
    _vault_with_notes(vault)
    first = invoke(["check"], vault=vault)
    assert first.exit_code == 1 and "mood" in first.stdout, first.stdout
    invoke(["status"], vault=vault)  # reads the notes themselves through their cache too
    caches = _caches(vault)
    names = {p.name for p in caches}
    assert {"check.marshal", "notes.marshal"} <= names, names
    damages = [b"\x80garbage{", b'{"key": 1}', b"[]", b'{"key": null, "entries": 3}', b""]
    damages += [
        marshal.dumps({"key": (CACHE_FORMAT,), "entries": {"x": 1}}),
        marshal.dumps([1, 2]),
        marshal.dumps(compile("1", "x", "eval")),
    ]
    for damage in damages:
        for path in caches:
            path.write_bytes(damage)
        again = invoke(["check"], vault=vault)
        assert (again.exit_code, again.stdout, again.stderr) == (
            first.exit_code,
            first.stdout,
            first.stderr,
        ), damage
        state = vault / ".git" / "openbook"
        assert marshal.loads((state / "check.marshal").read_bytes())["key"][0] == CACHE_FORMAT


def test_a_cache_from_before_is_left_aside(vault: Path) -> None:
    _vault_with_notes(vault)
    first = invoke(["check"], vault=vault)
    state = vault / ".git" / "openbook"
    for path in _caches(vault):
        path.unlink()
    for path in state.glob("*.marshal"):
        path.unlink()
    (state / "check.pickle").write_bytes(pickle.dumps({"key": (6,), "entries": {}}))
    (state / "check.json").write_text(json.dumps({"key": [7], "entries": {}}))
    again = invoke(["check"], vault=vault)
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert not (state / "check.pickle").exists()
    assert not (state / "check.json").exists()
    assert (state / "check.marshal").exists()


def test_frontmatter_comes_back_from_the_cache_as_it_went_in(tmp_path: Path) -> None:
    meta = {
        "date": dt.date(2026, 11, 24),
        "asked": dt.datetime(2026, 11, 20, 10, 0),
        "at": dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "mood": 4,
        "ok": True,
        "share": 0.5,
        "none": None,
        "list": [1, "a", dt.date(2026, 1, 1), {"m": "not a tag"}],
        "nested": {1: "one", dt.date(2026, 1, 2): ["x"], "t": {"d": "2026-01-01"}},
    }
    path = tmp_path / "notes.marshal"
    write_notes(path, ("k",), {"a.md": (10, 20, meta, "body")})
    assert read_notes(path, ("k",)) == {"a.md": (10, 20, meta, "body")}
    assert read_notes(path, ("other",)) == {}
