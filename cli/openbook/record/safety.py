"""openbook's own safety lines, written into a new note around whatever its template
rendered (SPEC section 10): a template from the shared vault can never remove them.

A check-in ends with the listening line; a question carries the "asking again" line right
after the question text (or, when the text is not found, just before its "## Answer"
heading, else at the end). A line that starts a quote joins the quote it stands before.
"""

from __future__ import annotations

CHECKIN_LINE = (
    "*A check-in is listened to, not debated. If something here raises a question, ask it "
    "with `openbook ask` rather than replying under this note.*"
)
QUESTION_LINE = (
    "> Asking the same question again is part of healing. It is never counted against anyone."
)
SAFETY_LINES = {"checkin": CHECKIN_LINE, "question": QUESTION_LINE}
ANSWER_HEADING = "## Answer"


def _question_gap(lines: list[str], question: str) -> int:
    """The line index the question's safety line goes before."""
    answer = next((i for i, line in enumerate(lines) if line.strip() == ANSWER_HEADING), None)
    text = question.strip()
    if text:
        joined = "\n".join(lines)
        at = joined.find(text)
        end_line = joined.count("\n", 0, at + len(text)) + 1 if at >= 0 else None
        if end_line is not None and (answer is None or end_line <= answer):
            return end_line
    if answer is None:
        return len(lines)
    gap = answer
    while gap > 0 and not lines[gap - 1].strip():
        gap -= 1
    if gap > 0 and lines[gap - 1].startswith(">"):  # lead the quote before the heading
        while gap > 0 and lines[gap - 1].startswith(">"):
            gap -= 1
    else:
        gap = answer
    return gap


def _insert(lines: list[str], gap: int, line: str) -> list[str]:
    """`line` as its own paragraph at `gap`, or leading the quote that follows there."""
    before, after = lines[:gap], lines[gap:]
    while before and not before[-1].strip():
        before.pop()
    while after and not after[0].strip():
        after.pop(0)
    if after and line.startswith(">") and after[0].startswith(">"):
        block = [line, *after]
    else:
        block = [line, "", *after] if after else [line]
    return [*before, "", *block] if before else block


def with_safety_lines(note_type: str, text: str, question: str = "") -> str:
    """`text` (a rendered template) with openbook's safety line for `note_type` in its
    place; a copy the template wrote itself is moved there, so the line is there once."""
    line = SAFETY_LINES.get(note_type)
    if line is None:
        return text
    lines = [x for x in text.split("\n") if x.strip() != line]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    gap = len(lines) if note_type == "checkin" else _question_gap(lines, question)
    return "\n".join(_insert(lines, gap, line)) + "\n"


def without_safety_lines(note_type: str | None, text: str) -> str:
    """`text` without openbook's safety line, to tell whether anything else is written."""
    line = SAFETY_LINES.get(note_type or "")
    if line is None:
        return text
    return "\n".join(x for x in text.split("\n") if x.strip() != line)
