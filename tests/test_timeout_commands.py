"""`openbook timeout` and `openbook back`: a timeout called without a reason, never
refused, and the return recorded by the one who called it (SPEC sections 4 and 10)."""

from __future__ import annotations

import json
from pathlib import Path

from testing import git, invoke, trailers

from openbook.notes.parse import parse_bytes

NOTE = "timeouts/2026/2026-11-24-2030-bob.md"


def meta(vault: Path, rel: str = NOTE) -> dict[str, object]:
    return dict(parse_bytes(rel, (vault / rel).read_bytes()).meta)


def test_a_timeout_is_called_with_no_reason_and_the_shortest_agreed_time(vault: Path) -> None:
    res = invoke(["timeout"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == (
        "Timeout called at 20:30; come back by 20:50 with 'openbook back'. No reason is needed.\n"
    )
    m = meta(vault)
    assert (m["called_by"], str(m["called"]), str(m["return_by"])) == (
        "bob",
        "2026-11-24 20:30:00",
        "2026-11-24 20:50:00",
    )
    assert trailers(vault)["Openbook-Action"] == "new"
    assert git(vault, "status", "--porcelain") == ""


def test_a_length_outside_the_range_is_recorded_at_the_bound_and_said(vault: Path) -> None:
    res = invoke(["timeout", "--for", "3d", "--topic", "Tuesday evening"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "come back by 20:30 with 'openbook back'" in res.stdout
    assert "the longest time you both agreed (20m to 24h); you asked for 3d." in res.stdout
    assert meta(vault)["topic"] == "Tuesday evening"
    res = invoke(["timeout", "--for", "soon"], vault=vault)
    assert res.exit_code == 2
    assert "'soon' is not a duration like 30m or 2h" in res.stderr


def test_back_records_the_return_on_the_callers_own_timeout(vault: Path) -> None:
    res = invoke(["back"], vault=vault)
    assert res.exit_code == 1
    assert "You have no timeout open" in res.stderr
    assert invoke(["timeout", "--json"], vault=vault).exit_code == 0
    res = invoke(["back", "--json"], vault=vault, env={"OPENBOOK_NOW": "2026-11-24T20:55+01:00"})
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["path"] == NOTE
    assert data["message"] == (
        "You are back from the timeout called at 20:30; coming back is what counts."
    )
    assert str(meta(vault)["returned"]) == "2026-11-24 20:55:00"
    assert git(vault, "log", "-1", "--format=%an") == "Bob Example"
    assert invoke(["check"], vault=vault).exit_code == 0
    res = invoke(["back"], vault=vault, as_partner="alice")
    assert res.exit_code == 2
    assert "This copy is bob's" in res.stderr
