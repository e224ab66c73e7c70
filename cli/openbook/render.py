"""Jinja2 in a sandbox: the vault's own templates in force first, then the built-in ones.

The vault's templates are never read from disk here: the caller passes the texts in
force (`overrides`, the version both partners accepted, read from git), so a template
one partner changed and the other has not accepted is never used.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from openbook.errors import OpenbookError

VAULT_TEMPLATES = ".openbook/templates"
REINSTALL = (
    "reinstall openbook (pipx reinstall openbook, or pip install --force-reinstall openbook)"
)
# the one policy of every HTML page openbook writes (agenda, export): nothing loads, only
# the page's own inline styles apply, no base URL, no form sends anything anywhere
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
MAX_SIZE = 1_000_000  # characters or items one expression may build
MAX_STEPS = 1_000_000  # iterations of range() in one render
MAX_SECONDS = 5.0  # wall time of one render (main thread, where a timer can interrupt it)
MAX_TEMPLATE = 1_048_576  # characters of one vault template (no file in the vault is larger)

_steps: contextvars.ContextVar[list[int]] = contextvars.ContextVar("openbook_render_steps")


class TemplateTooCostly(Exception):
    """A template asked for more work or memory than any note or agenda needs."""


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


def _bounded_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse `**`, `*` and `+` whose result would be huge, before computing it."""
    if operator == "**":
        if isinstance(right, int | float) and abs(right) > 64:
            raise TemplateTooCostly(f"the power {right} is too large")
        return
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            size = _sized(seq)
            if size is not None and isinstance(count, int) and size * count > MAX_SIZE:
                raise TemplateTooCostly("a repeated text or list would be too long")
        ints = isinstance(left, int) and isinstance(right, int)
        if ints and left.bit_length() + right.bit_length() > 4096:
            raise TemplateTooCostly("a number would be too large")
        return
    lsize, rsize = _sized(left), _sized(right)
    if lsize is not None and rsize is not None and lsize + rsize > MAX_SIZE:
        raise TemplateTooCostly("a joined text or list would be too long")


def _bounded_range(*args: int) -> Iterator[int]:
    rng = range(*args)
    budget = _steps.get([MAX_STEPS])
    if len(rng) > budget[0]:
        raise TemplateTooCostly(f"range({len(rng)}) is too long")
    budget[0] -= len(rng)
    return iter(rng)


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt a render that runs too long (only the main thread can take a timer)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TemplateTooCostly(f"it ran for more than {seconds:g} seconds")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def builtin_dir(name: str) -> Path:
    """A folder shipped in the wheel (`openbook/_NAME`) or, from a checkout, the repo's."""
    packaged = Path(str(resources.files("openbook"))) / f"_{name.replace('-', '_')}"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / name
    if source.is_dir():
        return source
    raise OpenbookError(f"openbook's built-in {name} folder is missing; {REINSTALL}.")


def template_dirs(vault_root: Path | None = None) -> list[Path]:
    """The folders templates are read from: only openbook's own (vault templates come
    in as texts, see `render`)."""
    return [builtin_dir("templates")]


def template_source(name: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """The text `render` would render as `name`, read without Jinja2 (the vault's template
    in force, else openbook's own); None when it cannot say (no such file, a link...)."""
    own = {n: t for n, t in (overrides or {}).items() if _template_name(n)}
    if name in own:
        return own[name]
    if not _template_name(name):
        return None
    for base in template_dirs():
        candidate = base / name
        if candidate.is_symlink():
            return None
        try:
            return candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return None


_CLOSES = {"{{": "}}", "{%": "%}", "{#": "#}"}
_DELIMITERS = (*_CLOSES, *_CLOSES.values())
_OPENS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans"}
_ASSIGNS = re.compile(r"set\s+[\w.,\s]+=")  # `{% set x = ... %}`; else a block, up to endset


def _tags(source: str) -> Iterator[tuple[int, int]] | None:
    """(start, end) of each tag, in order, in one pass over `source`; None when a tag is
    never closed (Jinja2 would not render it)."""
    out: list[tuple[int, int]] = []
    next_at = {opener: source.find(opener) for opener in _CLOSES}
    at = 0
    while True:
        for opener, found in next_at.items():
            if 0 <= found < at:
                next_at[opener] = source.find(opener, at)
        waiting = [(found, opener) for opener, found in next_at.items() if found >= 0]
        if not waiting:
            return iter(out)
        start, opener = min(waiting)
        end = source.find(_CLOSES[opener], start + 2)
        if end < 0:
            return None
        out.append((start, end + 2))
        at = end + 2


def written_always(source: str) -> list[str] | None:
    """Text every rendering of the template `source` writes: each line, stripped, of the
    text outside every tag and every block (whitespace control only takes whitespace off
    its edges). None when that cannot be told from the text alone (a template that extends
    another, raw text, a delimiter inside a tag's quotes, a tag or block that does not
    close)."""
    plain = len(source) <= MAX_TEMPLATE and "extends" not in source and "raw" not in source
    tags = _tags(source) if plain else None
    if tags is None:
        return None
    depth, at, found = 0, 0, []
    for start, end in tags:
        if depth == 0:
            found += _lines(source[at:start])
        at, text = end, source[start:end]
        if not text.startswith("{%"):
            continue
        inner = text[2:-2].strip("-+ \t\n")
        word = inner.split(maxsplit=1)[0] if inner else ""
        if word in _OPENS or (word == "set" and not _ASSIGNS.match(inner)):
            depth += 1
        elif word.startswith("end"):
            depth -= 1
            if depth < 0:
                return None
    if depth != 0:
        return None
    found += _lines(source[at:])
    return None if any(d in line for line in found for d in _DELIMITERS) else found


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _bytecode_cache(vault_root: Path | None) -> Any:
    """Compiled templates kept in .git/openbook/templates/ (local, keyed by source checksum)."""
    if vault_root is None or not (vault_root / ".git").is_dir():
        return None
    from jinja2 import FileSystemBytecodeCache

    folder = vault_root / ".git" / "openbook" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def environment(
    vault_root: Path | None,
    *,
    autoescape: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> Any:
    """A SandboxedEnvironment with StrictUndefined that never reads outside its folders:
    the vault's templates in force (`overrides`, by name) first, then openbook's own."""
    from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import Namespace

    class VaultLoader(FileSystemLoader):
        """Refuses symlinks and anything that resolves outside the template folders."""

        def get_source(self, environment: Any, template: str) -> Any:
            for base in self.searchpath:
                candidate = Path(base) / template
                if candidate.is_symlink():
                    raise TemplateNotFound(template)
                try:
                    candidate.resolve().relative_to(Path(base).resolve())
                except ValueError:
                    raise TemplateNotFound(template) from None
            return super().get_source(environment, template)

    class BoundedNamespace(Namespace):
        """`{% set ns.x = ... %}` may not grow a value past the size limit (`~` joins)."""

        def __setitem__(self, name: str, value: Any) -> None:
            size = _sized(value)
            if size is not None and size > MAX_SIZE:
                raise TemplateTooCostly(f"the value of {name} grew too long")
            super().__setitem__(name, value)

    class BoundedEnvironment(SandboxedEnvironment):
        """The sandbox, plus limits on power, repetition, joining and range()."""

        intercepted_binops = frozenset({"**", "*", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _bounded_binop(operator, left, right)
            return super().call_binop(context, operator, left, right)

    builtin = VaultLoader([str(d) for d in template_dirs()], followlinks=False)
    own = {n: t for n, t in (overrides or {}).items() if _template_name(n)}
    env = BoundedEnvironment(
        loader=ChoiceLoader([DictLoader(own), builtin]) if own else builtin,
        bytecode_cache=_bytecode_cache(vault_root),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["range"] = _bounded_range
    env.globals["namespace"] = BoundedNamespace
    env.globals["content_security_policy"] = CONTENT_SECURITY_POLICY
    return env


def _template_name(name: str) -> bool:
    """A name a vault template may have: a relative path inside the templates folder."""
    parts = name.split("/")
    return bool(name) and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def render(
    vault_root: Path | None,
    name: str,
    context: dict[str, Any],
    *,
    autoescape: bool = False,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """Render template `name`; a broken vault template becomes one calm sentence.

    `overrides` are the vault's own templates in force ({name: text}, names relative to
    .openbook/templates/); `vault_root` only says where compiled templates are cached."""
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError

    where = f"{VAULT_TEMPLATES}/{name}" if overrides and name in overrides else name
    for own, text in (overrides or {}).items():
        if len(text) > MAX_TEMPLATE:
            raise OpenbookError(
                f"{VAULT_TEMPLATES}/{own} is larger than 1 MiB; make it shorter or delete it."
            )
    env = environment(vault_root, autoescape=autoescape, overrides=overrides)
    token = _steps.set([MAX_STEPS])
    try:
        template = env.get_template(name)
        with _time_limit(MAX_SECONDS):
            return str(template.render(**context))
    except (TemplateTooCostly, RecursionError, MemoryError, OverflowError) as exc:
        why = str(exc) if isinstance(exc, TemplateTooCostly) else "it asked for too much"
        raise OpenbookError(f"{where} was stopped: {why}; fix or delete that template.") from None
    except TemplateNotFound:
        raise OpenbookError(f"template {name} was not found; {REINSTALL}.") from None
    except SecurityError as exc:
        raise OpenbookError(
            f"template {name} tried something unsafe ({exc}); fix {VAULT_TEMPLATES}/{name}."
        ) from None
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        at = f":{line}" if line else ""
        raise OpenbookError(f"{where}{at}: {exc.message or exc}; fix the template.") from None
    finally:
        _steps.reset(token)
