"""`ask` says whom it asked and when an answer is due, with openbook's safety line, and a
note written with `ask` or `new --body` keeps the safety lines the editor path adds."""

from __future__ import annotations

from pathlib import Path

from testing import invoke

from openbook.record.safety import CHECKIN_LINE, QUESTION_LINE


def test_ask_says_whom_it_asked_when_an_answer_is_due_and_the_safety_line(vault: Path) -> None:
    res = invoke(["ask", "Where were you on Friday?"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "questions/Q-0001.md\n"
    assert res.stderr == (
        "You asked Alice Example (Q-0001); an answer is due by Thu 26 Nov 20:30, within the "
        "2 days you both agreed.\n"
        "Asking again is never counted against anyone.\n"
    )
    text = (vault / "questions/Q-0001.md").read_text()
    assert "Where were you on Friday?\n\n" + QUESTION_LINE in text


def test_new_with_body_keeps_the_safety_lines(vault: Path) -> None:
    res = invoke(["new", "checkin", "--body", "Tired but steady.", "--set", "mood=3"], vault=vault)
    assert res.exit_code == 0, res.stderr
    text = (vault / res.stdout.strip()).read_text()
    assert text.endswith("Tired but steady.\n\n" + CHECKIN_LINE + "\n")
    res = invoke(["new", "question", "--body", "Who called?", "--set", "to=alice"], vault=vault)
    assert res.exit_code == 0, res.stderr
    assert "Who called?\n\n" + QUESTION_LINE in (vault / res.stdout.strip()).read_text()
