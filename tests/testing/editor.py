"""Editors for tests: a shell script that does to the note what a person would."""

from __future__ import annotations

from pathlib import Path


def editor_env(folder: Path, script: str, name: str = "editor.sh") -> dict[str, str]:
    """$EDITOR set to a shell script whose body is `script` ("$1" is the note's path)."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return {"EDITOR": str(path)}
