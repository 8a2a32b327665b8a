"""The harness every benchmark runs on: its settings, its rows, the commands it times and how.

Each benchmark builds what it needs in the work directory (``Settings.workdir``, removed at the
end), runs its commands round-robin (``measure``: one untimed warm-up round first) and returns
table rows; a row's ratio is its median over the baseline's, measured side by side in the same
rounds (``ratio_rows``). Every timed python starts cold: a new process, with no .pyc written by
an earlier run (``python_env``)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from testsupport.gitenv import clean_env

DEFAULT_SIZES = (100, 500, 2000)
DEFAULT_REPEAT = 5
QUICK_SIZES = (50,)
QUICK_REPEAT = 2
DEFAULT_LOG_COMMITS = (100, 300, 1000)
LOG_SCHEMA_COMMITS = 30
QUICK_LOG_COMMITS = (100,)
QUICK_LOG_SCHEMA_COMMITS = 5
DEFAULT_REAL_COMMITS = 3000
QUICK_REAL_COMMITS = 150
DEFAULT_REAL_TIMEOUT = 300.0
QUICK_REAL_TIMEOUT = 60.0

SCHEMADIFF = "schemadiff HEAD~1..HEAD"
FULLY_CACHED = "schemadiff HEAD~1..HEAD, both sides cached"
OLD_CACHED = "schemadiff HEAD~1..HEAD, HEAD~1 cached"

TIMED_OUT = "timed out"
NOT_RUN = "not run"


# ---------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    repeat: int
    workdir: Path
    log_commits: tuple[int, ...] = DEFAULT_LOG_COMMITS
    log_schema_commits: int = LOG_SCHEMA_COMMITS
    real_commits: int = DEFAULT_REAL_COMMITS
    real_timeout: float = DEFAULT_REAL_TIMEOUT


@dataclass(frozen=True)
class Row:
    benchmark: str
    n: int
    command: str
    samples: tuple[float, ...]
    ratio: float | None = None
    """median(command) / median(baseline), or None when the benchmark has no baseline."""
    unit: str = "s"
    """What ``samples`` count: seconds, or MiB for ``memory``."""
    bound: str = ""
    """Why ``samples`` are not times (``real-shape``): TIMED_OUT (the command ran past its
    limit and was stopped; they hold the limit, a lower bound) or NOT_RUN (what it needed
    first did not end in time)."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = asdict(self)
        data.update(median=self.median, min=self.minimum, max=self.maximum)
        return data


@dataclass(frozen=True)
class Target:
    """A goal: median(command) <= limit x median(baseline) at size n, or, with ``seconds``,
    median(command) <= limit seconds."""

    benchmark: str
    n: int
    command: str
    limit: float
    text: str
    seconds: bool = False

    def row(self, rows: Sequence[Row]) -> Row | None:
        for row in rows:
            if (row.benchmark, row.n, row.command) == (self.benchmark, self.n, self.command):
                return row
        return None

    def value(self, rows: Sequence[Row]) -> float | None:
        row = self.row(rows)
        if row is None:
            return None
        return row.median if self.seconds else row.ratio


Benchmark = Callable[[Settings], list[Row]]


class BenchError(RuntimeError):
    """A measured command failed: the numbers would mean nothing."""


# ---------------------------------------------------------------------------------------
# Processes


def progress(message: str) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[bench] {message} (load {load})", file=sys.stderr, flush=True)


def python_env(**extra: str) -> dict[str, str]:
    """For every timed python: no .pyc writes, so each run is as cold as the first."""
    return clean_env(PYTHONDONTWRITEBYTECODE="1", **extra)


def timed(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str], accept: Collection[int] = (0,)
) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """One run of ``argv``, timed, and what it printed; BenchError unless its exit code is
    one of ``accept``."""
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in accept:
        command = " ".join(argv)
        raise BenchError(
            f"{command} exited {result.returncode} in {cwd}:\n{result.stderr.decode()}"
        )
    return elapsed, result


def run_timed(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> float:
    """The wall time of one successful run of ``argv`` (a cold python: see python_env)."""
    return timed(argv, cwd, python_env() if env is None else env)[0]


# ---------------------------------------------------------------------------------------
# Timing


@dataclass(frozen=True)
class Command:
    label: str
    run: Callable[[], float]
    """Runs once and returns the wall time in seconds; raises BenchError on failure."""
    warmup: Callable[[], object] | None = None
    """The untimed first run, when it should check more than ``run`` does."""


def measure(commands: Sequence[Command], repeat: int) -> dict[str, list[float]]:
    """One untimed warm-up round, then ``repeat`` rounds over all commands.

    Each round runs every command once, starting one further along the list each time, so
    that slow spells on the machine, and any effect of going first, fall on all of them.
    """
    for command in commands:
        (command.warmup or command.run)()
    samples: dict[str, list[float]] = {command.label: [] for command in commands}
    for round_number in range(repeat):
        shift = round_number % len(commands)
        for command in [*commands[shift:], *commands[:shift]]:
            samples[command.label].append(command.run())
    return samples


def run_schemadiff(
    repo: Path, require_output: bool = False, cache: Path | None = None, *args: str
) -> float:
    """One run, timed; with ``cache`` None, in an empty cache directory (a cold run)."""
    argv = [sys.executable, "-m", "schemadiff", "HEAD~1..HEAD", *args]
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as empty:
        env = python_env(SCHEMADIFF_CACHE_DIR=str(cache or empty))
        start = time.perf_counter()
        result = subprocess.run(argv, cwd=repo, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise BenchError(
            f"schemadiff exited {result.returncode} in {repo}:\n{result.stderr.decode()}"
        )
    if require_output and not result.stdout.strip():
        raise BenchError(f"schemadiff printed no differences in {repo}")
    return elapsed


def run_imports(checkouts: Sequence[Path], module: str = "models") -> float:
    """``python -c "import models"`` (or ``module``) in every checkout at once, waiting for
    all."""
    argv = [sys.executable, "-c", f"import {module}"]
    env = python_env()
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            argv, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for checkout in checkouts
    ]
    errors = [process.communicate()[1] for process in processes]
    elapsed = time.perf_counter() - start
    for checkout, process, error in zip(checkouts, processes, errors, strict=True):
        if process.returncode != 0:
            raise BenchError(f"import {module} failed in {checkout}:\n{error.decode()}")
    return elapsed


def ratio_rows(benchmark: str, n: int, samples: dict[str, list[float]], baseline: str) -> list[Row]:
    floor = statistics.median(samples[baseline])
    return [
        Row(benchmark, n, label, tuple(times), statistics.median(times) / floor)
        for label, times in samples.items()
    ]


def side_by_side(
    benchmark: str,
    n: int,
    commands: Sequence[Command],
    settings: Settings,
    baseline: str,
    where: str | None = None,
) -> list[Row]:
    """``commands`` measured side by side (``measure``: a warm-up, then ``settings.repeat``
    interleaved rounds), as rows with their ratio to ``baseline``. ``where`` names the run in
    the progress line (by default ``N=n``; empty: nothing)."""
    at = f"N={n}" if where is None else where
    progress(f"{benchmark} {at}".rstrip() + f": warm-up + {settings.repeat} rounds")
    return ratio_rows(benchmark, n, measure(commands, settings.repeat), baseline=baseline)


def cache_holding(repo: Path, directory: Path, *argv: str) -> Path:
    """``directory``, filled by one schemadiff run (``argv``) that writes to it."""
    command = [sys.executable, "-m", "schemadiff", *argv]
    env = python_env(SCHEMADIFF_CACHE_DIR=str(directory))
    result = subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"schemadiff {' '.join(argv)} failed:\n{result.stderr.decode()}")
    return directory


def run_with_old_cached(repo: Path, prepared: Path) -> float:
    """A run whose cache holds HEAD~1 only: a fresh copy of ``prepared`` each time."""
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
        copy = Path(scratch) / "cache"
        shutil.copytree(prepared, copy)
        return run_schemadiff(repo, False, copy)
