"""Change one setting of openbook.yml in place, leaving every other byte as it was.

The file is composed (not loaded) with PyYAML's pure-Python composer, whose marks are
character offsets into the text; the value's span is replaced, or the key inserted at
the end of its mapping (inside `{...}` for a flow mapping, as a new line for a block
one). The result is read back and must equal the old settings with that one value set.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from openbook.config import CONFIG_NAME
from openbook.errors import ConfigError
from openbook.notes.parse import parse_bytes
from openbook.notes.yamlio import dump_mapping, dump_value


def read_meta(text: str) -> dict[str, Any] | None:
    """openbook.yml's mapping as the config loader reads it; None when it cannot."""
    data = text.encode("utf-8")
    body = data if data.endswith(b"\n") or not data else data + b"\n"
    note = parse_bytes(CONFIG_NAME, b"---\n" + body + b"---\n", positions=False)
    return None if note.problems else note.meta


def scalar(value: Any) -> str:
    """A value as YAML text; strings in double quotes (JSON strings are valid YAML), so
    a key's comment can never break a flow mapping."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return dump_value(value)


def _find(node: Any, key: str) -> Any:
    for knode, vnode in node.value:
        if isinstance(knode, yaml.ScalarNode) and knode.value == key:
            return vnode
    return None


def _nested(path: tuple[str, ...], value: Any) -> str:
    """`last: value` for the deepest key, wrapped in flow mappings for the keys above."""
    text = f"{path[-1]}: {scalar(value)}"
    for key in reversed(path[:-1]):
        text = f"{key}: {{{text}}}"
    return text


def _insert(text: str, mapping: Any, path: tuple[str, ...], value: Any) -> str:
    entry: str = _nested(path, value)
    if mapping.flow_style:
        close = mapping.end_mark.index - 1
        if text[close] != "}":
            raise ValueError("flow mapping without a closing brace")
        at = close
        while at > 0 and text[at - 1] in " \t\r\n":
            at -= 1
        before = text[at - 1]
        sep = "" if before == "{" else (" " if before == "," else ", ")
        return text[:at] + sep + entry + text[at:]
    if not mapping.value:
        raise ValueError("empty block mapping")
    indent = " " * int(mapping.value[0][0].start_mark.column)
    last = mapping.value[-1][1]
    inline = isinstance(last, yaml.ScalarNode) and last.style not in ("|", ">")
    inline = inline or bool(getattr(last, "flow_style", False))
    if inline:
        nl = text.find("\n", int(last.end_mark.index))
        if nl < 0:
            return text + "\n" + indent + entry + "\n"
        return text[:nl] + "\n" + indent + entry + text[nl:]
    at = int(last.end_mark.index - last.end_mark.column)
    return text[:at] + indent + entry + "\n" + text[at:]


def _edit(text: str, path: tuple[str, ...], value: Any) -> str:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        raise ValueError("not a mapping")
    for depth, key in enumerate(path):
        child = _find(node, key)
        if child is None:
            return _insert(text, node, path[depth:], value)
        if depth == len(path) - 1:
            if not isinstance(child, yaml.ScalarNode) or child.style in ("|", ">"):
                raise ValueError(f"{key} is not a single value")
            start, end = child.start_mark.index, child.end_mark.index
            lead = " " if start == end or text[start - 1] == ":" else ""
            return text[:start] + lead + scalar(value) + text[end:]
        if not isinstance(child, yaml.MappingNode):
            raise ValueError(f"{key} is not a mapping")
        node = child
    raise ValueError("empty path")


def _expected(meta: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    want = json.loads(json.dumps(meta, default=str))
    here = want
    for key in path[:-1]:
        here = here.setdefault(key, {})
    here[path[-1]] = value
    return dict(want)


def set_value(text: str, path: tuple[str, ...], value: Any) -> str:
    """`text` with the setting at `path` (e.g. ("partners", "bob", "signing_key")) set to
    `value`. Raises ConfigError when openbook.yml cannot be read."""
    meta = read_meta(text)
    if meta is None:
        raise ConfigError(
            f"{CONFIG_NAME} cannot be read; run 'openbook check', fix it, then retry."
        )
    want = _expected(meta, path, value)

    def same(candidate: str) -> bool:
        got = read_meta(candidate)
        return got is not None and json.loads(json.dumps(got, default=str)) == want

    try:
        edited = _edit(text, path, value)
        if same(edited):
            return edited
    except (ValueError, yaml.YAMLError):
        pass
    # the file has a shape the in-place edit does not handle: write it out whole
    # (comments are lost, settings kept); still checked before it is used
    lines = text.splitlines(keepends=True)
    top = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    head = "".join(lines[:top])
    whole = head + dump_mapping(_apply(meta, path, value))
    if not same(whole):
        raise ConfigError(
            f"{CONFIG_NAME} could not be changed safely; set {'.'.join(path)} by hand and "
            "run 'openbook commit'."
        )
    return whole


def _apply(meta: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = dict(meta)
    here = out
    for key in path[:-1]:
        child = here.get(key)
        here[key] = dict(child) if isinstance(child, dict) else {}
        here = here[key]
    here[path[-1]] = value
    return out
