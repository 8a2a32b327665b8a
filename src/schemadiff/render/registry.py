"""Each output format's renderer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from schemadiff.model import DiffResult
from schemadiff.render import Format, github, json_format, markdown, migration, text

Renderer = Callable[[DiffResult, TextIO], None]

RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: text.render,
    Format.JSON: json_format.render,
    Format.ALEMBIC: migration.render_alembic,
    Format.SQL: migration.render_sql,
    Format.MARKDOWN: markdown.render,
    Format.GITHUB: github.render,
}
