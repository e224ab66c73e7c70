from pathlib import Path

from testing import invoke, subjects, trailers


def test_new_checkin_is_one_attributed_commit(vault: Path) -> None:
    res = invoke(["new", "checkin", "--set", "mood=4", "--no-edit"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == "checkins/2026/2026-11-24-bob.md"
    assert subjects(vault)[0] == "checkin: new checkins/2026/2026-11-24-bob.md"
    assert trailers(vault) == {
        "Openbook-Action": "new",
        "Openbook-Type": "checkin",
        "Openbook-Partner": "bob",
    }
