"""The clone's git settings: read one at a time, or all at once for one operation
(`config_read_once`), and set."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from openbook.git import runner

Setting = tuple[str, str | None]  # (key as git lists it, value; None: a bare key)
_CONFIG_ONCE: ContextVar[dict[str, list[Setting] | None] | None] = ContextVar(
    "openbook_config_once", default=None
)


@contextlib.contextmanager
def config_read_once() -> Iterator[None]:
    """Inside, the clone's settings are asked of git once (`git config --list`) and every
    reading of one (`config_get`, `config_bool`, `config_entries`) is answered from that:
    one operation, such as a sync or a commit under the vault lock, reads the settings
    as they are when it begins (and what it sets itself)."""
    token = _CONFIG_ONCE.set({}) if _CONFIG_ONCE.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _CONFIG_ONCE.reset(token)


def _listed_settings(root: Path) -> list[Setting] | None:
    """Every setting git reads in this clone, in git's order; None when git cannot."""
    done = runner.execute(root, ["config", "-z", "--list"], check=False)
    if done.status != 0:
        return None
    found: list[Setting] = []
    for item in done.stdout.decode("utf-8", "replace").split("\0"):
        if item:
            key, newline, value = item.partition("\n")
            found.append((key, value if newline else None))
    return found


def _settings(root: Path) -> list[Setting] | None:
    """The settings read once (`config_read_once`), None outside it or when unreadable."""
    once = _CONFIG_ONCE.get()
    if once is None:
        return None
    if str(root) not in once:
        once[str(root)] = _listed_settings(root)
    return once[str(root)]


def _canonical(key: str) -> str:
    """A key as git lists it: section and name in lower case, a subsection as written."""
    section, _, rest = key.partition(".")
    sub, dot, name = rest.rpartition(".")
    return f"{section.lower()}.{sub}.{name.lower()}" if dot else f"{section.lower()}.{rest.lower()}"


def _last(settings: list[Setting], key: str) -> tuple[bool, str | None]:
    want = _canonical(key)
    found = [v for k, v in settings if k == want]
    return (True, found[-1]) if found else (False, None)


def config_get(root: Path, key: str) -> str | None:
    """The last value of `key` (as `git config --get`); None when unset or empty."""
    settings = _settings(root)
    if settings is None:
        return runner.answer(root, ["config", "--get", key]) or None
    return _last(settings, key)[1] or None


def config_bool(root: Path, key: str) -> bool:
    """`key` read as git reads a boolean (`--type=bool`); False when unset or no boolean."""
    settings = _settings(root)
    if settings is None:
        return runner.answer(root, ["config", "--type=bool", "--get", key]) == "true"
    known, value = _last(settings, key)
    if not known or value is None:
        return known  # a bare key is true
    word = value.strip().lower()
    if word in ("true", "yes", "on", "false", "no", "off", ""):
        return word in ("true", "yes", "on")
    scale = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(word[-1:], 1)
    number = word[:-1] if scale > 1 else word
    return number.lstrip("+-").isdigit() and int(number) * scale != 0


def config_entries(root: Path, prefixes: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key, value) of every setting whose key, as git lists it, begins with one of
    `prefixes` ("remote.", "url."), in git's order."""
    settings = _settings(root)
    if settings is None:
        settings = _listed_settings(root) or []
    return [(k, v or "") for k, v in settings if k.startswith(prefixes)]


def config_set(root: Path, key: str, value: str) -> None:
    runner.execute(root, ["config", key, value])
    once = _CONFIG_ONCE.get()
    if once is not None:
        once.clear()
