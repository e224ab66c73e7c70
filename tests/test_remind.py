"""`openbook remind`: what the acting partner has due now or within two hours (SPEC section
8), one scenario per kind, silence when all is done, notifications, and the timer units."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testing import REPO, build_vault, checkin_path, checkin_text, invoke, make_vault, question_text

TUESDAY = "2026-11-24T{}:00+01:00"  # a Tuesday; the meeting is on Sundays at 19:00
SUNDAY = "2026-11-22T{}:00+01:00"
LAST_SUNDAY = "2026-11-29T{}:00+01:00"  # the last meeting of November: the monthly review
# when the notes of a test were committed: a check-in is written on its day or after
WRITTEN = TUESDAY.format("18:00")


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Alice's and Bob's vault, created on 1 November 2026; both check in daily by 21:00."""
    monkeypatch.setenv("OPENBOOK_COMMIT_DATE", "2026-11-01T12:00:00+01:00")
    root = make_vault(tmp_path / "vault")
    monkeypatch.delenv("OPENBOOK_COMMIT_DATE")
    text = (root / "openbook.yml").read_text(encoding="utf-8")
    assert '  bob: {every: day, by: "21:00"}' in text or "bob: {every: day, by: '21:00'}" in text
    return root


def remind(root: Path, now: str, *args: str, who: str = "bob", env: dict[str, str] | None = None):
    res = invoke(
        ["remind", *args], vault=root, as_partner=who, env={"OPENBOOK_NOW": now, **(env or {})}
    )
    assert res.exit_code == 0, res.stderr
    return res


def due(root: Path, now: str, who: str = "bob") -> list[dict[str, str]]:
    data = json.loads(remind(root, now, "--json", who=who).stdout)
    assert list(data) == ["due"]
    return data["due"]


def timeout_text(called_by: str, called: str, return_by: str, returned: str = "") -> str:
    extra = f"returned: {returned}\n" if returned else ""
    return (
        f"---\ntype: timeout\ncalled_by: {called_by}\ncalled: {called}\n"
        f"return_by: {return_by}\n{extra}---\n"
    )


# ---------------------------------------------------------------------- check-ins


def test_a_checkin_not_written_is_due_within_two_hours(vault: Path) -> None:
    assert due(vault, TUESDAY.format("20:30")) == [
        {"kind": "checkin", "what": "your check-in for today", "due": "2026-11-24T21:00:00+01:00"}
    ]
    assert remind(vault, TUESDAY.format("20:30")).stdout == (
        "Due at 21:00: your check-in for today.\n"
    )
    # three hours before the deadline it is not mentioned yet
    assert remind(vault, TUESDAY.format("18:00")).stdout == ""
    # after the deadline it is still there, as passed, until the day is over
    assert remind(vault, TUESDAY.format("22:15")).stdout == (
        "Was due at 21:00: your check-in for today.\n"
    )


def test_no_checkin_was_due_before_the_vault_began(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(tmp_path / "new", when=TUESDAY.format("21:30"))
    assert remind(root, TUESDAY.format("22:00")).stdout == ""
    # the next day it is due as agreed
    assert remind(root, "2026-11-25T20:00:00+01:00").stdout == (
        "Due at 21:00: your check-in for today.\n"
    )


def test_a_weekly_checkin_is_due_on_its_day(vault: Path) -> None:
    text = (vault / "openbook.yml").read_text(encoding="utf-8")
    lines = [
        '  bob: {every: week, on: tuesday, by: "21:00"}'
        if line.lstrip().startswith("bob: {every")
        else line
        for line in text.splitlines()
    ]
    build_vault(vault, {"openbook.yml": "\n".join(lines) + "\n"})
    assert remind(vault, TUESDAY.format("20:00")).stdout == (
        "Due at 21:00: your check-in for this week.\n"
    )
    assert remind(vault, "2026-11-23T20:00:00+01:00").stdout == ""  # Monday: not yet


def test_all_done_says_nothing_at_all(vault: Path) -> None:
    build_vault(vault, {checkin_path("bob"): checkin_text("bob")}, when=WRITTEN)
    res = remind(vault, TUESDAY.format("20:30"), "--notify")
    assert res.stdout == ""
    assert res.stderr == ""  # no notification, and no word about notify-send either
    assert due(vault, TUESDAY.format("20:30")) == []


def test_the_other_partners_missing_checkin_is_never_mentioned(vault: Path) -> None:
    build_vault(vault, {checkin_path("bob"): checkin_text("bob")}, when=WRITTEN)
    # Alice has not written hers, and it was due an hour ago: Bob hears nothing of it
    res = remind(vault, TUESDAY.format("22:00"))
    assert res.stdout == ""
    assert "Alice" not in remind(vault, TUESDAY.format("22:00"), "--json").stdout


# ---------------------------------------------------------------------- answers


def test_an_answer_owed_is_due_and_only_mine(vault: Path) -> None:
    build_vault(
        vault,
        {
            # answer due 21:30 today: within two hours
            "questions/Q-0001.md": question_text("Q-0001", asked="2026-11-22 21:30"),
            # due in two days: not yet
            "questions/Q-0002.md": question_text("Q-0002", asked="2026-11-24 19:00"),
            # was due yesterday: still owed
            "questions/Q-0003.md": question_text("Q-0003", asked="2026-11-21 09:00"),
            # Alice owes this one, and it is overdue: not Bob's to hear about
            "questions/Q-0004.md": question_text(
                "Q-0004", asked_by="bob", to="alice", asked="2026-11-20 09:00"
            ),
            # answered: done
            "questions/Q-0005.md": question_text(
                "Q-0005",
                asked="2026-11-22 21:00",
                status="answered",
                extra="answered: 2026-11-23 08:00\n",
            ),
        },
    )
    build_vault(vault, {checkin_path("bob"): checkin_text("bob")}, when=WRITTEN)
    assert due(vault, TUESDAY.format("20:30")) == [
        {"kind": "answer", "what": "your answer to Q-0003", "due": "2026-11-23T09:00:00+01:00"},
        {"kind": "answer", "what": "your answer to Q-0001", "due": "2026-11-24T21:30:00+01:00"},
    ]
    assert remind(vault, TUESDAY.format("20:30")).stdout == (
        "Was due at Mon 23 Nov 09:00: your answer to Q-0003.\n"
        "Due at 21:30: your answer to Q-0001.\n"
    )
    # Alice hears of the one she owes, and of nothing Bob owes
    assert [d["what"] for d in due(vault, TUESDAY.format("20:30"), "alice")] == [
        "your answer to Q-0004",
        "your check-in for today",
    ]


# ---------------------------------------------------------------------- timeouts


def test_a_timeout_to_come_back_from(vault: Path) -> None:
    mine = "timeouts/2026/2026-11-24-2000-bob.md"
    build_vault(
        vault,
        {
            checkin_path("bob"): checkin_text("bob"),
            mine: timeout_text("bob", "2026-11-24 20:00", "2026-11-24 21:10"),
            "timeouts/2026/2026-11-24-1950-alice.md": timeout_text(
                "alice", "2026-11-24 19:50", "2026-11-24 21:20"
            ),
            "timeouts/2026/2026-11-24-1800-alice.md": timeout_text(
                "alice",
                "2026-11-24 18:00",
                "2026-11-24 19:00",  # passed: never mentioned
            ),
            "timeouts/2026/2026-11-24-1700-bob.md": timeout_text(
                "bob", "2026-11-24 17:00", "2026-11-24 18:00", returned="2026-11-24 17:55"
            ),
        },
        when=WRITTEN,
    )
    assert remind(vault, TUESDAY.format("20:30")).stdout == (
        f"Due at 21:10: coming back from your timeout (write 'returned:' in {mine}).\n"
        "Due at 21:20: coming back together after the timeout.\n"
    )
    # after its return time Bob is still reminded of his own, to write `returned:`
    later = remind(vault, TUESDAY.format("21:40")).stdout
    assert (
        later == f"Was due at 21:10: coming back from your timeout (write 'returned:' in {mine}).\n"
    )
    assert [d["kind"] for d in due(vault, TUESDAY.format("20:30"))] == ["timeout", "timeout"]


# ---------------------------------------------------------------------- the meeting


def test_the_meeting_two_hours_ahead_and_while_it_runs(vault: Path) -> None:
    build_vault(
        vault,
        {
            checkin_path("bob", "2026-11-22"): checkin_text("bob", "2026-11-22"),
            checkin_path("bob", "2026-11-29"): checkin_text("bob", "2026-11-29"),
        },
        when=SUNDAY.format("12:00"),  # the 29th's is written ahead: it does not count
    )
    assert remind(vault, SUNDAY.format("16:30")).stdout == ""
    assert due(vault, SUNDAY.format("17:30")) == [
        {"kind": "meeting", "what": "your weekly meeting", "due": "2026-11-22T19:00:00+01:00"}
    ]
    assert (
        remind(vault, SUNDAY.format("19:20")).stdout == "Now, until 20:00: your weekly meeting.\n"
    )
    assert remind(vault, SUNDAY.format("20:05")).stdout == ""
    assert remind(vault, LAST_SUNDAY.format("18:00")).stdout == (
        "Due at 19:00: your weekly meeting, with the monthly review.\n"
    )


# ---------------------------------------------------------------------- notifications


def _bin_with(tmp_path: Path, tools: dict[str, str]) -> str:
    """A PATH holding git and the given scripts only."""
    folder = tmp_path / "bin"
    folder.mkdir()
    git = shutil.which("git")
    assert git
    (folder / "git").symlink_to(git)
    for name, script in tools.items():
        path = folder / name
        path.write_text(script)
        path.chmod(0o755)
    return str(folder)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS notifies through osascript")
def test_notify_without_notify_send_says_so_plainly(vault: Path, tmp_path: Path) -> None:
    res = remind(vault, TUESDAY.format("20:30"), "--notify", env={"PATH": _bin_with(tmp_path, {})})
    assert res.stdout == "Due at 21:00: your check-in for today.\n"
    assert res.stderr == (
        "openbook: no desktop notification was sent: notify-send is not installed here "
        "(on Debian or Ubuntu: apt install libnotify-bin).\n"
    )


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS notifies through osascript")
def test_notify_sends_the_lines_through_notify_send(vault: Path, tmp_path: Path) -> None:
    got = tmp_path / "notified"
    script = f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "{got}"\n'
    path = _bin_with(tmp_path, {"notify-send": script})
    res = remind(vault, TUESDAY.format("20:30"), "--notify", env={"PATH": path})
    assert res.stderr == ""
    assert got.read_text().splitlines() == [
        "--app-name=openbook",
        "--",
        "openbook",
        "Due at 21:00: your check-in for today.",
    ]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS notifies through osascript")
def test_notify_when_no_notification_service_answers(vault: Path, tmp_path: Path) -> None:
    path = _bin_with(tmp_path, {"notify-send": "#!/bin/sh\nexit 1\n"})
    res = remind(vault, TUESDAY.format("20:30"), "--notify", env={"PATH": path})
    assert res.stdout == "Due at 21:00: your check-in for today.\n"
    assert "no notification service answered" in res.stderr


# ---------------------------------------------------------------------- --install


def test_install_writes_a_user_timer_and_its_service(vault: Path, isolated: Path) -> None:
    res = invoke(["remind", "--install"], vault=vault, as_partner="bob")
    assert res.exit_code == 0, res.stderr
    folder = isolated / ".config" / "systemd" / "user"
    service = (folder / "openbook-remind.service").read_text()
    timer = (folder / "openbook-remind.timer").read_text()
    assert (
        f"ExecStart={sys.executable} -m openbook --vault {vault} --as bob remind --notify\n"
        in service
    )
    assert "Type=oneshot\n" in service
    assert "OnCalendar=*:0/15\n" in timer
    assert "Persistent=true\n" in timer
    assert "WantedBy=timers.target\n" in timer
    assert res.stderr == (
        f"openbook: wrote {folder / 'openbook-remind.service'}\n"
        f"openbook: wrote {folder / 'openbook-remind.timer'}\n"
        "To start it now and at every login, run:\n"
        "  systemctl --user daemon-reload && systemctl --user enable --now openbook-remind.timer\n"
    )
    again = invoke(["remind", "--install"], vault=vault, as_partner="bob")
    assert again.stderr.startswith(f"openbook: unchanged {folder / 'openbook-remind.service'}\n")
    # the command it runs works: nothing is printed for a vault with nothing due
    words = service.split("ExecStart=", 1)[1].splitlines()[0].split()
    run = subprocess.run(
        [*words[:-1], "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OPENBOOK_NOW": TUESDAY.format("10:00")},
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"due": []}


def test_install_quotes_an_unusual_vault_path(tmp_path: Path) -> None:
    from openbook.outside.remind_install import install

    home = tmp_path / "home"
    done = install(Path("/srv/our book/50% $HOME"), None, platform="linux", home=home)
    service = done.files[0].read_text()
    assert (
        f'ExecStart={sys.executable} -m openbook --vault "/srv/our book/50%% $$HOME" '
        "remind --notify\n"
    ) in service


def test_install_on_macos_writes_a_launchd_agent(tmp_path: Path) -> None:
    from openbook.outside.remind_install import install

    home = tmp_path / "home"
    done = install(Path("/Users/bob/ourbook"), "bob", platform="darwin", home=home)
    (path,) = done.files
    assert path == home / "Library" / "LaunchAgents" / "org.openbook.remind.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == "org.openbook.remind"
    assert agent["ProgramArguments"] == [
        sys.executable,
        "-m",
        "openbook",
        "--vault",
        "/Users/bob/ourbook",
        "--as",
        "bob",
        "remind",
        "--notify",
    ]
    assert agent["StartInterval"] == 900
    assert done.next_step == f"launchctl bootstrap gui/$(id -u) {path}"


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed here")
def test_the_units_pass_systemd_analyze_verify(vault: Path, isolated: Path, tmp_path: Path) -> None:
    assert invoke(["remind", "--install"], vault=vault, as_partner="bob").exit_code == 0
    folder = isolated / ".config" / "systemd" / "user"
    # contrib's examples too, with ExecStart pointing at a real openbook
    contrib = tmp_path / "contrib"
    contrib.mkdir()
    openbook = Path(sys.executable).with_name("openbook")
    for name in ("openbook-remind.service", "openbook-remind.timer"):
        text = (REPO / "contrib" / name).read_text()
        (contrib / name).write_text(text.replace("%h/.local/bin/openbook", str(openbook)))
    for where in (folder, contrib):
        res = subprocess.run(
            [str(SYSTEMD_ANALYZE), "verify", "openbook-remind.timer", "openbook-remind.service"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        assert "openbook-remind" not in res.stderr, res.stderr


def test_contrib_launchd_agent_is_a_valid_plist() -> None:
    agent = plistlib.loads((REPO / "contrib" / "org.openbook.remind.plist").read_bytes())
    assert agent["ProgramArguments"][-2:] == ["remind", "--notify"]
    assert agent["StartInterval"] == 900
