"""Benchmarks for schemadiff on synthetic repositories.

Run from the project root with the project's interpreter:

    .venv/bin/python scripts/bench.py                      # sizes 100 500 2000, repeat 5
    .venv/bin/python scripts/bench.py --quick              # sizes 50, repeat 2 (smoke run)
    .venv/bin/python scripts/bench.py --sizes 500 --repeat 9 --json out.json

Each benchmark builds what it needs in one temporary directory (removed at the end), runs
its commands round-robin (one untimed warm-up round first) and returns table rows. To add
a benchmark, write a function ``(Settings) -> list[Row]`` and list it in ``BENCHMARKS``.

``diff-vs-floor`` compares ``schemadiff HEAD~1..HEAD`` with its floor: a cold
``python -c "import models"`` at each of the two commits, both started together, which is
the least any tool must do to read the models of two commits. Every schemadiff run there
starts with an empty cache.

``cache`` measures the same command with both sides in the cache, and with only HEAD~1 in
it, against one cold ``python -c "import models"`` at HEAD.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_SIZES = (100, 500, 2000)
DEFAULT_REPEAT = 5
QUICK_SIZES = (50,)
QUICK_REPEAT = 2

TABLES_PER_MODULE = 50
SEED = 20240601

SCHEMADIFF = "schemadiff HEAD~1..HEAD"
FLOOR = "floor: 2x python -c 'import models'"
FULLY_CACHED = "schemadiff HEAD~1..HEAD, both sides cached"
OLD_CACHED = "schemadiff HEAD~1..HEAD, HEAD~1 cached"
ONE_IMPORT = "one cold python -c 'import models' (HEAD)"

# ---------------------------------------------------------------------------------------
# Results and the benchmark registry


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    repeat: int
    workdir: Path


@dataclass(frozen=True)
class Row:
    benchmark: str
    n: int
    command: str
    samples: tuple[float, ...]
    ratio: float | None = None
    """median(command) / median(baseline), or None when the benchmark has no baseline."""

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

    def value(self, rows: Sequence[Row]) -> float | None:
        for row in rows:
            if (row.benchmark, row.n, row.command) == (self.benchmark, self.n, self.command):
                return row.median if self.seconds else row.ratio
        return None


Benchmark = Callable[[Settings], list[Row]]


class BenchError(RuntimeError):
    """A measured command failed: the numbers would mean nothing."""


# ---------------------------------------------------------------------------------------
# Processes


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without GIT_* (which would point git elsewhere), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(extra)
    return env


def python_env(**extra: str) -> dict[str, str]:
    """For every timed python: no .pyc writes, so each run is as cold as the first."""
    return clean_env(PYTHONDONTWRITEBYTECODE="1", **extra)


def git(repo: Path, *args: str) -> bytes:
    result = subprocess.run(
        ["git", *args], cwd=repo, env=clean_env(), capture_output=True, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"git {' '.join(args)} failed:\n{result.stderr.decode()}")
    return result.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=bench",
        "-c",
        "user.email=bench@example.com",
        "commit",
        "-q",
        "--no-gpg-sign",
        "-m",
        message,
    )


def export(repo: Path, revision: str, destination: Path) -> Path:
    """A plain checkout of ``revision`` (no .git) in ``destination``."""
    destination.mkdir(parents=True)
    archive = git(repo, "archive", "--format=tar", revision)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, filter="data")
        else:  # Python before the extraction filters
            tar.extractall(destination)
    return destination


# ---------------------------------------------------------------------------------------
# A synthetic models package


@dataclass
class Column:
    name: str
    annotation: str
    arguments: list[str]
    nullable: bool

    def render(self) -> str:
        optional = " | None" if self.nullable else ""
        arguments = ", ".join([*self.arguments, f"nullable={self.nullable}"])
        return f"    {self.name}: Mapped[{self.annotation}{optional}] = mapped_column({arguments})"


@dataclass
class Table:
    number: int
    module: str
    columns: list[Column] = field(default_factory=list)
    composite: tuple[str, str] | None = None
    references: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"t{self.number:05d}"

    def render(self) -> str:
        lines = [f"class T{self.number:05d}(Base):", f'    __tablename__ = "{self.name}"']
        if self.composite:
            first, second = self.composite
            index = f'sa.Index("ix_{self.name}_{first}_{second}", "{first}", "{second}")'
            lines.append(f"    __table_args__ = ({index},)")
        lines.append("")
        lines.append("    id: Mapped[int] = mapped_column(primary_key=True)")
        lines.extend(column.render() for column in self.columns)
        return "\n".join(lines)


def string_column(rng: random.Random, name: str) -> Column:
    length = rng.choice((20, 40, 80, 120, 255))
    arguments = [f"sa.String({length})"] + (["index=True"] if rng.random() < 0.2 else [])
    return Column(name, "str", arguments, rng.random() < 0.4)


def integer_column(rng: random.Random, name: str) -> Column:
    arguments = ["sa.Integer()"] + (['server_default="0"'] if rng.random() < 0.3 else [])
    return Column(name, "int", arguments, rng.random() < 0.5)


def boolean_column(rng: random.Random, name: str) -> Column:
    default = rng.choice(("sa.false()", "sa.true()"))
    return Column(name, "bool", ["sa.Boolean()", f"server_default={default}"], False)


def datetime_column(rng: random.Random, name: str) -> Column:
    arguments = ["sa.DateTime(timezone=True)", "server_default=sa.func.now()"]
    return Column(name, "datetime.datetime", arguments, rng.random() < 0.2)


def numeric_column(rng: random.Random, name: str) -> Column:
    precision = rng.choice((10, 12, 18))
    return Column(name, "decimal.Decimal", [f"sa.Numeric({precision}, 2)"], rng.random() < 0.5)


def text_column(rng: random.Random, name: str) -> Column:
    return Column(name, "str", ["sa.Text()"], True)


COLUMN_KINDS: dict[str, Callable[[random.Random, str], Column]] = {
    "label": string_column,
    "count": integer_column,
    "flag": boolean_column,
    "at": datetime_column,
    "amount": numeric_column,
    "notes": text_column,
}


def enum_column(table: str) -> Column:
    enum = f'sa.Enum("draft", "active", "archived", name="{table}_status")'
    return Column("status", "str", [enum, "server_default=\"'draft'\""], False)


def foreign_key_column(target: int, position: int) -> Column:
    key = f'sa.ForeignKey("t{target:05d}.id", ondelete="CASCADE")'
    return Column(f"ref_{position}_id", "int", [key, "index=True"], position > 0)


def generate_table(rng: random.Random, number: int) -> Table:
    table = Table(number, f"m{number // TABLES_PER_MODULE:03d}")
    table.columns.append(Column("name", "str", [f"sa.String({rng.choice((40, 80))})"], False))
    for position in range(rng.randint(4, 9)):
        kind = rng.choice(list(COLUMN_KINDS))
        table.columns.append(COLUMN_KINDS[kind](rng, f"{kind}_{position}"))
    if number % 4 == 1:
        table.columns.append(enum_column(table.name))
    if number > 0:
        targets = sorted(set(rng.sample(range(number), k=min(number, rng.choice((0, 1, 1, 2))))))
        for position, target in enumerate(targets):
            table.columns.append(foreign_key_column(target, position))
            table.references.append(target)
    plain = [c.name for c in table.columns if not c.name.startswith("ref_")]
    if rng.random() < 0.6:
        first, second = rng.sample(plain, k=2)
        table.composite = (first, second)
    return table


def generate_tables(size: int) -> list[Table]:
    rng = random.Random(SEED)
    return [generate_table(rng, number) for number in range(size)]


def change_tables(tables: list[Table]) -> list[Table]:
    """The second commit: new columns, a wider string, one table added, one dropped."""
    rng = random.Random(SEED + 1)
    tables = [Table(t.number, t.module, list(t.columns), t.composite, t.references) for t in tables]
    for table in rng.sample(tables, k=min(3, len(tables))):
        table.columns.append(Column("added_note", "str", ["sa.String(64)"], True))
    for table in rng.sample(tables, k=min(2, len(tables))):
        table.columns[0] = Column("name", "str", ["sa.String(300)"], False)
    referenced = {target for table in tables for target in table.references}
    droppable = [t for t in tables if t.number not in referenced and t.number > 0]
    dropped = rng.choice(droppable)
    tables = [t for t in tables if t is not dropped]
    added = generate_table(rng, max(t.number for t in tables) + 1)
    added.module = tables[-1].module
    return [*tables, added]


MODULE_HEADER = """\
from __future__ import annotations

import datetime
import decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
"""

BASE_MODULE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""

PYPROJECT = """\
[project]
name = "bench-models"
version = "1.0"

[tool.schemadiff]
metadata = "models:Base.metadata"
dialect = "postgresql"
"""


def write_models(repo: Path, tables: Sequence[Table]) -> None:
    """Replace ``models/`` with one module per TABLES_PER_MODULE tables."""
    package = repo / "models"
    if package.exists():
        for old in package.iterdir():
            old.unlink()
    package.mkdir(exist_ok=True)
    modules: dict[str, list[Table]] = {}
    for table in tables:
        modules.setdefault(table.module, []).append(table)
    for module, members in modules.items():
        body = "\n\n\n".join(table.render() for table in members)
        (package / f"{module}.py").write_text(f"{MODULE_HEADER}\n\n{body}\n")
    (package / "base.py").write_text(BASE_MODULE)
    imports = "".join(f"from models import {module}\n" for module in modules)
    (package / "__init__.py").write_text(
        f'from models.base import Base\n{imports}\n__all__ = ["Base"]\n'
    )


def build_repository(repo: Path, size: int) -> None:
    """A git repository whose last commit changes a handful of things in ``size`` tables."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "pyproject.toml").write_text(PYPROJECT)
    tables = generate_tables(size)
    write_models(repo, tables)
    commit(repo, f"models: {size} tables")
    write_models(repo, change_tables(tables))
    commit(repo, "models: add columns, widen a name, add a table, drop a table")


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


def run_imports(checkouts: Sequence[Path]) -> float:
    """``python -c "import models"`` in every checkout at once, waiting for all."""
    argv = [sys.executable, "-c", "import models"]
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
            raise BenchError(f"import models failed in {checkout}:\n{error.decode()}")
    return elapsed


# ---------------------------------------------------------------------------------------
# Benchmarks


def ratio_rows(benchmark: str, n: int, samples: dict[str, list[float]], baseline: str) -> list[Row]:
    floor = statistics.median(samples[baseline])
    return [
        Row(benchmark, n, label, tuple(times), statistics.median(times) / floor)
        for label, times in samples.items()
    ]


def prepared(settings: Settings, benchmark: str, size: int) -> tuple[Path, Path]:
    """A working folder for one benchmark at one size, and the repository built in it."""
    base = settings.workdir / f"{benchmark}-{size}"
    progress(f"{benchmark} N={size}: building the repository")
    build_repository(base / "repo", size)
    return base, base / "repo"


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


def run_with_old_cached(repo: Path, prepared: Path) -> float:
    """A run whose cache holds HEAD~1 only: a fresh copy of ``prepared`` each time."""
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as scratch:
        copy = Path(scratch) / "cache"
        shutil.copytree(prepared, copy)
        return run_schemadiff(repo, False, copy)


def cache_holding(repo: Path, directory: Path, *argv: str) -> Path:
    """``directory``, filled by one schemadiff run (``argv``) that writes to it."""
    command = [sys.executable, "-m", "schemadiff", *argv]
    env = python_env(SCHEMADIFF_CACHE_DIR=str(directory))
    result = subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)
    if result.returncode != 0:
        raise BenchError(f"schemadiff {' '.join(argv)} failed:\n{result.stderr.decode()}")
    return directory


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


BENCHMARKS: dict[str, Benchmark] = {
    "diff-vs-floor": bench_diff_vs_floor,
    "cache": bench_cache,
}

TARGETS = (
    Target("diff-vs-floor", 500, SCHEMADIFF, 1.2, "target at N=500: schemadiff <= 1.2 x floor"),
    Target(
        "cache",
        2000,
        FULLY_CACHED,
        0.5,
        "target at N=2000: both sides cached <= 0.5 s",
        seconds=True,
    ),
    Target("cache", 2000, OLD_CACHED, 1.2, "target at N=2000: one side cached <= 1.2 x one import"),
)


# ---------------------------------------------------------------------------------------
# Reporting


def progress(message: str) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[bench] {message} (load {load})", file=sys.stderr, flush=True)


def markdown(rows: Sequence[Row]) -> str:
    lines = [
        "| N | command | median s | min s | max s | ratio vs baseline |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        lines.append(
            f"| {row.n} | {row.command} | {row.median:.3f} | {row.minimum:.3f} "
            f"| {row.maximum:.3f} | {ratio} |"
        )
    return "\n".join(lines)


def verdict(target: Target, rows: Sequence[Row]) -> str:
    value = target.value(rows)
    if value is None:
        return f"{target.text}: not measured (N={target.n} not among the sizes)"
    status = "met" if value <= target.limit else "NOT met"
    measured = f"median {value:.3f} s" if target.seconds else f"ratio {value:.2f}"
    return f"{target.text}: {status} ({measured})"


def environment() -> dict[str, object]:
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
    }


def write_json(path: Path, settings: Settings, rows: Sequence[Row], verdicts: list[str]) -> None:
    document = {
        "environment": environment(),
        "settings": {"sizes": list(settings.sizes), "repeat": settings.repeat},
        "rows": [row.to_json() for row in rows],
        "targets": verdicts,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


# ---------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="Table counts [100 500 2000].")
    parser.add_argument("--repeat", type=int, help="Timed rounds per size [5].")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    parser.add_argument("--quick", action="store_true", help="Smoke run: sizes 50, repeat 2.")
    parser.add_argument(
        "--bench",
        choices=sorted(BENCHMARKS),
        action="append",
        help="Run only this benchmark (repeatable) [all].",
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    if args.repeat is None:
        args.repeat = QUICK_REPEAT if args.quick else DEFAULT_REPEAT
    if args.repeat < 1 or min(args.sizes) < 2:
        parser.error("--repeat must be at least 1 and every size at least 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.bench or list(BENCHMARKS)
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-") as workdir:
        settings = Settings(tuple(args.sizes), args.repeat, Path(workdir))
        try:
            rows = [row for name in names for row in BENCHMARKS[name](settings)]
        except BenchError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 1
    verdicts = [verdict(target, rows) for target in TARGETS if target.benchmark in names]
    print(markdown(rows))
    print()
    for line in verdicts:
        print(line)
    if args.json:
        write_json(args.json, settings, rows, verdicts)
    progress("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
