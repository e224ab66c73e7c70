"""The trust settings (time zone, partners, require_signatures) bind by consent, and
settings that do not load never take a vault down (SPEC sections 7 and 10)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from testing import Pair, checkin_path, checkin_text, git, invoke, make_pair, make_vault, write

from openbook.errors import OpenbookError
from openbook.ritual.settings_consent import accept_settings, proposal_for
from openbook.trust.inforce import SETTING_TRAILER, setting_digest
from openbook.vault import Vault


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


ALICE_ENV = {
    "GIT_AUTHOR_NAME": "Alice Example",
    "GIT_AUTHOR_EMAIL": "alice@example.org",
    "GIT_COMMITTER_NAME": "Alice Example",
    "GIT_COMMITTER_EMAIL": "alice@example.org",
}


def _alice_commits(pair: Pair, old: str, new: str) -> None:
    """Alice changes openbook.yml with plain git and pushes; Bob syncs."""
    path = pair.alice / "openbook.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    git(pair.alice, "add", "--", "openbook.yml")
    git(pair.alice, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "edit", env=ALICE_ENV)
    git(pair.alice, "push", "-q", "origin", "main")


def _status(root: Path) -> dict[str, object]:
    res = invoke(["status", "--json"], vault=root)
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert isinstance(data, dict)
    return data


def _setting_trailers(root: Path) -> dict[str, str]:
    text = git(root, "log", "-1", "--format=%(trailers:only,unfold)")
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(": ")
        if key == SETTING_TRAILER:
            name, _, digest = value.partition(" ")
            out[name] = digest
    return out


def test_a_time_zone_changed_by_one_partner_waits_for_the_other(pair: Pair) -> None:
    before = _status(pair.bob)
    _alice_commits(pair, "timezone: Europe/Berlin", "timezone: America/New_York")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    assert "time zone America/New_York, was Europe/Berlin" in res.stdout
    status = _status(pair.bob)
    assert str(status["now"]).endswith("+01:00")  # Berlin is still in force
    assert status["checkins"] == before["checkins"]
    assert (
        "time zone America/New_York, was Europe/Berlin" in invoke(["status"], vault=pair.bob).stdout
    )
    agenda = invoke(["agenda"], vault=pair.bob)
    assert agenda.exit_code == 0, agenda.stderr
    assert "time zone America/New_York, was Europe/Berlin" in agenda.stdout
    res = invoke(["accept", "settings", "--yes"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert "time zone America/New_York, was Europe/Berlin" in res.stdout
    found = _setting_trailers(pair.bob)
    assert found["timezone"] == setting_digest("America/New_York")
    assert set(found) == {"timezone"}  # consent is per setting: only what waits is named
    assert str(_status(pair.bob)["now"]).endswith("-05:00")


def test_an_email_changed_by_the_other_partner_does_not_map_until_accepted(pair: Pair) -> None:
    _alice_commits(pair, "email: bob@example.org", "email: bob@new.example")
    assert pair.sync("bob").exit_code == 0
    status = invoke(["status"], vault=pair.bob)
    assert "Bob Example's email bob@new.example, was bob@example.org" in status.stdout
    assert "Nothing changes unless you accept" in status.stdout
    write(pair.bob, checkin_path("bob", "2026-11-24"), checkin_text("bob", "2026-11-24"))
    res = invoke(["commit"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert git(pair.bob, "log", "-1", "--format=%ae") == "bob@example.org"
    res = invoke(["accept", "settings", "--yes"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert _setting_trailers(pair.bob)["partners.bob"] == setting_digest(
        {"name": "Bob Example", "email": "bob@new.example"}
    )
    assert _status(pair.bob)["settings_proposal"] is None


def test_signatures_required_by_one_partner_are_a_proposal_in_plain_words(pair: Pair) -> None:
    _alice_commits(pair, "require_signatures: false", "require_signatures: true")
    res = pair.sync("bob")
    assert res.exit_code == 0, res.stderr
    words = (
        "Alice Example proposed: signatures required. Nothing changes unless Bob Example "
        "accepts; Bob Example can read it with 'openbook accept settings' and say no"
    )
    spoken_to = (
        "Alice Example proposed: signatures required. Nothing changes unless you accept; "
        "'openbook accept settings' shows it, and you may say no."
    )
    assert spoken_to in res.stdout
    assert (
        "Alice Example proposed: signatures required. Nothing changes unless you accept; "
        "'openbook accept settings' shows it, and you may say no."
    ) in invoke(["status"], vault=pair.bob).stdout
    assert words in invoke(["agenda"], vault=pair.bob).stdout
    # Bob has no key: accepting that signatures are required is refused, calmly
    res = invoke(["accept", "settings", "--yes"], vault=pair.bob)
    assert res.exit_code == 1
    assert "openbook keys add" in res.stderr


NOT_LOADING = {
    "an alias": ("review: {every: month}", "review: &r {every: month}\nrest: *r"),
    "a duplicate key": ("review: {every: month}", "review: {every: month}\nreview: {every: month}"),
    "an unknown zone": ("timezone: Europe/Berlin", "timezone: Mars/Olympus"),
    "two partners with one email": ("email: bob@example.org", "email: alice@example.org"),
    "a third partner": (
        "  bob: {name",
        "  carol: {name: Carol, email: carol@example.org}\n  bob: {name",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_LOADING))
def test_settings_that_do_not_load_never_take_the_vault_down(pair: Pair, case: str) -> None:
    old, new = NOT_LOADING[case]
    before = (pair.bob / "openbook.yml").read_text()
    _alice_commits(pair, old, new)
    res = pair.sync("bob")
    # merged and set aside (SPEC 5): the work tree keeps the settings in force
    assert res.exit_code == 1, res.stderr
    assert "openbook.yml does not load" in res.stdout + res.stderr
    assert (pair.bob / "openbook.yml").read_text() == before
    assert new in git(pair.bob, "show", "HEAD:openbook.yml")
    status = invoke(["status"], vault=pair.bob)
    assert status.exit_code == 0, status.stderr
    assert "does not know who you are" not in status.stdout
    assert "openbook.yml does not load" in status.stdout + status.stderr
    assert str(_status(pair.bob)["now"]).endswith("+01:00")
    agenda = invoke(["agenda"], vault=pair.bob)
    assert agenda.exit_code == 0, agenda.stderr
    write(pair.bob, checkin_path("bob", "2026-11-24"), checkin_text("bob", "2026-11-24"))
    res = invoke(["commit"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert invoke(["log"], vault=pair.bob).exit_code == 0
    assert invoke(["accept", "settings", "--yes"], vault=pair.bob).exit_code == 1
    assert pair.sync("bob").exit_code == 0


def test_a_working_tree_edit_that_does_not_load_is_never_used(pair: Pair) -> None:
    path = pair.bob / "openbook.yml"
    path.write_text(path.read_text().replace("Europe/Berlin", "Mars/Olympus"))
    res = invoke(["status", "--json"], vault=pair.bob)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["now"].endswith("+01:00")
    assert "openbook.yml does not load" in res.stderr


def test_two_partners_with_one_email_is_a_config_problem(pair: Pair) -> None:
    path = pair.bob / "openbook.yml"
    path.write_text(path.read_text().replace("bob@example.org", "alice@example.org"))
    res = invoke(["check"], vault=pair.bob)
    assert "[config]" in res.stdout
    assert "alice@example.org" in res.stdout


def test_accept_settings_without_a_terminal_needs_yes(pair: Pair) -> None:
    _alice_commits(pair, "timezone: Europe/Berlin", "timezone: Europe/London")
    assert pair.sync("bob").exit_code == 0
    res = invoke(["accept", "settings"], vault=pair.bob)
    assert res.exit_code == 1
    assert "--yes" in res.stderr
    assert _status(pair.bob)["settings_proposal"] is not None


def test_accept_settings_binds_to_the_version_it_showed(pair: Pair) -> None:
    _alice_commits(pair, "timezone: Europe/Berlin", "timezone: Europe/London")
    assert pair.sync("bob").exit_code == 0
    vault = Vault(pair.bob)
    shown = proposal_for(vault, "bob")
    _alice_commits(pair, "timezone: Europe/London", "timezone: Europe/Paris")
    assert pair.sync("bob").exit_code == 0
    with pytest.raises(OpenbookError, match="changed while you read"):
        accept_settings(Vault(pair.bob), "bob", shown.version)
    assert _status(pair.bob)["settings_proposal"] is not None


def _keygen(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    args = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)]
    subprocess.run(args, check=True, capture_output=True)
    return path.with_name(path.name + ".pub")


def _fingerprint(pub: Path) -> str:
    out = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True)
    return out.stdout.split()[1]


@pytest.mark.slow
def test_a_replaced_key_waits_for_the_other_partner(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    old, new = _keygen(tmp_path / "keys" / "bob"), _keygen(tmp_path / "keys" / "bob2")
    assert invoke(["keys", "add", str(old)], vault=pair.bob).exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert _status(pair.alice)["settings_proposal"] is None  # Bob's first key is his own
    # the key is lost: Bob lists a new one, signed by the new key (as `keys replace` does)
    path = pair.bob / "openbook.yml"
    old_line, new_line = old.read_text().strip(), new.read_text().strip()
    path.write_text(path.read_text().replace(old_line, new_line))
    git(pair.bob, "add", "--", "openbook.yml")
    bob = {
        k.replace("ALICE", "BOB"): v.replace("Alice", "Bob").replace("alice", "bob")
        for k, v in ALICE_ENV.items()
    }
    git(pair.bob, "-c", f"user.signingkey={new}", "commit", "-q", "-S", "-m", "lost", env=bob)
    git(pair.bob, "push", "-q", "origin", "main")
    res = pair.sync("alice")
    assert res.exit_code == 0, res.stderr
    words = (
        f"Bob Example's signing key replaced: {_fingerprint(new)}, was {_fingerprint(old)} — "
        "compare it with Bob Example in person before accepting"
    )
    assert words in res.stdout
    assert words in invoke(["status"], vault=pair.alice).stdout
    keys = json.loads(invoke(["keys", "list", "--json"], vault=pair.alice).stdout)
    listed = {p["partner"]: p["fingerprint"] for p in keys["partners"]}
    assert listed["bob"] == _fingerprint(old)  # the key in force until Alice accepts
    res = invoke(["accept", "settings", "--yes"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    key_text = " ".join(new_line.split()[:2])
    assert _setting_trailers(pair.alice)["partners.bob.signing_key"] == setting_digest(key_text)
    assert _status(pair.alice)["settings_proposal"] is None
    keys = json.loads(invoke(["keys", "list", "--json"], vault=pair.alice).stdout)
    assert {p["partner"]: p["fingerprint"] for p in keys["partners"]}["bob"] == _fingerprint(new)


def test_settings_that_do_not_load_are_named_as_the_cause(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "vault")
    path = root / "openbook.yml"
    path.write_text(path.read_text().replace("review: {every: month}", "review: &r {}\nx: *r"))
    git(root, "add", "openbook.yml")
    git(root, "commit", "-q", "--amend", "--no-edit")  # the only version there is
    res = invoke(["status"], vault=root)
    assert "does not know who you are" not in res.stdout
    assert "openbook.yml has" in res.stdout


@pytest.mark.slow
def test_accepting_required_signatures_shows_both_keys_and_checks_my_own(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    keys = {who: _keygen(tmp_path / "keys" / who) for who in ("alice", "bob", "eve")}
    assert invoke(["keys", "add", str(keys["bob"])], vault=pair.bob).exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert invoke(["keys", "add", str(keys["alice"])], vault=pair.alice).exit_code == 0
    assert pair.sync("alice").exit_code == 0
    assert pair.sync("bob").exit_code == 0
    assert invoke(["keys", "require"], vault=pair.bob).exit_code == 0
    assert pair.sync("bob").exit_code == 0
    res = pair.sync("alice")
    assert "Bob Example proposed: signatures required. Nothing changes unless you" in res.stdout
    assert (
        json.loads(invoke(["keys", "list", "--json"], vault=pair.alice).stdout)[
            "require_signatures"
        ]
        is False
    )  # not in force until Alice accepts
    mine = git(pair.alice, "config", "user.signingkey")
    git(pair.alice, "config", "user.signingkey", str(keys["eve"]))
    res = invoke(["accept", "settings", "--yes"], vault=pair.alice)
    assert res.exit_code == 1
    assert "does not sign with the key openbook.yml lists for you" in res.stderr
    git(pair.alice, "config", "user.signingkey", mine)
    res = invoke(["accept", "settings", "--yes"], vault=pair.alice)
    assert res.exit_code == 0, res.stderr
    assert (
        "Compare these keys aloud with each other before accepting: Alice Example "
        f"{_fingerprint(keys['alice'])}; Bob Example {_fingerprint(keys['bob'])}"
    ) in res.stdout
    assert _setting_trailers(pair.alice)["require_signatures"] == setting_digest(True)
    assert (
        json.loads(invoke(["keys", "list", "--json"], vault=pair.alice).stdout)[
            "require_signatures"
        ]
        is True
    )
