"""Small wording helpers every layer shares."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 note', '3 notes', '2 check-ins'; `many` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def article(word: str) -> str:
    """'an agreement', 'a check-in'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
