"""``cache``: ``schemadiff HEAD~1..HEAD`` with both sides in the cache, and with only HEAD~1 in
it, against one cold ``python -c "import models"`` at HEAD."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness import (
    FULLY_CACHED,
    OLD_CACHED,
    Command,
    Row,
    Settings,
    cache_holding,
    progress,
    run_imports,
    run_schemadiff,
    run_with_old_cached,
)
from benchmarks.repos import export
from benchmarks.suites.sized import per_size

ONE_IMPORT = "one cold python -c 'import models' (HEAD)"


def bench_cache(settings: Settings) -> list[Row]:
    return per_size(settings, "cache", ONE_IMPORT, _commands)


def _commands(size: int, base: Path, repo: Path) -> list[Command]:
    progress(f"cache N={size}: filling the caches")
    checkout = export(repo, "HEAD", base / "new")
    full = cache_holding(repo, base / "full", "HEAD~1..HEAD")
    old_only = cache_holding(repo, base / "old-only", "snapshot", "HEAD~1")
    return [
        Command(FULLY_CACHED, lambda: run_schemadiff(repo, True, full)),
        Command(OLD_CACHED, lambda: run_with_old_cached(repo, old_only)),
        Command(ONE_IMPORT, lambda: run_imports([checkout])),
    ]
