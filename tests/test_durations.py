"""One duration grammar: `watch --quiet/--sync-every` and openbook.yml read the same forms."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from testing import invoke

from openbook.config import load_config

GOOD = {
    "500ms": dt.timedelta(milliseconds=500),
    "0.5s": dt.timedelta(milliseconds=500),
    "3s": dt.timedelta(seconds=3),
    "20m": dt.timedelta(minutes=20),
    " 48h ": dt.timedelta(hours=48),
    "1.5h": dt.timedelta(minutes=90),
    "7d": dt.timedelta(days=7),
    "2w": dt.timedelta(weeks=2),
    "3650d": dt.timedelta(days=3650),
}
BAD = ["3", "soon", "5 minutes", "3y", "-1h", "1e3s", "3651d", "", "h"]
MESSAGE = (
    "'{}' is not a duration; write a number and a unit (ms, s, m, h, d or w), "
    "like 3s, 20m, 48h or 7d, at most 3650d."
)


def _answer_within(vault: Path, value: str) -> dt.timedelta | None:
    path = vault / "openbook.yml"
    text = re.sub(
        r"answer_within: [^,}\n]+", f'answer_within: "{value}"', path.read_text(encoding="utf-8")
    )
    assert f'answer_within: "{value}"' in text
    path.write_text(text, encoding="utf-8")
    cfg = load_config(vault)
    bad = [p for p in cfg.problems if "answer_within" in p.message]
    return None if bad else cfg.answer_within


def test_openbook_yml_reads_every_form_and_refuses_the_rest(vault: Path) -> None:
    for text, span in GOOD.items():
        assert _answer_within(vault, text) == span, text
    for text in BAD:
        assert _answer_within(vault, text) is None, text


@pytest.mark.parametrize("text", BAD[:4])
def test_watch_refuses_what_openbook_yml_refuses_with_one_message(vault: Path, text: str) -> None:
    for option in ("--quiet", "--sync-every"):
        res = invoke(["watch", "--once", option, text], vault=vault)
        assert res.exit_code == 2, (option, text)
        assert MESSAGE.format(text) in " ".join(res.stderr.split()), res.stderr


def test_watch_reads_every_form_openbook_yml_reads() -> None:
    from openbook.commands.watch import _seconds

    for text, span in GOOD.items():
        assert _seconds(text, "--quiet") == pytest.approx(span.total_seconds()), text


def test_propose_answer_within_refuses_with_the_same_message(vault: Path) -> None:
    res = invoke(["propose", "answer-within", "soon"], vault=vault)
    assert res.exit_code == 2
    assert MESSAGE.format("soon") in " ".join(res.stderr.split()), res.stderr
