"""``--format markdown``: the pull-request comment."""

from __future__ import annotations

from typing import TextIO

from schemadiff.model import DiffResult


def render(result: DiffResult, stream: TextIO) -> None:
    raise NotImplementedError
