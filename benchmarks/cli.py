"""The command line: ``python -m benchmarks`` (or ``scripts/bench.py``), its options, the
benchmarks run one after the other, the report printed."""

from __future__ import annotations

import argparse
import compileall
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import benchmarks
from benchmarks.harness import (
    DEFAULT_LOG_COMMITS,
    DEFAULT_REAL_COMMITS,
    DEFAULT_REAL_TIMEOUT,
    DEFAULT_REPEAT,
    DEFAULT_SIZES,
    LOG_SCHEMA_COMMITS,
    QUICK_LOG_COMMITS,
    QUICK_LOG_SCHEMA_COMMITS,
    QUICK_REAL_COMMITS,
    QUICK_REAL_TIMEOUT,
    QUICK_REPEAT,
    QUICK_SIZES,
    BenchError,
    Row,
    Settings,
    progress,
)
from benchmarks.report import markdown, notes, verdict, write_json
from benchmarks.suites import BENCHMARKS
from benchmarks.targets import TARGETS, real_shape_targets


def parse_args(argv: Sequence[str] | None, prog: str | None = None) -> argparse.Namespace:
    """The options; ``prog`` names the command in the usage line (argparse's guess when None)."""
    parser = argparse.ArgumentParser(
        prog=prog, description=(benchmarks.__doc__ or "").splitlines()[0]
    )
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


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    args = parse_args(argv, prog)
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
    goals = [*TARGETS, *real_shape_targets(settings.real_commits)]
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
