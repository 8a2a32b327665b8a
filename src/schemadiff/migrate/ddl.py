"""SQL for what Alembic has no operation for: PostgreSQL enum types, sequences, schemas.

Statements come from SQLAlchemy's DDL constructs where it has one; ``ALTER TYPE`` and
``ALTER SEQUENCE`` are spelled here, with the dialect's own quoting.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType, DropEnumType
from sqlalchemy.engine import Dialect

from schemadiff.migrate.customops import Step
from schemadiff.migrate.objects import sequence_kw
from schemadiff.model import NamedEnum
from schemadiff.model import Sequence as SequenceRecord

_PG: Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]


def _compile(element: sa.schema.ExecutableDDLElement, dialect: Dialect = _PG) -> str:
    return str(element.compile(dialect=dialect)).strip()


def _enum(name: str, schema: str | None, values: Sequence[str]) -> postgresql.ENUM:
    return postgresql.ENUM(*values, name=name, schema=schema)


def _type_name(name: str, schema: str | None) -> str:
    preparer = _PG.identifier_preparer
    quoted = preparer.quote(name)
    return f"{preparer.quote_schema(schema)}.{quoted}" if schema else quoted


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_enum(enum: NamedEnum) -> Step:
    return Step((_compile(CreateEnumType(_enum(enum.name, enum.schema, enum.values))),))


def drop_enum(enum: NamedEnum) -> Step:
    return Step((_compile(DropEnumType(_enum(enum.name, enum.schema, enum.values))),))


def added_values(old: Sequence[str], new: Sequence[str]) -> Step | None:
    """``ADD VALUE`` for each new value, when the old values keep their order; else None."""
    if [v for v in new if v in old] != list(old):
        return None
    return Step(autocommit=True)


def add_values(name: str, schema: str | None, old: Sequence[str], new: Sequence[str]) -> Step:
    """``ALTER TYPE ... ADD VALUE`` statements, each placed before the value that follows it;
    run outside the transaction, as a value added in one cannot be used in it."""
    statements = []
    for position, value in enumerate(new):
        if value in old:
            continue
        following = next((v for v in new[position + 1 :] if v in old), None)
        where = f" BEFORE {_literal(following)}" if following is not None else ""
        statements.append(
            f"ALTER TYPE {_type_name(name, schema)} ADD VALUE {_literal(value)}{where}"
        )
    return Step(tuple(statements), autocommit=True)


Use = tuple[str | None, str, str, str | None]
"""A column that has the enum type: schema, table, column, and its server default."""


def replace_enum(name: str, schema: str | None, values: Sequence[str], uses: Sequence[Use]) -> Step:
    """The type rebuilt with ``values``: rename the old one, create the new one, cast every
    column that uses it through text, drop the old one."""
    old_name = f"{name}_old"
    target = _type_name(name, schema)
    statements = [
        f"ALTER TYPE {target} RENAME TO {_PG.identifier_preparer.quote(old_name)}",
        _compile(CreateEnumType(_enum(name, schema, values))),
    ]
    for table_schema, table, column, default in uses:
        statements += _recast(_table_name(table, table_schema), column, target, default)
    statements.append(f"DROP TYPE {_type_name(old_name, schema)}")
    return Step(tuple(statements))


def _recast(table: str, column: str, target: str, default: str | None) -> list[str]:
    quoted = _PG.identifier_preparer.quote(column)
    alter = f"ALTER TABLE {table} ALTER COLUMN {quoted}"
    statements = [f"{alter} TYPE {target} USING {quoted}::text::{target}"]
    if default is not None:
        statements = [f"{alter} DROP DEFAULT", *statements, f"{alter} SET DEFAULT {default}"]
    return statements


def _table_name(name: str, schema: str | None) -> str:
    return _type_name(name, schema)


def _sequence(record: SequenceRecord) -> sa.Sequence:
    return sa.Sequence(record.name, schema=record.schema, **sequence_kw(record.options))


def create_sequence(record: SequenceRecord, dialect: Dialect) -> Step:
    return Step((_compile(sa.schema.CreateSequence(_sequence(record)), dialect),))


def drop_sequence(record: SequenceRecord, dialect: Dialect) -> Step:
    return Step((_compile(sa.schema.DropSequence(_sequence(record)), dialect),))


def alter_sequence(record: SequenceRecord, dialect: Dialect) -> Step:
    """``ALTER SEQUENCE`` to the record's options; the sequence's current value is kept."""
    sequence = _sequence(record)
    compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]
    options = compiler.get_identity_options(sequence)
    name = compiler.preparer.format_sequence(sequence)
    return Step((f"ALTER SEQUENCE {name} {options}".strip(),))


def create_schema(name: str, dialect: Dialect) -> Step:
    """``CREATE SCHEMA IF NOT EXISTS``: the downgrade leaves it, as it may hold other things."""
    return Step((_compile(sa.schema.CreateSchema(name, if_not_exists=True), dialect),))
