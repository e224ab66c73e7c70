"""openbook review: the month's note, prefilled from the vault, committed once through
the one creation path."""

from __future__ import annotations

from pathlib import Path

from testing import SETUP_TIME, git, invoke, plain, subjects, trailers, write
from testing.ritual import commit_checkin, section

# the setup commits are made before the check-ins that follow them
SETUP_DATES = {"GIT_AUTHOR_DATE": SETUP_TIME, "GIT_COMMITTER_DATE": SETUP_TIME}


def test_review_is_prefilled_and_committed(vault: Path) -> None:
    write(
        vault,
        "agreements/A-001-contact.md",
        "---\ntype: agreement\nid: A-001\ntitle: No private contact\nstatus: active\n"
        "proposed_by: bob\naccepted_by: [alice, bob]\nnext_review: 2026-11-20\n"
        "relax_when: After six quiet months.\n---\n",
    )
    write(
        vault,
        "agreements/A-002-old.md",
        "---\ntype: agreement\nid: A-002\ntitle: Old one\nstatus: retired\nproposed_by: bob\n---\n",
    )
    # Bob proposed and accepted A-001 in the setup commit; Alice's own commit accepts it
    active = (vault / "agreements/A-001-contact.md").read_text()
    write(
        vault,
        "agreements/A-001-contact.md",
        active.replace("status: active", "status: proposed").replace("[alice, bob]", "[bob]"),
    )
    git(vault, "add", "-A")
    git(
        vault,
        "-c",
        "user.name=Bob Example",
        "-c",
        "user.email=bob@example.org",
        "commit",
        "-q",
        "-m",
        "setup",
        env=SETUP_DATES,
    )
    write(vault, "agreements/A-001-contact.md", active)
    git(
        vault,
        "-c",
        "user.name=Alice Example",
        "-c",
        "user.email=alice@example.org",
        "commit",
        "-q",
        "-am",
        "accept",
        env=SETUP_DATES,
    )
    commit_checkin(vault, "bob", "2026-11-02", "20:00")
    commit_checkin(vault, "bob", "2026-11-03", "22:00", time="20:30")  # arrived late
    res = invoke(["review", "--month", "2026-11"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == "reviews/2026-11.md"
    text = (vault / "reviews/2026-11.md").read_text(encoding="utf-8")
    assert "type: review\nperiod: 2026-11\ndate: 2026-11-29\n" in text
    assert "agreements:\n  A-001:\n" in text and "A-002" not in text
    assert "What would let us relax this: After six quiet months." in text
    # plain counts of what happened: the vault began on 2 Nov, so Nov 2..23 were due by
    # Tuesday 24 Nov 20:30; lateness is when a check-in arrived, not what it says
    assert "Written before the month is over: it counts up to 24 November." in text
    assert section(text, "The month at a glance")[:2] == [
        "Alice Example: 22 check-ins due, none received yet (every day by 21:00).",
        "Bob Example: 2 of 22 check-ins, 1 after 21:00 (every day by 21:00).",
    ]
    for heading in (
        "## Appreciation",
        "## The month at a glance",
        "## Three small wins each",
        "## Agreements",
        "## Stubborn challenges",
        "## Renewed commitments",
        "## Outside help",
    ):
        assert heading in text
    assert "do we want outside help" in text.lower()
    assert "%" not in text and "score" not in text.lower()
    assert subjects(vault)[0] == "review: new reviews/2026-11.md"
    assert trailers(vault) == {
        "Openbook-Action": "new",
        "Openbook-Type": "review",
        "Openbook-Partner": "bob",
    }
    assert invoke(["check"], vault=vault).exit_code == 0


def test_review_of_a_month_that_is_over_never_overwrites(vault: Path) -> None:
    assert invoke(["review", "--month", "2026-10"], vault=vault).exit_code == 0
    path = vault / "reviews/2026-10.md"
    before = path.read_bytes()
    head = git(vault, "rev-parse", "HEAD")
    res = invoke(["review", "--month", "2026-10"], vault=vault)
    assert res.exit_code == 1
    assert "already exists" in res.stderr and "Traceback" not in res.stderr
    assert path.read_bytes() == before
    assert git(vault, "rev-parse", "HEAD") == head


def test_an_early_review_run_again_with_nothing_new_changes_nothing(vault: Path) -> None:
    assert invoke(["review"], vault=vault).exit_code == 0
    path = vault / "reviews/2026-11.md"
    before = path.read_bytes()
    head = git(vault, "rev-parse", "HEAD")
    res = invoke(["review"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "reviews/2026-11.md\n"
    assert path.read_bytes() == before
    assert git(vault, "rev-parse", "HEAD") == head


def test_review_with_nothing_in_the_vault(vault: Path) -> None:
    res = invoke(["review", "--month", "2026-10", "--json"], vault=vault)
    assert res.exit_code == 0, res.stderr
    text = (vault / "reviews/2026-10.md").read_text(encoding="utf-8")
    assert "agreements: {}" in text
    assert "No active agreements this month." in text
    assert "up to" not in text  # October is over
    assert "weekly meeting" not in text  # none held: nothing to count, nothing said
    assert section(text, "The month at a glance") == [
        "Alice Example: no check-in schedule yet.",  # the vault began in November
        "Bob Example: no check-in schedule yet.",
    ]


def test_review_bad_month(vault: Path) -> None:
    res = invoke(["review", "--month", "2026-13"], vault=vault)
    assert res.exit_code == 2
    assert "not a month like 2026-11" in res.stderr
    assert not (vault / "reviews/2026-13.md").exists()


def test_review_counts_the_months_setbacks(vault: Path) -> None:
    # two setbacks in November (one self-reported), one in October: only November's count
    for day, own in (("2026-10-28", "true"), ("2026-11-05", "true"), ("2026-11-12", "false")):
        write(
            vault,
            f"repairs/2026/{day}-setback.md",
            f"---\ntype: repair\nauthor: bob\ndate: {day}\nkind: setback\n"
            f"self_reported: {own}\nstatus: processed\nprocessed: {day}\n"
            "processed_by: [bob]\n---\n# Setback\n",
        )
    plain.commit(vault, "bob", "setup")  # Bob's own notes, by his own commit
    for day in ("2026-10-28", "2026-11-05", "2026-11-12"):  # and Alice says so too
        path = vault / f"repairs/2026/{day}-setback.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("[bob]", "[bob, alice]"), encoding="utf-8")
    plain.commit(vault, "alice", "processed")
    assert invoke(["review", "--month", "2026-11"], vault=vault).exit_code == 0
    text = (vault / "reviews/2026-11.md").read_text(encoding="utf-8")
    assert "2 setbacks, 1 self-reported." in text
    assert "2 repairs processed together." in text
