"""An agreed maximum for timeouts is never under one hour: 20 minutes is the least a body
needs to calm down, not the most a partner may take."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, invoke

REASON = (
    "timeouts max must be at least 1h: 20 minutes is the least a body needs to calm down, "
    "not the most a partner may take; set max to 1h or more"
)


def test_propose_timeouts_refuses_a_maximum_under_an_hour(vault: Path) -> None:
    res = invoke(["propose", "timeouts", "--min", "20m", "--max", "30m"], vault=vault)
    assert res.exit_code == 1
    assert res.stderr == (
        f"openbook: That timeouts cannot be proposed: {REASON}. Nothing was written.\n"
    )
    ok = invoke(["propose", "timeouts", "--min", "20m", "--max", "1h"], vault=vault)
    assert ok.exit_code == 0, ok.stderr


def test_check_names_a_maximum_under_an_hour_in_openbook_yml(vault: Path) -> None:
    cfg = (vault / "openbook.yml").read_text().replace("max: 24h", "max: 45m")
    build_vault(vault, {"openbook.yml": cfg}, accepted=False)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert f"openbook.yml:15:27: error: {REASON} [config]" in res.stdout.splitlines()
