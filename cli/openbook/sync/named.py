"""What a sync names at its end beside what it did (SPEC section 10): new settings still
waiting for consent, and agreements whose words changed after a partner accepted.

The words are judged as `check` judges them (check/words.py), from the agreement files
alone: reading every note of the vault to name a few agreements would make each sync
cost a whole `check`."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from openbook.check.words import WordsChange, check_words
from openbook.notes.parse import MAX_FILE_BYTES, Note, parse_bytes
from openbook.ritual.binding import settings_proposal
from openbook.ritual.history import read_history
from openbook.sync.result import SyncResult
from openbook.vault import SKIP_DIRS, Vault

AGREEMENTS = "agreements"


def name_proposal(vault: Vault, result: SyncResult) -> None:
    """Name new settings still waiting for consent, as status does (SPEC section 10)."""
    vault.forget_config()  # what came in may change the settings in force (or not load)
    cfg = vault.config
    me = vault.own_partner()  # the sentence speaks to the one who syncs
    result.settings_proposal = settings_proposal(read_history(vault), cfg, me=me)
    if result.settings_proposal:
        result.lines.append(result.settings_proposal["text"])


def name_changed_words(vault: Vault, result: SyncResult) -> None:
    """Name agreements whose words changed after a partner accepted (SPEC section 10)."""
    words = [w for w in changed_words(vault) if w.changed_after and not w.declined_by]
    if not words:
        return
    from openbook.ritual.agreements import Agreements, ChangedAgreement, agreement_lines

    ag = Agreements(
        changed=[
            ChangedAgreement(
                w.id, w.id, w.path, w.changed_after, w.waiting_for, w.in_force is not None
            )
            for w in words
        ]
    )
    names = {pid: p.name for pid, p in vault.config.partners.items()}
    result.lines += agreement_lines(ag, names, vault.config.tz)


def changed_words(vault: Vault) -> list[WordsChange]:
    """The agreements whose words are not both partners' words, as `check_vault` finds
    them (the same files, the same cache), reading only the agreement files."""
    stats = {rel: (st.st_size, st.st_mtime_ns) for rel, st in agreement_files(vault)}
    if not stats:
        return []
    root = str(vault.root)

    def notes(paths: list[str]) -> Mapping[str, Note]:
        return {p: note for p in paths if (note := _read(root, p)) is not None}

    words, _ = check_words(vault, stats, notes, vault.state_dir())
    return words


def agreement_files(vault: Vault) -> Iterator[tuple[str, os.stat_result]]:
    """(path, lstat) of every note file under agreements/, as `Vault.note_files` lists
    them (no dot names, no tool folders, links listed but never followed)."""
    base = os.path.join(str(vault.root), AGREEMENTS)
    if not os.path.isdir(base) or os.path.islink(base):
        return
    todo = [(base, AGREEMENTS)]
    while todo:
        folder, rel = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                continue
            child = f"{rel}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                todo.append((entry.path, child))
            elif entry.name.endswith(".md"):
                yield child, entry.stat(follow_symlinks=False)


def _read(root: str, rel: str) -> Note | None:
    """The note at `rel` as `check` reads it; None for what `check` refuses unread (a
    link, a file over 1 MiB) or cannot read: it holds no agreement's words."""
    path = os.path.join(root, rel)
    try:
        if os.path.islink(path) or os.lstat(path).st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return parse_bytes(rel, data, positions=False)
