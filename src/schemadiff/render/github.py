"""``--format github``: GitHub Actions annotations for the findings."""

from __future__ import annotations

from typing import TextIO

from schemadiff.model import DiffResult


def render(result: DiffResult, stream: TextIO) -> None:
    raise NotImplementedError
