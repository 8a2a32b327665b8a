"""Output formats: an enum mapped to renderers. A new format is one module and one entry."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TextIO

from schemadiff.model import DiffResult
from schemadiff.render import github, json_format, markdown, migration, text

Renderer = Callable[[DiffResult, TextIO], None]


class Format(str, enum.Enum):
    TEXT = "text"
    JSON = "json"
    ALEMBIC = "alembic"
    SQL = "sql"
    MARKDOWN = "markdown"
    GITHUB = "github"

    @property
    def checks(self) -> bool:
        """Whether the format shows what the rules found, so they must be run for it."""
        return self in (Format.MARKDOWN, Format.GITHUB)


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: text.render,
    Format.JSON: json_format.render,
    Format.ALEMBIC: migration.render_alembic,
    Format.SQL: migration.render_sql,
    Format.MARKDOWN: markdown.render,
    Format.GITHUB: github.render,
}


def render(result: DiffResult, output_format: Format, stream: TextIO) -> None:
    RENDERERS[output_format](result, stream)
