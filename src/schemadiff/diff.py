"""The pure comparison: (Schema, Schema) -> changes. No I/O, no formatting, no SQLAlchemy.

Tables are matched by (schema, name) and columns by name; everything else is compared with
``==`` on the frozen model. The output order is deterministic: tables by key, then within a
table its own changes before its columns' changes, columns in declaration order.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence

from schemadiff.model import Change, ChangeKind, Column, Schema, Table, Value

K = ChangeKind


def diff_schemas(old: Schema, new: Schema) -> tuple[Change, ...]:
    old_tables = {t.key: t for t in old.tables}
    new_tables = {t.key: t for t in new.tables}
    changes: list[Change] = []
    for key in sorted(old_tables.keys() | new_tables.keys()):
        changes.extend(_diff_table(old_tables.get(key), new_tables.get(key)))
    return tuple(changes)


def _diff_table(old: Table | None, new: Table | None) -> Iterator[Change]:
    if old is None and new is not None:
        yield Change(K.ADD_TABLE, new.schema, new.name, new.name, None, new)
    elif new is None and old is not None:
        yield Change(K.REMOVE_TABLE, old.schema, old.name, old.name, old, None, destructive=True)
    elif old is not None and new is not None and old != new:
        yield from _diff_table_attributes(old, new)
        yield from _diff_columns(old, new)


def _diff_table_attributes(old: Table, new: Table) -> Iterator[Change]:
    if old.comment != new.comment:
        yield _table_change(K.MODIFY_TABLE_COMMENT, new, old.comment, new.comment)
    if old.primary_key != new.primary_key:
        yield _table_change(K.MODIFY_PRIMARY_KEY, new, old.primary_key, new.primary_key)


def _table_change(kind: ChangeKind, table: Table, old: Value, new: Value) -> Change:
    return Change(kind, table.schema, table.name, table.name, old, new)


def _diff_columns(old: Table, new: Table) -> Iterator[Change]:
    old_columns = {c.name: c for c in old.columns}
    new_names = {c.name for c in new.columns}
    for column in old.columns:
        if column.name not in new_names:
            yield Change(
                K.REMOVE_COLUMN, new.schema, new.name, column.name, column, None, destructive=True
            )
    for column in new.columns:
        before = old_columns.get(column.name)
        if before is None:
            yield Change(K.ADD_COLUMN, new.schema, new.name, column.name, None, column)
        elif before != column:
            yield from _diff_column(new, before, column)


def _diff_column(table: Table, old: Column, new: Column) -> Iterator[Change]:
    def change(kind: ChangeKind, before: Value, after: Value, ddl: bool | None = None) -> Change:
        return Change(kind, table.schema, table.name, new.name, before, after, ddl_change=ddl)

    if old.type != new.type:
        unknown = old.type.ddl is None or new.type.ddl is None  # cannot prove the DDL is equal
        yield change(K.MODIFY_TYPE, old.type, new.type, ddl=unknown or old.type.ddl != new.type.ddl)
    if old.nullable != new.nullable:
        yield change(K.MODIFY_NULLABLE, old.nullable, new.nullable)
    if old.server_default != new.server_default:
        yield change(K.MODIFY_DEFAULT, old.server_default, new.server_default)
    if old.comment != new.comment:
        yield change(K.MODIFY_COMMENT, old.comment, new.comment)


def filter_schema(
    schema: Schema, include_schemas: Sequence[str], exclude_tables: Sequence[str]
) -> Schema:
    """Keep the tables whose schema matches an include glob and whose name no exclude glob.

    The default schema is spelled ``""`` for ``include_schemas``; exclude globs match the
    table's name and its schema-qualified name.
    """
    kept = tuple(
        t
        for t in schema.tables
        if _included(t, include_schemas) and not _excluded(t, exclude_tables)
    )
    return Schema(schema.dialect, kept)


def _included(table: Table, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(table.schema or "", g) for g in globs)


def _excluded(table: Table, globs: Sequence[str]) -> bool:
    names = (table.name, table.qualified_name)
    return any(fnmatch.fnmatchcase(n, g) for n in names for g in globs)
