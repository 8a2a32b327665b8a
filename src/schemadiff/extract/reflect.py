"""A live database -> ``Schema``: reflected with SQLAlchemy, then read like any MetaData.

Runs in the sandbox child only. What reflection reports differs from what the models say in
spelling (names the database chose, casts, type classes); ``schemadiff.diff.align``
aligns those artifacts, this module only reads.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from schemadiff.errors import ModelLoadError
from schemadiff.extract import schema_from_metadata
from schemadiff.model import NamedEnum, Schema, SequenceOptions
from schemadiff.model import Sequence as SequenceRecord

__all__ = ["schema_from_database"]

LOCATOR = "the database"
_CONNECT_ADVICE = "Check the URL, that the server is running and reachable, and the credentials."
_READ_ADVICE = "Check that this user may read the tables and the catalog."
_ALEMBIC_TABLE = "alembic_version"

_TIMEOUT_ARGUMENT = {
    "psycopg2": "connect_timeout",
    "psycopg": "connect_timeout",
    "pg8000": "timeout",
    "pymysql": "connect_timeout",
    "mysqldb": "connect_timeout",
}
"""The driver's connect-timeout keyword, in whole seconds; a driver not named here gets none."""


def schema_from_database(url: str, timeout: float, include_schemas: Sequence[str] = ()) -> Schema:
    """Every table of the default schema (and of ``include_schemas``) as one ``Schema``."""
    shown = _masked(url)
    engine = _engine(url, timeout, shown)
    try:
        with _failures(f"Cannot connect to the database {shown}", _CONNECT_ADVICE):
            connection = engine.connect()
        with connection, _failures(f"Cannot read the schema of {shown}", _READ_ADVICE):
            return _read(connection, _schemas(connection, include_schemas))
    finally:
        engine.dispose()


def _schemas(connection: Connection, include: Sequence[str]) -> list[str | None]:
    """None for the default schema, then the others named; the default one named again
    (``public``, or ``""`` as ``--include-schemas`` spells it) would reflect its tables twice."""
    default = connection.dialect.default_schema_name
    return [None, *dict.fromkeys(s for s in include if s and s != default)]


def _read(connection: Connection, schemas: Sequence[str | None]) -> Schema:
    metadata = sa.MetaData()
    for name in schemas:
        metadata.reflect(connection, schema=name, only=lambda table, _: table != _ALEMBIC_TABLE)
    schema = schema_from_metadata([(LOCATOR, metadata)], connection.dialect.name)
    if connection.dialect.name != "postgresql":
        return schema
    enums = {e.key: e for e in (*schema.enums, *_enums(connection, schemas))}
    sequences = [s for name in schemas for s in _sequences(connection, name)]
    return dataclasses.replace(
        schema,
        enums=tuple(enums[k] for k in sorted(enums)),
        sequences=tuple(sorted(sequences, key=lambda s: s.key)),
    )


# --- connecting -------------------------------------------------------------------------------


def _masked(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        raise ModelLoadError(
            # Only what follows the last "@": a URL that does not parse may still hold a password.
            f"Cannot parse the database URL {url.rpartition('@')[2]!r}.\n"
            "  Write it as dialect+driver://user:password@host:port/database."
        ) from None


def _engine(url: str, timeout: float, shown: str) -> sa.Engine:
    try:
        parsed = _read_only(make_url(url))
        connect_args = _connect_args(parsed, timeout)
        return sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as error:
        raise ModelLoadError(
            f"Cannot use the database URL {shown}: {_first_line(error)}.\n"
            "  Name a dialect SQLAlchemy knows and an installed driver, "
            "e.g. postgresql+psycopg2://... after pip install psycopg2-binary."
        ) from None


def _connect_args(url: URL, timeout: float) -> dict[str, int]:
    """A connect timeout, so an unreachable server fails instead of hanging."""
    argument = _TIMEOUT_ARGUMENT.get(url.get_driver_name())
    return {} if argument is None else {argument: max(1, int(timeout))}


def _read_only(url: URL) -> URL:
    """SQLite creates a missing file on connect: open it read-only, so a typo fails instead."""
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return url
    if url.query.get("uri") == "true":
        return url
    return url.set(database=f"file:{quote(str(Path(path)))}").update_query_dict(
        {"mode": "ro", "uri": "true"}
    )


@contextlib.contextmanager
def _failures(what: str, advice: str) -> Iterator[None]:
    """A driver's or SQLAlchemy's error as two lines: what failed and why, then what to do."""
    try:
        yield
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise ModelLoadError(f"{what}: {_first_line(cause)}\n  {advice}") from None


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


# --- PostgreSQL types and sequences -----------------------------------------------------------


def _enums(connection: Connection, schemas: Sequence[str | None]) -> Iterator[NamedEnum]:
    """Every named enum type, used by a column or not; its schema as the columns spell it."""
    inspector = sa.inspect(connection)
    for name in schemas:
        for found in inspector.get_enums(schema=name):  # type: ignore[attr-defined]
            schema = None if name is None else found["schema"]
            yield NamedEnum(schema, found["name"], tuple(found["labels"]))


_SEQUENCES = sa.text(
    """
    SELECT s.sequencename, s.start_value, s.increment_by, s.min_value, s.max_value,
           s.cycle, s.cache_size
    FROM pg_sequences AS s
    JOIN pg_namespace AS n ON n.nspname = s.schemaname
    JOIN pg_class AS c ON c.relnamespace = n.oid AND c.relname = s.sequencename
    WHERE s.schemaname = coalesce(:schema, current_schema())
      AND NOT EXISTS (
        SELECT 1 FROM pg_depend AS d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
      )
    """
)
"""The sequences a model can declare: not those a SERIAL or IDENTITY column owns."""


def _sequences(connection: Connection, schema: str | None) -> Iterator[SequenceRecord]:
    for row in connection.execute(_SEQUENCES, {"schema": schema}):
        name, start, increment, minvalue, maxvalue, cycle, cache = row
        options = SequenceOptions(
            start=start,
            increment=increment,
            minvalue=minvalue,
            maxvalue=maxvalue,
            cycle=cycle,
            cache=cache,
        )
        yield SequenceRecord(schema, name, options)
