"""``log``: ``schemadiff log --format json`` over histories of ``--log-commits`` commits of
which the same few change a LOG_TABLES-table model (the root, which makes it, then others that
each add a column), against one cold import of that model: the time should follow the
schema-changing commits, not the commits."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from benchmarks.generator.models import (
    PYPROJECT,
    Column,
    by_module,
    generate_tables,
    models_files,
    module_source,
)
from benchmarks.harness import (
    BenchError,
    Command,
    Row,
    Settings,
    progress,
    python_env,
    run_imports,
    side_by_side,
    timed,
)
from benchmarks.repos import export, fast_import_commit, git
from testsupport.gitenv import clean_env

LOG_TABLES = 200

LOG = "schemadiff log --format json"
LOG_IMPORT = f"one cold python -c 'import models' ({LOG_TABLES} tables, HEAD)"


def schema_commit_numbers(commits: int, schema_commits: int) -> list[int]:
    """Which of commits 1..``commits`` change the schema: ``schema_commits`` of them, evenly
    spread, so a walk meets them all along the history. The first is commit 1, the root."""
    return [1 + (i * commits) // schema_commits for i in range(schema_commits)]


def log_history(commits: int, schema_commits: int) -> bytes:
    """The fast-import stream: ``commits`` commits, of which ``schema_commits`` change the
    schema. The root makes the model and pyproject.toml: log lists it, against the empty
    tree, so it is the first of them. Each of the others adds one nullable column to one
    table (only that table's module changes); every other commit edits docs/notes.txt."""
    tables = generate_tables(LOG_TABLES)
    first = {"pyproject.toml": PYPROJECT, "docs/notes.txt": "notes 1\n", **models_files(tables)}
    stream = [fast_import_commit(1, f"models: {LOG_TABLES} tables", first)]
    changing = schema_commit_numbers(commits, schema_commits)
    for number in range(2, commits + 1):
        if number not in changing:
            notes = {"docs/notes.txt": f"notes {number}\n"}
            stream.append(fast_import_commit(number, f"notes {number}", notes))
            continue
        step = changing.index(number)
        table = tables[(step * 37) % len(tables)]  # 37 is prime to 200: a new table each time
        table.columns.append(Column(f"log_{step:03d}", "str", ["sa.String(32)"], True))
        members = by_module(tables)[table.module]
        files = {f"models/{table.module}.py": module_source(members)}
        stream.append(fast_import_commit(number, f"models: {table.name}.log_{step:03d}", files))
    return b"".join(stream)


def build_log_repository(repo: Path, commits: int, schema_commits: int) -> None:
    """A repository of ``commits`` commits on main, with its working tree checked out."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    result = subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo,
        env=clean_env(),
        input=log_history(commits, schema_commits),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"git fast-import failed:\n{result.stderr.decode()}")
    git(repo, "reset", "-q", "--hard")


def run_log(repo: Path, expected: int | None = None) -> float:
    """One cold ``log`` (empty cache); with ``expected``, check it listed that many commits
    (json lines: one commit a line)."""
    argv = [sys.executable, "-m", "schemadiff", "log", "--format", "json"]
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as empty:
        elapsed, result = timed(argv, repo, python_env(SCHEMADIFF_CACHE_DIR=empty))
    if expected is not None:
        check_log_listed(result.stdout.decode(), expected, repo)
    return elapsed


def check_log_listed(output: str, expected: int, repo: Path) -> None:
    """Json lines, one commit a line: a count of lines that each parse as a commit."""
    listed = [line for line in output.splitlines() if line.strip()]
    try:
        commits = [json.loads(line)["commit"] for line in listed]
    except (ValueError, KeyError, TypeError) as error:
        raise BenchError(f"schemadiff log did not print json lines in {repo}: {error}") from None
    if len(commits) != expected:
        raise BenchError(f"schemadiff log listed {len(commits)} commits, not {expected}, in {repo}")


def require_log_command(where: Path) -> None:
    """``schemadiff log`` is new: an older schemadiff reads "log" as a revision to diff, and
    fails only once the repositories are built, with a message about a revision."""
    argv = [sys.executable, "-m", "schemadiff", "log", "--help"]
    _, result = timed(argv, where, python_env())
    if b"schemadiff log" not in result.stdout:
        raise BenchError("this schemadiff has no log command (schemadiff log --help)")


def bench_log(settings: Settings) -> list[Row]:
    require_log_command(settings.workdir)
    rows: list[Row] = []
    schema_commits = settings.log_schema_commits
    for commits in settings.log_commits:
        base = settings.workdir / f"log-{commits}"
        progress(f"log C={commits}: building the repository ({schema_commits} change the schema)")
        build_log_repository(base / "repo", commits, schema_commits)
        checkout = export(base / "repo", "HEAD", base / "head")
        commands = [
            Command(
                LOG,
                partial(run_log, base / "repo"),
                partial(run_log, base / "repo", expected=schema_commits),
            ),
            Command(LOG_IMPORT, partial(run_imports, [checkout])),
        ]
        rows += side_by_side("log", commits, commands, settings, LOG_IMPORT, f"C={commits}")
    return rows
