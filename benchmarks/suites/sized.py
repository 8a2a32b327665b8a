"""The loop of the suites measured at each table count: the prepared repository of each of
``--sizes``, the suite's commands for it, measured side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.generator.models import prepared
from benchmarks.harness import Command, Row, Settings, side_by_side

Commands = Callable[[int, Path, Path], Sequence[Command]]
"""A suite's commands at one size, given the size, its working folder and its repository."""


def per_size(settings: Settings, benchmark: str, baseline: str, commands: Commands) -> list[Row]:
    rows: list[Row] = []
    for size in settings.sizes:
        base, repo = prepared(settings, benchmark, size)
        rows += side_by_side(benchmark, size, commands(size, base, repo), settings, baseline)
    return rows
