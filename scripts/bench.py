"""Benchmarks for schemadiff on synthetic repositories.

Run from the project root with the project's interpreter:

    .venv/bin/python scripts/bench.py                      # sizes 100 500 2000, repeat 5
    .venv/bin/python scripts/bench.py --quick              # sizes 50, repeat 2 (smoke run)
    .venv/bin/python scripts/bench.py --sizes 500 --repeat 9 --json out.json
    .venv/bin/python scripts/bench.py --bench log --log-commits 100 300 1000
    .venv/bin/python scripts/bench.py --bench real-shape --repeat 3 --real-timeout 600

Each benchmark builds what it needs in one temporary directory (removed at the end), runs
its commands round-robin (one untimed warm-up round first) and returns table rows. To add
a benchmark, write a function ``(Settings) -> list[Row]`` and list it in ``BENCHMARKS``.
Every timed python starts cold: a new process, with no .pyc written by an earlier run.

``diff-vs-floor`` compares ``schemadiff HEAD~1..HEAD`` with its floor: a cold
``python -c "import models"`` at each of the two commits, both started together, which is
the least any tool must do to read the models of two commits. Every schemadiff run there
starts with an empty cache.

``cache`` measures the same command with both sides in the cache, and with only HEAD~1 in
it, against one cold ``python -c "import models"`` at HEAD.

``startup`` times ``schemadiff --help`` (as ``python -m schemadiff`` and as the console
script) against ``python -c pass``: what a user waits for before anything is read.

``pre-commit`` times ``schemadiff check --hook`` as pre-commit runs it at ``git commit``:
one models module changed in the index, HEAD already in the cache (a fresh copy each run),
against one cold ``python -c "import models"`` of the index: the side the hook must import.

``incumbent`` puts schemadiff against what users run today: Alembic's
``compare_metadata`` between the models at HEAD and a live PostgreSQL (a throwaway server
of our own) holding the schema of HEAD~1, cold, and schemadiff cold, with HEAD~1 cached
and with both sides cached.

``log`` times ``schemadiff log --format json`` over histories of 100, 300 and 1000 commits
(``--log-commits``) of which the same 30 change a 200-table model (the root, which makes
it, then 29 that each add a column), against one cold import of that model: the time
should follow the schema-changing commits, not the commits.

``confinement`` times the cold ``schemadiff HEAD~1..HEAD`` with confinement on (the
default: Landlock, seccomp, limits) and under ``--sandbox=strict`` against
``--sandbox=off``: what confining the import costs.

``real-shape`` (in ``bench_real.py``) builds a repository shaped like a real application's
(``--real-commits``, 3000 by default: a 1,000-file frontend tree, ``app/models`` of about 200
tables in several modules, ``app/api``, ``app/services``, Alembic migrations; 10% of the
commits change non-model Python, 5% the models, the rest the frontend; the first 15% do not
import, their models needing a module that is not installed). It times ``log -n 20`` and
``blame TABLE`` cold and cached, ``check --hook`` on a staged change to non-model Python (HEAD
cached) and the cold ``HEAD~1..HEAD`` beside its floor, all against one cold
``python -c "import app.models"`` at HEAD; the diff again against its floor
(``real-shape-diff``). A command running past ``--real-timeout`` seconds (300) is stopped and
reported as "> N s (timed out)". The notes give the repository's shape as git counts it.

``memory`` reports the peak memory (MiB) of the parent process and of the largest import
child of a cold ``schemadiff HEAD~1..HEAD`` at the largest size, beside that of a plain
``python -c "import models"``.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import io
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_SIZES = (100, 500, 2000)
DEFAULT_REPEAT = 5
QUICK_SIZES = (50,)
QUICK_REPEAT = 2
DEFAULT_LOG_COMMITS = (100, 300, 1000)
LOG_SCHEMA_COMMITS = 30
QUICK_LOG_COMMITS = (100,)
QUICK_LOG_SCHEMA_COMMITS = 5
LOG_TABLES = 200
DEFAULT_REAL_COMMITS = 3000
QUICK_REAL_COMMITS = 150
DEFAULT_REAL_TIMEOUT = 300.0
QUICK_REAL_TIMEOUT = 60.0

PG_BIN = Path(os.environ.get("SCHEMADIFF_PG_BIN", "/usr/lib/postgresql/15/bin"))

TABLES_PER_MODULE = 50
SEED = 20240601

SCHEMADIFF = "schemadiff HEAD~1..HEAD"
FLOOR = "floor: 2x python -c 'import models'"
FULLY_CACHED = "schemadiff HEAD~1..HEAD, both sides cached"
OLD_CACHED = "schemadiff HEAD~1..HEAD, HEAD~1 cached"
ONE_IMPORT = "one cold python -c 'import models' (HEAD)"
PYTHON_PASS = "python -c pass"
HELP_MODULE = "python -m schemadiff --help"
HELP_SCRIPT = "schemadiff --help (console script)"
HOOK = "schemadiff check --hook, HEAD cached"
INDEX_IMPORT = "one cold python -c 'import models' (index)"
INCUMBENT = "incumbent: alembic compare_metadata, HEAD vs PostgreSQL at HEAD~1"
LOG = "schemadiff log --format json"
LOG_IMPORT = f"one cold python -c 'import models' ({LOG_TABLES} tables, HEAD)"
PARENT_PEAK = "schemadiff HEAD~1..HEAD --debug: parent peak"
CHILD_PEAK = "schemadiff HEAD~1..HEAD --debug: largest import child peak"
IMPORT_PEAK = "python -c 'import models' (HEAD): peak"
CONFINED = "schemadiff HEAD~1..HEAD (confined: --sandbox=default)"
STRICT = "schemadiff HEAD~1..HEAD --sandbox=strict"
UNCONFINED = "schemadiff HEAD~1..HEAD --sandbox=off"

TIMED_OUT = "timed out"
NOT_RUN = "not run"

# ---------------------------------------------------------------------------------------
# Results and the benchmark registry


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


def export_index(repo: Path, destination: Path) -> Path:
    """A plain copy of what the index holds (no .git) in ``destination``."""
    destination.mkdir(parents=True)
    git(repo, "checkout-index", "-a", f"--prefix={destination}/")
    return destination


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
    """The default is a plain string, which SQLAlchemy quotes: "'draft'" would be the value
    'draft' with its quotes, which PostgreSQL refuses for the enum (see ``incumbent``)."""
    enum = f'sa.Enum("draft", "active", "archived", name="{table}_status")'
    return Column("status", "str", [enum, 'server_default="draft"'], False)


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


def module_source(members: Sequence[Table]) -> str:
    body = "\n\n\n".join(table.render() for table in members)
    return f"{MODULE_HEADER}\n\n{body}\n"


def by_module(tables: Sequence[Table]) -> dict[str, list[Table]]:
    modules: dict[str, list[Table]] = {}
    for table in tables:
        modules.setdefault(table.module, []).append(table)
    return modules


def models_files(tables: Sequence[Table]) -> dict[str, str]:
    """The files of ``models/`` (path in the repository: text), one module per
    TABLES_PER_MODULE tables."""
    modules = by_module(tables)
    files = {f"models/{module}.py": module_source(members) for module, members in modules.items()}
    files["models/base.py"] = BASE_MODULE
    imports = "".join(f"from models import {module}\n" for module in modules)
    files["models/__init__.py"] = f'from models.base import Base\n{imports}\n__all__ = ["Base"]\n'
    return files


def write_models(repo: Path, tables: Sequence[Table]) -> None:
    """Replace ``models/`` with the files of ``models_files``."""
    package = repo / "models"
    if package.exists():
        for old in package.iterdir():
            old.unlink()
    package.mkdir(exist_ok=True)
    for path, text in models_files(tables).items():
        (repo / path).write_text(text)


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


def bench_confinement(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    for size in settings.sizes:
        _, repo = prepared(settings, "confinement", size)
        commands = [
            Command(CONFINED, lambda repo=repo: run_schemadiff(repo)),
            Command(
                STRICT, lambda repo=repo: run_schemadiff(repo, False, None, "--sandbox=strict")
            ),
            Command(
                UNCONFINED, lambda repo=repo: run_schemadiff(repo, False, None, "--sandbox=off")
            ),
        ]
        progress(f"confinement N={size}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("confinement", size, samples, baseline=UNCONFINED))
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


# startup -------------------------------------------------------------------------------


def console_script() -> Path | None:
    """The ``schemadiff`` script installed next to this interpreter: what a user's shell runs,
    which does not pay for ``-m`` finding the package through runpy."""
    script = Path(sys.executable).parent / "schemadiff"
    return script if script.exists() else None


def bench_startup(settings: Settings) -> list[Row]:
    """No repository: ``--help`` must answer before anything is read."""
    where = settings.workdir
    module = [sys.executable, "-m", "schemadiff", "--help"]
    commands = [
        Command(PYTHON_PASS, lambda: run_timed([sys.executable, "-c", "pass"], where)),
        Command(HELP_MODULE, lambda: run_timed(module, where)),
    ]
    script = console_script()
    if script is None:
        progress(f"startup: no console script next to {sys.executable}; its target is unmeasured")
    else:
        commands.append(Command(HELP_SCRIPT, lambda: run_timed([str(script), "--help"], where)))
    progress(f"startup: warm-up + {settings.repeat} rounds")
    samples = measure(commands, settings.repeat)
    return ratio_rows("startup", 0, samples, baseline=PYTHON_PASS)


# pre-commit ----------------------------------------------------------------------------

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
    rows: list[Row] = []
    for size in settings.sizes:
        base, repo = prepared(settings, "pre-commit", size)
        stage_change(repo, size)
        checkout = export_index(repo, base / "index")
        progress(f"pre-commit N={size}: filling the cache with HEAD")
        head_only = cache_holding(repo, base / "head-only", "snapshot", "HEAD")
        commands = [
            Command(
                HOOK,
                lambda r=repo, h=head_only: run_hook(r, h)[0],
                lambda r=repo, h=head_only: check_hook_sees_change(r, h),
            ),
            Command(INDEX_IMPORT, lambda checkout=checkout: run_imports([checkout])),
        ]
        progress(f"pre-commit N={size}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("pre-commit", size, samples, baseline=INDEX_IMPORT))
    return rows


# incumbent -----------------------------------------------------------------------------

CREATE_ALL = """\
import sys

import sqlalchemy

import models

models.Base.metadata.create_all(sqlalchemy.create_engine(sys.argv[1]))
"""

COMPARE_METADATA = """\
import sys

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import models

with sqlalchemy.create_engine(sys.argv[1]).connect() as connection:
    differences = compare_metadata(MigrationContext.configure(connection), models.Base.metadata)
if not differences:
    sys.exit("compare_metadata found no differences")
"""
"""What ``alembic revision --autogenerate`` does once env.py has imported the models."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server's tools as ``postgres``."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def run_server_tool(argv: list[str], log: Path | None = None) -> None:
    result = subprocess.run(as_postgres(argv), capture_output=True, check=False)
    if result.returncode != 0:
        said = log.read_text(errors="replace") if log and log.exists() else ""
        raise BenchError(f"{' '.join(argv)} failed:\n{result.stderr.decode()}{said}")


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[int]:
    """A PostgreSQL server of our own on 127.0.0.1, for this benchmark only; yields its port.

    Its directory is not under the work directory, which is private to this user: as root,
    the server runs as ``postgres``. No fsync: only reading speed matters here.
    """
    if not (PG_BIN / "initdb").exists():
        raise BenchError(
            f"incumbent needs the PostgreSQL server binaries, missing from {PG_BIN} "
            "(install postgresql-15, or set SCHEMADIFF_PG_BIN to their directory)"
        )
    base = Path(tempfile.mkdtemp(prefix="schemadiff-bench-pg-"))
    try:
        if os.geteuid() == 0:
            base.chmod(0o755)
            shutil.chown(base, "postgres", "postgres")
        data, log, port = base / "data", base / "log", free_port()
        run_server_tool([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w"]
        run_server_tool([*ctl, "-o", options, "start"], log)
        try:
            yield port
        finally:
            stop = as_postgres([*ctl, "-m", "immediate", "stop"])
            subprocess.run(stop, capture_output=True, check=False)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def database_at(repo: Path, base: Path, port: int, size: int) -> str:
    """The URL of a new database holding the schema of HEAD~1, made by its own models."""
    name = f"bench_{size}"
    createdb = [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    timed([*createdb, name], base, clean_env())
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{name}"
    old = export(repo, "HEAD~1", base / "old")
    timed([sys.executable, "-c", CREATE_ALL, url], old, python_env())
    return url


def bench_incumbent(settings: Settings) -> list[Row]:
    rows: list[Row] = []
    with throwaway_postgres() as port:
        for size in settings.sizes:
            base, repo = prepared(settings, "incumbent", size)
            progress(f"incumbent N={size}: the old schema in PostgreSQL, filling the caches")
            url = database_at(repo, base, port, size)
            checkout = export(repo, "HEAD", base / "new")
            full = cache_holding(repo, base / "full", "HEAD~1..HEAD")
            old_only = cache_holding(repo, base / "old-only", "snapshot", "HEAD~1")
            compare = [sys.executable, "-c", COMPARE_METADATA, url]
            commands = [
                Command(INCUMBENT, lambda c=checkout, argv=compare: run_timed(argv, c)),
                Command(
                    SCHEMADIFF,
                    lambda repo=repo: run_schemadiff(repo),
                    lambda repo=repo: run_schemadiff(repo, require_output=True),
                ),
                Command(OLD_CACHED, lambda r=repo, o=old_only: run_with_old_cached(r, o)),
                Command(FULLY_CACHED, lambda r=repo, f=full: run_schemadiff(r, True, f)),
            ]
            progress(f"incumbent N={size}: warm-up + {settings.repeat} rounds")
            samples = measure(commands, settings.repeat)
            rows.extend(ratio_rows("incumbent", size, samples, baseline=INCUMBENT))
    return rows


# log -----------------------------------------------------------------------------------

LOG_EPOCH = 1_700_000_000
"""The first commit's date; each next one an hour later, so --since and --until can cut."""


def fast_import_data(text: str) -> bytes:
    payload = text.encode()
    return b"data %d\n%s\n" % (len(payload), payload)


def fast_import_commit(
    number: int, message: str, files: Mapping[str, str], deleted: Sequence[str] = ()
) -> bytes:
    """Commit ``number`` (1 for the first) of a fast-import stream on main, changing
    ``files`` and deleting ``deleted``; mark ``:number`` names it."""
    when = LOG_EPOCH + number * 3600
    parts = [
        f"commit refs/heads/main\nmark :{number}\n".encode(),
        f"committer bench <bench@example.com> {when} +0000\n".encode(),
        fast_import_data(message),
    ]
    if number > 1:
        parts.append(b"from :%d\n" % (number - 1))
    for path, text in files.items():
        parts += [f"M 100644 inline {path}\n".encode(), fast_import_data(text)]
    parts += [f"D {path}\n".encode() for path in deleted]
    return b"".join(parts)


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
                lambda repo=base / "repo": run_log(repo),
                lambda repo=base / "repo": run_log(repo, expected=schema_commits),
            ),
            Command(LOG_IMPORT, lambda checkout=checkout: run_imports([checkout])),
        ]
        progress(f"log C={commits}: warm-up + {settings.repeat} rounds")
        samples = measure(commands, settings.repeat)
        rows.extend(ratio_rows("log", commits, samples, baseline=LOG_IMPORT))
    return rows


# memory --------------------------------------------------------------------------------

PARENT_WRAPPER = (
    "import resource, sys; from schemadiff._entry import main; code = main(sys.argv[1:]); "
    "print('parent-peak-kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
    "file=sys.stderr); sys.exit(code)"
)
"""The console script's own entry point, then its peak resident memory (KiB on Linux)."""

IMPORT_WRAPPER = (
    "import resource, models; "
    "print('import-peak-kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def kib_after(marker: str, text: str) -> list[int]:
    return [int(found) for found in re.findall(rf"{marker} (\d+)", text)]


def peaks_of_schemadiff(repo: Path) -> tuple[float, float | None]:
    """The parent's peak and the largest import child's (None when --debug does not tell it
    yet), in MiB, for one cold run."""
    argv = [sys.executable, "-c", PARENT_WRAPPER, "HEAD~1..HEAD", "--debug"]
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-cache-") as empty:
        _, result = timed(argv, repo, python_env(SCHEMADIFF_CACHE_DIR=empty))
    stderr = result.stderr.decode()
    parent = kib_after("parent-peak-kib", stderr)
    if not parent:
        raise BenchError(f"the wrapper printed no parent peak in {repo}:\n{stderr}")
    children = kib_after("peak memory", stderr)
    return parent[-1] / 1024, (max(children) / 1024 if children else None)


def peak_of_import(checkout: Path) -> float:
    _, result = timed([sys.executable, "-c", IMPORT_WRAPPER], checkout, python_env())
    peak = kib_after("import-peak-kib", result.stdout.decode())
    if not peak:
        raise BenchError(f"the import wrapper printed no peak in {checkout}")
    return peak[-1] / 1024


def bench_memory(settings: Settings) -> list[Row]:
    """Peaks, not times: no warm-up, and no ratio (the import is there to compare by eye).
    One size, the largest (2000 by default, 50 with --quick): memory matters when big."""
    size = max(settings.sizes)
    base, repo = prepared(settings, "memory", size)
    checkout = export(repo, "HEAD", base / "new")
    progress(f"memory N={size}: {settings.repeat} rounds")
    samples: dict[str, list[float]] = {PARENT_PEAK: [], CHILD_PEAK: [], IMPORT_PEAK: []}
    for _ in range(settings.repeat):
        parent, child = peaks_of_schemadiff(repo)
        samples[PARENT_PEAK].append(parent)
        if child is not None:
            samples[CHILD_PEAK].append(child)
        samples[IMPORT_PEAK].append(peak_of_import(checkout))
    if not samples[CHILD_PEAK]:
        progress("memory: schemadiff --debug printed no 'peak memory ... KiB': child not measured")
    return [
        Row("memory", size, label, tuple(values), unit="MiB")
        for label, values in samples.items()
        if values
    ]


# real-shape (scripts/bench_real.py) ----------------------------------------------------

sys.modules.setdefault("bench", sys.modules[__name__])  # run as a script: bench_real imports us
import bench_real  # noqa: E402  (it imports the helpers above)

BENCHMARKS: dict[str, Benchmark] = {
    "diff-vs-floor": bench_diff_vs_floor,
    "cache": bench_cache,
    "startup": bench_startup,
    "pre-commit": bench_pre_commit,
    "incumbent": bench_incumbent,
    "log": bench_log,
    "memory": bench_memory,
    "confinement": bench_confinement,
    bench_real.NAME: bench_real.bench_real_shape,
}

TARGETS = (
    Target("diff-vs-floor", 500, SCHEMADIFF, 0.85, "target at N=500: schemadiff <= 0.85 x floor"),
    Target(
        "cache",
        2000,
        FULLY_CACHED,
        0.5,
        "target at N=2000: both sides cached <= 0.5 s",
        seconds=True,
    ),
    Target("cache", 2000, OLD_CACHED, 1.2, "target at N=2000: one side cached <= 1.2 x one import"),
    Target("startup", 0, HELP_SCRIPT, 0.3, "target: schemadiff --help <= 0.3 s", seconds=True),
    Target("pre-commit", 500, HOOK, 1.05, "target at N=500: check --hook <= 1.05 x one import"),
    Target("incumbent", 500, SCHEMADIFF, 1 / 1.5, "target at N=500: cold <= incumbent / 1.5"),
    Target("incumbent", 500, OLD_CACHED, 1 / 2, "target at N=500: HEAD~1 cached <= incumbent / 2"),
    Target(
        "incumbent", 500, FULLY_CACHED, 1 / 10, "target at N=500: both cached <= incumbent / 10"
    ),
    Target("log", 300, LOG, 35, "target at C=300: schemadiff log <= 35 x one import"),
)


# ---------------------------------------------------------------------------------------
# Reporting


SIZE_COLUMN = {
    "log": "commits",
    "startup": "",
    bench_real.NAME: "commits",
    bench_real.DIFF_NAME: "commits",
}
"""What N counts in each benchmark's table, when not tables."""


def table(rows: Sequence[Row]) -> list[str]:
    """One benchmark's rows of one unit."""
    unit = rows[0].unit
    lines = [
        f"| {SIZE_COLUMN.get(rows[0].benchmark, 'N')} | command | median {unit} | min {unit} "
        f"| max {unit} | ratio vs baseline |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    places = 3 if unit == "s" else 1
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        if row.bound == TIMED_OUT:
            over = f"> {row.median:.0f} s ({TIMED_OUT})"
            lines.append(f"| {row.n or ''} | {row.command} | {over} | | | > {ratio} |")
            continue
        if row.bound == NOT_RUN:
            lines.append(
                f"| {row.n or ''} | {row.command} | {NOT_RUN} (cold run timed out) | | | |"
            )
            continue
        lines.append(
            f"| {row.n or ''} | {row.command} | {row.median:.{places}f} "
            f"| {row.minimum:.{places}f} | {row.maximum:.{places}f} | {ratio} |"
        )
    return lines


def markdown(rows: Sequence[Row]) -> str:
    """A table per benchmark (and unit), in the order they ran."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.benchmark, row.unit), []).append(row)
    sections = [
        "\n".join([f"### {name}", "", *table(group)]) for (name, _), group in groups.items()
    ]
    return "\n\n".join(sections)


def log_curve(rows: Sequence[Row], schema_commits: int) -> list[str]:
    """Seconds against commits at a fixed count of schema-changing commits: a flat curve is
    a walk that costs per schema change, a steep one a walk that costs per commit."""
    points = sorted(
        (row.n, row.median) for row in rows if (row.benchmark, row.command) == ("log", LOG)
    )
    if not points:
        return []
    curve = ", ".join(f"C={commits}: {seconds:.2f} s" for commits, seconds in points)
    lines = [f"log curve ({schema_commits} schema-changing commits at every C): {curve}"]
    (first_c, first_s), (last_c, last_s) = points[0], points[-1]
    per_change = first_s / schema_commits * 1000
    if last_c > first_c:
        per_commit = (last_s - first_s) / (last_c - first_c) * 1000
        lines.append(
            f"log: {per_commit:+.2f} ms per extra commit from C={first_c} to C={last_c}; "
            f"{per_change:.0f} ms per schema-changing commit at C={first_c}"
        )
    else:
        lines.append(f"log: {per_change:.0f} ms per schema-changing commit at C={first_c}")
    return lines


def notes(rows: Sequence[Row], names: Sequence[str], settings: Settings) -> list[str]:
    """What the tables do not show: the log curve, the real-shape repository's measured shape,
    and a child peak that was not measured."""
    lines = log_curve(rows, settings.log_schema_commits) if "log" in names else []
    if bench_real.NAME in names:
        lines += bench_real.SHAPE
    measured = {(row.benchmark, row.command) for row in rows}
    if ("memory", PARENT_PEAK) in measured and ("memory", CHILD_PEAK) not in measured:
        lines.append(
            "memory: child peak not measured (schemadiff --debug printed no "
            "'peak memory ... KiB' line)"
        )
    return lines


def verdict(target: Target, rows: Sequence[Row]) -> str:
    value, row = target.value(rows), target.row(rows)
    if value is None or row is None:
        where = "C=" if SIZE_COLUMN.get(target.benchmark) == "commits" else "N="
        return f"{target.text}: not measured (no {target.command!r} at {where}{target.n})"
    measured = f"median {value:.3f} s" if target.seconds else f"ratio {value:.2f}"
    if row.bound == TIMED_OUT:
        return f"{target.text}: NOT met ({measured.replace(' ', ' > ', 1)}, {TIMED_OUT})"
    if row.bound == NOT_RUN:
        return f"{target.text}: not measured (the cold run that fills its cache {TIMED_OUT})"
    status = "met" if value <= target.limit else "NOT met"
    return f"{target.text}: {status} ({measured})"


def environment() -> dict[str, object]:
    return {
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg(),
    }


def write_json(
    path: Path, settings: Settings, rows: Sequence[Row], verdicts: list[str], extra: list[str]
) -> None:
    document = {
        "environment": environment(),
        "settings": {
            "sizes": list(settings.sizes),
            "repeat": settings.repeat,
            "log_commits": list(settings.log_commits),
            "log_schema_commits": settings.log_schema_commits,
            "real_commits": settings.real_commits,
            "real_timeout": settings.real_timeout,
        },
        "rows": [row.to_json() for row in rows],
        "targets": verdicts,
        "notes": extra,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


# ---------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", help="Table counts [100 500 2000].")
    parser.add_argument("--repeat", type=int, help="Timed rounds per size [5].")
    parser.add_argument("--json", type=Path, help="Also write the results to this file.")
    parser.add_argument(
        "--log-commits",
        type=int,
        nargs="+",
        help=f"Commit counts for the log benchmark [{' '.join(map(str, DEFAULT_LOG_COMMITS))}].",
    )
    parser.add_argument(
        "--real-commits",
        type=int,
        help=f"Commits of the real-shape repository [{DEFAULT_REAL_COMMITS}].",
    )
    parser.add_argument(
        "--real-timeout",
        type=float,
        help=f"Seconds after which a real-shape command is stopped [{DEFAULT_REAL_TIMEOUT:.0f}].",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "Smoke run: sizes 50, repeat 2, log over 100 commits of which 5 change the schema, "
            f"real-shape over {QUICK_REAL_COMMITS} commits with a {QUICK_REAL_TIMEOUT:.0f} s limit."
        ),
    )
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
    if args.log_commits is None:
        args.log_commits = QUICK_LOG_COMMITS if args.quick else DEFAULT_LOG_COMMITS
    args.log_schema_commits = QUICK_LOG_SCHEMA_COMMITS if args.quick else LOG_SCHEMA_COMMITS
    if args.real_commits is None:
        args.real_commits = QUICK_REAL_COMMITS if args.quick else DEFAULT_REAL_COMMITS
    if args.real_timeout is None:
        args.real_timeout = QUICK_REAL_TIMEOUT if args.quick else DEFAULT_REAL_TIMEOUT
    if args.real_commits < 100 or args.real_timeout <= 0:
        parser.error("--real-commits must be at least 100 and --real-timeout above 0")
    if args.repeat < 1 or min(args.sizes) < 2:
        parser.error("--repeat must be at least 1 and every size at least 2")
    if min(args.log_commits) <= args.log_schema_commits:
        parser.error(f"every --log-commits must be above {args.log_schema_commits}")
    return args


def run_all(names: Sequence[str], settings: Settings) -> tuple[list[Row], list[str]]:
    """The rows of every benchmark that ran to its end, and the names of those that failed:
    one failure (the PostgreSQL binaries missing, say) must not throw away an hour of the
    others' numbers. A failed benchmark gives no row: its numbers would mean nothing."""
    rows: list[Row] = []
    failed: list[str] = []
    for name in names:
        try:
            rows.extend(BENCHMARKS[name](settings))
        except BenchError as error:
            print(f"bench: {name}: {error}", file=sys.stderr)
            failed.append(name)
    return rows, failed


def compile_schemadiff() -> None:
    """Bytecode for schemadiff's own modules, as an installed schemadiff has it: the timed
    runs write none (PYTHONDONTWRITEBYTECODE), so a source edited since the last run would
    otherwise be compiled anew by every one of them, and timed as schemadiff's."""
    import schemadiff  # noqa: PLC0415 - only to find its files

    compileall.compile_dir(Path(schemadiff.__file__).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.bench or list(BENCHMARKS)
    compile_schemadiff()
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-") as workdir:
        settings = Settings(
            tuple(args.sizes),
            args.repeat,
            Path(workdir),
            tuple(args.log_commits),
            args.log_schema_commits,
            args.real_commits,
            args.real_timeout,
        )
        rows, failed = run_all(names, settings)
    ran = [name for name in names if name not in failed]
    goals = [*TARGETS, *bench_real.targets(settings.real_commits)]
    ran_rows = {row.benchmark for row in rows}
    verdicts = [verdict(target, rows) for target in goals if target.benchmark in ran_rows]
    extra = notes(rows, ran, settings)
    if rows:
        print(markdown(rows))
        print()
    for line in [*verdicts, *extra]:
        print(line)
    if failed:
        print(f"failed: {', '.join(failed)} (see above)")
    if args.json:
        write_json(args.json, settings, rows, verdicts, extra)
    progress("done")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
