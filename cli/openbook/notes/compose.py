"""A new note's text, made with python-frontmatter: a `Post` whose metadata are the note's
fields, exported by a YAML handler that writes YAML 1.2 (notes/yamlio.py).

Reading goes through notes/parse.py instead, which keeps the line and column of every
key and value for `check` (docs/choices.md says why)."""

from __future__ import annotations

from typing import Any

from openbook.notes.yamlio import dump_mapping


def render_note(meta: dict[str, Any], body: str) -> str:
    """A new note's text: python-frontmatter's Post, its metadata written by the YAML 1.2
    safe dumper (`NoteHandler`), then the body."""
    import frontmatter  # python-frontmatter: the Post model, its handlers and boundaries

    post = frontmatter.Post(body.rstrip("\n"))
    post.metadata.update(meta)  # fields are metadata, never Post's keyword arguments
    return frontmatter.dumps(post, handler=_note_handler()) + "\n"


def _note_handler() -> Any:
    """python-frontmatter's YAML handler, exporting with openbook's YAML 1.2 dumper (so
    'no' stays the text 'no' and times stay text) instead of PyYAML's 1.1 one."""
    from frontmatter.default_handlers import YAMLHandler

    class NoteHandler(YAMLHandler):
        def export(self, metadata: dict[str, object], **kwargs: object) -> str:
            return dump_mapping(dict(metadata)).rstrip("\n")

    return NoteHandler()
