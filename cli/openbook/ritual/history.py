"""What the vault's own git history tells counting: the binding terms (openbook.yml, the
templates) as committed over time, the consents to them, when each note was first
committed, pauses, and agreements deleted without being retired. One `git log` pass and
one `git cat-file --batch`, cached by HEAD (only new commits are read when HEAD moved
forward). A folder without a history of its own uses the current openbook.yml.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

from openbook.check.held_pauses import HeldPause, pauses_for
from openbook.check.prefetch import start as start_reads
from openbook.check.result import check_vault
from openbook.check.since import linear_since
from openbook.config import CONFIG_NAME, CheckinSchedule, Config, config_from_bytes
from openbook.errors import GitError
from openbook.git import ledger
from openbook.git.ledger import SETTINGS_TRAILER
from openbook.git.objects import read_objects
from openbook.git.plumbing import is_ancestor
from openbook.git.standing import Standing, standing_times
from openbook.git.view import own_email
from openbook.notes.parse import parse_bytes
from openbook.notetypes.registry import as_date
from openbook.render import VAULT_TEMPLATES
from openbook.ritual.calendar import at
from openbook.ritual.counting import Counting, ScheduleMap, Schedules, Window
from openbook.ritual.facts import Notes
from openbook.ritual.replaced_keys import KeyChange, SettingAccept, key_changes, named_settings
from openbook.ritual.settings import InForce, TermsVersions, settings_in_force
from openbook.ritual.terms_history import is_term, terms_at
from openbook.trust.inforce import SETTING_TRAILER
from openbook.vault import Vault

CACHE_FILE = "history.json"
CACHE_VERSION = 6  # 4: replaced keys, the settings each accept names; 5: log times; 6: declines
AGREEMENTS = "agreements/"
TEMPLATES = VAULT_TEMPLATES + "/"
WATCHED_ACTIONS = ("pause", "retire")


@dataclass
class GoneAgreement:
    """An agreement file whose last event in history is its deletion."""

    path: str
    id: str
    title: str
    status: str  # in its last version
    deleted_at: dt.datetime
    deleted_by: str  # the deleting commit's author email
    commit: str


@dataclass
class VaultHistory:
    own: bool  # False: no history of its own, counting uses the current openbook.yml
    head: str | None = None
    start: dt.datetime | None = None  # the earliest commit
    # openbook.yml as committed, oldest first: (when, text, the email of its author when
    # the author also committed it, else "")
    configs: list[tuple[dt.datetime, str, str]] = field(default_factory=list)
    # the binding terms as each commit that changed them left them, oldest first: (when,
    # openbook.yml, {template name under .openbook/templates/: text}, own as for configs)
    terms: TermsVersions = field(default_factory=list)
    # `accept settings` commits: (when, the email of its author-and-committer, digest)
    accepts: list[tuple[dt.datetime, str, str]] = field(default_factory=list)
    first_commit: dict[str, dt.datetime] = field(default_factory=dict)
    # agreements/ path -> action (pause) -> the latest commit doing it
    actions: dict[str, dict[str, dt.datetime]] = field(default_factory=dict)
    deleted: dict[str, GoneAgreement] = field(default_factory=dict)
    # each partner's signing key as commits changed it, and who signed the change
    keys: list[KeyChange] = field(default_factory=list)
    # `Openbook-Setting: NAME DIGEST` of own `accept settings` commits
    setting_accepts: list[SettingAccept] = field(default_factory=list)
    # `Openbook-Setting: NAME DIGEST` of own `decline settings` commits
    setting_declines: list[SettingAccept] = field(default_factory=list)
    seq: int = 0  # commits read so far: history's order among equal times
    standing: tuple[int, bool] | None = None  # `head`'s time for counting (git/arrivals.py)


def read_history(vault: Vault) -> VaultHistory:
    """The vault's history as counting needs it, from the cache when HEAD has not moved."""
    if not vault.is_own_repo:
        return VaultHistory(own=False)
    head = ledger.head(vault)
    if head is None:
        return VaultHistory(own=False)
    from openbook.ritual.history_cache import load_history, save_history

    cached = load_history(vault)
    if cached is not None and cached.head == head:
        return cached
    since: tuple[str, Standing] | None = None
    if cached is not None and cached.head and _ancestor(vault, cached.head, head):
        hist = cached
        commits = ledger.iter_commits(vault, exclude=cached.head, rev=head)
        if cached.standing is not None and linear_since(vault.root, cached.head, head):
            since = (cached.head, Standing(*cached.standing))  # only theirs to time
    else:
        start_reads(vault)  # what else reads all of history reads it meanwhile
        hist = VaultHistory(own=True)
        commits = ledger.iter_commits(vault, rev=head)
    top = _fold(vault, hist, commits, since).get(head)
    hist.standing = (top.time, top.clock) if top is not None else None
    hist.head = head
    save_history(vault, hist)
    return hist


def _times(vault: Vault, head: str, since: tuple[str, Standing] | None) -> dict[str, Standing]:
    """Each commit's time for counting: of all of history, or only of the commits after
    `since` (whose own time is known)."""
    mine = own_email(vault)
    if since is None:
        return standing_times(vault.root, vault.now(), head, mine=mine)
    return standing_times(
        vault.root, vault.now(), head, mine=mine, exclude=since[0], known=dict([since])
    )


def _ancestor(vault: Vault, older: str, newer: str) -> bool:
    try:
        return is_ancestor(vault.root, older, newer)
    except GitError:  # the cached head is gone (history was rewritten): read it all again
        return False


def _fold(
    vault: Vault,
    hist: VaultHistory,
    commits: Iterable[ledger.Commit],
    since: tuple[str, Standing] | None = None,
) -> dict[str, Standing]:
    """Add `commits` (newest first, all newer in the graph than what `hist` holds; with
    `since`, a line of single-parent commits on that commit, whose time is given), taken
    one at a time: only the few facts counting keeps are held. Returns the times for
    counting it used."""
    found = _Found()
    flow = iter(commits)
    first = next(flow, None)
    times = _times(vault, first.sha, since) if first is not None else {}
    count = 0
    for c in chain((first,), flow) if first is not None else ():
        _fold_one(hist, found, c, count, counting_time(c, times))
        count += 1

    def ordered(when: dt.datetime, i: int) -> dt.datetime:
        # the settings and the consents to them are replayed in history's order: commits
        # at the same counting time keep it, a microsecond apart within the second before
        return when - dt.timedelta(seconds=1, microseconds=-((hist.seq + count - i) % 10**6))

    for when, i, c, own in found.consents:
        _settings_consent(hist, c, ordered(when, i), own)
    config_blobs = [(ordered(w, i), blob, own) for w, i, blob, own in found.config_blobs]
    changed_terms = [(ordered(w, i), sha, own) for w, i, sha, own in found.changed_terms]
    key_edits = [
        (ordered(w, i), sha, parent, old, new, own)
        for w, i, sha, parent, old, new, own in found.key_edits
    ]
    gone = found.gone
    wanted = {b for _, b, _ in config_blobs} | {b for _, b in gone.values()}
    wanted |= {b for edit in key_edits for b in edit[3:5] if b != ledger.NO_BLOB}
    blobs = read_objects(vault.root, sorted(wanted))
    hist.keys += key_changes(vault.root, key_edits, blobs)
    hist.keys.sort(key=lambda k: k[0])
    for when, blob, own in reversed(config_blobs):  # oldest first: equal times keep order
        obj = blobs.get(blob)
        if obj is not None:
            hist.configs.append((when, obj[2].decode("utf-8", "replace"), own))
    hist.configs.sort(key=lambda v: v[0])
    hist.terms += terms_at(vault, changed_terms)
    hist.terms.sort(key=lambda v: v[0])
    hist.accepts.sort(key=lambda v: v[0])
    hist.seq += count
    _gone_agreements(hist, gone, blobs)
    return times


@dataclass
class _Found:
    """What `_fold` keeps of the commits it read, each with its place `i` in the read
    (the time the settings are replayed at needs how many commits came in all)."""

    # (when, i, commit, own) of each own `accept settings` or `decline settings` commit
    consents: list[tuple[dt.datetime, int, ledger.Commit, str]] = field(default_factory=list)
    config_blobs: list[tuple[dt.datetime, int, str, str]] = field(default_factory=list)
    changed_terms: list[tuple[dt.datetime, int, str, str]] = field(default_factory=list)
    # (when, i, commit, its first parent, old blob, new blob, own)
    key_edits: list[tuple[dt.datetime, int, str, str | None, str, str, str]] = field(
        default_factory=list
    )
    gone: dict[str, tuple[ledger.Commit, str]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)


def _fold_one(
    hist: VaultHistory, found: _Found, c: ledger.Commit, i: int, when: dt.datetime
) -> None:
    """What one commit (the `i`th read, newest first) tells: its time, first commits of
    paths, pauses and retirements, deleted agreements, and the settings it changed."""
    if hist.start is None or when < hist.start:
        hist.start = when
    action = c.action
    # a merge endorses nothing: what it brings in is the other side's
    own = c.author_email if c.author_email == c.committer_email and not c.merge else ""
    if own and action in ("accept", "decline"):
        found.consents.append((when, i, c, own))
    if any(is_term(ch.path) for ch in c.changes):
        found.changed_terms.append((when, i, c.sha, own))
    gone, seen = found.gone, found.seen
    for ch in c.changes:
        path = ch.path
        known = hist.first_commit.get(path)
        if ch.status == "A" and (known is None or when < known):
            hist.first_commit[path] = when
        if path == CONFIG_NAME and ch.status != "D":
            found.config_blobs.append((when, i, ch.new, own))
            if not c.merge:  # a merge brings in keys changed by their own commits
                parent = c.parents[0] if c.parents else None
                found.key_edits.append((when, i, c.sha, parent, ch.old, ch.new, own))
        if not path.startswith(AGREEMENTS):
            continue
        if action in WATCHED_ACTIONS:
            latest = hist.actions.setdefault(path, {})
            if action not in latest or when > latest[action]:
                latest[action] = when
        if path in seen:
            # an older event of a path whose newest one decided already; a deletion
            # that came in through a merge is told by the commit that made it
            merged = gone.get(path)
            if merged and merged[0].merge and ch.status == "D" and not c.merge:
                gone[path] = (c, ch.old)
            continue
        seen.add(path)
        if ch.status == "D" and c.merge and path in hist.deleted:
            continue  # deleted before (read already), brought in by this merge
        hist.deleted.pop(path, None)
        if ch.status == "D":
            gone[path] = (c, ch.old)


def _settings_consent(hist: VaultHistory, c: ledger.Commit, ordered: dt.datetime, own: str) -> None:
    """An own `accept settings` or `decline settings` commit, by the settings it names."""
    if not own or c.action not in ("accept", "decline"):
        return
    named = named_settings(ordered, own, c.trailers.get(SETTING_TRAILER, ""))
    if c.action == "decline":
        hist.setting_declines += named
        return
    digest = c.trailers.get(SETTINGS_TRAILER)
    if digest:
        hist.accepts.append((ordered, own, digest))
    hist.setting_accepts += named


def _gone_agreements(
    hist: VaultHistory, gone: dict[str, tuple[ledger.Commit, str]], blobs: Any
) -> None:
    """Agreements whose last event is their deletion, as their last version said."""
    for path, (c, blob) in gone.items():
        obj = blobs.get(blob)
        if obj is None:
            continue
        meta = parse_bytes(path, obj[2], positions=False).meta
        if not isinstance(meta, dict) or meta.get("type") != "agreement":
            continue
        hist.deleted[path] = GoneAgreement(
            path,
            str(meta.get("id") or path),
            str(meta.get("title") or meta.get("id") or path),
            str(meta.get("status")),
            c.committed,
            c.author_email,
            c.sha,
        )


def counting_time(c: ledger.Commit, times: Mapping[str, Standing]) -> dt.datetime:
    """The commit's time as the log can stand behind it (SPEC section 10): its date kept
    between its parents' and when this clone first saw it (git/arrivals.py)."""
    known = times.get(c.sha)
    return known.at(c.committed.tzinfo or dt.UTC) if known else c.committed


def terms_in_force(hist: VaultHistory, cfg: Config) -> list[InForce]:
    """The versions of the binding terms both partners accepted, in the order they came
    into force (openbook.yml and the templates; SPEC section 10)."""
    return settings_in_force(
        hist.configs, hist.accepts, cfg, hist.terms, hist.setting_accepts, hist.setting_declines
    )


# ------------------------------------------------------------------ for counting


def schedules_of(
    hist: VaultHistory,
    cfg: Config,
    pauses: tuple[Window, ...] = (),
    agreements: Mapping[str, tuple[Window, ...]] | None = None,
) -> Schedules:
    """The check-in schedules of every version of openbook.yml both partners accepted,
    in the order they came into force (SPEC section 10). A version with problems keeps
    the schedules it could not read from the version before it."""
    agreements = agreements or {}
    if not hist.own or not hist.configs:
        fixed = Schedules.fixed(cfg)
        return Schedules(fixed.versions, cfg.tz, pauses, agreements)
    versions: list[tuple[dt.datetime | None, ScheduleMap]] = []
    within: list[tuple[dt.datetime | None, dt.timedelta]] = []
    before: dict[str, CheckinSchedule] = {}
    for v in terms_in_force(hist, cfg):
        version = config_from_bytes(v.text.encode("utf-8"), cfg.path)
        scheds = dict(version.checkins)
        if version.problems:
            for pid, sched in before.items():
                scheds.setdefault(pid, sched)
        versions.append((v.since, scheds))
        within.append((v.since, version.answer_within))
        before = scheds
    return Schedules(tuple(versions), cfg.tz, pauses, agreements, tuple(within))


def agreement_windows(
    notes: Notes, hist: VaultHistory, tz: dt.tzinfo
) -> dict[str, tuple[Window, ...]]:
    """When each agreement was active: from its `since` (else always) until it was retired
    (the latest commit doing so); a proposed agreement never was. While a pause of it
    holds (`pause A-ID`, history's pauses) it is paused: `Schedules.agreement_pauses`."""
    out: dict[str, tuple[Window, ...]] = {}
    for n in notes.get("agreement"):
        aid, status = n.meta.get("id"), n.meta.get("status")
        if not isinstance(aid, str) or status not in ("active", "paused", "retired"):
            continue
        day = as_date(n.meta.get("since"))
        start = at(day, dt.time(0, 0), tz) if day else None
        end = None
        if status == "retired":  # a paused one is active: its pauses are windows of their own
            end = hist.actions.get(n.path, {}).get("retire")
            if end is None:
                continue  # not active now, and history does not say since when
        out[aid] = ((start, end),)
    return out


def counting_model(
    vault: Vault, hist: VaultHistory | None = None, notes: Notes | None = None
) -> Counting:
    """The counting model of the vault now: its schedules over time and its arrivals.
    `notes` are the vault's checked notes when the caller has them (one check a command)."""
    cfg = vault.config
    now = vault.now()
    hist = hist or read_history(vault)
    notes = notes if notes is not None else Notes.of(check_vault(vault))
    held = tuple(pauses_for(vault, notes.get("pause")))
    pauses = tuple((p.since, p.end) for p in held if p.agreement is None)
    agreements = agreement_windows(notes, hist, cfg.tz)
    scheds = replace(
        schedules_of(hist, cfg, pauses, agreements), agreement_pauses=agreement_pauses(held)
    )
    if not hist.own:
        return Counting(cfg, scheds, now, held=held)
    return Counting(cfg, scheds, now, True, hist.start, hist.first_commit, held)


def agreement_pauses(held: tuple[HeldPause, ...]) -> dict[str, tuple[Window, ...]]:
    """Agreement id -> when a pause of it (`pause A-ID`) held."""
    out: dict[str, tuple[Window, ...]] = {}
    for p in held:
        if p.agreement is not None:
            out[p.agreement] = (*out.get(p.agreement, ()), (p.since, p.end))
    return out
