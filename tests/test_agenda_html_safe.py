"""The HTML agenda's head and Content-Security-Policy are openbook's: no override adds a script."""

from __future__ import annotations

from pathlib import Path

from testing import invoke, write


def test_a_vault_override_of_the_html_agenda_is_never_used(vault: Path) -> None:
    write(
        vault,
        ".openbook/templates/agenda.html.j2",
        "<html><head><script>alert('x')</script></head><body>hi</body></html>",
    )
    res = invoke(["agenda", "--format", "html"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "<script" not in res.stdout
    assert "Content-Security-Policy" in res.stdout
