"""`openbook review` before the month is over: it says how far it counts, agrees with the
agenda of the same minute, and running it again that month brings its counts up to date
(a new commit) while keeping what the couple wrote; once the month is over it is frozen."""

from __future__ import annotations

import re
from pathlib import Path

from testing import git, invoke
from testing.ritual import agenda_json, at, commit_checkin, section, vault_at

PATH = "reviews/2026-11.md"


def review(root: Path, now: str) -> tuple[int, str, str]:
    res = invoke(["review"], vault=root, as_partner="bob", env={"OPENBOOK_NOW": now})
    return res.exit_code, res.stdout, res.stderr


def bob_line(text: str) -> str:
    (line,) = [ln for ln in section(text, "The month at a glance") if ln.startswith("Bob")]
    return line


def counts(line: str) -> tuple[int, int, int]:
    m = re.match(r"Bob Example: (\d+) of (\d+) check-ins(?:, (\d+) after)?", line)
    assert m, line
    return int(m[2]), int(m[1]), int(m[3] or 0)


def test_an_early_review_counts_what_the_agenda_counts_and_can_be_refreshed(
    tmp_path: Path,
) -> None:
    root = vault_at(tmp_path / "v", at("2026-11-16", "09:00"))  # a Monday
    for day, hhmm in [("16", "20:00"), ("17", "20:00"), ("18", "20:00"), ("19", "22:00")]:
        commit_checkin(root, "bob", f"2026-11-{day}", hhmm)
    now = at("2026-11-21", "12:00")  # Saturday: the 20th went unwritten
    code, out, err = review(root, now)
    assert code == 0, err
    assert out.strip() == PATH
    text = (root / PATH).read_text(encoding="utf-8")
    assert "Written before the month is over: it counts up to 21 November." in text
    agenda = agenda_json(root, OPENBOOK_NOW=now)["checkins"]["bob"]
    assert counts(bob_line(text)) == (agenda["expected"], agenda["received"], agenda["late"])
    assert counts(bob_line(text)) == (5, 4, 1)

    # the couple starts writing in it, and commits that
    text = text.replace("## Appreciation\n", "## Appreciation\n\nThe walk on Sunday.\n")
    (root / PATH).write_text(text, encoding="utf-8")
    wrote = invoke(
        ["commit"], vault=root, as_partner="bob", env={"OPENBOOK_NOW": at("2026-11-21", "12:30")}
    )
    assert wrote.exit_code == 0, wrote.stderr
    before = git(root, "rev-list", "--count", "HEAD").strip()

    commit_checkin(root, "bob", "2026-11-21", "20:00")
    commit_checkin(root, "bob", "2026-11-22", "20:00")
    later = at("2026-11-23", "09:00")
    code, out, err = review(root, later)
    assert code == 0, err
    assert out.strip() == PATH
    text = (root / PATH).read_text(encoding="utf-8")
    assert "it counts up to 23 November." in text and "up to 21 November" not in text
    assert counts(bob_line(text)) == (7, 6, 1)
    assert "The walk on Sunday." in text
    assert int(git(root, "rev-list", "--count", "HEAD")) == int(before) + 3
    assert git(root, "log", "-1", "--format=%an", "--", PATH).strip() == "Bob Example"
    assert git(root, "status", "--porcelain").strip() == ""


def test_once_the_month_is_over_the_review_is_frozen(tmp_path: Path) -> None:
    root = vault_at(tmp_path / "v", at("2026-11-16", "09:00"))
    code, _, err = review(root, at("2026-11-21", "12:00"))
    assert code == 0, err
    frozen = (root / PATH).read_text(encoding="utf-8")
    res = invoke(
        ["review", "--month", "2026-11"],
        vault=root,
        as_partner="bob",
        env={"OPENBOOK_NOW": at("2026-12-02", "12:00")},
    )
    assert res.exit_code == 1
    assert "already exists" in res.stderr
    assert (root / PATH).read_text(encoding="utf-8") == frozen
