"""Consent per setting (SPEC section 10): nothing of the vault's first version binds until
the joining partner accepts it; a proposal of one setting never holds back another that
both accepted; `decline settings` says no; setting a value back withdraws a proposal."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from testing import Pair, bare_remote, git, invoke, make_pair, make_vault
from testing.plain import commit_and_push

from openbook.config import CONFIG_NAME, config_from_bytes
from openbook.ritual.history import read_history, terms_in_force
from openbook.trust.verify import trust_state_at
from openbook.vault import Vault


def _status(root: Path, who: str) -> dict[str, Any]:
    res = invoke(["status", "--json"], vault=root, as_partner=who)
    assert res.exit_code == 0, res.stderr
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def _in_force(root: Path) -> Any:
    vault = Vault(root)
    cfg = vault.require_config()
    force = terms_in_force(read_history(vault), cfg)
    return config_from_bytes(force[-1].text.encode(), Path(CONFIG_NAME))


def _ok(root: Path, who: str, *args: str) -> str:
    res = invoke(list(args), vault=root, as_partner=who)
    assert res.exit_code == 0, res.stdout + res.stderr
    return res.stdout


def _bob_proposes(pair: Pair, old: str, new: str, message: str) -> None:
    text = (pair.bob / "openbook.yml").read_text()
    assert old in text
    commit_and_push(pair.bob, "bob", {"openbook.yml": text.replace(old, new)}, message)
    _ok(pair.alice, "alice", "sync")


def test_nothing_is_in_force_until_the_joining_partner_accepts(tmp_path: Path) -> None:
    pair = make_pair(tmp_path, joined=False)  # the first version carries both schedules
    assert _in_force(pair.alice).checkins == {}
    status = _status(pair.alice, "alice")
    assert status["checkins"] == []
    assert "Nothing is in force yet" in status["settings_proposal"]["text"]
    assert status["settings_proposal"]["waiting"] == ["alice"]
    out = _ok(pair.alice, "alice", "accept", "settings", "--yes")
    assert "accepted" in out
    assert set(_in_force(pair.alice).checkins) == {"alice", "bob"}
    status = _status(pair.alice, "alice")
    assert status["settings_proposal"] is None
    assert {c["partner"] for c in status["checkins"]} >= {"alice", "bob"}


def test_accepting_one_setting_leaves_the_other_waiting(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    _bob_proposes(pair, "by: '21:00'", "by: '07:00'", "earlier check-ins")
    meeting = (pair.bob / "openbook.yml").read_text()
    _bob_proposes(pair, meeting.split("meeting:", 1)[1].split("\n", 1)[0], " {on: monday}", "m")
    waiting = _status(pair.alice, "alice")["settings_proposal"]["settings"]
    assert "meeting" in waiting and "checkins.bob" in waiting
    _ok(pair.alice, "alice", "accept", "settings", "meeting", "--yes")
    force = _in_force(pair.alice)
    assert force.meeting_on == 0  # Monday
    assert force.checkins["bob"].by.hour == 21
    proposal = _status(pair.alice, "alice")["settings_proposal"]
    assert "meeting" not in proposal["settings"] and "checkins.bob" in proposal["settings"]


def test_decline_clears_the_proposal_everywhere(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    _bob_proposes(pair, "by: '21:00'", "by: '07:00'", "earlier check-ins")
    assert _status(pair.alice, "alice")["settings_proposal"] is not None
    _ok(pair.alice, "alice", "decline", "settings")
    assert git(pair.alice, "log", "-1", "--format=%B").count("Openbook-Action: decline") == 1
    assert _status(pair.alice, "alice")["settings_proposal"] is None
    assert _in_force(pair.alice).checkins["bob"].by.hour == 21
    for cmd in (["status"], ["agenda"]):
        assert "07:00" not in _ok(pair.alice, "alice", *cmd)
    _ok(pair.alice, "alice", "sync")
    _ok(pair.bob, "bob", "sync")
    assert _status(pair.bob, "bob")["settings_proposal"] is None


def test_the_proposer_setting_the_value_back_withdraws(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    _bob_proposes(pair, "by: '21:00'", "by: '07:00'", "earlier check-ins")
    assert _status(pair.alice, "alice")["settings_proposal"] is not None
    _bob_proposes(pair, "by: '07:00'", "by: '21:00'", "as before")
    assert _status(pair.alice, "alice")["settings_proposal"] is None
    assert _status(pair.bob, "bob")["settings_proposal"] is None


@pytest.mark.slow
def test_the_trust_layer_and_the_ritual_agree(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    # a proposal Alice accepts, and one she declines
    _bob_proposes(pair, "timezone: Europe/Berlin", "timezone: Europe/Paris", "paris")
    _ok(pair.alice, "alice", "accept", "settings", "--yes")
    _ok(pair.alice, "alice", "sync")
    _ok(pair.bob, "bob", "sync")
    time.sleep(1.1)  # git dates are whole seconds: the next proposal comes after the accept
    _bob_proposes(pair, "timezone: Europe/Paris", "timezone: Europe/Rome", "rome")
    _ok(pair.alice, "alice", "decline", "settings", "timezone")
    trust = trust_state_at(pair.alice, "HEAD", remembered=False)
    assert trust.timezone == "Europe/Paris" and "timezone" not in trust.pending
    assert _in_force(pair.alice).timezone == "Europe/Paris"
    assert _status(pair.alice, "alice")["settings_proposal"] is None


def test_clone_offers_the_first_settings_to_accept(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    bob = make_vault(tmp_path / "bob", "bob", joined=False)
    git(bob, "remote", "add", "origin", str(remote))
    _ok(bob, "bob", "sync")
    res = invoke(["--as", "alice", "clone", str(remote), str(tmp_path / "alice")])
    assert res.exit_code == 0, res.stderr
    assert "Bob Example wrote the vault's first settings" in res.stdout
    assert "every day by 21:00" in res.stdout
    assert "openbook accept settings" in res.stdout
    assert _in_force(tmp_path / "alice").checkins == {}


def test_before_joining_no_meeting_is_reminded(tmp_path: Path) -> None:
    sunday = {"OPENBOOK_NOW": "2026-11-22T18:30:00+01:00"}  # half an hour before 19:00
    bob = make_vault(tmp_path / "bob", "bob", joined=False)
    res = invoke(["remind", "--json"], vault=bob, as_partner="bob", env=sunday)
    assert res.exit_code == 0, res.stderr
    assert "meeting" not in res.stdout
    joined = make_vault(tmp_path / "joined", "bob")
    res = invoke(["remind", "--json"], vault=joined, as_partner="bob", env=sunday)
    assert '"meeting"' in res.stdout
