"""A new note with nothing written in it is held back, not committed (commit, watch, sync,
status). It is "nothing written" when its body is its type's template as rendered for it.
A note lacking a line every rendering of that template writes cannot be that, and is told
apart without rendering (Jinja2 is not even loaded): the lines must truly be in every
rendering, or a blank note would be committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from testing import make_vault, write

from openbook.errors import OpenbookError
from openbook.notes.parse import parse_bytes
from openbook.notetypes.registry import TYPES
from openbook.record.blank import _normal, is_blank, template_body
from openbook.render import render, template_source, written_always
from openbook.vault import Vault

NOTE_TYPES = sorted(TYPES)  # every type a new note is written from a template of
METAS: list[dict[str, object]] = [
    {},
    {"title": "After the call"},
    {"kind": "setback", "agreements": ["A-001", "A-002"]},
    {"kind": "rupture", "agreements": "A-001", "status": "open"},
    {"id": "Q-007", "to": "alice", "question": "Where were you?", "due": "2026-11-30"},
    {"good_time": "the walk", "mood": 3, "kept": {"A-001": True}},
]


@pytest.mark.parametrize("note_type", NOTE_TYPES)
def test_every_line_a_template_always_writes_is_in_each_rendering(
    tmp_path: Path, note_type: str
) -> None:
    vault = Vault(make_vault(tmp_path / "v"))
    always = written_always(template_source(f"{note_type}.md.j2") or "")
    assert always, f"{note_type}: no line found that every rendering writes"
    compared = 0
    for meta in METAS:
        for partner in ("alice", "bob"):
            try:
                prose = _normal(template_body(vault, note_type, partner, dict(meta)))
            except OpenbookError:  # fields this template cannot take: nothing to compare
                continue
            missing = [line for line in always if line not in prose]
            assert not missing, (note_type, meta, missing)
            compared += 1
    assert compared >= 4, f"{note_type}: rendered only {compared} times"


OWN_TEMPLATES = {
    "if-else": (
        "{% if meta.get('x') %}\nX {{ meta.get('x') }}\n{% else -%}\nnone\n{%- endif %}"
        "\nAlways {{ 1 }} here\n"
    ),
    "for-set": (
        "{%- set n = meta.get('n', 2) -%}\n{% for i in range(n) %}- item {{ i }}\n{% endfor %}"
        "\nTail line\n{% set block %}hidden{% endset %}{{ block }} end"
    ),
    "macro-with": (
        "{% macro m(a) %}inside {{ a }}{% endmacro %}{{ m(1) }}\n{% with y = 2 %}w{{ y }}"
        "{% endwith %}\n  {#- a comment -#}  Kept  \n"
    ),
    "filter-call": "{% filter upper %}lower{% endfilter %}\nplain {{- ' ' -}} joined\n",
    "set-filtered": (
        "{% set a, b = 1, 2 %}{% set x | replace('=', '-') %}never = shown{% endset %}"
        "\nShown {{ a + b }}\n"
    ),
}


@pytest.mark.parametrize("name", sorted(OWN_TEMPLATES))
def test_a_vault_templates_lines_every_rendering_writes_are_in_them(name: str) -> None:
    source = OWN_TEMPLATES[name]
    always = written_always(source)
    assert always
    for meta in ({}, {"x": "yes"}, {"n": 0}, {"n": 5}, {"x": ""}):
        out = render(None, f"{name}.md.j2", {"meta": meta}, overrides={f"{name}.md.j2": source})
        assert all(line in out for line in always), (name, meta, always, out)


@pytest.mark.parametrize(
    "source",
    [
        '{% extends "repair.md.j2" %}\nText of its own\n',
        "{% raw %}{{ not a tag }}{% endraw %}\n",
        '{{ "a }} b" }}\nTail\n',
        '{% if x == "%}" %}yes{% endif %}\n',
        '{% if y == "%}{% endif %}" %}SECRET{% endif %}\n',
        "{% if x %}\nnever closed\n",
        "{% endif %}\nclosed too often\n",
        "Text {{ never closed\n",
        "{{ x" * 200_000,  # one pass over it, not one per opening: said at once
    ],
)
def test_what_the_text_alone_cannot_tell_claims_no_line(source: str) -> None:
    assert not written_always(source)  # None, or no line: the template is rendered


def _run_is_blank(root: Path, rel: str) -> str:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from openbook.notes.parse import parse_bytes\n"
        "from openbook.record.blank import is_blank\n"
        "from openbook.vault import Vault\n"
        f"root = Path({str(root)!r})\n"
        f"note = parse_bytes({rel!r}, (root / {rel!r}).read_bytes())\n"
        "print(is_blank(Vault(root), note, 'bob'), 'jinja2' in sys.modules)\n"
    )
    env = {**os.environ, "OPENBOOK_PARTNER": "bob"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


REPAIR = "repairs/2026/2026-11-22-bob-call.md"
HEAD = "---\ntype: repair\nauthor: bob\ndate: 2026-11-22\nkind: rupture\nstatus: open\n---\n\n"


def test_a_note_written_by_hand_is_not_blank_and_nothing_is_rendered(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    write(root, REPAIR, HEAD + "I missed the call at nine and did not say so.\n")
    assert _run_is_blank(root, REPAIR) == "False False"


def test_the_template_unchanged_is_still_nothing_written(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    meta = {"type": "repair", "author": "bob", "date": "2026-11-22", "kind": "rupture"}
    body = template_body(Vault(root), "repair", "bob", {**meta, "status": "open"})
    write(root, REPAIR, HEAD + body)
    assert _run_is_blank(root, REPAIR) == "True True"
    note = parse_bytes(REPAIR, (root / REPAIR).read_bytes())
    assert is_blank(Vault(root), note, "bob")
