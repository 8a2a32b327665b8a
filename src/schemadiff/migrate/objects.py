"""The recorded schema as SQLAlchemy objects, for Alembic's operations to carry.

Nothing is imported from the user's models: a type is a placeholder holding what the sandbox
recorded, its Python spelling for the migration file and its DDL for offline SQL.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

from schemadiff.model import (
    CheckConstraint,
    Column,
    ColumnType,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Options,
    PrimaryKey,
    SequenceOptions,
    Table,
    UniqueConstraint,
)

_INTEGERS: dict[str, type[sa.Integer]] = {
    "INTEGER": sa.Integer,
    "BIGINT": sa.BigInteger,
    "SMALLINT": sa.SmallInteger,
}


class RecordedType(UserDefinedType[Any]):
    """A type known only by its recorded spelling and DDL."""

    cache_ok = True

    def __init__(self, recorded: ColumnType) -> None:
        self.recorded = recorded

    def get_col_spec(self, **kw: Any) -> str:
        return self.recorded.ddl or self.recorded.python


class RecordedInteger(TypeDecorator[int]):
    """An integer type: SQLAlchemy must see the affinity to emit SERIAL or AUTOINCREMENT."""

    impl = sa.Integer
    cache_ok = True

    def __init__(self, recorded: ColumnType) -> None:
        super().__init__()
        self.recorded = recorded

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return _INTEGERS[self.recorded.ddl or "INTEGER"]()


Recorded = RecordedType | RecordedInteger


def sa_type(recorded: ColumnType) -> Recorded:
    if recorded.ddl in _INTEGERS:
        return RecordedInteger(recorded)
    return RecordedType(recorded)


def enum_type(recorded: ColumnType) -> postgresql.ENUM | None:
    """The named PostgreSQL enum a column uses, created and dropped by its own operations."""
    enum = recorded.enum
    if enum is None or not enum.named or enum.name is None:
        return None
    return postgresql.ENUM(*enum.values, name=enum.name, schema=enum.schema, create_type=False)


class Placeholder(sa.DefaultClause):
    """A server default that only fills the rows a NOT NULL column is added to."""


def column(
    recorded: Column, *, in_primary_key: bool = False, placeholder: str | None = None
) -> sa.Column[Any]:
    extras: list[Any] = []
    if recorded.computed is not None:
        extras.append(sa.Computed(recorded.computed.sqltext, recorded.computed.persisted))
    if recorded.identity is not None:
        identity = recorded.identity
        extras.append(sa.Identity(always=identity.always, **sequence_kw(identity.options)))
    return sa.Column(
        recorded.name,
        sa_type(recorded.type),
        *extras,
        nullable=recorded.nullable,
        server_default=(
            default(recorded.server_default)
            if placeholder is None
            else Placeholder(sa.text(placeholder))
        ),
        comment=recorded.comment,
        autoincrement=recorded.autoincrement if in_primary_key else "auto",
    )


def default(text: str | None) -> sa.DefaultClause | None:
    """An existing server default: a clause, as Alembic tests those for truth."""
    return None if text is None else sa.DefaultClause(sa.text(text))


def default_text(text: str | None) -> sa.TextClause | None:
    """A new server default: text, as Alembic's batch mode takes it."""
    return None if text is None else sa.text(text)


def sequence_kw(options: SequenceOptions) -> dict[str, Any]:
    names = SequenceOptions.__dataclass_fields__
    return {n: getattr(options, n) for n in names if getattr(options, n) is not None}


def table(
    recorded: Table,
    metadata: sa.MetaData,
    *,
    skip_fks: Iterable[ForeignKey] = (),
    with_indexes: bool = False,
) -> sa.Table:
    """The table with its columns and constraints; its indexes only when asked, as a
    migration creates them through their own operations."""
    pk = recorded.primary_key
    skipped = set(skip_fks)
    items: list[Any] = [
        column(c, in_primary_key=pk is not None and c.name in pk.columns) for c in recorded.columns
    ]
    if pk is not None:
        items.append(sa.PrimaryKeyConstraint(*pk.columns, name=pk.name))
    items += [unique(u) for u in recorded.unique_constraints]
    items += [check(c) for c in recorded.check_constraints]
    items += [exclude(e) for e in recorded.exclude_constraints]
    items += [foreign_key(f) for f in recorded.foreign_keys if f not in skipped]
    created = sa.Table(
        recorded.name,
        metadata,
        *items,
        schema=recorded.schema,
        comment=recorded.comment,
        **option_kw(recorded.options),
    )
    stub_targets(metadata, recorded.foreign_keys)
    for index in recorded.indexes if with_indexes else ():
        elements = index_elements(index, created.c.keys())
        sa.Index(
            index.name, *elements, _table=created, unique=index.unique, **option_kw(index.options)
        )
    return created


def stub_targets(metadata: sa.MetaData, fks: Iterable[ForeignKey]) -> None:
    """Tables the foreign keys refer to, as far as they need them: SQLAlchemy resolves a
    foreign key's target inside its MetaData."""
    for fk in fks:
        key = (
            f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
        )
        target = metadata.tables.get(key)
        if target is None:
            target = sa.Table(fk.referred_table, metadata, schema=fk.referred_schema)
        for name in fk.referred_columns:
            if name not in target.c:
                target.append_column(sa.Column(name, sa.Integer))


def primary_key(recorded: PrimaryKey, name: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*recorded.columns, name=recorded.name or name)


def unique(recorded: UniqueConstraint) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*recorded.columns, name=recorded.name, **option_kw(recorded.options))


def check(recorded: CheckConstraint) -> sa.CheckConstraint:
    return sa.CheckConstraint(recorded.sqltext, name=recorded.name)


def exclude(recorded: ExcludeConstraint) -> postgresql.ExcludeConstraint:
    elements = [(sa.text(expression), op) for expression, op in recorded.elements]
    where = None if recorded.where is None else sa.text(recorded.where)
    return postgresql.ExcludeConstraint(
        *elements, name=recorded.name, using=recorded.using, where=where
    )


def foreign_key(recorded: ForeignKey) -> sa.ForeignKeyConstraint:
    prefix = f"{recorded.referred_schema}." if recorded.referred_schema else ""
    return sa.ForeignKeyConstraint(
        list(recorded.columns),
        [f"{prefix}{recorded.referred_table}.{c}" for c in recorded.referred_columns],
        name=recorded.name,
        ondelete=recorded.ondelete,
        onupdate=recorded.onupdate,
        deferrable=recorded.deferrable,
        initially=recorded.initially,
        match=recorded.match,
    )


def index_elements(recorded: Index, columns: Iterable[str]) -> list[str | sa.TextClause]:
    """Column names as names, anything else as the SQL text it was compiled to."""
    names = set(columns)
    return [e if e in names else sa.text(e) for e in recorded.expressions]


def option_kw(options: Options) -> dict[str, Any]:
    """Recorded option text back into keyword values: SQL as text, literals as literals."""
    return {name: _option_value(name, value) for name, value in options}


def _option_value(name: str, value: str) -> Any:
    if name.endswith("_where"):
        return sa.text(value)
    if value.startswith("[") and value.endswith("]"):
        return [v.strip() for v in value[1:-1].split(",") if v.strip()]
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
