"""A note's opening line and a BOM, as other frontmatter readers take them: `--- ` and
`---<tab>` open the frontmatter, and a BOM an editor added does not keep
python-frontmatter from reading the note once it is committed."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import pytest
from testing import checkin_path, checkin_text, git, invoke, write

from openbook.notes.parse import parse_bytes, update_fields

OPENINGS = ["--- ", "---   ", "---\t", "--- \t "]


@pytest.mark.parametrize("opening", OPENINGS)
@pytest.mark.parametrize("nl", ["\n", "\r\n"])
def test_an_opening_line_with_trailing_blanks_opens_the_frontmatter(opening: str, nl: str) -> None:
    text = f"{opening}{nl}type: checkin{nl}author: bob{nl}---{nl}Body{nl}"
    assert frontmatter.loads(text).metadata == {"type": "checkin", "author": "bob"}
    note = parse_bytes("n.md", text.encode())
    assert note.problems == []
    assert note.meta == {"type": "checkin", "author": "bob"}
    assert note.body == f"Body{nl}"


@pytest.mark.parametrize("opening", OPENINGS)
def test_fields_are_updated_in_place_under_such_an_opening(opening: str) -> None:
    text = f"{opening}\r\ntype: question\r\nstatus: open\r\n---\r\nBody\r\n"
    assert update_fields(text, {"status": "answered"}) == (
        f"{opening}\r\ntype: question\r\nstatus: answered\r\n---\r\nBody\r\n"
    )


def test_check_and_commit_take_a_note_opened_with_trailing_blanks(vault: Path) -> None:
    rel = checkin_path()
    write(vault, rel, checkin_text().replace("---\n", "--- \t\n", 1))
    check = invoke(["check"], vault=vault)
    assert check.exit_code == 0, check.stdout
    assert check.stdout.endswith("0 errors, 0 warnings in 2 notes\n")
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout) == (0, f"committed {rel} (new)\n"), res.stderr


def test_a_bom_an_editor_added_is_readable_by_python_frontmatter_after_commit(
    vault: Path,
) -> None:
    rel = checkin_path()
    write(vault, rel, "\ufeff" + checkin_text().replace("\n", "\r\n"))
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout) == (0, f"committed {rel} (new)\n"), res.stderr
    want = {"type": "checkin", "author": "bob", "mood": 4}
    committed = frontmatter.loads(git(vault, "show", f"HEAD:{rel}"))
    assert {k: committed.metadata.get(k) for k in want} == want
    on_disk = frontmatter.load(vault / rel)
    assert {k: on_disk.metadata.get(k) for k in want} == want
    assert (vault / rel).read_bytes().startswith(b"---\r\ntype: checkin\r\n")  # CRLF kept
    assert git(vault, "status", "--porcelain") == ""
    check = invoke(["check"], vault=vault)
    assert check.exit_code == 0, check.stdout
    assert invoke(["commit"], vault=vault).stdout == (
        "Nothing to commit; everything is already in the log.\n"
    )


def test_an_edit_that_only_adds_a_bom_is_nothing_to_commit(vault: Path) -> None:
    rel = checkin_path()
    write(vault, rel, checkin_text())
    assert invoke(["commit"], vault=vault).exit_code == 0
    before = git(vault, "rev-parse", "HEAD")
    write(vault, rel, "\ufeff" + checkin_text())
    res = invoke(["commit"], vault=vault)
    assert (res.exit_code, res.stdout) == (
        0,
        "Nothing to commit; everything is already in the log.\n",
    ), res.stderr
    assert git(vault, "rev-parse", "HEAD") == before
    assert git(vault, "status", "--porcelain") == ""
