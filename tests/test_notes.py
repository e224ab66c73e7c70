"""The note reader and writer: YAML 1.2 scalars, BOM and CRLF, byte-exact edits, no tracebacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.check.note import validate_note
from openbook.config import load_config
from openbook.notes.parse import parse_bytes, render_note, update_fields


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


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_no_input_makes_the_reader_raise(data: bytes) -> None:
    note = parse_bytes("x.md", b"---\n" + data)
    assert isinstance(note.problems, list)
    note = parse_bytes("x.md", data)
    assert isinstance(note.problems, list)


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
