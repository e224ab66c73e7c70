"""`openbook export`: the chosen notes as one printable, self-contained HTML file (for a
therapist), or a PDF printed by headless Chromium, and the export recorded in the log.

The page is rendered from openbook's own template only (never one from the shared
vault), with autoescape, a strict Content-Security-Policy and no scripts: a note's text
is shown as the text it is. The export is written outside the vault unless `-o` names
a place inside it in full, and it is recorded as an empty commit (`Openbook-Action:
export`, with the range and the types) so that the other partner sees that an export
was made. The file's name and the notes' contents never enter the log.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openbook.check.authorship import Authorship, marks
from openbook.check.result import check_vault
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write, inside
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notes.parse import Note
from openbook.notetypes.registry import TYPES, is_conflict_copy, note_date
from openbook.record.output import keep_local
from openbook.render import render
from openbook.ritual.calendar import fmt_day
from openbook.trust.acknowledge import admitted_paths
from openbook.vault import Vault
from openbook.words import plural

TEMPLATE = "export.html.j2"
TYPE_ORDER = (
    "agreement",
    "checkin",
    "plan-change",
    "question",
    "timeout",
    "pause",
    "repair",
    "meeting",
    "review",
    "language",
)
WHO_FIELDS = ("author", "asked_by", "called_by", "proposed_by", "by")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
PDF_TIMEOUT = 120.0


TITLES = {"checkin": "check-in", "plan-change": "plan change", "language": "shared language"}


def type_title(name: str) -> str:
    """How a sentence names a type: 'check-in', 'plan change', 'question'."""
    return TITLES.get(name, name)


@dataclass(frozen=True)
class Selection:
    since: dt.date | None
    until: dt.date | None
    types: tuple[str, ...]
    notes: list[Note]
    authorship: Authorship = field(default_factory=Authorship)  # whose words each note holds

    def range_text(self) -> str:
        """'2026-11-01 to 2026-11-24', 'from 2026-11-01', 'up to 2026-11-24', 'all dates'."""
        if self.since and self.until:
            return f"{self.since.isoformat()} to {self.until.isoformat()}"
        if self.since:
            return f"from {self.since.isoformat()}"
        if self.until:
            return f"up to {self.until.isoformat()}"
        return "all dates"

    def counts(self) -> list[tuple[str, int]]:
        """(type, how many), in the order of the page: every chosen note is in one of them,
        so the count said before the export is the count of notes written."""
        out: dict[str, int] = {}
        for note in self.notes:  # sorted by type in the page's order
            out[note.type or ""] = out.get(note.type or "", 0) + 1
        return list(out.items())

    def summary(self) -> str:
        """'12 notes (5 check-ins, 3 questions, ...)'."""
        parts = ", ".join(plural(n, type_title(t)) for t, n in self.counts())
        return f"{plural(len(self.notes), 'note')} ({parts})" if parts else "no notes"


def _sort_key(note: Note) -> tuple[int, str, str]:
    """By type in the page's order, then by date (undated notes last), then by path."""
    day = note_date(note.meta)
    order = TYPE_ORDER.index(note.type) if note.type in TYPE_ORDER else len(TYPE_ORDER)
    return order, day.isoformat() if day else "~", note.path


def select_notes(
    vault: Vault, since: dt.date | None, until: dt.date | None, types: tuple[str, ...]
) -> Selection:
    """The notes of the chosen types whose own date lies in [since, until]. A note without
    a date of its own (language.md, an agreement without `since`) is in only when no range
    is given or its type is chosen by name. Conflict copies are left out."""
    if since and until and since > until:
        raise OpenbookError(
            f"--since {since.isoformat()} is after --until {until.isoformat()}; swap them."
        )
    chosen = []
    result = check_vault(vault)
    for path, note in result.parsed.items():
        t = note.type
        if t not in TYPES or is_conflict_copy(path) or (types and t not in types):
            continue
        day = note_date(note.meta)
        if day is None:
            if (since or until) and t not in types:
                continue
        elif (since and day < since) or (until and day > until):
            continue
        chosen.append(note)
    if not chosen:
        raise OpenbookError(
            "No notes match these dates and types; nothing was exported. Widen the range or "
            "leave it out: openbook export -o ~/Documents/export.html"
        )
    chosen.sort(key=_sort_key)
    return Selection(since, until, types, chosen, result.authorship)


def who_of(note: Note, names: dict[str, str]) -> str:
    for key in WHO_FIELDS:
        value = note.meta.get(key)
        if isinstance(value, str):
            return names.get(value, value)
    return ""


def whose(sel: Selection, note: Note, names: dict[str, str]) -> str:
    """Who a note is from, marked when its words are not only theirs: "Alice Example,
    edited by Bob Example", "Alice Example, by Bob Example for Alice Example"."""
    who = who_of(note, names)
    marked = marks(sel.authorship, note.path, names)
    return f"{who}, {marked}" if who and marked else who or marked


def listing(sel: Selection, names: dict[str, str]) -> list[str]:
    """One line per note, as the confirmation shows them."""
    lines = []
    for note in sel.notes:
        day = note_date(note.meta)
        parts = [type_title(note.type or "")]
        if day:
            parts.append(day.isoformat())
        who = whose(sel, note, names)
        if who:
            parts.append(who)
        lines.append(f"{note.path}  ({', '.join(parts)})")
    return lines


# ---------------------------------------------------------------------- where it goes


def export_target(vault: Vault, output: str, *, pdf: bool) -> Path:
    """Where to write. Inside the vault only when `output` names it in full (an absolute
    path): a relative name typed in the vault's folder would land where `commit` and
    `sync` could share it. Never inside .git."""
    path = Path(output).expanduser()
    target = path if path.is_absolute() else Path.cwd() / path
    target = target.parent.resolve() / target.name
    if target.is_dir():
        raise OpenbookError(f"{output} is a folder; give a file name, e.g. -o export.html.")
    git_dir = vault.git_dir
    if git_dir is not None and inside(git_dir, target):
        raise OpenbookError(f"{output} is inside git's own folder; write the export elsewhere.")
    if inside(vault.root, target) and not path.is_absolute():
        raise OpenbookError(
            f"{output} would be written inside the vault, where it could be shared with your "
            "partner; write it outside (e.g. -o ~/Documents/export"
            f"{'.pdf' if pdf else '.html'}), or give the full path if the vault is what you mean."
        )
    if not target.parent.is_dir():
        raise OpenbookError(
            f"the folder {target.parent} does not exist; create it or pick another."
        )
    return target


# ---------------------------------------------------------------------- the page


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") + (
            value.strftime(" %z") if value.tzinfo is not None else ""
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return "" if value is None else str(value)


_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t#]*$")


def body_blocks(body: str) -> list[tuple[str, str]]:
    """A note's Markdown body as ("heading", text) and ("text", text) blocks: headings
    are set as headings, everything else is kept as the plain text it is."""
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip("\n")
        if text.strip():
            blocks.append(("text", text))
        lines.clear()

    for line in body.replace("\r\n", "\n").split("\n"):
        m = _HEADING.match(line)
        if m and m[1].strip():
            flush()
            blocks.append(("heading", m[1].strip()))
        else:
            lines.append(line.rstrip())
    flush()
    return blocks


def page_data(vault: Vault, sel: Selection, me: str) -> dict[str, Any]:
    cfg = vault.config
    names = {pid: p.name for pid, p in cfg.partners.items()}
    unproven = admitted_paths(vault.root, ["HEAD"]) if vault.is_own_repo else {}
    sections = []
    for t, count in sel.counts():
        notes = []
        for note in (n for n in sel.notes if n.type == t):
            day = note_date(note.meta)
            fields = [
                (str(k), _shown(v)) for k, v in note.meta.items() if k != "type" and _shown(v) != ""
            ]
            notes.append(
                {
                    "path": note.path,
                    "day": fmt_day(day) if day else "",
                    "who": whose(sel, note, names)
                    + (" (unverified)" if note.path in unproven else ""),
                    "fields": fields,
                    "blocks": body_blocks(note.body),
                    "problems": bool(note.problems and not note.ok),
                }
            )
        sections.append(
            {
                "id": t,
                "title": type_title(t),
                "heading": plural(count, type_title(t)).split(" ", 1)[1],
                "count": count,
                "notes": notes,
            }
        )
    now = vault.now()
    return {
        "partners": [p.name for p in cfg.partners.values()],
        "made_by": names.get(me, me),
        "made_on": fmt_day(now.date()),
        "range": sel.range_text(),
        "summary": sel.summary(),
        "sections": sections,
    }


def render_page(vault: Vault, sel: Selection, me: str) -> str:
    """The HTML page, from openbook's built-in template only, escaped throughout."""
    return render(None, TEMPLATE, {"e": page_data(vault, sel, me)}, autoescape=True)


# ---------------------------------------------------------------------- PDF


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return MAC_CHROME if os.path.isfile(MAC_CHROME) else None


def print_pdf(html: str, target: Path) -> None:
    """Print `html` to `target` with headless Chromium, in a private temporary profile."""
    browser = find_chromium()
    if browser is None:
        raise OpenbookError(
            "--pdf needs Chromium or Google Chrome, and neither is installed here; "
            "export without --pdf and print the HTML file from a browser."
        )
    with tempfile.TemporaryDirectory(prefix="openbook-export-") as tmp:
        page = Path(tmp) / "export.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "export.pdf"
        args = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--print-to-pdf-no-header",
            f"--print-to-pdf={out}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root otherwise
        args.append(page.as_uri())
        try:
            res = subprocess.run(args, capture_output=True, timeout=PDF_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OpenbookError(
                f"Chromium could not print the PDF ({exc}); export without --pdf and print "
                "the HTML file from a browser."
            ) from None
        if res.returncode != 0 or not out.is_file() or out.read_bytes()[:5] != b"%PDF-":
            raise OpenbookError(
                "Chromium could not print the PDF; export without --pdf and print the HTML "
                "file from a browser."
            )
        atomic_write(target, out.read_bytes())


# ---------------------------------------------------------------------- export


def export_message(sel: Selection, me: str, fmt: str) -> str:
    """The log entry: the range, the types and how many notes, never the file or contents."""
    kinds = ", ".join(t for t, _ in sel.counts())
    return ledger.message(
        "export",
        "export",
        f"{plural(len(sel.notes), 'note')}, {sel.range_text()}",
        me,
        body=f"Exported {sel.summary()} as {fmt.upper()}, {sel.range_text()}.",
        extra={"Range": sel.range_text(), "Types": kinds or "none"},
    )


def export(vault: Vault, me: str, sel: Selection, target: Path, *, pdf: bool) -> str:
    """Write the file, then record the export in the log. When the record cannot be
    made, the file is removed again: there is no export the partner cannot see."""
    vault.require_writable()
    html = render_page(vault, sel, me)
    with vault.lock():
        staged = gitrepo.run(vault.root, ["diff", "--cached", "--quiet", "HEAD", "--"], check=False)
        if staged.status != 0:
            raise OpenbookError(
                "something is staged in git by hand ('git status' shows it); commit or unstage "
                "it first, so that the export's entry in the log holds nothing else."
            )
        if pdf:
            print_pdf(html, target)
        else:
            atomic_write(target, html.encode("utf-8"))
        keep_local(vault, target)
        try:
            return gitrepo.commit_paths(
                vault.root,
                [],
                export_message(sel, me, "pdf" if pdf else "html"),
                ledger.identity(vault, me),
                allow_empty=True,
            )
        except BaseException:
            target.unlink(missing_ok=True)
            raise
