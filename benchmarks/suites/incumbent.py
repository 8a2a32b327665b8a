"""``incumbent``: schemadiff against what users run today, Alembic's ``compare_metadata``
between the models at HEAD and a live PostgreSQL (a throwaway server of our own) holding the
schema of HEAD~1, cold; and schemadiff cold, with HEAD~1 cached and with both sides cached."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from benchmarks.generator.models import prepared
from benchmarks.harness import (
    FULLY_CACHED,
    OLD_CACHED,
    SCHEMADIFF,
    BenchError,
    Command,
    Row,
    Settings,
    cache_holding,
    progress,
    python_env,
    run_schemadiff,
    run_timed,
    run_with_old_cached,
    side_by_side,
    timed,
)
from benchmarks.repos import export
from testsupport import postgres
from testsupport.gitenv import clean_env
from testsupport.postgres import PG_BIN

INCUMBENT = "incumbent: alembic compare_metadata, HEAD vs PostgreSQL at HEAD~1"

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


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[int]:
    """A PostgreSQL server of our own on 127.0.0.1, for this benchmark only; yields its port.

    Its directory is not under the work directory, which is private to this user: as root,
    the server runs as ``postgres``. No fsync: only reading speed matters here.
    """
    if not postgres.available():
        raise BenchError(
            f"incumbent needs the PostgreSQL server binaries, missing from {PG_BIN} "
            "(install postgresql-15, or set SCHEMADIFF_PG_BIN to their directory)"
        )
    try:
        server = postgres.start("schemadiff-bench-pg-")
    except postgres.ServerError as error:
        raise BenchError(str(error)) from None
    try:
        yield server.port
    finally:
        postgres.stop(server)


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
                Command(INCUMBENT, partial(run_timed, compare, checkout)),
                Command(
                    SCHEMADIFF,
                    partial(run_schemadiff, repo),
                    partial(run_schemadiff, repo, require_output=True),
                ),
                Command(OLD_CACHED, partial(run_with_old_cached, repo, old_only)),
                Command(FULLY_CACHED, partial(run_schemadiff, repo, True, full)),
            ]
            rows += side_by_side("incumbent", size, commands, settings, INCUMBENT)
    return rows
