"""The ``real-shape`` benchmark: schemadiff on a repository shaped like a real application.

The synthetic repositories of ``generator.models`` hold only the models; a real application's
holds a frontend tree, non-model Python, Alembic migrations and an era whose models no longer
import, and that is where ``log`` and ``blame`` once took half an hour (issue 15).
``generator.realrepo`` writes such a history with ``git fast-import`` (its docstring gives the
shape), and ``bench_real_shape`` measures, side by side in one run, against one cold
``python -c "import app.models"`` at HEAD (the unit):

- ``log -n 20`` and ``blame TABLE``, cold (an empty cache) and cached (the cache the untimed
  warm-up run of the same command filled, a fresh copy each run);
- ``check --hook`` at ``git commit`` of a staged change to non-model Python, HEAD cached;
- the cold ``HEAD~1..HEAD`` (a model change) against its floor, two cold imports together.

A command still running after ``--real-timeout`` seconds is stopped (SIGTERM, then SIGKILL)
and not run again: its row says "> N s (timed out)", a lower bound, rather than hanging the run;
the cached runs of a walk whose cold warm-up timed out say "not run" (it left no cache).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.generator.realplan import PACKAGE, Plan, plan_history
from benchmarks.generator.realrepo import (
    build_real_repository,
    history_stream,
    measured_shape,
    old_era_fails,
)
from benchmarks.harness import (
    NOT_RUN,
    SCHEMADIFF,
    TIMED_OUT,
    BenchError,
    Command,
    Row,
    Settings,
    cache_holding,
    measure,
    progress,
    python_env,
    ratio_rows,
    run_imports,
)
from benchmarks.repos import export, git
from benchmarks.suites.precommit import hook_env

NAME = "real-shape"
DIFF_NAME = "real-shape-diff"
"""The diff and its floor again, from the same samples, with the floor as the baseline."""

LOG_COUNT = 20

UNIT = "unit: one cold python -c 'import app.models' (HEAD)"
FLOOR = "floor: 2x cold python -c 'import app.models' (HEAD~1, HEAD)"
LOG_COLD = f"schemadiff log -n {LOG_COUNT}, cold"
LOG_CACHED = f"schemadiff log -n {LOG_COUNT}, cached"
HOOK = "schemadiff check --hook (non-model Python staged), HEAD cached"

SHAPE: list[str] = []
"""What the last run measured of its repository, for the report's notes (report.notes)."""


# ---------------------------------------------------------------------------------------
# Commands that may run too long


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM first (schemadiff then stops its own import children), SIGKILL to its process
    group when it does not exit within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_bounded(
    argv: Sequence[str], cwd: Path, env: dict[str, str], limit: float, accept: Sequence[int]
) -> tuple[float | None, bytes]:
    """The wall time of one run and its stdout, or None when it ran past ``limit`` seconds.
    Output goes to files, not pipes: a child left holding a pipe cannot stall the wait."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stop(process)
            return None, b""
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if process.returncode not in accept:
            raise BenchError(
                f"{' '.join(argv)} exited {process.returncode} in {cwd}:\n{err.read().decode()}"
            )
        return elapsed, out.read()


@dataclass
class Bounded:
    """A schemadiff command bounded by ``limit`` seconds. Once it has run past it, it is not
    run again (each run would cost the limit) and every sample is the limit: a lower bound.

    With ``filled`` (the cold runs of the same command), each run gets a fresh copy of the
    cache that the cold command's warm-up (``fill``) left; else an empty cache.
    """

    argv: list[str]
    repo: Path
    limit: float
    check: Callable[[bytes], None]
    filled: Bounded | None = None
    cache: Path | None = None
    """Where ``fill`` leaves its cache, for ``filled`` commands to copy."""
    bound: str = ""
    """TIMED_OUT once a run has gone past ``limit``; NOT_RUN when ``filled`` did."""

    def fill(self, cache: Path) -> float:
        """The warm-up: one run writing to ``cache``, which it keeps; its output checked."""
        self.cache = cache
        return self.once(cache, check=True)

    def run(self, check: bool = False) -> float:
        with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
            cache = Path(scratch) / "cache"
            source = self.filled.cache if self.filled else None
            if self.filled and (self.filled.bound or source is None):
                self.bound = NOT_RUN  # no cache to copy: the run that fills it did not end
            elif source is not None:
                shutil.copytree(source, cache)
            return self.once(cache, check)

    def once(self, cache: Path, check: bool = False) -> float:
        if self.bound:
            return self.limit
        env = python_env(SCHEMADIFF_CACHE_DIR=str(cache))
        elapsed, output = run_bounded(self.argv, self.repo, env, self.limit, (0,))
        if elapsed is None:
            progress(f"{' '.join(self.argv[3:])} ran past {self.limit:.0f} s: stopped")
            self.bound = TIMED_OUT
            return self.limit
        if check:
            self.check(output)
        return elapsed


def schemadiff(*args: str) -> list[str]:
    return [sys.executable, "-m", "schemadiff", *args]


def printed_something(what: str) -> Callable[[bytes], None]:
    def check(output: bytes) -> None:
        if not output.strip():
            raise BenchError(f"schemadiff {what} printed nothing")

    return check


def printed(needle: str, what: str) -> Callable[[bytes], None]:
    def check(output: bytes) -> None:
        if needle.encode() not in output:
            raise BenchError(f"schemadiff {what} did not print {needle!r}:\n{output.decode()}")

    return check


# ---------------------------------------------------------------------------------------
# The benchmark


def blame_label(plan: Plan, table: str, cached: bool) -> str:
    state = "cached" if cached else "cold"
    return f"schemadiff blame {table} ({plan.blame_changes} schema-changing commits), {state}"


def blamed_table(plan: Plan) -> str:
    """The blamed table's name, as the generator will make it (a dry run of the stream)."""
    return history_stream(plan)[1]


def staged_python_change(repo: Path, clone: Path) -> Path:
    """A clone of ``repo`` with one edited services module in its index: what the hook sees
    at ``git commit`` of a change to non-model Python only."""
    git(repo, "clone", "-q", str(repo), str(clone))
    module = clone / "app/services/billing.py"
    module.write_text(module.read_text() + "\n\ndef staged() -> int:\n    return 1\n")
    git(clone, "add", "-A")
    staged = git(clone, "diff", "--cached", "--name-only").decode().split()
    if staged != ["app/services/billing.py"]:
        raise BenchError(f"expected one staged services module in {clone}, got {staged}")
    return clone


def hook_command(clone: Path, head_only: Path, limit: float) -> Command:
    """``check --hook`` with HEAD cached, a fresh copy each run (it writes the index's side)."""

    def run() -> float:
        with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
            copy = Path(scratch) / "cache"
            shutil.copytree(head_only, copy)
            elapsed, _ = run_bounded(
                schemadiff("check", "--hook"), clone, hook_env(copy), limit, (0,)
            )
        if elapsed is None:
            raise BenchError(f"check --hook ran past {limit:.0f} s in {clone}")
        return elapsed

    return Command(HOOK, run)


def diff_command(repo: Path, limit: float) -> tuple[Command, Bounded]:
    """The cold ``HEAD~1..HEAD``; its warm-up checks that it printed a diff."""
    diff = Bounded(schemadiff("HEAD~1..HEAD"), repo, limit, printed_something("HEAD~1..HEAD"))

    def warmup() -> float:
        with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
            return diff.fill(Path(scratch))

    return Command(SCHEMADIFF, diff.run, warmup), diff


@dataclass(frozen=True)
class Walk:
    """A command that walks the history (log or blame), run cold and cached."""

    labels: tuple[str, str]
    argv: list[str]
    check: Callable[[bytes], None]


def walk_commands(
    repo: Path, cache: Path, walk: Walk, limit: float
) -> tuple[list[Command], list[Bounded]]:
    """The cold and the cached runs of ``walk``; the cold warm-up fills ``cache``, which the
    cached runs copy."""
    cold = Bounded(walk.argv, repo, limit, walk.check)
    cached = Bounded(walk.argv, repo, limit, walk.check, filled=cold)
    commands = [
        Command(walk.labels[0], cold.run, lambda: cold.fill(cache)),
        Command(walk.labels[1], cached.run, lambda: cached.run(check=True)),
    ]
    return commands, [cold, cached]


def bench_real_shape(settings: Settings) -> list[Row]:
    plan = plan_history(settings.real_commits)
    base, limit = settings.workdir / NAME, settings.real_timeout
    progress(f"{NAME} C={plan.commits}: building the repository")
    table = build_real_repository(base / "repo", plan)
    repo = base / "repo"
    SHAPE[:] = [f"{NAME}: {line}" for line in [*measured_shape(repo), old_era_fails(repo, plan)]]
    for line in SHAPE:
        progress(line)
    head = export(repo, "HEAD", base / "head")
    floor_checkouts = [export(repo, "HEAD~1", base / "old"), head]
    clone = staged_python_change(repo, base / "hook-clone")
    head_only = cache_holding(clone, base / "head-only", "snapshot", "HEAD")
    log = Walk(
        (LOG_COLD, LOG_CACHED), schemadiff("log", "-n", str(LOG_COUNT)), printed_something("log")
    )
    labels = (blame_label(plan, table, False), blame_label(plan, table, True))
    blame = Walk(labels, schemadiff("blame", table), printed("extra_", f"blame {table}"))
    logs, log_bounded = walk_commands(repo, base / "log-cache", log, limit)
    blames, blame_bounded = walk_commands(repo, base / "blame-cache", blame, limit)
    diff, diff_bounded = diff_command(repo, limit)
    commands = [
        Command(UNIT, lambda: run_imports([head], PACKAGE)),
        *logs,
        *blames,
        hook_command(clone, head_only, limit),
        diff,
        Command(FLOOR, lambda: run_imports(floor_checkouts, PACKAGE)),
    ]
    progress(f"{NAME} C={plan.commits}: warm-up + {settings.repeat} rounds (limit {limit:.0f} s)")
    samples = measure(commands, settings.repeat)
    bounded = zip([*logs, *blames, diff], [*log_bounded, *blame_bounded, diff_bounded], strict=True)
    bounds = {command.label: run.bound for command, run in bounded}
    rows = ratio_rows(NAME, plan.commits, samples, baseline=UNIT)
    pair = {label: samples[label] for label in (SCHEMADIFF, FLOOR)}
    rows += ratio_rows(DIFF_NAME, plan.commits, pair, baseline=FLOOR)
    return [replace(row, bound=bounds.get(row.command, "")) for row in rows]
