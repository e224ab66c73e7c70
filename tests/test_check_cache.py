"""The check cache says its format; a damaged or old cache file is left aside and made
again, and `check` says the same as without it."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import pickle
from pathlib import Path

from testing import agreement_text, checkin_path, checkin_text, invoke, question_text, write

from openbook.check.cache import CACHE_FORMAT, SHARDS, read_notes, shard_of, write_notes
from openbook.check.result import check_vault
from openbook.vault import Vault


def _vault_with_notes(vault: Path) -> Path:
    write(vault, checkin_path(), checkin_text(mood=9))  # an error: mood is 1 to 5
    write(vault, checkin_path("alice"), checkin_text("alice"))
    write(vault, "questions/Q-0001.md", question_text())
    write(vault, "agreements/A-001-no-contact.md", agreement_text("No contact."))
    return vault


def _caches(vault: Path) -> list[Path]:
    state = vault / ".git" / "openbook"
    return sorted([*state.glob("*.json"), *state.rglob("*.marshal")])


def test_a_damaged_cache_is_made_again_and_check_says_the_same(vault: Path) -> None:
    _vault_with_notes(vault)
    first = invoke(["check"], vault=vault)
    assert first.exit_code == 1 and "mood" in first.stdout, first.stdout
    assert check_vault(Vault(vault)).parsed  # the notes themselves, through their cache
    caches = _caches(vault)
    names = {str(p.relative_to(vault / ".git" / "openbook")) for p in caches}
    assert "check.marshal" in names and any(n.startswith("notes/") for n in names), names
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
    path = tmp_path / "notes"
    write_notes(path, ("k",), {"a.md": (10, 20, meta, "body")})
    assert read_notes(path, ("k",)) == {"a.md": (10, 20, meta, "body")}
    assert read_notes(path, ("other",)) == {}


def test_one_note_saved_rewrites_one_file_of_the_notes_cache(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    entries = {f"checkins/{n}.md": (n, n, {"n": n}, "body") for n in range(100)}
    write_notes(folder, ("k",), entries)
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(stamps) == len({shard_of(rel) for rel in entries}) > SHARDS // 2
    for path in folder.iterdir():
        path.touch()
        os.utime(path, ns=(1, 1))
    entries["checkins/7.md"] = (8, 8, {"n": 8}, "edited")
    write_notes(folder, ("k",), entries, ["checkins/7.md"])
    rewritten = [p.name for p in folder.iterdir() if p.stat().st_mtime_ns != 1]
    assert rewritten == [f"{shard_of('checkins/7.md'):02d}.marshal"]
    assert read_notes(folder, ("k",)) == entries
    # a damaged file loses only the notes it held
    (folder / rewritten[0]).write_bytes(b"\x80garbage")
    left = read_notes(folder, ("k",))
    assert left == {r: e for r, e in entries.items() if shard_of(r) != shard_of("checkins/7.md")}


def test_the_files_of_some_folders_are_those_a_plain_reading_finds(tmp_path: Path) -> None:
    """`in_folders` answers from the check's own listing, folder by folder, exactly as a
    filter and sort of every path: names that begin like a folder's, names past "/" in
    byte order, files at the top and in subfolders."""
    import random

    from openbook.check.cache import Stats, in_folders

    rng = random.Random(7)
    names = ["agreements", "agreements-old", "checkins", "pauses", "questions", "repairs"]
    paths = ["language.md", "openbook (conflict).yml"]
    for n in range(400):
        top = rng.choice(names)
        sub = rng.choice(["", "2026/", "2025/", "ü/", "a b/"])
        paths.append(f"{top}/{sub}{rng.choice(['x', 'Y', '0', '.', '~', 'é'])}{n}.md")
    rng.shuffle(paths)
    stats = Stats((p, (len(p), i)) for i, p in enumerate(paths))
    plain = dict(stats)
    for prefixes in [
        ("agreements/",),
        ("repairs/", "agreements/", "pauses/", "questions/"),
        ("checkins/", "missing/"),
        ("agreements/2026/",),
        ("agreements",),
    ]:
        assert in_folders(stats, prefixes) == in_folders(plain, prefixes), prefixes
    assert in_folders(stats, ("agreements/",)) is not in_folders(stats, ("agreements/",))
