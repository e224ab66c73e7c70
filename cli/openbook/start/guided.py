"""`openbook setup`: the guided first run, as steps that take answers and say what they did.

Each step returns the plain command a person could type instead, and what it did, so
the second time they need no guide. The vault is built in a folder beside the chosen one
(`Staging`) and renamed into place only at the end; a key made on the way is removed if
the setup does not finish. Nothing here touches the user's global git config, so an
interrupted setup leaves the machine as it was. The questions themselves are asked by
the command layer; this module never prompts.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from openbook.config import PARTNER_ID, WEEKDAYS, parse_hhmm
from openbook.errors import OpenbookError, RemoteUnreachable, shown
from openbook.git import repo as gitrepo
from openbook.git.urls import for_display
from openbook.start.setup import create_vault, local_timezone
from openbook.sync.transport import not_a_repository, run_network, unreachable_reason
from openbook.vault import Vault

DEFAULT_KEY = Path("~/.ssh/id_ed25519")
NOT_NOW = ("not now", "none", "no", "later", "")


@dataclass(frozen=True)
class Step:
    command: str  # what a person types to do the same without `setup`
    said: list[str] = field(default_factory=list)


def home_path(path: Path | str) -> str:
    """`path` as a person would type it: ~/... under the home folder."""
    text = str(path)
    home = str(Path.home())
    if text == home or text.startswith(home + os.sep):
        return "~" + text[len(home) :]
    return text


def quoted(*words: str) -> str:
    return " ".join(w if w.startswith("~/") and " " not in w else shlex.quote(w) for w in words)


# ------------------------------------------------------------------ answers, checked


def git_identity() -> tuple[str | None, str | None]:
    """user.name and user.email from git config, to offer as defaults."""

    def get(key: str) -> str | None:
        res = gitrepo.run(Path.home(), ["config", "--get", key], check=False)
        value = res.stdout.strip()
        return value or None

    return get("user.name"), get("user.email")


def suggested_id(name: str | None) -> str:
    word = (name or os.environ.get("USER") or "me").split()[0].lower()
    word = re.sub(r"[^a-z0-9-]", "", word).lstrip("0123456789-")[:32]
    return word or "me"


def check_id(text: str, *, not_: str | None = None) -> str:
    pid = text.strip().lower()
    if not PARTNER_ID.match(pid):
        raise OpenbookError(
            "an id is one short word of lowercase letters, digits and dashes, like alice."
        )
    if pid == not_:
        raise OpenbookError(f"'{pid}' is you; your partner needs another id.")
    return pid


def check_name(text: str) -> str:
    name = " ".join(text.split())
    if not name or any(c in name for c in "<>:"):
        raise OpenbookError("a name is the words people call you by, without < > or :.")
    return name


def check_email(text: str) -> str:
    email = text.strip()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or " " in email or "<" in email or ">" in email:
        raise OpenbookError(f"'{shown(email)}' is not an email address: it needs an @.")
    return email


def check_timezone(text: str) -> str:
    import zoneinfo

    zone = text.strip()
    names = sorted(zoneinfo.available_timezones())
    if zone in names:
        return zone
    lowered = {n.lower(): n for n in names}
    if zone.lower() in lowered:
        return lowered[zone.lower()]
    near = difflib.get_close_matches(zone, names, n=3, cutoff=0.0)
    raise OpenbookError(
        f"'{shown(zone)}' is not a time zone name; the closest are: {', '.join(near)}."
    )


def detected_timezone() -> str:
    return local_timezone()


def check_new_or_join(text: str) -> bool:
    """True to join the partner's vault, False for a new one."""
    word = text.strip().lower()
    if word in ("new", "n", "create"):
        return False
    if word in ("join", "j", "clone"):
        return True
    raise OpenbookError("answer new (a vault of your own) or join (your partner's).")


def check_folder(text: str) -> Path:
    target = Path(text.strip() or "~/openbook").expanduser().absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OpenbookError(f"{home_path(target)} already exists and is not empty; choose another.")
    return target


def check_address(
    text: str, *, joining: bool, progress: Callable[[str], None] | None = None
) -> str:
    """A shared repository's address that answers: empty to share a new vault into, or
    holding history to join. `progress` hears a line when it is slow to answer."""
    url = gitrepo.check_remote_url(text)
    late = f"{for_display(url)} did not answer in time; check the address and that you are online."
    doing = f"Still reaching {for_display(url)}..."
    res = run_network(Path.home(), ["ls-remote", "--", url], late, progress=progress, doing=doing)
    if res.status != 0:
        why = (
            "there is no git repository there"
            if not_a_repository(res.stderr)
            else unreachable_reason(res.stderr)
        )
        raise RemoteUnreachable(f"{for_display(url)} cannot be reached ({why}).")
    has_history = bool(res.stdout.strip())
    if joining and not has_history:
        raise OpenbookError(
            f"{for_display(url)} is empty: your partner shares the vault there first "
            "(their setup does, or 'openbook sync')."
        )
    if not joining and has_history:
        raise OpenbookError(
            f"{for_display(url)} already holds a history; share a new vault into an empty, "
            "private repository, or join the vault that is there."
        )
    return url


def found_key() -> Path | None:
    """The public key setup offers: ~/.ssh/id_ed25519.pub, else the only other one."""
    ssh = Path("~/.ssh").expanduser()
    first = ssh / "id_ed25519.pub"
    if first.is_file():
        return first
    others = sorted(ssh.glob("*.pub")) if ssh.is_dir() else []
    return others[0] if len(others) == 1 else None


def check_public_key(text: str) -> Path:
    from openbook.trust.signing import read_key

    path = Path(text.strip()).expanduser()
    if path.is_file() and path.suffix != ".pub" and Path(f"{path}.pub").is_file():
        path = Path(f"{path}.pub")
    try:
        first = path.read_text(encoding="utf-8").split(maxsplit=1)
    except (OSError, UnicodeDecodeError):
        first = []
    if path.is_file() and (not first or not first[0].startswith(("ssh-", "ecdsa-", "sk-"))):
        raise OpenbookError(
            f"{home_path(path)} is not a public key: a .pub file starts with ssh-ed25519 "
            "or another key type."
        )
    read_key(str(path))  # says why when it is not a public key openbook can use
    return path


_SCHEDULE = re.compile(
    r"^(?:every\s+)?(?P<when>day|daily|week\s+on\s+\w+|\w+)\s+(?:by|at|before)\s+"
    r"(?P<time>\d{1,2}(?::\d{2})?)$"
)


def parse_schedule(text: str) -> dict[str, Any] | None:
    """'every day by 21:00', 'every sunday by 20:00' → a check-in schedule; 'none' → None."""
    words = " ".join(text.lower().replace(",", " ").split())
    if words in NOT_NOW:
        return None
    m = _SCHEDULE.match(words)
    when = m["when"] if m else ""
    day = when.split()[-1] if when.startswith("week") else when
    at = parse_hhmm(m["time"] if m and ":" in m["time"] else f"{m['time']}:00") if m else None
    if m is None or at is None or (day not in WEEKDAYS and day not in ("day", "daily")):
        raise OpenbookError(
            f"'{shown(text)}' is not a schedule openbook reads; say it like 'every day by "
            "21:00' or 'every sunday by 20:00', or 'none'."
        )
    if day in ("day", "daily"):
        return {"every": "day", "by": f"{at:%H:%M}"}
    return {"every": "week", "on": day, "by": f"{at:%H:%M}"}


def schedule_words(value: dict[str, Any]) -> list[str]:
    """The `openbook propose checkins` options of a schedule."""
    words = ["--every", str(value["every"])]
    if value.get("on"):
        words += ["--on", str(value["on"])]
    return [*words, "--by", str(value["by"])]


# ------------------------------------------------------------------ building, undone on stop


class Staging:
    """A folder beside `target` where the vault is built, renamed into place by `finish`;
    anything registered with `made` (a new key) is removed unless it finishes."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.made: list[Path] = []
        self.done = False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            made = tempfile.mkdtemp(prefix=f".{target.name}.setup-", dir=target.parent)
        except OSError as exc:
            raise OpenbookError(
                f"openbook cannot write in {home_path(target.parent)} ({exc.strerror}); "
                "choose a folder of yours."
            ) from None
        self.dir = Path(made)
        self.root = self.dir / "vault"

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if not self.done:
            for path in self.made:
                path.unlink(missing_ok=True)

    def finish(self) -> Path:
        """Move the vault into place and point its git config at its new home."""
        from openbook.trust import allowed

        if self.target.exists():
            self.target.rmdir()  # checked empty when chosen
        self.root.rename(self.target)
        self.done = True
        allowed.write(self.target)
        return self.target


# ------------------------------------------------------------------ the steps


def spec(pid: str, name: str, email: str) -> str:
    return f"{pid}:{name} <{email}>"


def create(staging: Staging, me: str, specs: list[str], timezone: str) -> Step:
    create_vault(staging.root, specs, me, timezone=timezone)
    words = ["openbook", "init", home_path(staging.target), "--as", me]
    for s in specs:
        words += ["--partner", s]
    return Step(
        quoted(*words, "--timezone", timezone),
        ["Made the vault: openbook.yml, language.md, the note folders and a first commit."],
    )


def join(
    staging: Staging, url: str, me: str, progress: Callable[[str], None] | None = None
) -> Step:
    """Clone the shared vault into the staging folder; `progress` hears a line when git's
    clone takes a while."""
    from openbook.sync.clone import clone

    clone(url, staging.root, me, progress=progress)
    cfg = Vault(staging.root).require_config()
    names = [p.name for pid, p in cfg.partners.items() if pid != me]
    return Step(
        quoted("openbook", "--as", me, "clone", url, home_path(staging.target)),
        [f"Copied the vault you share with {' and '.join(names)}."],
    )


def keygen(email: str, path: Path = DEFAULT_KEY) -> tuple[list[str], Path]:
    """The ssh-keygen command for a new key (its passphrase question is ssh-keygen's own)."""
    key = path.expanduser()
    return ["ssh-keygen", "-q", "-t", "ed25519", "-C", email, "-f", str(key)], key


def make_key(staging: Staging, email: str, path: Path = DEFAULT_KEY) -> Step:
    """Run ssh-keygen on this terminal; the key is removed again if setup does not finish."""
    argv, key = keygen(email, path)
    if key.exists() or Path(f"{key}.pub").exists():
        raise OpenbookError(f"{home_path(key)} exists already; use it instead of a new one.")
    key.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging.made += [key, Path(f"{key}.pub")]
    try:
        done = subprocess.run(argv, check=False)
    except OSError:
        raise OpenbookError(
            "ssh-keygen is not installed; install OpenSSH, or give the path of a public key."
        ) from None
    if done.returncode != 0 or not Path(f"{key}.pub").is_file():
        raise OpenbookError("ssh-keygen did not make the key; nothing was kept.")
    return Step(
        quoted("ssh-keygen", "-t", "ed25519", "-C", email, "-f", home_path(key)),
        [f"Made the key {home_path(key)}.pub."],
    )


def enrol_key(staging: Staging, me: str, pub: Path) -> Step:
    from openbook.trust.keys import add_key

    done = add_key(Vault(staging.root), me, str(pub))
    return Step(quoted("openbook", "keys", "add", home_path(pub)), [done.message])


def add_remote(staging: Staging, url: str) -> Step:
    gitrepo.run(staging.root, ["remote", "add", "origin", url])
    return Step(quoted("git", "remote", "add", "origin", url), ["Your copy will share there."])


def propose_schedule(staging: Staging, me: str, schedule: dict[str, Any]) -> Step:
    from openbook.record.propose import propose

    propose(Vault(staging.root), me, ("checkins", me), schedule)
    return Step(
        quoted("openbook", "propose", "checkins", me, *schedule_words(schedule)),
        ["Proposed; it binds once your partner accepts it."],
    )


def accept_first(staging: Staging, me: str, version: str) -> Step:
    from openbook.ritual.settings_consent import accept_settings

    done = accept_settings(Vault(staging.root), me, version)
    return Step("openbook accept settings", [done.message])


def share(root: Path, me: str) -> Step:
    from openbook.sync.run import sync

    result = sync(Vault(root), me)
    return Step("openbook sync", list(result.lines))


def listed_as(staging: Staging, me: str) -> tuple[str, str]:
    p = Vault(staging.root).require_config().partners[me]
    return p.name, p.email


def remote_of(root: Path) -> str | None:
    return gitrepo.config_get(root, "remote.origin.url")
