"""SQL for what Alembic has no operation for: PostgreSQL enum types, sequences, schemas.

Statements come from SQLAlchemy's DDL constructs where it has one; ``ALTER TYPE`` and
``ALTER SEQUENCE`` are spelled here, with the dialect's own quoting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.named_types import CreateEnumType, DropEnumType
from sqlalchemy.engine import Dialect

from schemadiff.migrate.customops import Step
from schemadiff.migrate.objects import sequence_kw
from schemadiff.model import NamedEnum
from schemadiff.model import Sequence as SequenceRecord

_PG: Dialect = postgresql.dialect(paramstyle="named")  # type: ignore[no-untyped-call]
"""Named parameters: a ``%`` in a label is not doubled for a driver."""
_BIND = re.compile(r"(?<![:\\]):(?!:)")


def _compile(element: sa.schema.ExecutableDDLElement, dialect: Dialect = _PG) -> str:
    return str(element.compile(dialect=dialect)).strip()


def _enum(name: str, schema: str | None, values: Sequence[str]) -> postgresql.ENUM:
    return postgresql.ENUM(*values, name=name, schema=schema)


def _type_name(name: str, schema: str | None) -> str:
    preparer = _PG.identifier_preparer
    quoted = preparer.quote(name)
    return f"{preparer.quote_schema(schema)}.{quoted}" if schema else quoted


def _step(*statements: str, autocommit: bool = False) -> Step:
    """Statements for ``op.execute``, which reads ``:name`` as a parameter: colons escaped."""
    return Step(tuple(_BIND.sub(r"\\:", s) for s in statements), autocommit)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_enum(enum: NamedEnum) -> Step:
    return _step(_compile(CreateEnumType(_enum(enum.name, enum.schema, enum.values))))


def drop_enum(enum: NamedEnum) -> Step:
    return _step(_compile(DropEnumType(_enum(enum.name, enum.schema, enum.values))))


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
    return _step(*statements, autocommit=True)


class Use(NamedTuple):
    """A column that has the enum type while it is rebuilt."""

    schema: str | None
    table: str
    column: str
    default: str | None
    """Its server default before: dropped for the cast."""
    target_default: str | None
    """Its server default after: set again once the column has the new type."""


def replace_enum(name: str, schema: str | None, values: Sequence[str], uses: Sequence[Use]) -> Step:
    """The type rebuilt with ``values``: rename the old one, create the new one, cast every
    column that uses it through text, drop the old one."""
    old_name = f"{name}_old"
    target = _type_name(name, schema)
    statements = [
        f"ALTER TYPE {target} RENAME TO {_PG.identifier_preparer.quote(old_name)}",
        _compile(CreateEnumType(_enum(name, schema, values))),
    ]
    for use in uses:
        statements += _recast(use, target)
    statements.append(f"DROP TYPE {_type_name(old_name, schema)}")
    return _step(*statements)


def _recast(use: Use, target: str) -> list[str]:
    """The column cast to the rebuilt type: a default of the old type cannot be cast, so it
    is dropped first, then the models' one set. Where the models declare none on either side,
    the database may still hold one of its own: that one is kept (``_keeping_default``)."""
    quoted = _PG.identifier_preparer.quote(use.column)
    alter = f"ALTER TABLE {_table_name(use.table, use.schema)} ALTER COLUMN {quoted}"
    cast = f"{alter} TYPE {target} USING {quoted}::text::{target}"
    if use.default is None and use.target_default is None:
        return [_keeping_default(use, alter, cast, target)]
    statements = [f"{alter} DROP DEFAULT", cast]
    if use.target_default is not None:
        statements.append(f"{alter} SET DEFAULT {use.target_default}")
    return statements


_DEFAULT_OF = (
    "SELECT pg_get_expr(d.adbin, d.adrelid) INTO db_default FROM pg_attrdef AS d"
    " JOIN pg_attribute AS a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
)
"""A column's default as SQL text, in a ``DO`` block, from the catalogue."""
_CHANGE_IT = "Give the column another default, or drop it, then run the migration again."


def _keeping_default(use: Use, alter: str, cast: str, target: str) -> str:
    """The cast in a ``DO`` block that reads the column's default from the catalogue, drops
    it, and sets the same label of the rebuilt type again; a label the type no longer has
    stops the migration (its transaction undone). Nothing known statically says whether the
    column has a default, nor which."""
    table = _table_name(use.table, use.schema)
    column = f"{table}.{_PG.identifier_preparer.quote(use.column)}"
    where = f"d.adrelid = {_literal(table)}::regclass AND a.attname = {_literal(use.column)}"
    body = [
        "DECLARE db_default text; db_label text",
        f"BEGIN {_DEFAULT_OF} WHERE {where}",
        f"IF db_default IS NOT NULL THEN {alter} DROP DEFAULT",
        "EXECUTE 'SELECT (' || db_default || ')::text' INTO db_label",
        "END IF",
        cast,
        f"IF db_label = ANY (enum_range(NULL::{target})::text[]) THEN"
        f" EXECUTE {_literal(f'{alter} SET DEFAULT ')} || quote_literal(db_label)"
        f" || {_literal(f'::{target}')}",
        "ELSIF db_label IS NOT NULL THEN RAISE EXCEPTION USING MESSAGE ="
        f" {_literal(f'schemadiff: the default of {column} is ')} || quote_literal(db_label)"
        f" || {_literal(f', which {target} no longer has. {_CHANGE_IT}')}",
        "END IF",
        "END",
    ]
    return f"DO $schemadiff$ {'; '.join(body)} $schemadiff$"


def _table_name(name: str, schema: str | None) -> str:
    return _type_name(name, schema)


def _sequence(record: SequenceRecord) -> sa.Sequence:
    return sa.Sequence(record.name, schema=record.schema, **sequence_kw(record.options))


def create_sequence(record: SequenceRecord, dialect: Dialect) -> Step:
    return _step(_compile(sa.schema.CreateSequence(_sequence(record)), dialect))


def drop_sequence(record: SequenceRecord, dialect: Dialect) -> Step:
    return _step(_compile(sa.schema.DropSequence(_sequence(record)), dialect))


_RESET = {"increment": 1, "nominvalue": True, "nomaxvalue": True, "cycle": False, "cache": 1}
"""What an option left unset means, spelled out, for ALTER SEQUENCE to go back to it."""


def alter_sequence(record: SequenceRecord, other: SequenceRecord, dialect: Dialect) -> Step:
    """``ALTER SEQUENCE`` from ``other``'s options to ``record``'s; the current value is kept.
    An option ``other`` set and ``record`` leaves unset is reset to the database's default."""
    reset = {
        name: value
        for name, value in _RESET.items()
        if getattr(record.options, name) is None and getattr(other.options, name) is not None
    }
    if reset.get("nominvalue") and record.options.minvalue is not None:
        del reset["nominvalue"]
    if reset.get("nomaxvalue") and record.options.maxvalue is not None:
        del reset["nomaxvalue"]
    for bound in ("minvalue", "maxvalue"):
        if getattr(other.options, bound) is not None and getattr(record.options, bound) is None:
            reset[f"no{bound}"] = True
    sequence = sa.Sequence(
        record.name, schema=record.schema, **{**sequence_kw(record.options), **reset}
    )
    compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]
    options = compiler.get_identity_options(sequence)
    name = compiler.preparer.format_sequence(sequence)
    return _step(f"ALTER SEQUENCE {name} {options}") if options else Step()


def create_schema(name: str, dialect: Dialect) -> Step:
    """``CREATE SCHEMA IF NOT EXISTS``: the downgrade leaves it, as it may hold other things."""
    return _step(_compile(sa.schema.CreateSchema(name, if_not_exists=True), dialect))
