"""Read and write one note: frontmatter with positions, body, byte-exact round trips."""

from __future__ import annotations

import datetime as dt
import re
from sys import intern
from typing import Any

import yaml

from openbook.notes.compose import render_note
from openbook.notes.note import Note, PathKey, Pos, Problem
from openbook.notes.yamlio import (
    TAG_BOOL,
    TAG_FLOAT,
    TAG_INT,
    TAG_MAP,
    TAG_NULL,
    TAG_PLAIN,
    TAG_SEQ,
    TAG_STR,
    TAG_TIMESTAMP,
    CoreLoader,
    dump_value,
    parse_timestamp,
    resolve_plain,
)

MAX_FILE_BYTES = 1024 * 1024
# keys, and values up to this long (a type, an id, a partner, "yes"), are shared between
# the notes that hold them rather than kept once for each note: a vault's notes repeat them
SHARED_TEXT = 32
MAX_FRONTMATTER_BYTES = 64 * 1024
MAX_DEPTH = 32  # nesting deeper than this is never a note; refuse it before building
_TOO_DEEP = f"values are nested deeper than {MAX_DEPTH} levels; flatten the frontmatter"
BOM = "\ufeff"

# Note and Problem live in openbook.notes.note; importers take them from here as well
__all__ = [
    "BOM",
    "MAX_FILE_BYTES",
    "MAX_FRONTMATTER_BYTES",
    "Note",
    "Problem",
    "parse_bytes",
    "render_note",
    "split_frontmatter",
    "update_fields",
]

# the opening and closing lines: `---`, blanks after it allowed, as python-frontmatter's
# YAMLHandler (`^-{3,}\s*$`) and other frontmatter readers take them (docs/choices.md)
_OPEN = re.compile(r"---[ \t]*(\r?\n|$)")
_CLOSE = re.compile(r"^---[ \t]*\r?$", re.M)
_CONFLICT = re.compile(r"^(<{7}|>{7})(?: |$)", re.M)
_CONFLICT_MID = re.compile(r"^={7}\r?$", re.M)


def split_frontmatter(text: str) -> tuple[str, str, int] | None:
    """Split text (BOM removed) into (yaml, body, body_start_offset), or None if no frontmatter."""
    opening = _OPEN.match(text)
    if opening is None:
        return None
    first_nl = opening.end() if opening[1] else 0
    m = _CLOSE.search(text, first_nl)
    if m is None:
        return None
    end = m.end()
    if text.startswith("\r\n", end) or text.startswith("\n", end):
        end += 2 if text.startswith("\r\n", end) else 1
    return text[first_nl : m.start()], text[end:], end


class _Builder:
    """Turn libyaml nodes into Python values, recording positions and problems."""

    def __init__(self, note: Note, line_offset: int, track: bool = True) -> None:
        self.note = note
        self.off = line_offset
        self.track = track
        if track:  # a note's own positions (Note shares one empty mapping until then)
            note.key_pos, note.value_pos, note.nested_key_pos = {}, {}, {}

    def at(self, mark: Any) -> Pos:
        return (mark.line + 1 + self.off, mark.column + 1)

    def problem(self, pos: Pos, rule: str, message: str) -> None:
        self.note.problems.append(Problem(self.note.path, pos[0], pos[1], "error", rule, message))

    def build(self, node: Any, path: PathKey) -> Any:
        if self.track:
            mark = node.start_mark
            pos = (mark.line + 1 + self.off, mark.column + 1)
            self.note.value_pos[path] = pos
        else:
            pos = (1, 1)
        if node.__class__ is yaml.ScalarNode:
            tag = node.tag
            if tag == TAG_PLAIN:
                tag = resolve_plain(node.value)
            if tag == TAG_STR:
                return node.value  # the common case, kept fast
            return self.scalar(node, pos, tag)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != TAG_SEQ:
                self.problem(pos, "yaml-syntax", f"tag {node.tag} is not supported; remove it")
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if node.tag != TAG_MAP:
            self.problem(pos, "yaml-syntax", f"tag {node.tag} is not supported; remove it")
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            kpos = self.at(knode.start_mark) if self.track else pos
            if not isinstance(knode, yaml.ScalarNode):
                self.problem(kpos, "yaml-syntax", "a key must be plain text; quote it")
                continue
            key = self.scalar(knode, kpos)
            if not isinstance(key, str | int | dt.date | bool) or key is None:
                key = knode.value
            if key in out:
                self.problem(
                    kpos,
                    "duplicate-key",
                    f"key '{key}' appears twice; keep one and delete the other",
                )
            if not self.track:
                pass
            elif not path and isinstance(key, str):
                self.note.key_pos.setdefault(key, kpos)
            elif path:
                self.note.nested_key_pos.setdefault((*path, str(key)), kpos)
            out[key] = self.build(vnode, (*path, str(key)))
        return out

    def fast(self, node: Any) -> Any:
        """`build` without positions: the path taken by every note that has no problem."""
        cls = node.__class__
        if cls is yaml.ScalarNode:
            tag = node.tag
            if tag == TAG_PLAIN:
                tag = resolve_plain(node.value)
            if tag == TAG_STR:
                value: str = node.value
                return intern(value) if len(value) <= SHARED_TEXT else value
            return self.scalar(node, (1, 1), tag)
        if cls is yaml.SequenceNode:
            if node.tag != TAG_SEQ:
                self.problem((1, 1), "yaml-syntax", f"tag {node.tag} is not supported")
            return [self.fast(child) for child in node.value]
        if node.tag != TAG_MAP:
            self.problem((1, 1), "yaml-syntax", f"tag {node.tag} is not supported")
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if knode.__class__ is not yaml.ScalarNode:
                self.problem((1, 1), "yaml-syntax", "a key must be plain text; quote it")
                continue
            kv = knode.value
            ktag = resolve_plain(kv) if knode.tag == TAG_PLAIN else knode.tag
            key = intern(kv) if ktag == TAG_STR else self.scalar(knode, (1, 1), ktag)
            if key is None or not isinstance(key, str | int | dt.date):
                key = kv
            if key in out:
                self.problem((1, 1), "duplicate-key", f"key '{key}' appears twice")
            out[key] = self.fast(vnode)
        return out

    def scalar(self, node: Any, pos: Pos, tag: str | None = None) -> Any:
        value = node.value
        if tag is None:
            tag = resolve_plain(value) if node.tag == TAG_PLAIN else node.tag
        try:
            if tag == TAG_STR:
                return value
            if tag == TAG_NULL:
                return None
            if tag == TAG_BOOL:
                return value.lower() == "true"
            if tag == TAG_INT:
                if value.startswith("0o"):
                    return int(value[2:], 8)
                if value.startswith("0x"):
                    return int(value[2:], 16)
                return int(value)
            if tag == TAG_FLOAT:
                low = value.lower()
                if low.endswith(".inf"):
                    return float("-inf") if low.startswith("-") else float("inf")
                if low == ".nan":
                    return float("nan")
                return float(value)
            if tag == TAG_TIMESTAMP:
                return parse_timestamp(value)
        except ValueError:
            self.problem(pos, "field-type", f"'{value}' is not a valid date or number; fix it")
            return value
        self.problem(pos, "yaml-syntax", f"tag {tag} is not supported; remove it")
        return value


def _find_alias(yaml_text: str, off: int) -> Pos | None:
    for event in yaml.parse(yaml_text, Loader=CoreLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark: Any = event.start_mark
            return (mark.line + 1 + off, mark.column + 1)
    return None


def _maybe_deep(yaml_text: str) -> bool:
    """A cheap test that lets ordinary notes skip the depth scan."""
    openers = yaml_text.count("[") + yaml_text.count("{") + yaml_text.count("- ")
    if openers > MAX_DEPTH:
        return True
    return any(len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH for line in yaml_text.split("\n"))


def _too_deep(yaml_text: str, off: int) -> Pos | None:
    """Where nesting first goes deeper than MAX_DEPTH, from libyaml's event stream."""
    depth = 0
    for event in yaml.parse(yaml_text, Loader=CoreLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark: Any = event.start_mark
                return (mark.line + 1 + off, mark.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _fail(note: Note, line: int, col: int, rule: str, msg: str) -> Note:
    note.problems.append(Problem(note.path, line, col, "error", rule, msg))
    return note


def _text(note: Note, data: bytes) -> str | None:
    """The file's text without BOM; None (with the problem noted) when it cannot be a note."""
    if len(data) > MAX_FILE_BYTES:
        _fail(
            note, 1, 1, "file-too-large", "file is larger than 1 MiB; split it into smaller notes"
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        _fail(note, line, col, "encoding", "file is not valid UTF-8; save it as UTF-8")
        return None
    if text.startswith(BOM):
        text = text[1:]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        _fail(note, line, 1, "encoding", "file contains a NUL byte; save it as plain UTF-8 text")
        return None
    m = _CONFLICT.search(text)
    if m is not None:  # noted, and the note is still read
        line = text.count("\n", 0, m.start()) + 1
        _fail(
            note,
            line,
            1,
            "conflict-markers",
            "git conflict markers found; keep the text you both want and delete the marker lines",
        )
    return text


def _refused(note: Note, yaml_text: str, off: int) -> bool:
    """True (with the problem noted) when the frontmatter is too large, aliased or too deep."""
    if len(yaml_text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        msg = "frontmatter is larger than 64 KiB; move text into the body"
        _fail(note, 1, 1, "file-too-large", msg)
        return True
    if "&" in yaml_text or "*" in yaml_text:
        try:
            alias = _find_alias(yaml_text, off)
        except yaml.YAMLError:
            alias = None
        if alias is not None:
            msg = "YAML anchors and aliases are not allowed; write values out"
            _fail(note, *alias, "yaml-alias", msg)
            return True
    if _maybe_deep(yaml_text):
        try:
            deep = _too_deep(yaml_text, off)
        except yaml.YAMLError:
            deep = None  # the syntax error is reported by _compose, with its line
        if deep is not None:
            _fail(note, *deep, "yaml-depth", _TOO_DEEP)
            return True
    return False


def _compose(note: Note, yaml_text: str, off: int) -> Any:
    """libyaml's node tree of the frontmatter; None (with the problem noted) when there is none."""
    try:
        node = yaml.compose(yaml_text, Loader=CoreLoader)
    except yaml.YAMLError as exc:
        mark: Any = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + off if mark else 2
        col = mark.column + 1 if mark else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        if "nesting depth" in reason:
            _fail(note, line, col, "yaml-depth", _TOO_DEEP)
        else:
            msg = f"YAML syntax error: {reason}; fix the frontmatter"
            _fail(note, line, col, "yaml-syntax", msg)
        return None
    if node is None:
        msg = "frontmatter is empty; add 'type:' and fields"
        _fail(note, 1, 1, "frontmatter-not-mapping", msg)
    return node


def parse_bytes(path: str, data: bytes, *, positions: bool = True) -> Note:
    """Parse a note's bytes. Never raises: every issue becomes a Problem.

    With `positions=False` the lines and columns of values are not recorded (faster);
    problems then point at line 1, so parse again with positions to report them.
    """
    note = Note(path)
    text = _text(note, data)
    if text is None:
        return note
    parts = split_frontmatter(text)
    if parts is None:
        if text.startswith("---"):
            msg = "frontmatter has no closing '---' line; add one"
        else:
            msg = "note has no frontmatter; start it with a '---' block"
        return _fail(note, 1, 1, "frontmatter-missing", msg)
    yaml_text, body, _ = parts
    note.body = body
    note.has_frontmatter = True
    off = 1  # yaml line 0 is file line 2
    if _refused(note, yaml_text, off):
        return note
    node = _compose(note, yaml_text, off)
    if node is None:
        return note
    builder = _Builder(note, off, positions)
    if not isinstance(node, yaml.MappingNode):
        msg = "frontmatter must be 'key: value' lines"
        return _fail(note, *builder.at(node.start_mark), "frontmatter-not-mapping", msg)
    value = builder.build(node, ()) if positions else builder.fast(node)
    note.meta = {str(k): v for k, v in value.items()}
    return note


# ---------------------------------------------------------------------------- writing


_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?P<rest>.*?)(?P<eol>\r?)$")


def update_fields(text: str, updates: dict[str, Any]) -> str:
    """Change top-level frontmatter keys in place, leaving every other byte as it was.

    A key that exists is rewritten on its own line (with any indented continuation lines
    replaced); a new key is added before the closing '---'. A value of None removes the key.
    """
    bom = text.startswith(BOM)
    raw = text[1:] if bom else text
    parts = split_frontmatter(raw)
    if parts is None:
        raise ValueError("note has no frontmatter")
    nl = "\r\n" if raw.split("\n", 1)[0].endswith("\r") else "\n"
    lines = raw.splitlines(keepends=True)
    # frontmatter lines are lines[1:close]
    close = 1
    while close < len(lines) and not re.match(r"^---[ \t]*\r?\n?$", lines[close]):
        close += 1
    head = lines[1:close]
    pending = dict(updates)
    out: list[str] = []
    i = 0
    while i < len(head):
        line = head[i]
        m = _KEY_LINE.match(line.rstrip("\n"))
        if m and m["key"] in pending:
            j = i + 1
            while j < len(head) and (head[j][:1] in (" ", "\t", "-") or not head[j].strip()):
                if head[j].startswith("-") and not head[j].startswith("- ") and head[j].strip():
                    break
                j += 1
            value = pending.pop(m["key"])
            if value is not None:
                out.append(f"{m['key']}: {dump_value(value)}{nl}")
            i = j
            continue
        out.append(line)
        i += 1
    if out and not out[-1].endswith("\n"):
        out[-1] += nl
    for key, value in pending.items():
        if value is not None:
            out.append(f"{key}: {dump_value(value)}{nl}")
    result = lines[0] + "".join(out) + "".join(lines[close:])
    return (BOM if bom else "") + result
