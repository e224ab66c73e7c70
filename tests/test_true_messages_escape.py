"""A partner's name or note text never reaches the terminal with bidi or other format
characters (Unicode category Cf) in it: they are printed escaped, as ESC already is."""

from __future__ import annotations

from pathlib import Path

from testing import build_vault, invoke, question_text

RLO = "\u202e"
HIDDEN = (RLO, "\u200b", "\u200e", "\u2066")


def _vault(vault: Path) -> None:
    cfg = (vault / "openbook.yml").read_text()
    cfg = cfg.replace("name: Bob Example", f"name: 'Bob {RLO}elpmaxE'")
    build_vault(vault, {"openbook.yml": cfg})
    q = "questions/Q-0001.md"
    build_vault(vault, {q: question_text()}, as_partner="alice", message=f"question: a{RLO}b")
    answered = question_text(status="answered", extra="answered: 2026-11-24 19:00\n")
    build_vault(vault, {q: answered}, as_partner="alice")
    agreement = (
        "---\ntype: agreement\nid: A-001\ntitle: Calls \u200bat\u200e home\u2066\n"
        "status: proposed\nproposed_by: bob\naccepted_by: [bob]\n---\n# Calls\n"
    )
    build_vault(vault, {"agreements/A-001-calls.md": agreement}, as_partner="bob")


def test_format_characters_are_escaped_in_status_agenda_log_and_check(vault: Path) -> None:
    _vault(vault)
    outputs = {
        "status": invoke(["status"], vault=vault).stdout,
        "agenda": invoke(["agenda"], vault=vault).stdout,
        "log": invoke(["log"], vault=vault).stdout,
        "check": invoke(["check"], vault=vault).stdout,
    }
    for what, text in outputs.items():
        assert not any(ch in text for ch in HIDDEN), what
    assert "Bob \\u202eelpmaxE" in outputs["status"]
    assert "Calls \\u200bat\\u200e home\\u2066" in outputs["status"]
    assert "Calls \\u200bat\\u200e home\\u2066" in outputs["agenda"]
    assert "a\\u202eb" in outputs["log"]
    assert "Bob \\u202eelpmaxE is named as the one who answered Q-0001" in outputs["check"]


def test_emoji_joined_with_a_zero_width_joiner_stay_as_they_are() -> None:
    from openbook.errors import shown

    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert shown(f"Bob {family}") == f"Bob {family}"
    assert shown(f"Bob {RLO}x") == "Bob \\u202ex"
