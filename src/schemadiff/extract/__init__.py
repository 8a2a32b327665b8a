"""SQLAlchemy MetaData -> ``Schema``. The only package that reads SQLAlchemy objects.

It runs in the sandbox child, never in the CLI process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from schemadiff.errors import ModelLoadError
from schemadiff.extract import constraints
from schemadiff.extract.sql import ddl_compiler, load_dialect, options, sql_text
from schemadiff.extract.types import column_type, named_enum, render_type
from schemadiff.model import (
    Column,
    Computed,
    Identity,
    NamedEnum,
    Schema,
    SequenceOptions,
    Table,
    TableKey,
)
from schemadiff.model import (
    Sequence as SequenceRecord,
)

__all__ = [
    "load_dialect",
    "merged",
    "render_type",
    "schema_from_metadata",
    "schemas_from_metadata",
    "warm_compiler",
]


class DuplicateTableError(ModelLoadError):
    """The same table is declared in two MetaData collections."""


def schema_from_metadata(
    collections: Sequence[tuple[str, sa.MetaData]],
    dialect_name: str,
    user_module_prefix: str | None = None,
) -> Schema:
    """One schema from several MetaData collections, each named by its locator."""
    return merged(schemas_from_metadata(collections, dialect_name, user_module_prefix))


def schemas_from_metadata(
    collections: Sequence[tuple[str, sa.MetaData]],
    dialect_name: str,
    user_module_prefix: str | None = None,
) -> list[Schema]:
    """A schema for each collection, in order; a table in two of them is an error."""
    dialect = load_dialect(dialect_name)
    seen: dict[TableKey, str] = {}
    schemas = []
    reached: set[int] = set()
    for locator, metadata in collections:
        if id(metadata) in reached:  # two locators, one MetaData: its tables count once
            schemas.append(Schema(dialect_name, ()))
            continue
        reached.add(id(metadata))
        tables = _tables(locator, metadata, dialect, user_module_prefix, seen)
        schemas.append(_schema(dialect_name, tables, _sequences(metadata, dialect)))
    return schemas


def merged(schemas: Sequence[Schema]) -> Schema:
    tables = [t for s in schemas for t in s.tables]
    sequences = [q for s in schemas for q in s.sequences]
    return _schema(schemas[0].dialect if schemas else "", tables, sequences)


def _schema(dialect_name: str, tables: list[Table], sequences: Iterable[SequenceRecord]) -> Schema:
    by_key = {s.key: s for s in sequences}
    enums = {e.key: e for t in tables for e in _enums(t)}
    return Schema(
        dialect_name,
        tuple(sorted(tables, key=lambda t: t.key)),
        tuple(enums[k] for k in sorted(enums)),
        tuple(by_key[k] for k in sorted(by_key)),
    )


def _tables(
    locator: str,
    metadata: sa.MetaData,
    dialect: Dialect,
    prefix: str | None,
    seen: dict[TableKey, str],
) -> list[Table]:
    tables = []
    for sa_table in metadata.tables.values():
        table = table_from_sa(sa_table, dialect, prefix)
        if table.key in seen:
            raise DuplicateTableError(
                f"Table {table.qualified_name!r} is declared in both {seen[table.key]} and "
                f"{locator}. Keep it in one MetaData, or compare them separately."
            )
        seen[table.key] = locator
        tables.append(table)
    return tables


def table_from_sa(table: sa.Table, dialect: Dialect, prefix: str | None = None) -> Table:
    return Table(
        schema=table.schema,
        name=table.name,
        columns=tuple(column_from_sa(c, dialect, prefix) for c in table.columns),
        primary_key=constraints.primary_key(table),
        comment=table.comment,
        indexes=constraints.indexes(table, dialect),
        unique_constraints=constraints.unique_constraints(table, dialect),
        foreign_keys=constraints.foreign_keys(table),
        check_constraints=constraints.check_constraints(table, dialect),
        exclude_constraints=constraints.exclude_constraints(table, dialect),
        options=options(table.dialect_kwargs, dialect),
        renamed_from=_renamed_from(table.info),
    )


def column_from_sa(
    column: sa.Column[object], dialect: Dialect, prefix: str | None = None
) -> Column:
    return Column(
        name=column.name,
        type=column_type(column.type, dialect, prefix),
        nullable=bool(column.nullable),
        server_default=_server_default(column, dialect),
        comment=column.comment,
        computed=_computed(column, dialect),
        identity=_identity(column),
        autoincrement=_autoincrement(column, dialect),
        renamed_from=_renamed_from(column.info),
    )


def _autoincrement(column: sa.Column[object], dialect: Dialect) -> bool:
    """Whether the database makes the keys itself (SERIAL, AUTO_INCREMENT, IDENTITY).

    SQLAlchemy counts a key with an explicit ``Sequence`` as its table's autoincrement column,
    but where sequences exist that key is a plain integer: SQLAlchemy draws each value from
    the sequence in the INSERT. Recorded as autoincrement, a migration would make it SERIAL
    (a second sequence) and a database built by ``create_all`` would differ from the models.
    """
    if column.table is None or column.table.autoincrement_column is not column:
        return False
    return not (isinstance(column.default, sa.Sequence) and _created(column.default, dialect))


def _created(sequence: sa.Sequence, dialect: Dialect) -> bool:
    """Whether ``create_all`` creates the sequence: not where the dialect has none (SQLite,
    MySQL), nor an ``optional`` one where the dialect makes keys without one (PostgreSQL's
    SERIAL, which then has a sequence of its own)."""
    return dialect.supports_sequences and not (sequence.optional and dialect.sequences_optional)


def _renamed_from(info: dict[object, object]) -> str | None:
    value = info.get("renamed_from")
    return value if isinstance(value, str) else None


def _server_default(column: sa.Column[object], dialect: Dialect) -> str | None:
    if not isinstance(column.server_default, sa.DefaultClause):
        return None
    text = ddl_compiler(dialect).get_column_default_string(column)
    return None if text is None else str(text)


def _computed(column: sa.Column[object], dialect: Dialect) -> Computed | None:
    computed = column.computed
    if computed is None:
        return None
    return Computed(sql_text(computed.sqltext, dialect), computed.persisted)


def _identity(column: sa.Column[object]) -> Identity | None:
    identity = column.identity
    if identity is None:
        return None
    return Identity(bool(identity.always), identity.on_null, _sequence_options(identity))


def _sequence_options(source: object) -> SequenceOptions:
    names = SequenceOptions.__dataclass_fields__
    return SequenceOptions(**{n: getattr(source, n, None) for n in names})


def _sequences(metadata: sa.MetaData, dialect: Dialect) -> Iterator[SequenceRecord]:
    for sequence in getattr(metadata, "_sequences", {}).values():
        if _created(sequence, dialect):
            yield SequenceRecord(sequence.schema, sequence.name, _sequence_options(sequence))


def _enums(table: Table) -> Iterator[NamedEnum]:
    for column in table.columns:
        found = named_enum(column.type)
        if found is not None:
            yield found


def warm_compiler(dialect_name: str) -> None:
    """Compile one typical column once, so the first real one pays no set-up."""
    column: sa.Column[object] = sa.Column("warm", sa.DateTime(), server_default=sa.func.now())
    sa.Table("schemadiff_warm", sa.MetaData(), column)
    column_from_sa(column, load_dialect(dialect_name))
