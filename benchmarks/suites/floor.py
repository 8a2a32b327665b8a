"""``diff-vs-floor``: ``schemadiff HEAD~1..HEAD`` with an empty cache against its floor, a
cold ``python -c "import models"`` at each of the two commits, both started together: the least
any tool must do to read the models of two commits."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import (
    SCHEMADIFF,
    Command,
    Row,
    Settings,
    run_imports,
    run_schemadiff,
)
from benchmarks.repos import export
from benchmarks.suites.sized import per_size

FLOOR = "floor: 2x python -c 'import models'"


def bench_diff_vs_floor(settings: Settings) -> list[Row]:
    return per_size(settings, "diff-vs-floor", FLOOR, _commands)


def _commands(size: int, base: Path, repo: Path) -> list[Command]:
    checkouts = [export(repo, "HEAD~1", base / "old"), export(repo, "HEAD", base / "new")]
    return [
        Command(
            SCHEMADIFF,
            lambda: run_schemadiff(repo),
            lambda: run_schemadiff(repo, require_output=True),
        ),
        Command(FLOOR, lambda: run_imports(checkouts)),
    ]
