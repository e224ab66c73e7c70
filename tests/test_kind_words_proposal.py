"""A pending proposal reads calmly: to the proposer, that nothing changes unless the other
accepts and that they can read it and say no; to the other, one line saying what was
proposed and how to read it; never a bare order repeated everywhere."""

from __future__ import annotations

from pathlib import Path

from testing import invoke

WHAT = "meeting at 18:00, was 19:00"


def test_a_pending_proposal_reads_calmly_to_each_partner(vault: Path) -> None:
    res = invoke(["propose", "meeting", "--on", "sunday", "--at", "18:00"], vault=vault)
    assert res.exit_code == 0, res.stderr
    bob = invoke(["status"], vault=vault).stdout.splitlines()
    assert (
        f"  You proposed new settings on Tue 24 Nov: {WHAT}. Nothing changes unless Alice "
        "Example accepts; Alice Example can read it with 'openbook accept settings' and say no."
    ) in bob
    alice = invoke(["status"], vault=vault, as_partner="alice").stdout.splitlines()
    assert (
        f"  Bob Example proposed new settings on Tue 24 Nov: {WHAT}. Nothing changes unless you "
        "accept; 'openbook accept settings' shows it, and you may say no."
    ) in alice
    agenda = invoke(["agenda"], vault=vault).stdout
    assert (
        f"Bob Example proposed new settings on Tue 24 Nov: {WHAT}. Nothing changes unless "
        "Alice Example accepts; Alice Example can read it with 'openbook accept settings' and "
        "say no."
    ) in agenda
    for text in ("\n".join(bob), "\n".join(alice), agenda):
        assert ": openbook accept settings" not in text
