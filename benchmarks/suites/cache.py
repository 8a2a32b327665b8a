"""``cache``: ``schemadiff HEAD~1..HEAD`` with both sides in the cache, and with only HEAD~1 in
it, against one cold ``python -c "import models"`` at HEAD."""

from __future__ import annotations

from benchmarks.generator.models import prepared
from benchmarks.harness import (
    FULLY_CACHED,
    OLD_CACHED,
    Command,
    Row,
    Settings,
    cache_holding,
    measure,
    progress,
    ratio_rows,
    run_imports,
    run_schemadiff,
    run_with_old_cached,
)
from benchmarks.repos import export

ONE_IMPORT = "one cold python -c 'import models' (HEAD)"


def bench_cache(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for size in settings.sizes:
        base, repo = prepared(settings, "cache", size)
        progress(f"cache N={size}: filling the caches")
        checkout = export(repo, "HEAD", base / "new")
        full = cache_holding(repo, base / "full", "HEAD~1..HEAD")
        old_only = cache_holding(repo, base / "old-only", "snapshot", "HEAD~1")
        commands = [
            Command(FULLY_CACHED, lambda repo=repo, full=full: run_schemadiff(repo, True, full)),
            Command(OLD_CACHED, lambda r=repo, o=old_only: run_with_old_cached(r, o)),
            Command(ONE_IMPORT, lambda checkout=checkout: run_imports([checkout])),
        ]
        progress(f"cache N={size}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("cache", size, samples, baseline=ONE_IMPORT))
    return rows
