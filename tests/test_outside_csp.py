"""The two HTML pages openbook writes, the agenda and the export, carry the same strict
Content-Security-Policy: nothing may load, only the page's own inline styles apply."""

from __future__ import annotations

import html.parser
from pathlib import Path

from testing import build_vault, checkin_path, checkin_text, invoke

STRICT = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


class Policies(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        meta = dict(attrs)
        if tag == "meta" and (meta.get("http-equiv") or "").lower() == "content-security-policy":
            self.found.append(meta.get("content") or "")


def policies(page: str) -> list[str]:
    reader = Policies()
    reader.feed(page)
    return reader.found


def test_the_agenda_page_allows_nothing_but_inline_styles(vault: Path) -> None:
    res = invoke(["agenda", "--format", "html"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert policies(res.stdout) == [STRICT]


def test_the_export_page_has_the_same_policy(vault: Path, tmp_path: Path) -> None:
    day = "2026-11-20"
    build_vault(vault, {checkin_path("bob", day): checkin_text("bob", day)})
    out = tmp_path / "export.html"
    res = invoke(["export", "-o", str(out), "--yes"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert policies(out.read_text(encoding="utf-8")) == [STRICT]
