"""Build the demo vault: the example vault's notes, committed by both partners at their dates."""

from __future__ import annotations

import datetime as dt
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openbook.errors import OpenbookError
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.notes.parse import Note, parse_bytes, update_fields
from openbook.notetypes.registry import DATE_FIELD, as_datetime
from openbook.render import builtin_dir
from openbook.ritual.settings_consent import accept_settings
from openbook.vault import Vault

# The story's own clock: the Sunday of the example's last week, before that evening's
# meeting. `openbook demo` shows the agenda as of then, and tells how to set the same clock
# (`export OPENBOOK_NOW=...`) so that status, log and agenda show the same numbers.
DEMO_CLOCK = "2026-11-22T17:30"
DEMO_NOW = DEMO_CLOCK + ":00"
DEMO_DAY = "Sunday 22 November 2026 at 17:30"
FIRST_PARTNER_FIELDS = ("author", "asked_by", "proposed_by", "called_by", "by", "facilitator")
_Dated = tuple[dt.datetime, str, Note]  # when the note was written, its path, the note


def _when(meta: dict[str, Any], tz: dt.tzinfo) -> dt.datetime | None:
    t = meta.get("type")
    if t == "checkin":
        day = meta.get("date")
        hhmm = str(meta.get("time") or "20:00")
        try:
            hour, minute = (int(x) for x in hhmm.split(":"))
        except ValueError:
            hour, minute = 20, 0
        if isinstance(day, dt.date):
            return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    key = DATE_FIELD.get(str(t))
    when = as_datetime(meta.get(key), tz) if key else None
    if when is not None and t in ("repair", "meeting", "review", "agreement") and when.hour == 0:
        when = when.replace(hour=21 if t != "agreement" else 10)
    return when


def _who(meta: dict[str, Any], partners: list[str]) -> str:
    for key in FIRST_PARTNER_FIELDS:
        if meta.get(key) in partners:
            return str(meta[key])
    people = meta.get("participants")
    if isinstance(people, list) and people and people[0] in partners:
        return str(people[0])
    return partners[0]


def _copy_example(target: Path) -> Path:
    """Copy the example vault into `target` (new or empty); its resolved path."""
    source = builtin_dir("example-vault")
    root = target.expanduser().resolve()
    if root.exists() and any(root.iterdir()):
        raise OpenbookError(
            f"{root} is not empty, and the demo never writes into a folder that holds "
            f"files; give it a new one: openbook demo {shlex.quote(str(_free_sibling(root)))}"
        )
    shutil.copytree(
        source,
        root,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".git", "__pycache__", ".openbook-cache"),
    )
    return root


def _free_sibling(root: Path) -> Path:
    """A folder next to `root` that does not exist yet: root-2, root-3, ..."""
    n = 2
    while root.with_name(f"{root.name}-{n}").exists():
        n += 1
    return root.with_name(f"{root.name}-{n}")


def _sort_files(root: Path, tz: dt.tzinfo) -> tuple[list[_Dated], list[str]]:
    """The notes with a date (oldest first), and every other file of the vault."""
    notes: list[_Dated] = []
    others: list[str] = []
    undated: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
        rel = path.relative_to(root).as_posix()
        if rel.endswith(".md") and rel != "README.md" and rel != "language.md":
            note = parse_bytes(rel, path.read_bytes())
            when = _when(note.meta, tz)
            if when is not None:
                notes.append((when, rel, note))
                continue
            if note.type == "agreement":  # undated: written by its proposer after init
                undated.append(rel)
                continue
        others.append(rel)
    if not notes:
        raise OpenbookError(
            "The example vault that came with openbook has no notes; reinstall openbook from "
            "its source folder with 'pipx install --force .' (or '.venv/bin/pip install "
            "--force-reinstall .'), then run 'openbook demo' again."
        )
    notes.sort(key=lambda item: (item[0], item[1]))
    first = notes[0][0] - dt.timedelta(hours=12)
    for rel in undated:
        notes.insert(0, (first, rel, parse_bytes(rel, (root / rel).read_bytes())))
    return notes, others


def _commit_note(vault: Vault, partners: list[str], tz: dt.tzinfo, dated: _Dated) -> None:
    """Put one note back and commit it; answers and acceptances come as a second commit."""
    when, rel, note = dated
    root = vault.root
    full = root / rel
    final = (root / (rel + ".demo-pending")).read_bytes()
    (root / (rel + ".demo-pending")).unlink()
    who = _who(note.meta, partners)
    meta = note.meta
    text = final.decode("utf-8")
    answered = as_datetime(meta.get("answered"), tz)
    if note.type == "question" and answered is not None and answered > when:
        first = update_fields(text, {"status": "open", "answered": None, "landed": None})
        full.write_text(first, encoding="utf-8")
        ledger.record(vault, who, "new", "question", [rel], str(meta.get("id")), when=when)
        qid, asked = str(meta.get("id")), str(meta.get("to") or who)
        # the answer is the one asked's; how it landed is the asker's own step after it
        full.write_text(update_fields(text, {"landed": None}), encoding="utf-8")
        ledger.record(vault, asked, "answer", "question", [rel], qid, when=answered)
        if meta.get("landed") not in (None, ""):
            full.write_bytes(final)
            step = answered + dt.timedelta(minutes=5)
            ledger.record(vault, who, "edit", "question", [rel], qid, when=step)
    elif note.type == "question" and meta.get("status") == "acknowledged":
        # acknowledged by the one asked, in their own commit, soon after it was asked
        full.write_text(update_fields(text, {"status": "open"}), encoding="utf-8")
        qid = str(meta.get("id"))
        ledger.record(vault, who, "new", "question", [rel], qid, when=when)
        full.write_bytes(final)
        step = when + dt.timedelta(minutes=5)
        ledger.record(vault, str(meta.get("to") or who), "edit", "question", [rel], qid, when=step)
    elif note.type == "agreement" and set(_as_list(meta.get("accepted_by"))) - {who}:
        _agreement_history(vault, partners, dated, who, text)
    elif note.type == "repair" and _as_list(meta.get("processed_by")):
        _repair_history(vault, dated, who, text, as_datetime(meta.get("processed"), tz))
    else:
        full.write_bytes(final)
        target_name = str(meta["id"]) if note.type in ("question", "agreement") else rel
        ledger.record(vault, who, "new", str(note.type), [rel], target_name, when=when)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _repair_history(
    vault: Vault, dated: _Dated, who: str, final: str, processed: dt.datetime | None
) -> None:
    """A repair written open by its author; each partner then says, in their own commit,
    that it is processed (SPEC 10: processed once both have said so)."""
    when, rel, note = dated
    full, meta = vault.root / rel, note.meta
    fields: dict[str, Any] = {"status": "open", "processed": None, "processed_by": None}
    full.write_text(update_fields(final, fields), encoding="utf-8")
    ledger.record(vault, who, "new", "repair", [rel], rel, when=when)
    said: list[str] = []
    step = max(processed or when, when) + dt.timedelta(hours=19)
    for partner in _as_list(meta.get("processed_by")):
        said.append(partner)
        done = said == _as_list(meta.get("processed_by"))
        text = final if done else update_fields(final, {"processed_by": list(said)})
        full.write_text(text, encoding="utf-8")
        ledger.record(vault, partner, "edit", "repair", [rel], rel, when=step)
        step += dt.timedelta(hours=2)


def _agreement_history(
    vault: Vault, partners: list[str], dated: _Dated, who: str, final: str
) -> None:
    """An agreement as it came to be: proposed, then each other partner's own acceptance,
    every consent is that partner's commit (a pause is a pause note of its own)."""
    when, rel, note = dated
    full, aid, meta = vault.root / rel, str(note.meta.get("id")), note.meta
    cleared: dict[str, Any] = {k: None for k in ("paused_by", "retire_requested_by") if k in meta}
    full.write_text(
        update_fields(final, {"status": "proposed", "accepted_by": [who], **cleared}),
        encoding="utf-8",
    )
    ledger.record(vault, who, "new", "agreement", [rel], aid, when=when)
    accepted, step = [who], when
    others = [p for p in _as_list(meta.get("accepted_by")) if p != who]
    for i, other in enumerate(others):
        accepted.append(other)
        step += dt.timedelta(hours=10)
        status = "active" if set(partners) <= set(accepted) else "proposed"
        text = update_fields(final, {"status": status, "accepted_by": accepted, **cleared})
        full.write_text(final if i == len(others) - 1 else text, encoding="utf-8")
        ledger.record(vault, other, "accept", "agreement", [rel], aid, when=step)


def build_demo(target: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy the example vault into `target` (new or empty) and commit its history.

    `progress(done, total)` is called after each note is committed."""
    root = _copy_example(target)
    gitrepo.init(root)
    vault = Vault(root)
    cfg = vault.require_config()
    partners = list(cfg.partners)
    gitrepo.config_set(root, "openbook.partner", partners[0])
    notes, others = _sort_files(root, cfg.tz)
    start = notes[0][0] - dt.timedelta(days=1)
    # the notes must not be in the first commit: move them aside while it is made
    for _, rel, _ in notes:
        (root / rel).rename(root / (rel + ".demo-pending"))
    ledger.record(vault, partners[0], "init", "vault", others, "vault", when=start)
    # the other partner joins: nothing is in force until they accept (SPEC section 10)
    accept_settings(vault, partners[1], when=start + dt.timedelta(hours=1))
    for i, dated in enumerate(notes, 1):
        _commit_note(vault, partners, cfg.tz, dated)
        if progress:
            progress(i, len(notes))
    return root
