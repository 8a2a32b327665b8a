"""Each table's own changes: columns added, dropped and altered, generated columns recomputed,
the primary key and the table comment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from alembic.operations import ops

from schemadiff.migrate import objects
from schemadiff.migrate.context import Context, K, TableOps, column_of, todo
from schemadiff.migrate.customops import (
    CastColumnOp,
    CreatePrimaryKeyOp,
    NoteOp,
    OneWayOp,
    ReplacePrimaryKeyOp,
)
from schemadiff.migrate.members import bound, downgrade_note, original_name
from schemadiff.migrate.placeholder import family, placeholder
from schemadiff.migrate.standalone import rebuilt_enums
from schemadiff.model import Change, ChangeKind, Column, PrimaryKey, TableKey

__all__ = ["altered"]


_ALTERED = (K.MODIFY_TYPE, K.MODIFY_NULLABLE, K.MODIFY_DEFAULT, K.MODIFY_COMMENT, K.MODIFY_ENUM)


def altered(context: Context) -> TableOps:
    found: TableOps = []
    for change in context.by_kind(K.MODIFY_PRIMARY_KEY):
        found += _primary_key(context, change, drop=True)
    for change in context.by_kind(K.ADD_COLUMN):
        found += _add_column(context, change)
    found += _alter_columns(context)
    for change in context.by_kind(K.MODIFY_COMPUTED):
        found += _recompute(context, change)
    for change in context.by_kind(K.MODIFY_TABLE_COMMENT):
        found.append((change.table_key, _table_comment(change)))
    for change in context.by_kind(K.REMOVE_COLUMN):
        found += _drop_column(context, change)
    for change in context.by_kind(K.MODIFY_PRIMARY_KEY):
        found += _primary_key(context, change, drop=False)
    visible: tuple[ChangeKind, ...] = (K.MODIFY_IDENTITY, K.MODIFY_TABLE_OPTIONS)
    if context.dialect.name != "sqlite":  # no DDL of its own there, but sqlite_autoincrement
        visible += (K.MODIFY_AUTOINCREMENT,)
    for change in context.by_kind(*visible):
        _not_migrated(context, change)
    return found


def _add_column(context: Context, change: Change) -> TableOps:
    assert isinstance(change.new, Column)
    return _column_added(context, change, change.new, dropped=False)


def _drop_column(context: Context, change: Change) -> TableOps:
    assert isinstance(change.old, Column)
    return _column_added(context, change, change.old, dropped=True)


def _column_added(context: Context, change: Change, column: Column, *, dropped: bool) -> TableOps:
    """The column added, or (``dropped``) the reverse of that. A NOT NULL column without a
    server default gets a placeholder, to be added to a table with rows; when the type has
    none, a comment says what a person must do."""
    assert change.table is not None
    key, where = change.table_key, f"{change.table}.{column.name}"
    value = _placeholder(context, column)
    if value is not None:
        note, message = _placeholder_notes(where, value, dropped=dropped)
        if not dropped and context.batch:
            context.prefilled[key].append(replace(column, server_default=value))
        found = _filled(context, key, column, value, note)
    else:
        add = ops.AddColumnOp.from_column_and_tablename(
            change.schema, change.table, objects.column(column)
        )
        message = _unfilled_message(where, change.table, dropped=dropped)
        note = f"{'TODO' if dropped else 'WARNING'} schemadiff: {message}"
        found = [(key, NoteOp(note)), (key, add)] if _required(column) else [(key, add)]
    if message and _required(column):
        context.warnings.append(message)
    return [(k, op.reverse()) for k, op in reversed(found)] if dropped else found


def _placeholder_notes(where: str, value: str, *, dropped: bool) -> tuple[str, str]:
    """The comment over the filled column, and the warning (none for a downgrade's)."""
    if dropped:
        note = (
            f"schemadiff: {where} is re-added NOT NULL: every row gets the placeholder "
            f"{value} (its old values are gone), then the default is dropped."
        )
        return note, ""
    message = (
        f"{where} is added NOT NULL without a server default: the rows it finds get the "
        f"placeholder {value}, then the default is dropped. Check that value, or fill the "
        "column in the migration."
    )
    return f"WARNING schemadiff: {message}", message


def _unfilled_message(where: str, table: str, *, dropped: bool) -> str:
    if dropped:
        return (
            f"{where} is re-added NOT NULL by the downgrade, with no value for the rows it "
            "finds: give it a server_default there by hand."
        )
    return (
        f"{where} is added NOT NULL without a server default: this fails if {table} has "
        "rows. Give it a server_default, or add it nullable, fill it, then make it NOT NULL."
    )


def _required(column: Column) -> bool:
    """A column the rows of its table cannot fill by themselves."""
    return not (column.nullable or column.server_default or column.computed or column.identity)


def _placeholder(context: Context, column: Column) -> str | None:
    if not _required(column) or column.autoincrement:
        return None
    return placeholder(column.type, context.dialect.name)


def _filled(context: Context, key: TableKey, column: Column, value: str, note: str) -> TableOps:
    """Django's way: add the column with the placeholder as its server default, which fills
    the rows, then drop the default. In batch mode the add runs before the table's batch,
    as the batch's copy of the rows would leave the new column out."""
    table, schema = key[1], key[0] or None
    added = objects.column(column, placeholder=value)
    add = ops.AddColumnOp.from_column_and_tablename(schema, table, added)
    finish = ops.AlterColumnOp(
        table,
        column.name,
        schema=schema,
        existing_type=objects.sa_type(column.type),
        existing_nullable=False,
        existing_server_default=objects.default(value),
        modify_server_default=None,
    )
    drop = ops.DropColumnOp.from_column_and_tablename(schema, table, objects.column(column))
    outside: Literal["before"] | None = "before" if context.batch else None
    return [
        (key, OneWayOp([NoteOp(note), add], [], table_key=key, outside=outside)),
        (key, OneWayOp([finish], [drop], table_key=key)),
    ]


def _alter_columns(context: Context) -> TableOps:
    """One ``alter_column`` per column, with every attribute that changed."""
    grouped: dict[tuple[TableKey, str], list[Change]] = defaultdict(list)
    rebuilt = rebuilt_enums(context)
    for change in context.by_kind(*_ALTERED):
        if change.table is None or (change.kind is K.MODIFY_TYPE and change.ddl_change is False):
            continue  # a named enum's values; or a type change the database cannot see
        if change.kind is K.MODIFY_DEFAULT and _enum_of(context, change) in rebuilt:
            continue  # set by the rebuild
        assert change.name is not None
        grouped[(change.table_key, change.name)].append(change)
    found: TableOps = []
    for (key, name), changes in grouped.items():
        found.append((key, _alter_column(context, key, name, changes)))
        if any(c.kind is K.MODIFY_NULLABLE and c.new is True for c in changes):
            where = f"{key[1]}.{name}"
            text = f"making {where} NOT NULL again fails while rows hold NULL: fill them first."
            found.append((key, downgrade_note(text)))
    return found


def _enum_of(context: Context, change: Change) -> tuple[str | None, str] | None:
    assert change.name is not None
    named = []
    for column in (
        column_of(context.new_tables[change.table_key], change.name),
        context.old_column_of(change.table_key, change.name),
    ):
        enum = column.type.enum
        named.append((enum.schema, enum.name) if enum and enum.named and enum.name else None)
    return named[0] if named[0] == named[1] else None


def _alter_column(
    context: Context, key: TableKey, name: str, changes: Sequence[Change]
) -> ops.AlterColumnOp:
    old = context.old_column_of(key, name)
    new = column_of(context.new_tables[key], name)
    kinds = {c.kind for c in changes}
    modify: dict[str, Any] = {}
    if kinds & {K.MODIFY_TYPE, K.MODIFY_ENUM}:
        modify["modify_type"] = objects.sa_type(new.type)
    if K.MODIFY_NULLABLE in kinds:
        modify["modify_nullable"] = new.nullable
    if K.MODIFY_DEFAULT in kinds:
        modify["modify_server_default"] = objects.default_text(new.server_default)
    if K.MODIFY_COMMENT in kinds:
        modify["modify_comment"] = new.comment
    cast = _casts(context, name, old, new) if "modify_type" in modify else {}
    return (CastColumnOp if cast else ops.AlterColumnOp)(
        key[1],
        name,
        schema=key[0] or None,
        existing_type=objects.sa_type(old.type),
        existing_nullable=old.nullable,
        existing_server_default=objects.default(old.server_default),
        existing_comment=old.comment,
        **modify,
        **cast,
    )


def _casts(context: Context, name: str, old: Column, new: Column) -> dict[str, Any]:
    """``USING`` both ways, where PostgreSQL would not convert the values by itself."""
    if context.dialect.name != "postgresql" or family(old.type) == family(new.type):
        return {}
    if old.type.ddl is None or new.type.ddl is None:
        return {}
    quoted = context.dialect.identifier_preparer.quote(name)
    return {
        "postgresql_using": f"{quoted}::{new.type.ddl}",
        "using_back": f"{quoted}::{old.type.ddl}",
    }


def _recompute(context: Context, change: Change) -> TableOps:
    """A generated column's expression cannot be altered: drop it and add it again."""
    key = change.table_key
    assert change.name is not None and change.table is not None
    old = objects.column(context.old_column_of(key, change.name))
    new = objects.column(column_of(context.new_tables[key], change.name))
    note = NoteOp(f"{change.table}.{change.name}: new generated expression, column re-created")
    return [
        (key, note),
        (key, ops.DropColumnOp.from_column_and_tablename(change.schema, change.table, old)),
        (key, ops.AddColumnOp.from_column_and_tablename(change.schema, change.table, new)),
    ]


def _table_comment(change: Change) -> ops.MigrateOperation:
    assert change.table is not None
    old = change.old if isinstance(change.old, str) else None
    if isinstance(change.new, str):
        return ops.CreateTableCommentOp(
            change.table, change.new, schema=change.schema, existing_comment=old
        )
    return ops.DropTableCommentOp(change.table, schema=change.schema, existing_comment=old)


def _primary_key(context: Context, change: Change, *, drop: bool) -> TableOps:
    key = change.table_key
    if context.batch and isinstance(change.old, PrimaryKey) and not change.old.name:
        return [] if drop else _replace_primary_key(change)
    record = change.old if drop else change.new
    if record is None:
        return []
    assert isinstance(record, PrimaryKey) and change.table is not None
    table = context.current(key) if drop else context.new_tables[key]
    name = original_name(context, table) if drop else change.table
    constraint = bound(table, objects.primary_key(record, f"{name}_pkey"))
    create = CreatePrimaryKeyOp.from_constraint(constraint)
    assert isinstance(create, CreatePrimaryKeyOp)
    return [(key, create.reverse() if drop else create)]


def _replace_primary_key(change: Change) -> TableOps:
    assert isinstance(change.old, PrimaryKey) and change.table is not None
    columns = change.new.columns if isinstance(change.new, PrimaryKey) else ()
    name = change.new.name if isinstance(change.new, PrimaryKey) else None
    op = ReplacePrimaryKeyOp(
        name or f"{change.table}_pkey",
        change.table,
        list(columns),
        schema=change.schema,
        previous=change.old.columns,
    )
    return [(change.table_key, op)]


def _not_migrated(context: Context, change: Change) -> None:
    what = change.kind.value.removeprefix("modify_").replace("_", " ")
    where = (
        change.table if change.kind is K.MODIFY_TABLE_OPTIONS else f"{change.table}.{change.name}"
    )
    todo(context, f"{where}: the {what} changed; migrate it by hand.")
