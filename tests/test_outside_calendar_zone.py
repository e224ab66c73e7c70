"""The calendar's embedded VTIMEZONE holds for as long as the weekly meeting recurs: a
client that trusts the zone in the file, not its own copy of the zone database, puts a
meeting in 2045 or 2055 at the right hour (SPEC section 8)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import dateutil.rrule
import dateutil.tz
import icalendar
import pytest
from testing import invoke, make_vault

from openbook.outside.zone import vtimezone

SUMMER = [dt.date(2027, 7, 4), dt.date(2045, 7, 2), dt.date(2055, 7, 4)]  # Sundays
WINTER = [dt.date(2027, 1, 3), dt.date(2045, 1, 1), dt.date(2055, 1, 3)]


def embedded_offset(cal: icalendar.Calendar, local: dt.datetime) -> dt.timedelta:
    """The UTC offset of a wall-clock time under the file's own VTIMEZONE, read as RFC 5545
    says: the latest onset (DTSTART, its RRULE, its RDATEs) at or before that time wins."""
    (zone,) = cal.walk("VTIMEZONE")
    onsets: list[tuple[dt.datetime, dt.timedelta]] = []
    for part in zone.subcomponents:
        start = part["DTSTART"].dt.replace(tzinfo=None)
        times = [start]
        if "RRULE" in part:
            rule = dateutil.rrule.rrulestr(part["RRULE"].to_ical().decode(), dtstart=start)
            times += rule.between(start, local, inc=True)
        rdates = part.get("RDATE", [])
        for prop in rdates if isinstance(rdates, list) else [rdates]:
            times += [d.dt.replace(tzinfo=None) for d in prop.dts]
        onsets += [(t, part["TZOFFSETTO"].td) for t in times if t <= local]
    return max(onsets)[1]


def bob_calendar(tmp_path: Path) -> tuple[Path, icalendar.Calendar]:
    vault = make_vault(tmp_path / "v", when="2026-10-01T09:00:00+02:00")
    ics = tmp_path / "bob.ics"
    res = invoke(["calendar", "-o", str(ics)], vault=vault, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    return ics, icalendar.Calendar.from_ical(ics.read_bytes())


def test_the_embedded_zone_puts_meetings_decades_ahead_at_the_right_offset(
    tmp_path: Path,
) -> None:
    _, cal = bob_calendar(tmp_path)
    hour = dt.timedelta(hours=1)
    for day in SUMMER:
        assert embedded_offset(cal, dt.datetime.combine(day, dt.time(19))) == 2 * hour, day
    for day in WINTER:
        assert embedded_offset(cal, dt.datetime.combine(day, dt.time(19))) == hour, day
    # the zone stays small: rules that recur, not a list of every change to come
    assert len(cal.to_ical()) < 4000


def test_dateutils_vtimezone_parser_agrees_decades_ahead(tmp_path: Path) -> None:
    """dateutil's tzical (the VTIMEZONE reader of many Python calendar tools) builds a zone
    from the file alone; a meeting at 19:00 in Berlin is 17:00 UTC in summer, 18:00 in
    winter, in 2045 and 2055 as in 2027."""
    _, cal = bob_calendar(tmp_path)
    (zone,) = cal.walk("VTIMEZONE")
    tz = dateutil.tz.tzical(io.StringIO(zone.to_ical().decode())).get()
    for day, utc_hour in [*((d, 17) for d in SUMMER), *((d, 18) for d in WINTER)]:
        meeting = dt.datetime.combine(day, dt.time(19), tzinfo=tz)
        assert meeting.astimezone(dt.UTC).hour == utc_hour, day


@pytest.mark.skipif(shutil.which("khal") is None, reason="khal is not installed (apt install khal)")
def test_khal_reads_the_recurring_zone_and_shows_the_meeting_at_the_right_utc_hour(
    tmp_path: Path,
) -> None:
    """khal expands recurring events only up to 2037 (its own limit), so it is asked about
    the last summer and winter it shows."""
    ics, _ = bob_calendar(tmp_path)
    folder = tmp_path / "khal"
    (folder / "cal").mkdir(parents=True)
    config = folder / "config"
    config.write_text(
        f"[calendars]\n[[us]]\npath = {folder / 'cal'}/\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "default_timezone = UTC\nlocal_timezone = UTC\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n"
    )

    def khal(*args: str) -> str:
        res = subprocess.run(
            ["khal", "-c", str(config), *args], capture_output=True, text=True, timeout=60
        )
        assert res.returncode == 0, res.stderr
        return res.stdout

    khal("import", "--batch", "-a", "us", str(ics))
    for day, hours in [
        ("2027-07-04", "17:00-18:00"),
        ("2037-07-05", "17:00-18:00"),
        ("2027-01-03", "18:00-19:00"),
        ("2037-01-04", "18:00-19:00"),
    ]:
        assert f"{hours} Our weekly meeting" in khal("list", day, "1d"), day


@pytest.mark.parametrize(
    "key", ["America/New_York", "Australia/Sydney", "Asia/Tokyo", "America/Sao_Paulo"]
)
def test_other_zones_hold_as_far_ahead_as_their_rules(key: str) -> None:
    """North and south of the equator, with and without summer time (and one that gave it
    up in 2019): the file's zone, read by dateutil, gives the zone's offset every month
    from 2027 to 2060."""
    tz = ZoneInfo(key)
    zone = vtimezone(tz, dt.date(2026, 9, 24), dt.date(2026, 10, 1))
    read = dateutil.tz.tzical(io.StringIO(zone.to_ical().decode())).get()
    for year in range(2027, 2061):
        for month in range(1, 13):
            noon = dt.datetime(year, month, 15, 12)
            assert noon.replace(tzinfo=read).utcoffset() == noon.replace(tzinfo=tz).utcoffset()
