"""Histories in which every consent is the consenting partner's own commit."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from openbook.ritual.settings import settings_digest
from testing import git, load_config, write


def _as_partner_env(root: Path, pid: str, env: Mapping[str, str]) -> dict[str, str]:
    partner = load_config(root).partners[pid]
    out = dict(env)
    for role in ("AUTHOR", "COMMITTER"):
        out[f"GIT_{role}_NAME"] = partner.name
        out[f"GIT_{role}_EMAIL"] = partner.email
    return out


def consent_steps(root: Path, files: Mapping[str, str | bytes], env: Mapping[str, str]) -> None:
    """Consents in `files` (accepted_by, paused_by, answers) come into history as each
    partner's own commit, as openbook itself records them: the setup a test describes is
    then what history proves, before the final commit writes the files as given."""
    from openbook.check.provenance import CLAIM_FIELDS, claims_of
    from openbook.notes.parse import parse_bytes, update_fields

    for rel, text in files.items():
        raw = text.encode() if isinstance(text, str) else text
        meta = parse_bytes(rel, raw, positions=False).meta
        claims = claims_of(meta)
        if not claims or not (root / "openbook.yml").is_file():
            continue
        final = raw.decode("utf-8")
        partners = load_config(root).partners
        cleared = {f: [] for f in CLAIM_FIELDS if f in meta}
        steps: list[tuple[str, str]] = []
        if meta.get("type") == "question":
            opened = update_fields(final, {"status": "open", "answered": None})
            steps.append((str(meta.get("asked_by")), opened))
            steps.append((str(meta.get("to")), final))
        elif meta.get("type") == "repair":  # open by its author, then each says processed
            said = [w for _, w in sorted(claims)]
            opened = {"status": "open", "processed": None, "processed_by": None}
            steps.append((str(meta.get("author")), update_fields(final, opened)))
            for n, who in enumerate(said, 1):
                steps.append((who, update_fields(final, {"processed_by": said[:n]})))
        else:
            given: dict[str, list[str]] = {f: [] for f in CLAIM_FIELDS if f in meta}
            steps.append(
                (
                    str(meta.get("proposed_by")),
                    update_fields(final, {**cleared, "status": "proposed"}),
                )
            )
            for field, who in sorted(claims, key=lambda c: CLAIM_FIELDS.index(c[0])):
                given[field].append(who)
                steps.append(
                    (
                        who,
                        update_fields(
                            final,
                            {
                                **cleared,
                                **given,
                                "status": meta.get("status")
                                if field != "accepted_by"
                                else "proposed",
                            },
                        ),
                    )
                )
        for who, step in steps:
            if who not in partners:
                continue
            write(root, rel, step)
            git(root, "add", "--", rel)
            git(
                root,
                "commit",
                "-q",
                "--no-verify",
                "--allow-empty",
                "-m",
                f"{who}'s own step",
                "--",
                rel,
                env=_as_partner_env(root, who, env),
            )
        write(root, rel, text)


def _shown(root: Path, rev: str) -> str:
    """A file of a commit exactly as committed (`git` strips its output)."""
    res = subprocess.run(["git", "show", rev], cwd=root, capture_output=True, check=True)
    return res.stdout.decode("utf-8", "replace")


def head_digest(root: Path) -> str:
    """The digest of the binding terms in HEAD: openbook.yml and .openbook/templates/*.j2."""
    folder = ".openbook/templates/"
    names = git(root, "ls-tree", "-r", "--name-only", "HEAD", "--", folder).splitlines()
    templates = {n[len(folder) :]: _shown(root, f"HEAD:{n}") for n in names if n.endswith(".j2")}
    return settings_digest(_shown(root, "HEAD:openbook.yml"), templates)


def accept_settings(root: Path, who: str, when: str) -> None:
    """An `accept settings` commit by `who` at `when` for the terms in HEAD (openbook.yml
    and the vault's templates)."""
    partner = load_config(root).partners[who]
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for role in ("AUTHOR", "COMMITTER"):
        env[f"GIT_{role}_NAME"] = partner.name
        env[f"GIT_{role}_EMAIL"] = partner.email
    digest = head_digest(root)
    msg = (
        "settings: accept openbook.yml\n\nOpenbook-Action: accept\nOpenbook-Type: settings\n"
        f"Openbook-Partner: {who}\nOpenbook-Settings: {digest}\n"
    )
    git(root, "commit", "-q", "--no-verify", "--allow-empty", "-m", msg, env=env)


def author_steps(root: Path, files: Mapping[str, str | bytes], env: Mapping[str, str]) -> None:
    """Notes under a partner's name (a check-in's `author`, a timeout's `called_by`...)
    that are new come into history as that partner's own commit, as openbook itself
    writes them: each author's new notes in one commit, before the final commit."""
    from openbook.check.authorship import author_field
    from openbook.check.provenance import claims_of
    from openbook.notes.parse import parse_bytes

    if not (root / "openbook.yml").is_file():
        return
    partners = load_config(root).partners
    known = set(git(root, "ls-tree", "-r", "--name-only", "HEAD").splitlines())
    by: dict[str, list[str]] = {}
    for rel, text in files.items():
        if rel in known or not rel.endswith(".md"):
            continue
        raw = text.encode() if isinstance(text, str) else text
        meta = parse_bytes(rel, raw, positions=False).meta
        key = author_field(meta.get("type"))
        who = meta.get(key) if key else None
        if isinstance(who, str) and who in partners and not claims_of(meta):
            by.setdefault(who, []).append(rel)
    for who, paths in by.items():
        git(root, "add", "--", *paths)
        git(
            root,
            "commit",
            "-q",
            "--no-verify",
            "-m",
            f"{who}'s own notes",
            "--",
            *paths,
            env=_as_partner_env(root, who, env),
        )
