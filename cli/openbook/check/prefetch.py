"""The whole-history reads a check will need, started together in the background.

When a history reader has nothing remembered to build on (a first run, caches removed,
a merge or a rewound HEAD since), it reads all of history with its own `git log`. These
are independent: they are started at once as the command begins (`git.repo.read_ahead`),
so git reads history on one core while Python parses the notes on the other, and each
reader then takes its output with the very same command line. Only commands naming
HEAD's commit id are started, so an output can never be of another HEAD.
"""

from __future__ import annotations

from openbook.check import ahead, changes, claim_history, held_pauses, terms, written
from openbook.check.claims import touch_args
from openbook.check.since import ADMITTED_FILE, head_of, linear_since, load
from openbook.git.ahead import read_ahead
from openbook.git.ledger import commits_args
from openbook.trust.acknowledge import ACTION_TRAILER, TRAILER
from openbook.vault import Vault

_STARTED: set[tuple[str, str]] = set()  # (root, head) whose reads were started


def admitted_args(head: str) -> list[str]:
    """The `git log` of `trust.acknowledge.acknowledged(root, [head])`."""
    fmt = (
        f"%H%x00%(trailers:key={ACTION_TRAILER},valueonly,separator=%x20)%x00"
        f"%(trailers:key={TRAILER},valueonly,separator=%x20)%x1e"
    )
    return ["log", f"--format={fmt}", "--grep", TRAILER, "--end-of-options", head]


def _missing(vault: Vault, name: str) -> bool:
    """Whether nothing is remembered under `name` to build on (its presence is enough: a
    file of another version only means its reader reads all of history itself)."""
    state = vault.state_dir()
    return state is not None and not (state / name).is_file()


def start(vault: Vault) -> None:
    """Start the whole-history reads whose remembered facts are missing (once per HEAD)."""
    head = head_of(vault)
    if not head or (str(vault.root), head) in _STARTED:
        return
    _STARTED.add((str(vault.root), head))
    # the readers were last brought to one commit together: when what came since is not a
    # line of single-parent commits on it (a merge, a rewound HEAD), each reads all again
    old = load(vault, ADMITTED_FILE).get("head")
    again = isinstance(old, str) and old != head and not linear_since(vault.root, old, head)
    plan: list[list[str]] = []
    if _missing(vault, ADMITTED_FILE):
        plan.append(admitted_args(head))
    if again or _missing(vault, claim_history.CACHE_FILE):
        plan.append(touch_args(head))
    if again or _missing(vault, terms.CACHE_FILE):
        plan += terms.log_args(head)
    if again or _missing(vault, held_pauses.CACHE_FILE):
        plan.append(commits_args(vault, paths=[held_pauses.FOLDER], topo=True, rev=head))
    # unions over history: brought up to date after a merge too, by what came since
    both = _missing(vault, written.CACHE_FILE), _missing(vault, ahead.CACHE_FILE)
    if any(both):  # who added and changed each note, when each check-in was first added
        plan.append(changes.log_args(head))
        changes.expect(vault.root, head, *both)
    if both[0]:
        plan.append(written.confirm_args(head))
    for args in plan:
        read_ahead(vault.root, args)
