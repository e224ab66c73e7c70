"""language: the couple's shared language (timeout word, hurt signal, ok / not ok)."""

from __future__ import annotations

from openbook.notetypes.base import LANGUAGE_FILE, F, Meta, NewNote, NoteType

FIELDS = {
    "timeout_word": F("text"),
    "hurt_signal": F("text"),
    "ok": F("strs"),
    "not_ok": F("strs"),
    "repair_phrases": F("phrases"),
}


def defaults(new: NewNote) -> Meta:
    return {
        "type": "language",
        "timeout_word": None,
        "hurt_signal": None,
        "ok": [],
        "not_ok": [],
        "repair_phrases": {},
    }


TYPE = NoteType(
    name="language",
    about="your shared language: timeout word, hurt signal, ok / not ok",
    fields=FIELDS,
    defaults=defaults,
    fixed_path=LANGUAGE_FILE,
    title="shared language",
)
