"""`openbook propose`: a binding setting proposed by command, accepted by the other
partner in their own clone (SPEC section 10); no one edits YAML for ordinary use."""

from __future__ import annotations

import json
from pathlib import Path

from testing import git, invoke, make_pair, trailers


def test_a_schedule_proposed_by_command_waits_for_the_partner(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    res = invoke(["propose", "checkins", "bob", "--every", "day", "--by", "22:00"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (
        "You proposed: Bob Example's check-ins: every day by 22:00, was every day by 21:00. "
        "Nothing changes unless Alice Example accepts; Alice Example can read it with "
        "'openbook accept settings' and say no. Share it with 'openbook sync'.\n"
    )
    assert trailers(pair.bob)["Openbook-Action"] == "propose"
    assert git(pair.bob, "log", "-1", "--format=%s") == "config: propose checkins.bob"
    text = (pair.bob / "openbook.yml").read_text()
    assert 'by: "22:00"' in text or "by: '22:00'" in text or '"by": "22:00"' in text
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    status = invoke(["status"], vault=pair.alice).stdout
    assert "Bob Example's check-ins: every day by 22:00, was every day by 21:00" in status
    res = invoke(["accept", "settings", "--yes"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert (
        "Bob Example's check-ins: every day by 22:00"
        not in invoke(["status"], vault=pair.alice).stdout
    )


def test_proposing_what_is_written_already_changes_nothing(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    head = pair.head("bob")
    res = invoke(["propose", "checkins", "bob", "--every", "day", "--by", "21:00"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "nothing was proposed" in res.stdout
    assert pair.head("bob") == head


def test_every_setting_has_a_command(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    for args in (
        ["meeting", "--on", "saturday", "--at", "18:30", "--minutes", "45"],
        ["answer-within", "24h"],
        ["timeouts", "--min", "30m", "--max", "2h"],
        ["timezone", "Europe/Vienna"],
        ["checkins", "alice", "--none"],
        ["partner", "bob", "--name", "Robert Example"],
    ):
        res = invoke(["propose", *args, "--json"], vault=pair.bob)
        assert res.exit_code == 0, (args, res.stderr)
        assert json.loads(res.stdout)["commit"] == pair.head("bob")
    res = invoke(["check"], vault=pair.bob)
    assert res.exit_code == 0, res.stdout


def test_bad_values_are_refused_with_the_fix_and_nothing_written(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    head = pair.head("bob")
    cases = {
        ("timezone", "Europe/Berln"): "Europe/Berlin",
        ("checkins", "bobb", "--every", "day", "--by", "21:00"): "Did you mean 'bob'?",
        ("checkins", "bob", "--every", "day", "--by", "9pm"): "not a time like 21:00",
        ("meeting", "--on", "sundy", "--at", "19:00"): "not a weekday",
        ("timeouts", "--min", "5m", "--max", "2h"): "cannot be proposed",
        ("answer-within", "soon"): "not a duration",
        ("partner", "bob", "--email", "bob.example.org"): "it needs an @",
        ("partner", "bob"): "Say what changes",
    }
    for args, words in cases.items():
        res = invoke(["propose", *args], vault=pair.bob)
        assert res.exit_code in (1, 2), args
        assert words in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr
    assert pair.head("bob") == head
    assert git(pair.bob, "status", "--porcelain") == ""


def test_only_the_clones_own_partner_proposes(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    args = ["propose", "answer-within", "24h"]
    res = invoke(args, vault=pair.bob, as_partner="alice")
    assert res.exit_code == 2
    assert "This copy is bob's" in res.stderr


def test_a_partners_name_is_proposed_and_accepted_by_the_other(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    res = invoke(["propose", "partner", "bob", "--name", "Robert Example"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.startswith("You proposed: ")
    assert "Robert Example" in res.stdout
    assert git(pair.bob, "log", "-1", "--format=%s") == "config: propose partners.bob"
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    res = invoke(["accept", "settings", "--yes"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert "Robert Example" in res.stdout
