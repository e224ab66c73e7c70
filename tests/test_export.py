"""`openbook export`: the chosen notes as one printable, self-contained page (SPEC section 8),
a PDF through headless Chromium, the confirmation, and the entry in the shared log."""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from testing import (
    NOW,
    agreement_text,
    build_vault,
    checkin_path,
    checkin_text,
    git,
    invoke,
    make_pair,
    make_vault,
    question_text,
    subjects,
    trailers,
)
from testing.terminal import run_on_a_terminal

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="headless Chromium is not installed (apt-get install chromium)",
)
NASTY = "<script>alert('hi')</script> & <b>bold</b>"
NOTES = {
    checkin_path("bob", "2026-11-20"): checkin_text("bob", "2026-11-20", body=f"Feelings: {NASTY}"),
    checkin_path("alice", "2026-11-21"): checkin_text(
        "alice", "2026-11-21", body="## Feelings\n\nCalm.\n\n## Needs\n\nA walk."
    ),
    checkin_path("bob", "2026-10-30"): checkin_text("bob", "2026-10-30", body="October."),
    "questions/Q-0001.md": question_text("Q-0001", asked="2026-11-22 10:00"),
    "agreements/A-001-no-private-contact.md": agreement_text(
        "No private contact.",
        status="active",
        accepted_by=["alice", "bob"],
        extra="since: 2026-11-02\n",
    ),
    "agreements/A-002-calls.md": agreement_text("Calls.", "Calls", aid="A-002"),
}
IN_NOVEMBER = [
    "agreements/A-001-no-private-contact.md",
    checkin_path("bob", "2026-11-20"),
    checkin_path("alice", "2026-11-21"),
    "questions/Q-0001.md",
]


class Page(html.parser.HTMLParser):
    """The parts of the page the tests look at, read as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.paths: list[str] = []
        self.meta: dict[str, str] = {}
        self.text: list[str] = []
        self._in_where = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "meta" and a.get("http-equiv"):
            self.meta[str(a["http-equiv"])] = str(a.get("content"))
        if tag == "p" and a.get("class") == "where":
            self._in_where = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_where = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_where and data.strip():
            self.paths.append(data.strip())


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return build_vault(tmp_path / "vault", NOTES)


def export(root: Path, *args: str, who: str = "bob", input: str | None = None):
    return invoke(["export", *args], vault=root, as_partner=who, input=input)


def test_the_page_holds_every_chosen_note_escaped_and_without_scripts(
    vault: Path, tmp_path: Path
) -> None:
    out = tmp_path / "november.html"
    res = export(vault, "--since", "2026-11-01", "--until", "2026-11-30", "-o", str(out), "--yes")
    assert res.exit_code == 0, res.stderr
    page = parse(out)
    assert page.paths == IN_NOVEMBER  # agreements first, then check-ins, then questions
    assert "script" not in page.tags and "b" not in page.tags
    assert NASTY in "".join(page.text)  # the note's text, shown as the text it is
    csp = page.meta["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    raw = out.read_text(encoding="utf-8")
    assert "http://" not in raw and "https://" not in raw and "src=" not in raw
    # headings of the body become headings; fields are listed
    assert "<h4>Feelings</h4>" in raw and "<dt>mood</dt><dd>4</dd>" in raw
    assert res.stdout.startswith(
        "The export will hold 4 notes (1 agreement, 2 check-ins, 1 question), "
        "2026-11-01 to 2026-11-30:\n"
        "  agreements/A-001-no-private-contact.md  (agreement, 2026-11-02, Alice Example)\n"
    )
    sha = git(vault, "rev-parse", "--short=7", "HEAD")
    assert res.stderr == f"openbook: wrote {out}; the export is in the log as {sha}.\n"


def test_types_and_undated_notes(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    res = export(vault, "--type", "checkin", "-o", str(out), "--yes")
    assert res.exit_code == 0, res.stderr
    assert parse(out).paths == [
        checkin_path("bob", "2026-10-30"),
        checkin_path("bob", "2026-11-20"),
        checkin_path("alice", "2026-11-21"),
    ]
    # A-002 has no date of its own: in with a range only when its type is chosen
    res = export(vault, "--since", "2026-11-01", "--type", "agreement", "-o", str(out), "--yes")
    assert res.exit_code == 0, res.stderr
    assert parse(out).paths == [
        "agreements/A-001-no-private-contact.md",
        "agreements/A-002-calls.md",
    ]
    # without a range and without --type, everything (language.md too)
    res = export(vault, "-o", str(out), "--yes")
    assert set(parse(out).paths) == set(NOTES) | {"language.md"}


def test_the_export_is_an_empty_commit_in_the_log(vault: Path, tmp_path: Path) -> None:
    before = git(vault, "rev-parse", "HEAD")
    out = tmp_path / "x.html"
    res = export(vault, "--since", "2026-11-01", "--type", "question", "-o", str(out), "--yes")
    assert res.exit_code == 0, res.stderr
    assert git(vault, "rev-parse", "HEAD^") == before
    assert git(vault, "diff", "--name-only", "HEAD^", "HEAD") == ""
    assert subjects(vault)[0] == "export: export 1 note, from 2026-11-01"
    assert trailers(vault) == {
        "Openbook-Action": "export",
        "Openbook-Type": "export",
        "Openbook-Partner": "bob",
        "Openbook-Range": "from 2026-11-01",
        "Openbook-Types": "question",
    }
    body = git(vault, "log", "-1", "--format=%B")
    assert "Exported 1 note (1 question) as HTML, from 2026-11-01." in body
    assert str(out) not in body and "x.html" not in body  # where it went stays private
    assert git(vault, "log", "-1", "--format=%an <%ae>") == "Bob Example <bob@example.org>"


def test_the_partner_sees_the_export_after_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pair = make_pair(tmp_path)
    # dated by the pinned clock: a commit dated after it arrived is marked `clock`
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", NOW)
    pair.write("bob", checkin_path("bob"), checkin_text("bob"))
    assert invoke(["commit"], vault=pair.bob, as_partner="bob").exit_code == 0
    out = tmp_path / "for-the-therapist.html"
    res = export(
        pair.bob, "--since", "2026-11-01", "--until", "2026-11-30", "-o", str(out), "--yes"
    )
    assert res.exit_code == 0, res.stderr
    assert pair.sync("bob").exit_code == 0
    assert pair.sync("alice").exit_code == 0
    log = invoke(["log"], vault=pair.alice, as_partner="alice")
    assert log.exit_code == 0, log.stderr
    first = log.stdout.splitlines()[0]
    assert first.endswith("bob      export 1 note, 2026-11-01 to 2026-11-30"), first
    entries = invoke(["log", "--json"], vault=pair.alice, as_partner="alice").stdout
    assert '"action": "export"' in entries


def test_no_terminal_and_no_yes_refuses_calmly(vault: Path, tmp_path: Path) -> None:
    head = git(vault, "rev-parse", "HEAD")
    out = tmp_path / "x.html"
    res = export(vault, "-o", str(out))
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: There is no terminal here to confirm on; nothing was exported. "
        "Run it again with --yes to export these notes.\n"
    )
    assert "The export will hold 7 notes" in res.stdout  # it still said what it would do
    assert not out.exists()
    assert git(vault, "rev-parse", "HEAD") == head


def test_on_a_terminal_it_asks_first(vault: Path, tmp_path: Path) -> None:
    head = git(vault, "rev-parse", "HEAD")
    out = tmp_path / "x.html"
    code, screen = run_on_a_terminal(vault, ["export", "-o", str(out)], b"n\n")
    assert code == 0, screen
    assert "Export these notes? [y/N]" in screen and "Nothing was exported." in screen
    assert not out.exists() and git(vault, "rev-parse", "HEAD") == head

    code, screen = run_on_a_terminal(vault, ["export", "-o", str(out)], b"y\n")
    assert code == 0, screen
    assert out.is_file()
    assert trailers(vault)["Openbook-Action"] == "export"


def test_it_will_not_write_into_the_vault_by_accident(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = git(vault, "rev-parse", "HEAD")
    monkeypatch.chdir(vault)
    res = export(vault, "-o", "export.html", "--yes")
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: export.html would be written inside the vault, where it could be shared "
        "with your partner; write it outside (e.g. -o ~/Documents/export.html), or give the "
        "full path if the vault is what you mean.\n"
    )
    assert not (vault / "export.html").exists()
    res = export(vault, "-o", str(vault / ".git" / "x.html"), "--yes")
    assert res.exit_code == 1 and "inside git's own folder" in res.stderr
    assert git(vault, "rev-parse", "HEAD") == head
    # the full path is a choice made on purpose
    res = export(vault, "-o", str(vault / "export.html"), "--yes")
    assert res.exit_code == 0, res.stderr
    assert (vault / "export.html").is_file()


def test_nothing_to_export_and_bad_ranges(vault: Path, tmp_path: Path) -> None:
    head = git(vault, "rev-parse", "HEAD")
    out = tmp_path / "x.html"
    res = export(vault, "--since", "2027-01-01", "-o", str(out), "--yes")
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: No notes match these dates and types; nothing was exported. Widen the "
        "range or leave it out: openbook export -o ~/Documents/export.html\n"
    )
    res = export(vault, "--since", "2026-11-30", "--until", "2026-11-01", "-o", str(out), "--yes")
    assert res.exit_code == 1
    assert "--since 2026-11-30 is after --until 2026-11-01; swap them." in res.stderr
    res = export(vault, "--type", "diary", "-o", str(out), "--yes")
    assert res.exit_code == 2
    assert not out.exists() and git(vault, "rev-parse", "HEAD") == head


def test_something_staged_by_hand_stays_out_of_the_export_commit(
    vault: Path, tmp_path: Path
) -> None:
    (vault / "README.md").write_text("ours\n")
    git(vault, "add", "README.md")
    res = export(vault, "-o", str(tmp_path / "x.html"), "--yes")
    assert res.exit_code == 1
    assert "something is staged in git by hand" in res.stderr
    assert not (tmp_path / "x.html").exists()


def test_a_vault_mid_merge_refuses(vault: Path, tmp_path: Path) -> None:
    (Path(git(vault, "rev-parse", "--absolute-git-dir")) / "MERGE_HEAD").write_text(
        git(vault, "rev-parse", "HEAD") + "\n"
    )
    res = export(vault, "-o", str(tmp_path / "x.html"), "--yes")
    assert res.exit_code == 6
    assert not (tmp_path / "x.html").exists()


@needs_chromium
@pytest.mark.browser
def test_pdf_through_headless_chromium(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "us.pdf"
    res = export(vault, "--since", "2026-11-01", "-o", str(out), "--pdf", "--yes")
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert "as PDF" in git(vault, "log", "-1", "--format=%B")


@needs_chromium
@pytest.mark.browser
def test_the_page_as_chromium_draws_it(vault: Path, tmp_path: Path) -> None:
    """A screenshot of the page (look at it: tmp_path/export.png)."""
    out = tmp_path / "export.html"
    assert export(vault, "--since", "2026-11-01", "-o", str(out), "--yes").exit_code == 0
    png = tmp_path / "export.png"
    profile = tmp_path / "profile"
    assert CHROMIUM is not None
    shot = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            "--window-size=900,1600",
            out.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert png.is_file(), shot.stderr
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000


def test_pdf_without_chromium_says_what_to_do(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    real_git = shutil.which("git")
    assert real_git
    (folder / "git").symlink_to(real_git)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr("openbook.outside.export.MAC_CHROME", str(tmp_path / "none"))
    out = tmp_path / "us.pdf"
    res = export(vault, "-o", str(out), "--pdf", "--yes")
    assert res.exit_code == 1
    assert res.stderr == (
        "openbook: --pdf needs Chromium or Google Chrome, and neither is installed here; "
        "export without --pdf and print the HTML file from a browser.\n"
    )
    assert not out.exists()
    assert trailers(vault).get("Openbook-Action") != "export"


def test_a_fresh_vault_exports_its_language_note(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v")
    out = tmp_path / "x.html"
    res = export(root, "-o", str(out), "--yes")
    assert res.exit_code == 0, res.stderr
    assert parse(out).paths == ["language.md"]
