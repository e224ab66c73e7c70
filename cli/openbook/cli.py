"""The command line. `main` answers what needs no command tree (a sync with nothing to do,
a verify with nothing new, the version: commands/fast.py) before click is even loaded;
everything else runs the click group in commands/root.py, whose commands load lazily so
that `--help` stays fast."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not loaded at run time: start-up stays short
if TYPE_CHECKING:
    from typing import Any, NoReturn

    from openbook.commands.root import cli as cli

# name -> (module under openbook.commands, function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "setup": ("guided", "setup_command", "Set up step by step: you, your partner, your vault."),
    "init": ("setup", "init_command", "Create a new vault for the two of you."),
    "demo": ("demo", "demo_command", "Build a demo vault with eight weeks of history."),
    "new": ("write", "new_command", "Write a new note from its template and commit it."),
    "ask": ("write", "ask_command", "Ask your partner a question."),
    "answer": ("consent", "answer_command", "Answer a question."),
    "accept": ("consent", "accept_command", "Consent to an agreement."),
    "pause": ("consent", "pause_command", "Pause an agreement, or everything (either of you)."),
    "resume": ("consent", "resume_command", "End the pause you began with pause --all."),
    "retire": ("consent", "retire_command", "Retire an agreement (needs both partners)."),
    "confirm": ("confirm", "confirm_command", "Confirm a note your partner wrote for you."),
    "decline": ("consent", "decline_command", "Say no to an agreement or settings proposed."),
    "propose": ("propose", "propose_command", "Propose a schedule or setting you both keep."),
    "timeout": ("timeouts", "timeout_command", "Call a timeout now; no reason is asked."),
    "back": ("timeouts", "back_command", "Record that you are back from your timeout."),
    "check": ("check", "check_command", "Validate the notes and report every problem."),
    "commit": ("write", "commit_command", "Validate and commit every pending change."),
    "status": ("status", "status_command", "Who you are, what is due, what is waiting."),
    "log": ("status", "log_command", "The transparency log: every change, from git history."),
    "agenda": ("agenda", "agenda_command", "The agenda for this week's ritual."),
    "review": ("agenda", "review_command", "Create this month's review note, prefilled."),
    "clone": ("sync", "clone_command", "Clone your partner's shared vault."),
    "sync": ("sync", "sync_command", "Share your changes and receive your partner's."),
    "remote": (
        "remote",
        "remote_command",
        "Share through an encrypted remote the host cannot read.",
    ),
    "watch": ("watch", "watch_command", "Check and commit notes as you save them."),
    "keys": ("trust", "keys_command", "Sign your commits with an SSH key; require signatures."),
    "verify": ("trust", "verify_command", "Check that every commit is signed by its author."),
    "fingerprint": ("trust", "fingerprint_command", "Digits to compare: same log on both sides?"),
    "calendar": ("outside", "calendar_command", "Your meetings and deadlines as an .ics file."),
    "remind": ("outside", "remind_command", "What you have due in the next two hours."),
    "export": ("outside", "export_command", "The chosen notes as a printable page or PDF."),
    "hooks": ("hooks", "hooks_command", "Install git hooks that check notes on commit."),
    "doctor": ("doctor", "doctor_command", "Say what stops writing or syncing, and what to do."),
    "resources": ("resources", "resources_command", "Where to find help: helplines, therapists."),
    "journal": ("journal", "journal_command", "Your private journal, kept outside the vault."),
    "completion": ("completion", "completion_command", "Print a shell completion script."),
}


def steady_memory() -> bool:
    """Keep glibc's malloc at its default thresholds (128 KiB) for the whole run. By
    default it raises them each time a large buffer is freed, after which freed buffers
    stay with the process: a first reading of a 50,000-note vault then peaks about
    10 MiB higher. False where there is no such allocator (the run is the same)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
        return all(
            libc.mallopt(opt, 128 * 1024) == 1 for opt in (m_trim_threshold, m_mmap_threshold)
        )
    except (OSError, AttributeError, ImportError, TypeError):  # no such library or call
        return False


def leave(code: int) -> NoReturn:
    """End the process after an answer from what a full run remembered (fast.py,
    replay.py): its output flushed, nothing else is left open, and the interpreter's own
    tidying up would take as long as the answer did."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - contextlib is not loaded for this
            stream.flush()
        except (OSError, ValueError):  # a reader that went away
            pass
    os._exit(code)


def main() -> None:
    from openbook.commands.fast import answer

    argv = sys.argv[1:]
    code = answer(argv)
    if code is None:  # the replay is loaded only for what fast.py left unanswered
        from openbook.commands.replay import recording, replayed

        code = replayed(argv)
    if code is not None:
        leave(code)
    steady_memory()
    from openbook.commands.root import cli

    with recording(argv):
        cli(prog_name="openbook")


def __getattr__(name: str) -> Any:
    """`openbook.cli.cli`, the click group, loaded when first asked for."""
    if name == "cli":
        from openbook.commands.root import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
