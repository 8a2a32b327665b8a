"""``pre-commit``: ``schemadiff check --hook`` as pre-commit runs it at ``git commit``: one
models module changed in the index, HEAD already in the cache (a fresh copy each run), against
one cold ``python -c "import models"`` of the index: the side the hook must import."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.generator.models import (
    Column,
    change_tables,
    generate_tables,
    write_models,
)
from benchmarks.harness import (
    BenchError,
    Command,
    Row,
    Settings,
    cache_holding,
    progress,
    python_env,
    run_imports,
    timed,
)
from benchmarks.repos import export_index, git
from benchmarks.suites.sized import per_size

HOOK = "schemadiff check --hook, HEAD cached"
INDEX_IMPORT = "one cold python -c 'import models' (index)"

STAGED_COLUMN = "staged_note"


def stage_change(repo: Path, size: int) -> None:
    """One new column in one table, added to the index and not committed: what the hook sees
    at ``git commit``. Only that table's module differs from HEAD."""
    tables = change_tables(generate_tables(size))
    table = tables[len(tables) // 2]
    table.columns = [*table.columns, Column(STAGED_COLUMN, "str", ["sa.String(32)"], True)]
    write_models(repo, tables)
    git(repo, "add", "-A")
    staged = git(repo, "diff", "--cached", "--name-only").decode().split()
    if staged != [f"models/{table.module}.py"]:
        raise BenchError(f"expected one staged models module in {repo}, got {staged}")


def hook_env(cache: Path) -> dict[str, str]:
    """No PRE_COMMIT_* (this script may itself run under pre-commit): then ``--hook`` compares
    HEAD with the index, as at ``git commit``."""
    env = python_env(SCHEMADIFF_CACHE_DIR=str(cache))
    return {k: v for k, v in env.items() if not k.startswith("PRE_COMMIT_")}


def run_hook(repo: Path, prepared: Path, *args: str) -> tuple[float, bytes]:
    """``check --hook`` with HEAD cached: a fresh copy of ``prepared`` each time, since the
    run writes the index's side to it. Exit 1 (a rule failed) is a normal outcome."""
    argv = [sys.executable, "-m", "schemadiff", "check", "--hook", *args]
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
        copy = Path(scratch) / "cache"
        shutil.copytree(prepared, copy)
        elapsed, result = timed(argv, repo, hook_env(copy), accept=(0, 1))
    return elapsed, result.stdout


def check_hook_sees_change(repo: Path, prepared: Path) -> None:
    """The warm-up: the hook must have compared the sides, not stopped early."""
    output = run_hook(repo, prepared, "--format", "json")[1]
    if STAGED_COLUMN.encode() not in output:
        raise BenchError(f"check --hook did not report the staged column in {repo}")


def bench_pre_commit(settings: Settings) -> list[Row]:
    return per_size(settings, "pre-commit", INDEX_IMPORT, _commands)


def _commands(size: int, base: Path, repo: Path) -> list[Command]:
    stage_change(repo, size)
    checkout = export_index(repo, base / "index")
    progress(f"pre-commit N={size}: filling the cache with HEAD")
    head_only = cache_holding(repo, base / "head-only", "snapshot", "HEAD")
    return [
        Command(
            HOOK,
            lambda: run_hook(repo, head_only)[0],
            lambda: check_hook_sees_change(repo, head_only),
        ),
        Command(INDEX_IMPORT, lambda: run_imports([checkout])),
    ]
