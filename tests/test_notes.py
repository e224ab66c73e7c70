"""The note reader and writer: YAML 1.2 scalars, BOM and CRLF, byte-exact edits, no tracebacks."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from testing import EXAMPLE, REPO, git, invoke

from openbook.check.note import validate_note
from openbook.config import load_config
from openbook.errors import NoteError, ValidationFailed
from openbook.notes.parse import Note, parse_bytes, render_note, update_fields


def test_yaml_12_core_scalars() -> None:
    note = parse_bytes(
        "x.md",
        b"---\na: no\nb: yes\nc: on\nd: 21:05\ne: 2026-11-24\n"
        b"f: 2026-11-24 21:05\ng: true\nh: 0o17\ni: ~\n---\n",
    )
    assert note.meta == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "21:05",
        "e": dt.date(2026, 11, 24),
        "f": dt.datetime(2026, 11, 24, 21, 5),
        "g": True,
        "h": 15,
        "i": None,
    }


def test_bom_and_crlf_are_accepted_and_preserved_by_edits() -> None:
    raw = "\ufeff---\r\ntype: question\r\nstatus: open\r\n---\r\nBody line\r\n"
    note = parse_bytes("q.md", raw.encode())
    assert note.meta == {"type": "question", "status": "open"}
    assert note.body == "Body line\r\n"
    edited = update_fields(raw, {"status": "answered", "answered": dt.datetime(2026, 11, 24, 9)})
    assert edited == (
        "\ufeff---\r\ntype: question\r\nstatus: answered\r\n"
        "answered: 2026-11-24 09:00\r\n---\r\nBody line\r\n"
    )


def test_update_fields_changes_only_the_named_keys() -> None:
    raw = (
        "---\ntype: agreement  # keep this comment\nid: A-001\naccepted_by:\n  - bob\n"
        "measures: [a]\n---\n# Title\n"
    )
    edited = update_fields(raw, {"accepted_by": ["bob", "alice"]})
    assert edited == (
        "---\ntype: agreement  # keep this comment\nid: A-001\n"
        "accepted_by: [bob, alice]\nmeasures: [a]\n---\n# Title\n"
    )
    assert update_fields(raw, {}) == raw


def test_positions_point_at_keys_and_values() -> None:
    note = parse_bytes("x.md", b"---\ntype: checkin\nkept:\n  A-001: yes\n---\n")
    assert note.keypos("kept") == (3, 1)
    assert note.pos("kept", "A-001") == (4, 10)
    assert note.entry_pos("kept", "A-001") == (4, 3)


_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
_scalar = st.one_of(
    _text,
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
_value = st.one_of(
    _scalar,
    st.lists(_scalar, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), _scalar, max_size=3),
)
_meta = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), _value, min_size=1, max_size=8
)


@settings(max_examples=300, deadline=None)
@given(_meta, _text)
def test_a_note_written_by_openbook_reads_back_equal(meta: dict[str, object], body: str) -> None:
    text = render_note(meta, body)
    note = parse_bytes("x.md", text.encode("utf-8"))
    assert [p for p in note.problems if p.rule not in ("conflict-markers",)] == []
    assert note.meta == meta


# what the reader itself may report (SPEC section 3); the rest are rules of a note's fields
READER_RULES = {
    "yaml-syntax",
    "frontmatter-missing",
    "frontmatter-not-mapping",
    "encoding",
    "file-too-large",
    "yaml-alias",
    "duplicate-key",
    "conflict-markers",
    "yaml-depth",
}


def _assert_read_or_reported(data: bytes) -> Note:
    """Whatever the bytes, a note: either read into a mapping, or each problem named by
    a reader rule at a real place in the file."""
    note = parse_bytes("x.md", data)
    lines = data.count(b"\n") + 1
    for p in note.problems:
        assert (p.path, p.severity) == ("x.md", "error")
        assert p.rule in READER_RULES, p
        assert 1 <= p.line <= lines and p.column >= 1, p
    if not [p for p in note.problems if p.rule != "conflict-markers"]:
        assert note.has_frontmatter
        assert all(isinstance(key, str) for key in note.meta)
    return note


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_no_input_makes_the_reader_raise(data: bytes) -> None:
    _assert_read_or_reported(b"---\n" + data)
    bare = _assert_read_or_reported(data)
    if not data.removeprefix(b"\xef\xbb\xbf").startswith(b"---"):
        assert bare.meta == {} and not bare.has_frontmatter
        assert {p.rule for p in bare.problems} & {"frontmatter-missing", "encoding"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_frontmatter_text_makes_validation_raise(vault_cfg_text: str) -> None:
    cfg = _CFG
    for head in (
        "---\ntype: checkin\n",
        "---\ntype: question\n",
        "---\ntype: agreement\n",
        "---\ntype: timeout\n",
        "---\n",
    ):
        note = parse_bytes("checkins/2026/x.md", (head + vault_cfg_text + "\n---\n").encode())
        validate_note(note, cfg)
        assert all(p.line >= 1 and p.column >= 1 for p in note.problems)


def _make_cfg() -> object:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / "openbook.yml").write_text(
        "version: 1\ntimezone: Europe/Berlin\npartners:\n  alice: {name: A, email: a@x.org}\n"
        "  bob: {name: B, email: b@x.org}\n"
    )
    return load_config(folder)


_CFG = _make_cfg()


@settings(max_examples=300, deadline=None)
@given(_meta, _text)
def test_the_fast_reader_agrees_with_the_positional_one(meta: dict[str, object], body: str) -> None:
    data = render_note(meta, body).encode("utf-8")
    fast = parse_bytes("x.md", data, positions=False)
    slow = parse_bytes("x.md", data)
    assert fast.meta == slow.meta
    assert {p.rule for p in fast.problems} == {p.rule for p in slow.problems}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fast_and_positional_readers_find_the_same_rules(text: str) -> None:
    data = ("---\n" + text + "\n---\n").encode("utf-8")
    fast = parse_bytes("x.md", data, positions=False)
    slow = parse_bytes("x.md", data)
    assert {p.rule for p in fast.problems} == {p.rule for p in slow.problems}
    if not slow.problems:
        assert fast.meta == slow.meta


# --------------------------------------------------------------------- note types


def test_registry_names_are_the_type_modules_each_with_a_template_and_an_example() -> None:
    from openbook import notetypes
    from openbook.notetypes import registry

    folder = Path(notetypes.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base", "registry"}
    assert set(notetypes.NAMES) == {m.replace("_", "-") for m in modules}
    assert list(registry.TYPES) == list(notetypes.NAMES)
    examples: dict[str, list[str]] = {}
    for path in sorted(EXAMPLE.rglob("*.md")):
        note = parse_bytes(path.name, path.read_bytes())
        if note.type:
            examples.setdefault(note.type, []).append(path.name)
    for name, note_type in registry.TYPES.items():
        module = importlib.import_module(notetypes.module_name(name))
        assert module.TYPE is note_type and note_type.name == name
        assert (REPO / "templates" / f"{name}.md.j2").is_file(), name
        assert examples.get(name), f"example-vault has no {name} note"


def test_type_names_load_without_importing_a_type_module() -> None:
    code = (
        "import sys; from openbook.notetypes import NAMES; "
        "print(len(NAMES), sorted(m for m in sys.modules if m.startswith('openbook.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    modules = len(list((REPO / "cli/openbook/notetypes").glob("*.py"))) - 3  # init, base, registry
    assert out.strip() == f"{modules} ['openbook.notetypes']"


def test_every_field_kind_has_a_check() -> None:
    from openbook.check.fields import CHECKS
    from openbook.notetypes.registry import TYPES

    kinds = {f.kind for t in TYPES.values() for f in t.spec.values()}
    assert kinds <= set(CHECKS), kinds - set(CHECKS)


def test_a_file_is_named_once_for_new_and_for_check() -> None:
    """Every example note sits where its type's naming puts it: exactly, for the types
    check compares exactly; by id for questions and agreements."""
    from openbook.notetypes.registry import TYPES

    seen = set()
    for path in sorted(EXAMPLE.rglob("*.md")):
        rel = path.relative_to(EXAMPLE).as_posix()
        note = parse_bytes(rel, path.read_bytes())
        note_type = TYPES.get(note.type or "")
        if note_type is None:
            continue
        stem = path.name[:-3]
        assert note_type.misnamed(note.meta, stem) is None, rel
        made = note_type.path_for(note.meta, ["alice", "bob"])
        if note_type.name_check == "exact" or note_type.fixed_path:
            assert made == rel
            seen.add(note_type.name)
        elif note_type.ids is not None:
            assert made.startswith(f"{note_type.folder}/{note.meta['id']}")
    assert seen == {"checkin", "meeting", "review", "language"}


def test_check_names_the_file_new_would_write() -> None:
    from openbook.notetypes.registry import TYPES

    meta = {"type": "checkin", "author": "bob", "date": dt.date(2026, 11, 24)}
    assert TYPES["checkin"].path_for(meta, ["alice", "bob"]) == "checkins/2026/2026-11-24-bob.md"
    assert TYPES["checkin"].misnamed(meta, "2026-11-23-bob") == "2026-11-24-bob"
    agreement = {"type": "agreement", "id": "A-004", "title": "Phone stays open"}
    assert TYPES["agreement"].path_for(agreement, []) == "agreements/A-004-phone-stays-open.md"
    assert TYPES["agreement"].misnamed(agreement, "A-004-anything") is None
    assert TYPES["agreement"].misnamed(agreement, "phone") == "A-004-…"
    assert TYPES["question"].misnamed({"id": "Q-0009"}, "Q-0008") == "Q-0009"
    with pytest.raises(NoteError, match="author must be a partner id"):
        TYPES["checkin"].path_for({**meta, "author": "carol"}, ["alice", "bob"])


def test_save_note_writes_validates_and_commits_once(vault: Path) -> None:
    from openbook.record.create import save_note
    from openbook.vault import Vault

    meta = {
        "type": "meeting",
        "date": dt.date(2026, 11, 22),
        "week": "2026-W47",
        "participants": ["alice", "bob"],
        "facilitator": "bob",
        "format": "full",
        "decisions": [],
    }
    created = save_note(Vault(vault), "bob", meta, "# Agenda\n", exists_hint="Open it.")
    assert (created.path, created.note_type) == ("meetings/2026/2026-W47.md", "meeting")
    assert git(vault, "log", "-1", "--format=%H") == created.commit
    assert git(vault, "show", "--name-only", "--format=", "HEAD") == created.path
    assert invoke(["check", "--strict"], vault=vault).exit_code == 0
    with pytest.raises(NoteError) as again:
        save_note(Vault(vault), "bob", meta, "# Agenda\n", exists_hint="Open it.")
    assert str(again.value) == (
        "meetings/2026/2026-W47.md already exists; openbook never overwrites a note. Open it."
    )
    wrong = {**meta, "week": "2026-W48", "date": dt.date(2026, 11, 22)}
    with pytest.raises(ValidationFailed, match="week 2026-W48 does not contain the meeting date"):
        save_note(Vault(vault), "bob", wrong, "")
    assert not (vault / "meetings/2026/2026-W48.md").exists()
    assert git(vault, "log", "-1", "--format=%H") == created.commit


def _editor(tmp_path: Path, mood: str) -> str:
    script = tmp_path / f"editor-{mood}.sh"
    script.write_text(f"#!/bin/sh\nsed -i 's/^mood:.*/mood: {mood}/' \"$1\"\n")
    script.chmod(0o755)
    return str(script)


def test_new_with_an_editor_commits_the_edited_note(vault: Path, tmp_path: Path) -> None:
    before = git(vault, "rev-parse", "HEAD")
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": _editor(tmp_path, "4")})
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "checkins/2026/2026-11-24-bob.md\n"
    assert "mood: 4\n" in (vault / "checkins/2026/2026-11-24-bob.md").read_text()
    assert git(vault, "rev-parse", "HEAD~1") == before
    assert git(vault, "status", "--porcelain") == ""


def test_new_with_an_editor_keeps_a_broken_note_uncommitted(vault: Path, tmp_path: Path) -> None:
    before = git(vault, "rev-parse", "HEAD")
    res = invoke(["new", "checkin", "--edit"], vault=vault, env={"EDITOR": _editor(tmp_path, "9")})
    assert res.exit_code == 1
    path = "checkins/2026/2026-11-24-bob.md"
    line = (vault / path).read_text().splitlines().index("mood: 9") + 1
    assert res.stderr == (
        f"{path}:{line}:7: error: mood must be between 1 and 5, got 9 [field-value]\n"
        f"openbook: {path} is saved but not committed because of the problems above; "
        "fix them, then run 'openbook commit'.\n"
    )
    assert git(vault, "rev-parse", "HEAD") == before
    assert git(vault, "status", "--porcelain", "--untracked-files=all") == f"?? {path}"
