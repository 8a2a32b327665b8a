"""Indexes, constraints and foreign keys: dropped, added, and the notes over them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import sqlalchemy as sa
from alembic.operations import ops

from schemadiff.migrate import customops, names, objects
from schemadiff.migrate.context import Context, K, TableOps, keyed, todo
from schemadiff.migrate.customops import NoteOp
from schemadiff.model import (
    CheckConstraint,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Table,
    UniqueConstraint,
)

__all__ = [
    "add_fk",
    "bound",
    "create_index",
    "downgrade_note",
    "drop_fk",
    "drop_index",
    "fk_name",
    "members",
    "original_name",
]


def members(context: Context, *, drop: bool) -> TableOps:
    """Indexes, constraints and foreign keys dropped (from the tables as they stand) or added."""
    kinds = (
        (K.REMOVE_FK, K.REMOVE_INDEX, K.REMOVE_CONSTRAINT)
        if drop
        else (K.ADD_INDEX, K.ADD_CONSTRAINT, K.ADD_FK)
    )
    found: TableOps = []
    for change in context.by_kind(*kinds):
        key = change.table_key
        table = context.current(key) if drop else context.new_tables[key]
        member = change.old if drop else change.new
        op = _member_op(context, table, member, drop=drop)
        found += keyed(table, op)
        if drop and op is not None:
            found += keyed(table, _readded_note(table, member))
    return found


def _readded_note(table: Table, member: object) -> NoteOp | None:
    """A comment over what the downgrade adds back, on what rows make it fail: nothing can
    be invented there, but a person should know before running it."""
    where = table.qualified_name
    if (isinstance(member, Index) and member.unique) or isinstance(member, UniqueConstraint):
        columns = member.expressions if isinstance(member, Index) else member.columns
        found = f"rows hold duplicates in ({', '.join(columns)})"
    elif isinstance(member, ForeignKey):
        found = f"rows of ({', '.join(member.columns)}) refer to no {member.referred_table} row"
    elif isinstance(member, CheckConstraint | ExcludeConstraint):
        found = "rows break it"
    else:
        return None
    name = member.name or "(unnamed)"
    return downgrade_note(
        f"re-adding {type(member).__name__} {name} on {where} fails while {found}."
    )


def downgrade_note(text: str) -> NoteOp:
    """A comment in the downgrade only, over the operation that follows it there (placed
    after the upgrade's own operation, as the downgrade runs them in reverse)."""
    return NoteOp("", f"schemadiff: {text}")


def _member_op(
    context: Context, table: Table, member: object, *, drop: bool
) -> ops.MigrateOperation | None:
    if isinstance(member, Index):
        return drop_index(table, member) if drop else create_index(table, member)
    if isinstance(member, ForeignKey):
        if drop:
            return drop_fk(context, table, member)
        return add_fk(table, member, added_name(context, table.name, member))
    assert isinstance(member, UniqueConstraint | CheckConstraint | ExcludeConstraint)
    constraint = bound(table, _constraint(member))
    if not drop:
        constraint.name = constraint.name or added_name(context, table.name, member)
        return customops.adding(constraint)
    if constraint.name is None:
        constraint.name = _default_name(context, table, member)
    if constraint.name is None:
        _unnamed(context, table, member)
        return None
    return customops.DropConstraintOp.from_constraint(constraint)


def _constraint(member: UniqueConstraint | CheckConstraint | ExcludeConstraint) -> Any:
    if isinstance(member, UniqueConstraint):
        return objects.unique(member)
    if isinstance(member, CheckConstraint):
        return objects.check(member)
    return objects.exclude(member)


def bound(table: Table, constraint: Any) -> Any:
    """The constraint on a copy of its table, as Alembic reads table and columns from it."""
    metadata = sa.MetaData()
    columns = [objects.column(c) for c in table.columns]
    sa.Table(table.name, metadata, *columns, constraint, schema=table.schema)
    objects.stub_targets(metadata, table.foreign_keys)
    return constraint


def _default_name(
    context: Context, table: Table, member: UniqueConstraint | CheckConstraint | ExcludeConstraint
) -> str | None:
    """The name PostgreSQL gives an unnamed unique constraint; None where it cannot be known."""
    if context.dialect.name == "postgresql" and isinstance(member, UniqueConstraint):
        return names.postgresql(original_name(context, table), member.columns, "key")
    if _reflects_unnamed(context) and isinstance(member, UniqueConstraint):
        return _conventional(context, table, "uq", member.columns)
    return None


def _reflects_unnamed(context: Context) -> bool:
    """Whether the batch reflects the table from a database that keeps no name for an
    unnamed constraint (SQLite), so that its ``naming_convention`` can give one."""
    return context.batch and context.dialect.name == "sqlite"


def _conventional(
    context: Context, table: Table, kind: Literal["fk", "uq"], columns: Sequence[str]
) -> str:
    context.conventions[table.key].add(kind)
    return customops.conventional_name(kind, table.name, columns)


def _unnamed(context: Context, table: Table, member: object) -> None:
    todo(
        context,
        f"{table.qualified_name}: an unnamed {type(member).__name__} cannot be dropped by name; "
        "drop it by hand, and give constraints names (MetaData(naming_convention=...)).",
    )


def original_name(context: Context, table: Table) -> str:
    """The name the database gave the table's unnamed constraints: its name when created."""
    return context.old_name.get(table.key, table.name)


def create_index(table: Table, index: Index) -> ops.CreateIndexOp:
    return ops.CreateIndexOp(
        index.name,
        table.name,
        objects.index_elements(index, (c.name for c in table.columns)),
        schema=table.schema,
        unique=index.unique,
        **objects.option_kw(index.options),
    )


def drop_index(table: Table, index: Index) -> ops.DropIndexOp:
    assert index.name is not None  # SQLAlchemy names every index
    create = create_index(table, index)
    return ops.DropIndexOp(
        index.name,
        table.name,
        schema=table.schema,
        _reverse=create,
        unique=index.unique,  # its reverse is built from these, not from _reverse
        **objects.option_kw(index.options),
    )


def add_fk(table: Table, fk: ForeignKey, name: str | None = None) -> ops.MigrateOperation:
    constraint = bound(table, objects.foreign_key(fk))
    constraint.name = constraint.name or name
    return ops.CreateForeignKeyOp.from_constraint(constraint)


def drop_fk(context: Context, table: Table, fk: ForeignKey) -> ops.MigrateOperation | None:
    constraint = bound(table, objects.foreign_key(fk))
    if constraint.name is None and context.dialect.name == "postgresql":
        constraint.name = fk_name(original_name(context, table), fk)
    elif constraint.name is None and _reflects_unnamed(context):
        constraint.name = _conventional(context, table, "fk", fk.columns)
    if constraint.name is None:
        _unnamed(context, table, fk)
        return None
    return ops.DropConstraintOp.from_constraint(constraint)


def fk_name(table: str, fk: ForeignKey) -> str:
    """PostgreSQL's name for an unnamed foreign key."""
    return names.postgresql(table, fk.columns, "fkey")


def added_name(
    context: Context,
    table: str,
    member: ForeignKey | UniqueConstraint | CheckConstraint | ExcludeConstraint,
) -> str | None:
    """The name the migration gives an unnamed foreign key or unique constraint it adds to
    an existing table, so that the downgrade can drop it: PostgreSQL's own, on PostgreSQL,
    and in batch mode, where Alembic takes no constraint without a name (SQLite keeps
    any). None elsewhere: that database chooses."""
    if member.name is not None or not (context.dialect.name == "postgresql" or context.batch):
        return None
    if isinstance(member, ForeignKey):
        return fk_name(table, member)
    if isinstance(member, UniqueConstraint):
        return names.postgresql(table, member.columns, "key")
    return None
