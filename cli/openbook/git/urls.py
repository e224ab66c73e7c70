"""Which remote addresses openbook uses: `check_remote_url`. Loaded with nothing but
openbook.errors (`re` only for an scp-style address), so `openbook sync` with nothing to
do can ask before anything heavy is loaded (sync/quick.py)."""

from __future__ import annotations

from openbook.errors import OpenbookError, shown

_SCP = r"^[A-Za-z0-9._~-]+(@[A-Za-z0-9._~-]+)?:(?!//)[^\s]*$"  # compiled when first used
_PASSWORD = r"(?i)^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@"


def for_display(url: str) -> str:
    """`url` as openbook says it: a password in it (https://name:secret@host/...) is
    left out, and control characters are escaped (`errors.shown`)."""
    if "@" in url:  # no password without one
        import re

        url = re.sub(_PASSWORD, r"\1:***@", url)
    return shown(url)


def check_remote_url(url: str) -> str:
    """Allow ssh://, https://, git://, scp-style host:path and local paths; nothing else."""
    text = url.strip()
    if _kind(url, text) != "local":
        return text
    from pathlib import Path

    # a local path: stored absolute, so a sync from any folder finds it
    return str(Path(text).expanduser().absolute())


def usable(url: str) -> bool:
    """Whether `check_remote_url` allows `url` (without working out the absolute path)."""
    try:
        _kind(url, url.strip())
    except OpenbookError:
        return False
    return True


def _scp_style(text: str) -> bool:
    import re

    return re.match(_SCP, text) is not None


def _kind(url: str, text: str) -> str:
    """ "url" or "local" for an address openbook uses; OpenbookError for any other."""
    bad = OpenbookError(
        f"'{shown(url)}' is not a remote openbook can use; give an ssh://, https:// or git:// URL, "
        "user@host:path, or a local folder."
    )
    if not text or text.startswith("-") or any(ord(c) < 32 or c == "\x7f" for c in text):
        raise bad
    lower = text.lower()
    if lower.startswith(("ssh://", "https://", "git://", "git+ssh://", "ssh+git://")):
        # the user@host part must not read as an option to ssh
        authority = text.split("://", 1)[1].split("/", 1)[0]
        host = authority.rsplit("@", 1)[-1]
        if not host or host.startswith(("-", "[-")) or authority.startswith("-"):
            raise bad
        return "url"
    if "::" in text or lower.startswith(("ext:", "fd:", "file:", "http://")):
        if lower.startswith("file://"):
            return "url"
        raise bad
    if "://" in text:
        raise bad
    if not text.startswith(("/", ".", "~")) and _scp_style(text):
        if text.split(":", 1)[0].rsplit("@", 1)[-1].startswith("-"):
            raise bad
        return "url"
    head = text.split("/", 1)[0]
    if ":" in head:
        # git would read `x:path` as ssh to host x; only plain host names are allowed
        raise bad
    return "local"
