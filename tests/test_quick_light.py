"""A sync with nothing to do loads no more than it needs: not json, re, subprocess or the
time zone database. What it writes instead must be what the modules it leaves unloaded
would have written: the time of the sync in the vault's zone as datetime writes it, the
record as json writes it, an escaped name as the regular expression escapes it."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from testing import Pair, quiet_pair
from testing.process import run_openbook

from openbook.errors import shown
from openbook.sync.quick import last_sync_record, steady_stamp
from openbook.words import STEADY_SPAN, steady_offset

UP_TO_DATE = "Up to date with origin; nothing to share or receive.\n"
# what `subprocess`, `json`, `re` and the time zone database would have loaded
UNNEEDED = {"subprocess", "json", "re", "zoneinfo", "datetime", "locale", "enum", "threading"}


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Pair:
    monkeypatch.delenv("OPENBOOK_NOW")  # the clock itself, as a user's
    return quiet_pair(tmp_path)


def test_a_sync_with_nothing_to_do_loads_none_of_them(pair: Pair) -> None:
    ran = run_openbook("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    assert not UNNEEDED & ran.loaded, UNNEEDED & ran.loaded
    record = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    zone = ZoneInfo("Europe/Berlin")  # as make_pair sets it
    written = dt.datetime.fromisoformat(record["time"])
    now = dt.datetime.now(zone)
    assert written.utcoffset() == now.utcoffset()
    assert dt.timedelta(0) <= now - written < dt.timedelta(seconds=30)
    assert record == {"time": record["time"], "result": "up to date", "exit_code": 0}


def test_a_time_set_in_the_environment_is_still_taken(pair: Pair) -> None:
    told = {"OPENBOOK_NOW": "2026-11-24T21:05"}
    ran = run_openbook("--vault", str(pair.alice), "--as", "alice", "sync", env=told)
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "")
    record = json.loads((pair.alice / ".git/openbook/last-sync.json").read_text())
    zone = ZoneInfo("Europe/Berlin")  # as make_pair sets it
    assert record["time"] == dt.datetime(2026, 11, 24, 21, 5, tzinfo=zone).isoformat()


@pytest.mark.parametrize(
    ("name", "at", "change"),
    [
        ("Europe/Berlin", "2027-03-20T12:00:00+00:00", "2027-03-28T01:00:00+00:00"),
        ("America/New_York", "2026-10-20T00:00:00+00:00", "2026-11-01T06:00:00+00:00"),
        ("Australia/Lord_Howe", "2027-03-30T00:00:00+00:00", "2027-04-03T15:00:00+00:00"),
        ("UTC", "2026-12-06T10:00:00+00:00", None),
        ("Asia/Kolkata", "2026-12-06T10:00:00+00:00", None),
    ],
)
def test_the_offset_noted_holds_to_the_second_the_zone_changes_it(
    name: str, at: str, change: str | None
) -> None:
    zone = ZoneInfo(name)
    when = dt.datetime.fromisoformat(at)
    offset, since, until = steady_offset(zone, when)
    local = when.astimezone(zone).utcoffset()
    assert local is not None and (offset, since) == (local.total_seconds(), when.timestamp())
    if change is None:
        assert until == since + STEADY_SPAN
    else:
        assert until == int(dt.datetime.fromisoformat(change).timestamp())
        before, after = (dt.datetime.fromtimestamp(t, zone).utcoffset() for t in (until - 1, until))
        assert before != after


def test_the_time_written_from_the_offset_is_the_one_datetime_writes() -> None:
    for name in ("Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "UTC", "Pacific/Apia"):
        zone = ZoneInfo(name)
        for _ in range(3):  # the same second on both sides, as a rule at once
            now = dt.datetime.now(zone)
            stamp = steady_stamp(list(steady_offset(zone, now)))
            if dt.datetime.now(zone).replace(microsecond=0) == now.replace(microsecond=0):
                break
        assert stamp == now.isoformat(timespec="seconds"), name


@pytest.mark.parametrize(
    "noted",
    [
        None,
        "3600",
        [3600, 0],
        [3600, 0, 1],  # a span long past
        [3600, 2**40, 2**41],  # a span not begun
        [3630, 0, 2**41],  # an offset of seconds: datetime writes those its own way
        [3600.0, 0, 2**41],
        [True, 0, 2**41],
    ],
)
def test_anything_else_noted_leaves_the_time_to_the_zone_database(noted: object) -> None:
    assert steady_stamp(noted) is None


def test_the_record_is_the_one_json_writes() -> None:
    for time in (
        "2026-12-06T12:22:00+01:00",
        "2026-06-30T23:59:59-09:30",
        "2026-01-01T00:00:00+00:00",
    ):
        data = {"time": time, "result": "up to date", "exit_code": 0}
        assert last_sync_record(time) == (json.dumps(data) + "\n").encode()
    with pytest.raises(ValueError):
        last_sync_record('2026"}, "x": "y')


def _shown_by_pattern(text: str, newlines: bool) -> str:
    def escaped(match: re.Match[str]) -> str:
        ch = match.group()
        if ch in "\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf"):
            return ch
        return repr(ch)[1:-1]

    return re.sub(r"[^\x20-\x7e\n\t]" if newlines else r"[^\x20-\x7e]", escaped, text)


def test_an_escaped_name_is_the_one_the_pattern_escapes() -> None:
    samples = ["Bob", "plain words, with: punctuation!", "two\nlines\tand tab", "\x1b[31mred"]
    samples += ["bell\x07", "del\x7f", "\u202eevil", "zero\u200bwidth", "Zoë 👩\u200d👩", "\r"]
    samples += ["".join(chr(c) for c in range(0, 0x250)), ""]
    for text in samples:
        for newlines in (False, True):
            assert shown(text, newlines=newlines) == _shown_by_pattern(text, newlines), text


def test_the_backup_of_a_new_head_is_made_as_the_full_sync_names_it(pair: Pair) -> None:
    from testing import git

    head = pair.head("alice")
    listing = ["for-each-ref", "--format=%(refname)", "--points-at", head, "refs/openbook/backup/"]
    for ref in git(pair.alice, *listing).split():
        git(pair.alice, "update-ref", "-d", ref)
    ran = run_openbook("--vault", str(pair.alice), "--as", "alice", "sync")
    assert (ran.code, ran.stdout, ran.stderr) == (0, UP_TO_DATE, "") and ran.light
    made = git(pair.alice, *listing).split()
    assert len(made) == 1 and re.fullmatch(r"refs/openbook/backup/\d{8}T\d{6}\.\d{6}Z", made[0])
    again = run_openbook("--vault", str(pair.alice), "--as", "alice", "sync")
    assert again.code == 0 and git(pair.alice, *listing).split() == made  # one is enough
