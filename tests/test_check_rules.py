"""Every rule of SPEC section 3: a failing file and the exact place it is reported at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing import invoke, write

CHECKIN = "checkins/2026/2026-11-24-bob.md"
GOOD_CHECKIN = "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: 3\n---\nbody\n"
AGREEMENT = (
    "---\ntype: agreement\nid: A-001\ntitle: Phone stays open\nstatus: proposed\n"
    "proposed_by: bob\naccepted_by: [bob]\n---\n"
)

# (path, content, rule, line, column, severity)
CASES: list[tuple[str, bytes | str, str, int, int, str]] = [
    (CHECKIN, "---\ntype: checkin\nauthor: bob\ndate: [2026\n---\n", "yaml-syntax", 5, 1, "error"),
    (CHECKIN, "type: checkin\nauthor: bob\n", "frontmatter-missing", 1, 1, "error"),
    (CHECKIN, "---\n- a\n- b\n---\n", "frontmatter-not-mapping", 2, 1, "error"),
    (CHECKIN, b"---\ntype: checkin\nauthor: b\xffob\n---\n", "encoding", 3, 10, "error"),
    (
        CHECKIN,
        "---\ntype: checkin\n---\n" + "x" * (1024 * 1024 + 10),
        "file-too-large",
        1,
        1,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: &who bob\ndate: 2026-11-24\nnote: *who\n---\n",
        "yaml-alias",
        3,
        9,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nauthor: bob\n---\n",
        "duplicate-key",
        5,
        1,
        "error",
    ),
    (CHECKIN, "---\ntype: checkin\nauthor: bob\n---\n", "field-required", 1, 1, "error"),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: great\n---\n",
        "field-type",
        5,
        7,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: 7\n---\n",
        "field-value",
        5,
        7,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmoood: 3\n---\n",
        "unknown-field",
        5,
        1,
        "warning",
    ),
    (CHECKIN, "---\ntype: chekin\nauthor: bob\n---\n", "unknown-type", 2, 7, "error"),
    (
        "questions/Q-7.md",
        "---\ntype: question\nid: Q-7\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-20 10:00\nstatus: open\n---\n",
        "id-format",
        3,
        5,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nkept: {A-009: yes}\n---\n",
        "ref-unknown",
        5,
        8,
        "error",
    ),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: carol\ndate: 2026-11-24\n---\n",
        "partner-unknown",
        3,
        9,
        "error",
    ),
    (
        "questions/Q-0001.md",
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-20 10:00\nstatus: answered\n---\n",
        "status-consistency",
        7,
        9,
        "error",
    ),
    (
        "agreements/A-002-x.md",
        "---\ntype: agreement\nid: A-002\ntitle: X\nstatus: active\n"
        "proposed_by: bob\naccepted_by: [bob]\n---\n",
        "status-consistency",
        5,
        9,
        "error",
    ),
    ("questions/2026-11-24-bob.md", GOOD_CHECKIN, "wrong-folder", 2, 7, "warning"),
    ("checkins/2026/2026-11-23-bob.md", GOOD_CHECKIN, "filename-mismatch", 1, 1, "warning"),
    (
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\n<<<<<<< HEAD\nmine\n"
        "=======\ntheirs\n>>>>>>> abc\n",
        "conflict-markers",
        6,
        1,
        "error",
    ),
    (
        "checkins/2026/2026-11-24-bob.conflict-alice-abcdef1.md",
        GOOD_CHECKIN,
        "conflict-copy",
        1,
        1,
        "warning",
    ),
]


@pytest.mark.parametrize(
    ("path", "content", "rule", "line", "column", "severity"),
    CASES,
    ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule_reported_at_exact_place(
    vault: Path, path: str, content: bytes | str, rule: str, line: int, column: int, severity: str
) -> None:
    target = vault / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    res = invoke(["check", "--format", "json"], vault=vault)
    found = json.loads(res.stdout)["problems"]
    matching = [p for p in found if p["rule"] == rule and p["path"] == path]
    assert matching, f"no {rule} in {found}"
    assert (matching[0]["line"], matching[0]["column"], matching[0]["severity"]) == (
        line,
        column,
        severity,
    )
    assert res.exit_code == (1 if any(p["severity"] == "error" for p in found) else 0)


def test_id_duplicate_names_the_other_file(vault: Path) -> None:
    write(vault, "agreements/A-001-one.md", AGREEMENT)
    write(vault, "agreements/A-001-two.md", AGREEMENT)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert (
        "agreements/A-001-one.md:3:1: error: duplicate id A-001, also in agreements/A-001-two.md"
    ) in res.stdout
    assert "[id-duplicate]" in res.stdout


def test_config_problem_has_its_line_and_never_crashes(vault: Path) -> None:
    cfg = (vault / "openbook.yml").read_text()
    (vault / "openbook.yml").write_text(
        cfg.replace("timezone: Europe/Berlin", "timezone: Mars/Base")
    )
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    line = next(
        i
        for i, t in enumerate((vault / "openbook.yml").read_text().splitlines(), 1)
        if t.startswith("timezone")
    )
    assert f"openbook.yml:{line}:11: error: unknown timezone 'Mars/Base'" in res.stdout
    assert "[config]" in res.stdout


def test_all_problems_in_one_run_sorted_with_summary(vault: Path) -> None:
    write(
        vault,
        "checkins/2026/2026-11-24-bob.md",
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\nmood: 9\nconnection: 0\n"
        "reveiw: x\n---\n",
    )
    write(vault, "checkins/2026/2026-11-22-bob.md", "no frontmatter\n")
    res = invoke(["check"], vault=vault)
    lines = res.stdout.splitlines()
    assert lines[0].startswith("checkins/2026/2026-11-22-bob.md:1:1: error:")
    assert lines[1].startswith("checkins/2026/2026-11-24-bob.md:5:7: error: mood must be")
    assert lines[2].startswith("checkins/2026/2026-11-24-bob.md:6:13: error: connection must")
    assert lines[3].startswith("checkins/2026/2026-11-24-bob.md:7:1: warning: unknown field")
    assert lines[-1] == "3 errors, 1 warning in 3 notes"


def test_strict_fails_on_warnings(vault: Path) -> None:
    write(vault, CHECKIN, GOOD_CHECKIN.replace("mood: 3", "moood: 3"))
    assert invoke(["check"], vault=vault).exit_code == 0
    assert invoke(["check", "--strict"], vault=vault).exit_code == 1


def test_yaml_12_scalars(vault: Path) -> None:
    write(
        vault,
        CHECKIN,
        "---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\ntime: 21:05\n"
        "on_track: yes\ncontact: none\n---\n",
    )
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 0, res.stdout


def test_symlinked_note_is_refused_and_never_read(vault: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntype: checkin\nauthor: bob\ndate: 2026-11-24\n---\nSECRET\n")
    (vault / "checkins").mkdir(exist_ok=True)
    (vault / CHECKIN).parent.mkdir(parents=True, exist_ok=True)
    (vault / CHECKIN).symlink_to(secret)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert "symbolic link" in res.stdout


def test_check_paths_filter_and_warm_cache_agree(vault: Path) -> None:
    write(vault, CHECKIN, GOOD_CHECKIN.replace("mood: 3", "mood: 8"))
    write(
        vault, "checkins/2026/2026-11-23-bob.md", GOOD_CHECKIN.replace("2026-11-24", "2026-11-23")
    )
    cold = invoke(["check", "--no-cache", "--format", "json"], vault=vault).stdout
    invoke(["check"], vault=vault)
    warm = invoke(["check", "--format", "json"], vault=vault).stdout
    assert json.loads(cold) == json.loads(warm)
    only = invoke(["check", str(vault / "checkins/2026/2026-11-23-bob.md")], vault=vault)
    assert only.exit_code == 0
    assert only.stdout.strip().endswith("0 errors, 0 warnings in 3 notes")


def test_cache_notices_an_edit_of_the_same_size(vault: Path) -> None:
    import os

    path = write(vault, CHECKIN, GOOD_CHECKIN)
    assert invoke(["check"], vault=vault).exit_code == 0
    st = path.stat()
    path.write_text(GOOD_CHECKIN.replace("mood: 3", "mood: 9"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert invoke(["check"], vault=vault).exit_code == 1


def test_placement_and_naming_messages(vault: Path) -> None:
    write(vault, "agreements/other.md", AGREEMENT)
    write(vault, "checkins/2026/2026-11-23-bob.md", GOOD_CHECKIN)
    write(
        vault,
        "meetings/2026/w.md",
        "---\ntype: meeting\ndate: 2026-11-24\nweek: 2026-W48\nparticipants: [alice, bob]\n---\n",
    )
    write(vault, "reviews/language.md", "---\ntype: language\nok: [a]\n---\n")
    write(vault, "questions/2026-11-24-bob.md", GOOD_CHECKIN)
    write(vault, "checkins/2026/2026-11-24-bob.conflict-alice-abcdef1.md", GOOD_CHECKIN)
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [
        "agreements/other.md:1:1: warning: file name other.md does not match the note; "
        "rename it to A-001-….md [filename-mismatch]",
        "checkins/2026/2026-11-23-bob.md:1:1: warning: file name 2026-11-23-bob.md does not "
        "match the note; rename it to 2026-11-24-bob.md [filename-mismatch]",
        "checkins/2026/2026-11-24-bob.conflict-alice-abcdef1.md:1:1: warning: conflict copy "
        "from sync: compare it with checkins/2026/2026-11-24-bob.md, keep what you both want "
        "there, then delete this file [conflict-copy]",
        "meetings/2026/w.md:1:1: warning: file name w.md does not match the note; rename it "
        "to 2026-W48.md [filename-mismatch]",
        "questions/2026-11-24-bob.md:2:7: warning: a checkin note is in questions/; move it to "
        "checkins/ [wrong-folder]",
        "reviews/language.md:1:1: warning: the shared language belongs in language.md at the "
        "top of the vault [wrong-folder]",
        "0 errors, 6 warnings in 7 notes",
    ]


def test_unknown_type_lists_every_type(vault: Path) -> None:
    write(vault, CHECKIN, "---\ntype: zzzz\n---\n")
    res = invoke(["check", "--format", "json"], vault=vault)
    [problem] = json.loads(res.stdout)["problems"]
    assert problem["message"] == (
        "unknown type 'zzzz'; use one of agreement, checkin, language, meeting, "
        "pause, plan-change, question, repair, review, timeout"
    )


def test_references_resolve_to_notes_of_the_right_type(vault: Path) -> None:
    write(vault, "agreements/A-001-phone-stays-open.md", AGREEMENT)
    write(
        vault,
        "repairs/2026/2026-11-24-rupture.md",
        "---\ntype: repair\nauthor: bob\ndate: 2026-11-24\nkind: rupture\nstatus: open\n"
        "agreements: [A-001, A-002]\n---\n",
    )
    write(
        vault,
        "questions/Q-0001.md",
        "---\ntype: question\nid: Q-0001\nasked_by: alice\nto: bob\n"
        "asked: 2026-11-20 10:00\nstatus: open\nrepeat_of: Q-0002\n---\n",
    )
    res = invoke(["check"], vault=vault)
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "questions/Q-0001.md:8:12: error: Q-0002 is not a question in this vault; check the id "
        "[ref-unknown]",
        "repairs/2026/2026-11-24-rupture.md:7:21: error: A-002 is not a agreement in this "
        "vault; check the id [ref-unknown]",
        "2 errors, 0 warnings in 4 notes",
    ]
