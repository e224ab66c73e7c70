"""`openbook propose`: a binding setting proposed by command, not by editing YAML.

One value of openbook.yml is set in place (every other byte, comments included, stays as
it was), the result must load as settings, and it is committed as the proposer's own
entry of the log (`Openbook-Action: propose`). Nothing is in force until the other
partner accepts it (SPEC section 10); `openbook.yml` stays the record, and editing it by
hand stays supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openbook.config import CONFIG_NAME, config_from_bytes
from openbook.errors import OpenbookError
from openbook.fsutil import atomic_write
from openbook.git import ledger
from openbook.git import repo as gitrepo
from openbook.git.state import require_safe_state
from openbook.record.guard import require_can_sign
from openbook.trust.yamledit import read_meta, set_value
from openbook.vault import Vault


@dataclass(frozen=True)
class Proposed:
    setting: str  # "checkins.bob", "meeting", "questions.answer_within", ...
    old_text: str  # openbook.yml before and after, for the plain words of the change
    new_text: str
    commit: str | None  # None when the value was already the one written


def _current(meta: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = meta
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def propose(vault: Vault, partner: str, path: tuple[str, ...], value: Any) -> Proposed:
    """Set `path` of openbook.yml to `value` (None removes nothing: it writes null) and
    commit it as `partner`'s proposal."""
    vault.require_writable()
    vault.require_config()
    root = vault.root
    require_safe_state(root)
    setting = ".".join(path)
    if gitrepo.status(root, CONFIG_NAME):
        raise OpenbookError(
            f"{CONFIG_NAME} has changes that are not committed; commit them first "
            "('openbook commit') or undo them ('git checkout -- openbook.yml'), then propose."
        )
    require_can_sign(vault)
    with vault.lock():
        file = root / CONFIG_NAME
        old = file.read_bytes().decode("utf-8")
        meta = read_meta(old) or {}
        if _current(meta, path) == value:
            return Proposed(setting, old, old, None)
        new = set_value(old, path, value)
        cfg = config_from_bytes(new.encode("utf-8"), Path(CONFIG_NAME))
        if not cfg.ok:
            raise OpenbookError(
                f"That {setting} cannot be proposed: {cfg.problems[0].message}. Nothing was "
                "written."
            )
        atomic_write(file, new.encode("utf-8"))
        try:
            sha = ledger.record(vault, partner, "propose", "config", [CONFIG_NAME], setting)
        except OpenbookError:
            atomic_write(file, old.encode("utf-8"))
            gitrepo.run(root, ["reset", "-q", "--", CONFIG_NAME], check=False)
            raise
        finally:
            vault._config = None
    return Proposed(setting, old, new, sha)
