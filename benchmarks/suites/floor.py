"""``diff-vs-floor``: ``schemadiff HEAD~1..HEAD`` with an empty cache against its floor, a
cold ``python -c "import models"`` at each of the two commits, both started together: the least
any tool must do to read the models of two commits."""

from __future__ import annotations

from benchmarks.generator.models import prepared
from benchmarks.harness import (
    SCHEMADIFF,
    Command,
    Row,
    Settings,
    measure,
    progress,
    ratio_rows,
    run_imports,
    run_schemadiff,
)
from benchmarks.repos import export

FLOOR = "floor: 2x python -c 'import models'"


def bench_diff_vs_floor(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for size in settings.sizes:
        base, repo = prepared(settings, "diff-vs-floor", size)
        checkouts = [
            export(repo, "HEAD~1", base / "old"),
            export(repo, "HEAD", base / "new"),
        ]
        commands = [
            Command(
                SCHEMADIFF,
                lambda repo=repo: run_schemadiff(repo),
                lambda repo=repo: run_schemadiff(repo, require_output=True),
            ),
            Command(FLOOR, lambda checkouts=checkouts: run_imports(checkouts)),
        ]
        progress(f"diff-vs-floor N={size}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("diff-vs-floor", size, samples, baseline=FLOOR))
    return rows
