"""Jinja2 in a sandbox: the vault's own templates first, then the built-in ones."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from openbook.errors import OpenbookError

VAULT_TEMPLATES = ".openbook/templates"


def builtin_dir(name: str) -> Path:
    """A folder shipped in the wheel (`openbook/_NAME`) or, from a checkout, the repo's."""
    packaged = Path(str(resources.files("openbook"))) / f"_{name.replace('-', '_')}"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / name
    if source.is_dir():
        return source
    raise OpenbookError(f"openbook's built-in {name} folder is missing; reinstall openbook.")


def template_dirs(vault_root: Path | None) -> list[Path]:
    dirs = []
    if vault_root is not None:
        own = vault_root / VAULT_TEMPLATES
        if own.is_dir() and not own.is_symlink():
            dirs.append(own)
    dirs.append(builtin_dir("templates"))
    return dirs


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


def environment(vault_root: Path | None, *, autoescape: bool = False) -> Any:
    """A SandboxedEnvironment with StrictUndefined that never reads outside its folders."""
    from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import SandboxedEnvironment

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

    env = SandboxedEnvironment(
        loader=VaultLoader([str(d) for d in template_dirs(vault_root)], followlinks=False),
        bytecode_cache=_bytecode_cache(vault_root),
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(
    vault_root: Path | None, name: str, context: dict[str, Any], *, autoescape: bool = False
) -> str:
    """Render template `name`; a broken vault template becomes one calm sentence."""
    from jinja2 import TemplateError, TemplateNotFound
    from jinja2.exceptions import SecurityError

    env = environment(vault_root, autoescape=autoescape)
    try:
        template = env.get_template(name)
        return str(template.render(**context))
    except TemplateNotFound:
        raise OpenbookError(f"template {name} was not found; reinstall openbook.") from None
    except SecurityError as exc:
        raise OpenbookError(
            f"template {name} tried something unsafe ({exc}); fix {VAULT_TEMPLATES}/{name}."
        ) from None
    except TemplateError as exc:
        where = (
            f"{VAULT_TEMPLATES}/{name}"
            if vault_root and (vault_root / VAULT_TEMPLATES / name).is_file()
            else name
        )
        line = getattr(exc, "lineno", None)
        at = f":{line}" if line else ""
        raise OpenbookError(f"{where}{at}: {exc.message or exc}; fix the template.") from None
