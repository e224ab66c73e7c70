"""`openbook confirm PATH`: a note one partner wrote under the other's name ("by X for
Y") becomes Y's once Y's own commit confirms it (SPEC section 10). The commit changes no
file: it carries `Openbook-Action: confirm` and `Openbook-Confirms: PATH`."""

from __future__ import annotations

from pathlib import Path

from openbook.check.authorship import CONFIRM_TRAILER
from openbook.check.result import check_vault
from openbook.errors import NoteError, OpenbookError
from openbook.git import ledger
from openbook.record.consent import ConsentResult
from openbook.record.guard import require_can_sign
from openbook.vault import Vault

ACTION = "confirm"


def vault_path(vault: Vault, given: str) -> str:
    """PATH as the vault names it: relative to the vault (or to the current folder when
    it names a file there), with `/` between folders."""
    raw = Path(given)
    for candidate in (raw, Path.cwd() / raw):
        if candidate.is_absolute():
            try:
                return candidate.resolve().relative_to(vault.root.resolve()).as_posix()
            except ValueError:
                continue
    return raw.as_posix().removeprefix("./") if not raw.is_absolute() else given


def confirm(vault: Vault, partner: str, given: str) -> ConsentResult:
    """Confirm, as `partner` (this clone's own), the note at `given` written for them."""
    vault.require_writable()
    require_can_sign(vault)
    names = {pid: p.name for pid, p in vault.require_config().partners.items()}
    path = given if (vault.root / given).is_file() else vault_path(vault, given)
    with vault.lock():
        result = check_vault(vault)
        verdict = result.authorship
        note = result.parsed.get(path)
        if note is None:
            raise NoteError(
                f"{given} is not a note of this vault; give its path as 'openbook check' "
                "shows it, for example: openbook confirm checkins/2026/2026-11-24-alice.md"
            )
        if path in verdict.mismatch:
            _, named, by = verdict.mismatch[path]
            raise OpenbookError(
                f"{path} was added by {names.get(by, by)}'s own commit, not written for "
                f"{names.get(named, named)} with openbook, so it cannot be confirmed; "
                f"{names.get(named, named)} writes their own: openbook new {note.type}"
            )
        if path not in verdict.for_:
            return ConsentResult(path, path, ACTION, None, "own", f"{path} is already yours.")
        by, named = verdict.for_[path]
        if named != partner:
            raise OpenbookError(
                f"{path} is under {names.get(named, named)}'s name; only they can confirm "
                "it, from their own copy."
            )
        if path not in verdict.unconfirmed:
            return ConsentResult(
                path, path, ACTION, None, "confirmed", f"{path} is confirmed already."
            )
        sha = ledger.record(
            vault,
            partner,
            ACTION,
            note.type or "note",
            [],
            path,
            allow_empty=True,
            extra={CONFIRM_TRAILER.removeprefix("Openbook-"): path},
        )
    return ConsentResult(
        path,
        path,
        ACTION,
        sha,
        "confirmed",
        f"{path}, written by {names.get(by, by)} for you, is confirmed: it counts as yours.",
    )
