"""Partner data is untrusted: deep nesting, huge durations and costly templates never crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testing import git, invoke, write

from openbook.errors import OpenbookError
from openbook.render import render

READ_COMMANDS = [["check"], ["status"], ["agenda"], ["log"], ["agenda", "--format", "json"]]


def _commit_all(root: Path, message: str = "partner") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.mark.parametrize("depth", [40, 500, 5000])
def test_deep_nesting_is_named_with_its_line(vault: Path, depth: int) -> None:
    note = "checkins/2026/2026-11-24-alice.md"
    nested = "[" * depth + "]" * depth
    write(vault, note, f"---\ntype: checkin\nauthor: alice\ndate: 2026-11-24\nx: {nested}\n---\n")
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0].startswith(f"{note}:5:")
    assert res.stdout.splitlines()[0].endswith(
        "error: values are nested deeper than 32 levels; flatten the frontmatter [yaml-depth]"
    )
    for args in READ_COMMANDS[1:]:
        res = invoke(args, vault=vault)
        assert res.exit_code == 0, (args, res.stderr)


def test_huge_duration_is_a_config_error_not_a_crash(vault: Path) -> None:
    cfg = vault / "openbook.yml"
    cfg.write_text(cfg.read_text().replace("answer_within: 48h", "answer_within: 99999999999999d"))
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    line = next(n for n, t in enumerate(cfg.read_text().splitlines(), 1) if "answer_within" in t)
    assert (
        f"openbook.yml:{line}:" in res.stdout
        and "answer_within must be a duration like 48h, at most 3650d [config]" in res.stdout
    )
    for args in READ_COMMANDS[1:]:
        res = invoke(args, vault=vault)  # an exception would fail here with its traceback
        assert res.exit_code in (0, 1), args
        if args != ["log"]:
            assert "openbook.yml" in res.stdout + res.stderr, args


@pytest.mark.parametrize(("lo", "hi"), [("1m", "24h"), ("20m", "48h"), ("5m", "5m")])
def test_timeouts_cannot_leave_20m_to_24h(vault: Path, lo: str, hi: str) -> None:
    cfg = vault / "openbook.yml"
    text = cfg.read_text().replace("min: 20m", f"min: {lo}").replace("max: 24h", f"max: {hi}")
    cfg.write_text(text)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert "must be between 20m and 24h; openbook.yml may narrow that range, never widen it" in (
        res.stdout
    )


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("{{ 9 ** 99999999 }}", "the power 99999999 is too large"),
        ("{{ 'x' * 200000000 }}", "a repeated text or list would be too long"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "it asked for too much"),
        ("{% for i in range(10**9) %}{% endfor %}", "range(1000000000) is too long"),
        (
            "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "the value of s grew too long",
        ),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "range(1000) is too long",
        ),
    ],
)
def test_costly_templates_stop_with_one_sentence(tmp_path: Path, source: str, why: str) -> None:
    with pytest.raises(OpenbookError) as err:
        render(tmp_path, "checkin.md.j2", {}, overrides={"checkin.md.j2": source})
    assert str(err.value) == (
        f".openbook/templates/checkin.md.j2 was stopped: {why}; fix or delete that template."
    )


def test_ordinary_template_arithmetic_still_works(tmp_path: Path) -> None:
    own = {"t.j2": "{{ [1] * 3 }} {{ 2 ** 10 }} {{ 'a' + 'b' }}"}
    assert render(tmp_path, "t.j2", {}, overrides=own) == "[1, 1, 1] 1024 ab"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    depth=st.integers(min_value=0, max_value=3000),
    opener=st.sampled_from(["[", "{a: ", "- "]),
    duration=st.from_regex(r"\A[0-9]{1,20}[mhdw]\Z"),
)
@pytest.mark.slow
def test_random_nesting_and_durations_never_crash(
    vault: Path, depth: int, opener: str, duration: str
) -> None:
    closer = {"[": "]", "{a: ": "}", "- ": ""}[opener]
    body = opener * depth + "x" + closer * depth if opener != "- " else "\n  " + "- " * depth + "x"
    write(
        vault,
        "checkins/2026/2026-11-24-alice.md",
        f"---\ntype: checkin\nauthor: alice\ndate: 2026-11-24\nx: {body}\n---\n",
    )
    cfg = vault / "openbook.yml"
    text = cfg.read_text()
    cfg.write_text(
        text.split("answer_within:")[0]
        + f"answer_within: {duration}\n"
        + text.split("answer_within:")[1].split("\n", 1)[1]
    )
    for args in (["check"], ["status"], ["agenda", "--format", "json"]):
        res = invoke(args, vault=vault)
        assert res.exit_code in (0, 1), (args, res.stderr)
    cfg.write_text(text)
