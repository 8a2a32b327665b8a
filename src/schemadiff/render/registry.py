"""Each output format's renderer.

The Markdown report (with its Mermaid diagram) is imported only when asked for: a diff
should not pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from schemadiff.model import DiffResult
from schemadiff.render import Format, github, json_format, migration, text

Renderer = Callable[[DiffResult, TextIO], None]


def _markdown(result: DiffResult, stream: TextIO) -> None:
    from schemadiff.render import markdown  # noqa: PLC0415 - see the docstring

    markdown.render(result, stream)


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: text.render,
    Format.JSON: json_format.render,
    Format.ALEMBIC: migration.render_alembic,
    Format.SQL: migration.render_sql,
    Format.MARKDOWN: _markdown,
    Format.GITHUB: github.render,
}
