"""The printable agenda in a real headless Chromium: the nine sections, a picture, a PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from testing import EXAMPLE, build_vault, checkin_path, checkin_text, invoke

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SECTIONS = [
    "Opening",
    "Appreciations",
    "What went right",
    "Transparency",
    "Open questions",
    "Agreements",
    "The week ahead",
    "One topic",
    "Close",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),
        reason="headless Chromium is not installed (apt-get install chromium)",
    ),
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "CI must have chromium installed"
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def html_page(tmp_path: Path) -> Path:
    vault = EXAMPLE
    if not (EXAMPLE / "openbook.yml").exists():
        day = "2026-11-20"
        vault = build_vault(
            tmp_path / "vault",
            {checkin_path("bob", day): checkin_text("bob", day, mood=None, time="20:00", body="")},
        )
    out = tmp_path / "agenda.html"
    res = invoke(
        ["agenda", "--date", "2026-11-22", "--format", "html", "-o", str(out)], vault=vault
    )
    assert res.exit_code == 0, res.stderr
    return out


def test_agenda_page_renders_in_chromium(tmp_path: Path) -> None:
    page = html_page(tmp_path)
    png = tmp_path / "agenda.png"
    shot = chromium(tmp_path, f"--screenshot={png}", "--window-size=1200,3000", page.as_uri())
    assert png.is_file(), shot.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 30_000  # a blank 1200x3000 page compresses to a few kilobytes

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    found = [s for s in SECTIONS if f"<h2>{s}</h2>" in dom.stdout]
    assert found == SECTIONS
    assert "<svg" in dom.stdout and "<script" not in dom.stdout


def test_agenda_page_prints_to_pdf(tmp_path: Path) -> None:
    page = html_page(tmp_path)
    pdf = tmp_path / "agenda.pdf"
    res = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri())
    assert pdf.is_file(), res.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
