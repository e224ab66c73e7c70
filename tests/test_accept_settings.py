"""accept settings: one partner's change stays a proposal until the other accepts it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testing import Pair, git, invoke, make_pair, trailers
from testing.terminal import run_on_a_terminal


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


def _alice_proposes(pair: Pair, old: str, new: str) -> None:
    """Alice changes `old` to `new` in openbook.yml, commits and shares it; Bob receives it."""
    cfg = pair.alice / "openbook.yml"
    text = cfg.read_text()
    assert old in text
    cfg.write_text(text.replace(old, new))
    assert invoke(["commit"], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0


def _propose_earlier_meeting(pair: Pair) -> None:
    _alice_proposes(pair, "at: '19:00'", "at: '18:00'")


def test_the_other_partner_accepts_the_proposed_settings(pair: Pair) -> None:
    _propose_earlier_meeting(pair)
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"]["waiting"] == ["bob"]
    res = invoke(["accept", "settings"], vault=pair.alice)
    assert res.exit_code == 1
    assert "when your partner runs 'openbook accept settings'" in res.stderr
    res = invoke(["accept", "settings", "--yes"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.endswith(
        "You accepted the new settings; they are in force from now for both of you.\n"
    )
    assert trailers(pair.bob)["Openbook-Type"] == "settings"
    assert trailers(pair.bob)["Openbook-Action"] == "accept"
    assert "Openbook-Settings" in trailers(pair.bob)
    assert git(pair.bob, "log", "-1", "--format=%an") == "Bob Example"
    status = json.loads(invoke(["status", "--json"], vault=pair.bob).stdout)
    assert status["settings_proposal"] is None
    res = invoke(["accept", "settings"], vault=pair.bob)
    assert res.exit_code == 1
    assert "no new settings waiting" in res.stderr


def test_settings_are_never_accepted_for_the_other_partner(pair: Pair) -> None:
    _propose_earlier_meeting(pair)
    res = invoke(["accept", "settings"], vault=pair.bob, as_partner="alice")
    assert res.exit_code == 2


def test_on_a_terminal_a_changed_schedule_is_shown_in_plain_words_before_asking(
    pair: Pair,
) -> None:
    _alice_proposes(pair, "bob: {every: day, by: '21:00'}", "bob: {every: day, by: '22:00'}")
    code, screen = run_on_a_terminal(pair.bob, ["accept", "settings"], b"y\n")
    assert code == 0, screen
    screen = re.sub(r"on [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}\.", "on DAY.", screen)
    assert screen.replace("\r\n", "\n").startswith(
        "Alice Example proposed new settings on DAY. If you accept, they are in force "
        "from now on for both of you; nothing before now is counted again:\n"
        "  Bob Example's check-ins: every day by 22:00, was every day by 21:00\n"
        "Accept these settings? [y/N]: y\n"
        "You accepted the new settings; they are in force from now for both of you.\n"
    ), screen
