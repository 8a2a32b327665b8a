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


class HistoryFormat(str, enum.Enum):
    """The formats of ``log`` and ``blame``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def render(result: DiffResult, output_format: Format, stream: TextIO) -> None:
    from schemadiff.render.registry import RENDERERS  # noqa: PLC0415 - see the docstring

    RENDERERS[output_format](result, stream)
