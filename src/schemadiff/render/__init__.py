"""Output formats: an enum mapped to renderers. A new format is one module and one entry.

This package's own module is light (the enum only), so the command line can offer the
formats without importing the renderers: ``--help`` must start at once.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from schemadiff.model import DiffResult


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

    @property
    def migrates(self) -> bool:
        """Whether the format prints the diff's migration, so the api must plan it."""
        return self in (Format.ALEMBIC, Format.SQL, Format.MARKDOWN)

    @property
    def warns(self) -> bool:
        """Whether the migration's warnings go to standard error: the Markdown report has
        them only as comments in its code, and its stderr stays the text format's."""
        return self in (Format.ALEMBIC, Format.SQL)

    @property
    def commands(self) -> tuple[str, ...]:
        """The commands that render this format. A migration has no place for ``check``'s
        findings and verdict, so the migration formats are ``diff``'s alone."""
        if self in (Format.ALEMBIC, Format.SQL):
            return ("diff",)
        return ("diff", "check")


def formats_of(command: str) -> list[str]:
    """The format names ``command`` offers, in declaration order."""
    return [f.value for f in Format if command in f.commands]


class HistoryFormat(str, enum.Enum):
    """The formats of ``log`` and ``blame``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def render(result: DiffResult, output_format: Format, stream: TextIO) -> None:
    from schemadiff.render.registry import RENDERERS  # noqa: PLC0415 - see the docstring

    RENDERERS[output_format](result, stream)
