"""Property tests of sync (hypothesis): random offline work on both sides, then syncs.

- No content is ever lost: whatever is in a work tree when a sync starts is afterwards in
  the work trees or the history of the two clones.
- Add/add is not a conflict: every note either side added arrives on both sides (its
  references following it when it is renumbered), ids stay unique, and a conflict copy
  appears only when the same note was edited on both sides.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from testing import (
    NOTE_PATHS,
    Pair,
    agreement_text,
    checkin_text,
    files_in_history,
    git,
    invoke,
    make_pair,
    make_vault,
    question_text,
    valid_note,
    write,
)

from openbook.notetypes.registry import is_conflict_copy


def test_the_property_test_writes_only_valid_notes(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "v", "bob")
    for note_type, path in NOTE_PATHS.items():
        for n in (0, 7, 59):
            write(root, path, valid_note(note_type, f"bob wrote {n}", n))
            res = invoke(["check", str(root / path)], vault=root)
            assert res.exit_code == 0, res.stdout + res.stderr
            assert "0 errors, 0 warnings" in res.stdout, res.stdout


def ended_well(res: Any) -> bool:
    """A sync ended in 0 or 3, or in 1 having refused only to record deleting an agreement
    that still binds (each line it did not commit is that refusal)."""
    if res.exit_code in (0, 3):
        return True
    refused = [line for line in res.stdout.splitlines() if line.startswith("Not committed")]
    return (
        res.exit_code == 1
        and bool(refused)
        and all("without both of you; an agreement ends with" in line for line in refused)
    )


@pytest.mark.slow
def test_no_note_content_is_ever_lost(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Random edits of valid notes of every type on both sides and syncs: whatever is in
    the work tree when a sync starts is afterwards in the union of the work trees and the
    history, and every sync ends in 0 (merged) or 3 (conflict copies), or in 1 when all
    it refused was deleting an agreement that still binds (SPEC section 3: that ends by
    `openbook retire`; the file stays deleted in the work tree, and in history)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    step = st.tuples(
        st.sampled_from(["alice", "bob"]),
        st.sampled_from(["edit", "delete", "sync"]),
        st.sampled_from(sorted(NOTE_PATHS)),
        st.integers(0, 999),
    )

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(step, min_size=1, max_size=5))
    # a proposal shared, then its file deleted: the deletion is refused, nothing is lost
    @example([("alice", a, "agreement", 0) for a in ("edit", "sync", "delete")])
    def run(steps: list[tuple[str, str, str, int]]) -> None:
        pair = make_pair(tmp_path_factory.mktemp("prop"))

        def everything() -> set[str]:
            found: set[str] = set()
            for root in (pair.alice, pair.bob):
                found |= {
                    p.read_text().strip() for p in root.rglob("*.md") if ".git" not in p.parts
                }
                found |= {t.strip() for t in files_in_history(root)}
            return found

        for who, action, note_type, n in steps:
            root = pair.root(who)
            path = NOTE_PATHS[note_type]
            if action == "edit":
                text = valid_note(note_type, f"{who} wrote {n}", n)
                owner = re.search(r"^(?:author|asked_by|proposed_by|called_by): (\w+)$", text, re.M)
                if not (root / path).exists() and owner and owner.group(1) != who:
                    continue  # a new note is written by its own author (commit refuses others)
                pair.write(who, path, text)
            elif action == "delete" and (root / path).exists():
                (root / path).unlink()
            else:
                # whatever is in the work tree when a sync starts must never be lost
                before = {
                    p.read_text().strip() for p in root.rglob("*.md") if ".git" not in p.parts
                }
                res = pair.sync(who)
                assert ended_well(res), res.stdout + res.stderr
                assert "was not shared" not in res.stdout, res.stdout
                missing = before - everything()
                assert not missing, f"lost by a sync of {who}: {missing}"
        for who in ("alice", "bob"):
            before = everything()
            res = pair.sync(who)
            assert ended_well(res), res.stdout + res.stderr
            assert before <= everything()

    run()


# ----------------------------------------------------------------- add/add


SEEDS = {
    "questions/Q-0001.md": lambda body: question_text("Q-0001", body=body),
    "repairs/2026/2026-11-01-seed.md": lambda body: (
        "---\ntype: repair\nauthor: alice\ndate: 2026-11-01\nkind: rupture\nstatus: open\n"
        f"---\n\n{body}\n"
    ),
}
KINDS = ("question", "agreement", "repair", "meeting", "review", "checkin", "plan-change")
OTHER = {"alice": "bob", "bob": "alice"}


def _free(root: Path, path: str) -> str:
    """`path`, or the first -2, -3... beside it that this clone does not hold yet."""
    n, stem, candidate = 2, path.removesuffix(".md"), path
    while (root / candidate).exists():
        candidate, n = f"{stem}-{n}.md", n + 1
    return candidate


def _next_id(root: Path, folder: str, prefix: str, width: int) -> str:
    numbers = [
        int(m.group(1))
        for p in (root / folder).glob("*.md")
        if (m := re.match(rf"^{prefix}-(\d{{{width}}})", p.name))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1:0{width}d}"


def _find(root: Path, marker: str) -> Path | None:
    for p in root.rglob("*.md"):
        if ".git" not in p.parts and marker in p.read_text():
            return p
    return None


def _new_note(root: Path, kind: str, who: str, n: int, marker: str, ref: str | None) -> str:
    """Write a valid new note of `kind` by `who` in their clone; returns its path."""
    if kind == "question":
        qid = _next_id(root, "questions", "Q", 4)
        extra = f"repeat_of: {ref}\n" if ref else ""
        path = f"questions/{qid}.md"
        text = question_text(qid, asked_by=who, to=OTHER[who], extra=extra, body=marker)
    elif kind == "agreement":
        aid = _next_id(root, "agreements", "A", 3)
        slug = ("phone", "calls", "money")[n % 3]
        path = f"agreements/{aid}-{slug}.md"
        text = agreement_text(marker, slug.capitalize(), aid=aid, proposed_by=who)
    elif kind == "checkin":
        day = f"2026-11-{22 + n % 3}"
        path = _free(root, f"checkins/2026/{day}-{who}.md")
        text = checkin_text(who, day, body=marker)
    elif kind == "plan-change":
        path = _free(root, f"plan-changes/2026/2026-11-24-1755-{who}.md")
        text = valid_note("plan-change", marker, n).replace("author: bob", f"author: {who}")
    else:
        path = _free(root, NOTE_PATHS[kind])  # repair, meeting, review
        text = valid_note(kind, marker, n)
        text = text.replace("author: alice", f"author: {who}")
    write(root, path, text)
    return path


ADD = st.tuples(st.sampled_from(KINDS), st.integers(0, 99), st.booleans())
# one round: offline additions on both sides, some edits of shared notes, then both sync
ROUND = st.tuples(
    st.lists(ADD, min_size=1, max_size=3),
    st.lists(ADD, min_size=1, max_size=3),
    st.lists(
        st.tuples(st.sampled_from(["alice", "bob"]), st.sampled_from(sorted(SEEDS))), max_size=2
    ),
    st.sampled_from([("alice", "bob"), ("bob", "alice")]),
)


class Model:
    """What the two partners wrote, to compare with what the clones hold afterwards."""

    def __init__(self, pair: Pair) -> None:
        self.pair = pair
        self.added: list[tuple[str, str | None]] = []  # (marker, marker it repeats)
        self.edited: dict[str, set[str]] = {}
        self.last_question: dict[str, str] = {}

    def add(self, who: str, kind: str, n: int, refer: bool) -> None:
        root = self.pair.root(who)
        marker = f"added {len(self.added)} by {who}"
        ref_marker = self.last_question.get(who) if refer and kind == "question" else None
        found = _find(root, ref_marker) if ref_marker else None
        _new_note(root, kind, who, n, marker, found.stem if found else None)
        self.added.append((marker, ref_marker if found else None))
        if kind == "question":
            self.last_question[who] = marker

    def edit(self, who: str, path: str) -> None:
        self.pair.write(who, path, SEEDS[path](f"edited {sum(map(len, self.edited.values()))}"))
        self.edited.setdefault(path, set()).add(who)

    def sync(self, who: str) -> None:
        res = self.pair.sync(who)
        both = any(len(w) == 2 for w in self.edited.values())
        assert res.exit_code in ((0, 3) if both else (0,)), (res.stdout, res.stderr)

    def holds(self, root: Path) -> None:
        for marker, ref_marker in self.added:
            found = _find(root, marker)
            assert found is not None, f"{marker} is missing in {root.name}"
            if ref_marker:
                target = _find(root, ref_marker)
                assert target is not None
                assert f"repeat_of: {target.stem}\n" in found.read_text()
        twice = {path for path, who in self.edited.items() if len(who) == 2}
        for copy in (p for p in root.rglob("*.md") if is_conflict_copy(p.name)):
            original = copy.relative_to(root).as_posix().split(".conflict-")[0] + ".md"
            assert original in twice, f"a conflict copy of {original}, edited by one side"
        check = invoke(["check"], vault=root)
        assert check.exit_code == 0 and "[id-duplicate]" not in check.stdout, check.stdout


STATS = {"examples": 0, "renumbered": 0, "copies": 0}


@pytest.mark.slow
def test_add_add_is_never_a_conflict(tmp_path_factory: pytest.TempPathFactory) -> None:
    @settings(
        max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(ROUND, min_size=1, max_size=2))
    # found by this test: a question each side numbered alike twice, one side renumbering
    # theirs, and the note at that number is the one its line of changes began with
    @example(
        [
            ([("question", 0, False)], [("question", 0, False)], [], ("bob", "alice")),
            (
                [("question", 0, False)],
                [("question", 0, False), ("question", 0, True)],
                [],
                ("bob", "alice"),
            ),
        ]
    )
    @example(
        [
            (
                [("question", 0, False)],
                [("question", 0, False), ("question", 0, True)],
                [],
                ("alice", "bob"),
            ),
            ([("question", 0, False)], [("question", 0, False)], [], ("alice", "bob")),
        ]
    )
    def run(rounds: list[Any]) -> None:
        pair = make_pair(tmp_path_factory.mktemp("addadd"))
        for path, text in SEEDS.items():  # both seeds are Alice's: she writes them
            pair.write("alice", path, text("seed"))
        assert pair.sync("alice").exit_code == 0 and pair.sync("bob").exit_code == 0
        model = Model(pair)
        for alice_adds, bob_adds, edits, order in rounds:
            for who, adds in (("alice", alice_adds), ("bob", bob_adds)):
                for kind, n, refer in adds:
                    model.add(who, kind, n, refer)
            for who, path in edits:
                model.edit(who, path)
            for who in order:
                model.sync(who)
        for who in ("alice", "bob", "alice"):
            res = pair.sync(who)
            assert res.exit_code in (0, 3), (res.stdout, res.stderr)
        assert git(pair.alice, "ls-tree", "-r", "HEAD") == git(pair.bob, "ls-tree", "-r", "HEAD")
        model.holds(pair.alice)
        model.holds(pair.bob)
        log = git(pair.alice, "log", "--format=%s", "--grep=renumber")
        STATS["examples"] += 1
        STATS["renumbered"] += bool(log)
        STATS["copies"] += any(is_conflict_copy(p.name) for p in pair.alice.rglob("*.md"))

    run()
    print(f"add/add property: {STATS}")
