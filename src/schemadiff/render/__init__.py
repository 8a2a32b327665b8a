"""Output formats: an enum mapped to renderers. A new format is one module and one entry."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TextIO

from schemadiff.model import DiffResult
from schemadiff.render import json_format, text

Renderer = Callable[[DiffResult, TextIO], None]


class Format(str, enum.Enum):
    TEXT = "text"
    JSON = "json"


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: text.render,
    Format.JSON: json_format.render,
}


def render(result: DiffResult, output_format: Format, stream: TextIO) -> None:
    RENDERERS[output_format](result, stream)
