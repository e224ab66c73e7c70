"""The monthly review names each agreement's sunset and the safeguards relaxed so far:
retired by both (as history shows), given way to a newer agreement both accepted, or
marked `relax` at an earlier review. Steps taken together, never a count or a score."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from testing import build_vault, git, invoke
from testing.ritual import at, harmful, ok, section


def agreement(aid: str, title: str, status: str = "active", extra: str = "") -> str:
    accepted = "[bob]" if status == "proposed" else "[alice, bob]"
    return (
        f"---\ntype: agreement\nid: {aid}\ntitle: {title}\nstatus: {status}\n"
        f"proposed_by: alice\naccepted_by: {accepted}\nsince: 2026-11-02\n"
        f"next_review: 2026-12-20\n{extra}---\n\n# {title}\n"
    )


def retire(root: Path, aid: str, who: str, when: str) -> None:
    """`openbook retire` run by `who` in their own copy (this clone, set to be theirs)."""
    git(root, "config", "openbook.partner", who)
    res = invoke(["retire", aid], vault=root, as_partner=who, env={"OPENBOOK_COMMIT_DATE": when})
    assert res.exit_code == 0, res.stderr


@pytest.fixture
def relaxed(vault: Path) -> Path:
    build_vault(
        vault,
        {
            "agreements/A-001-contact.md": agreement(
                "A-001",
                "Contact with M. only at work",
                extra="kind: boundary\nsunset: 2027-03-01\n"
                "relax_when: Six months with every contact told first.\n",
            ),
            "agreements/A-002-announce.md": agreement(
                "A-002",
                "Plans that change are announced before, not after",
                extra="kind: transparency\nsunset: 2026-11-20\n",
            ),
            "agreements/A-003-heading-home.md": agreement(
                "A-003", "A message when heading home", extra="kind: safeguard\n"
            ),
            "agreements/A-004-daily.md": agreement(
                "A-004",
                "A check-in every day by 21:00",
                extra="kind: transparency\n",
            ),
            "agreements/A-005-every-other-day.md": agreement(
                "A-005",
                "A check-in every other day",
                extra="kind: transparency\nsupersedes: A-004\n",
            ),
            "agreements/A-006-sunday-walk.md": agreement(
                "A-006", "A walk together on Sundays", extra="kind: ritual\n"
            ),
            "agreements/A-007-written-retired.md": agreement(
                "A-007", "Retired in the file only", "retired", "kind: safeguard\n"
            ),
            "reviews/2026-10.md": (
                "---\ntype: review\nperiod: 2026-10\ndate: 2026-10-25\n"
                "participants: [alice, bob]\nagreements:\n  A-001: relax\n---\n"
            ),
        },
        when=at("2026-11-02", "10:00"),
    )
    for aid in ("A-003", "A-006"):
        retire(vault, aid, "alice", at("2026-11-15", "20:00"))
        retire(vault, aid, "bob", at("2026-11-15", "20:05"))
    git(vault, "config", "openbook.partner", "alice")
    env = {"OPENBOOK_COMMIT_DATE": at("2026-11-15", "20:10")}
    assert invoke(["pause", "A-004"], vault=vault, as_partner="alice", env=env).exit_code == 0
    assert invoke(["check"], vault=vault).exit_code == 0
    return vault


def review_text(root: Path) -> str:
    rel = ok(["review", "--month", "2026-11"], root, "bob").strip()
    return (root / rel).read_text(encoding="utf-8")


def test_the_review_lists_the_safeguards_relaxed_so_far(relaxed: Path) -> None:
    text = review_text(relaxed)
    # the October review chose to relax A-001, but a review note is minutes: nothing is
    # relaxed until the partners' own commands do it
    assert section(text, "Safeguards relaxed so far") == [
        "A-004 A check-in every day by 21:00 gave way to A-005 A check-in every other day, "
        "from Monday 2 November 2026.",
        "A-003 A message when heading home: we retired it together on Sunday 15 November 2026.",
    ]
    # a ritual is not a safeguard; a retirement history does not show is not claimed
    assert "A-006" not in text.split("## Safeguards relaxed so far")[1].split("##")[0]
    assert "A-007" not in text
    assert not re.search(r"\d+ safeguards?", text)
    assert harmful(text, 30) == []
    headings = [ln for ln in text.splitlines() if ln.startswith("## ")]
    assert headings[-1] == "## Outside help"
    assert text.rstrip().endswith(
        "*Do we want outside help: a session with our therapist, a group, a book?*"
    )


def test_each_agreement_shows_its_sunset(relaxed: Path) -> None:
    text = review_text(relaxed)
    a1 = text.split("### A-001 ")[1].split("###")[0]
    assert "- What would let us relax this: Six months with every contact told first." in a1
    assert "- Sunset: we said we would look at ending it by Monday 1 March 2027." in a1
    a2 = text.split("### A-002 ")[1].split("###")[0]
    assert (
        "- Sunset: we said we would look at ending it by Friday 20 November 2026. That day "
        "has come: relax it, retire it, or choose a new date together?" in a2
    )
    a5 = text.split("### A-005 ")[1].split("## ")[0]
    assert "- Sunset: no date yet. A day to look at ending it, if we want one." in a5


def test_nothing_relaxed_yet_is_said_kindly(vault: Path) -> None:
    text = review_text(vault)
    assert section(text, "Safeguards relaxed so far") == []
    assert "*None yet, and that is all right: a safeguard is relaxed when we are both ready." in (
        text
    )


def test_a_safeguard_relaxed_this_week_is_in_what_went_right(relaxed: Path) -> None:
    text = ok(["agenda", "--date", "2026-11-15"], relaxed)
    went_right = section(text, "What went right")
    assert (
        "A-003 A message when heading home: we retired it together on Sunday 15 November 2026."
        in went_right
    )
    later = ok(["agenda", "--date", "2026-11-29"], relaxed)
    assert "A-003 A message" not in "\n".join(section(later, "What went right"))


def test_a_review_choice_changes_no_agreement_and_names_the_commands(relaxed: Path) -> None:
    text = ok(["agenda", "--date", "2026-11-22"], relaxed, "bob")
    assert (
        "A-001 Contact with M. only at work: at the 2026-10 review you chose to relax it. It "
        "changes once one of you writes the new version (`openbook new agreement --set "
        "supersedes=A-001`) and the other accepts it with `openbook accept`."
    ) in " ".join(text.split())
    data = json.loads(ok(["agenda", "--json", "--date", "2026-11-22"], relaxed, "bob"))
    assert any(line.startswith("A-001 ") for line in data["agreement_lines"])
    # once relaxed for real (a new version both accepted), the choice is no longer shown
