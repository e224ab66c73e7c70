"""The agenda's short form, for a week when one of the two is not calm: the opening,
appreciations, anything that can't wait, and the close. No counts, no topic, no repairs:
those wait for a calmer meeting (docs/choices.md says what cannot wait, and why)."""

from __future__ import annotations

import datetime as dt

from openbook.ritual.calendar import fmt_dt
from openbook.ritual.events import Timeout
from openbook.ritual.facts import LandedAnswer, OpenQuestion
from openbook.ritual.wording import landed_text, timeout_line

SHORT_SECTIONS = ["opening", "appreciations", "cannot_wait", "close"]
POSTPONE = "Or postpone: no reason needed."


def cannot_wait(
    open_questions: list[OpenQuestion],
    timeouts: list[Timeout],
    landed: list[LandedAnswer],
    tz: dt.tzinfo,
    as_of: dt.datetime,
    paused: bool,
) -> list[str]:
    """What the short form keeps: a timeout not yet returned from, an answer that is owed
    (only to agree when it comes; not while a pause holds, when nothing is expected), and
    answers after which one of the two asked to talk. An answer that landed hard waits
    for a calm meeting, where it is offered as a topic."""
    lines = [timeout_line(t, tz, as_of) for t in timeouts]
    for q in open_questions:
        if q.overdue and not paused:
            lines.append(
                f"{q.id}: the answer was due {fmt_dt(q.answer_by, tz)}. "
                "Agree on when it will come; it need not be tonight."
            )
    lines += [landed_text(a) for a in landed if a.landed == "need-to-talk"]
    return lines
