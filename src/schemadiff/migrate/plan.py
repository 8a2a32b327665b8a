"""The changes as Alembic operations, in an order that runs; the downgrade is ``reverse()``.

Upgrade order: TODO notes; schemas, new or changed sequences, new enum types; enum values only
added; renames; enum types rebuilt; dropped foreign keys, indexes and constraints; new tables
(foreign-key order, cycles split off); each table's own changes; new indexes, constraints and
foreign keys; dropped tables (reverse order); dropped enum types and sequences. Reversed, the
same list is a downgrade that runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from alembic.operations import ops
from sqlalchemy.engine import Dialect

from schemadiff.migrate.columns import altered
from schemadiff.migrate.context import Context, K
from schemadiff.migrate.members import members
from schemadiff.migrate.order import dependency_order
from schemadiff.migrate.standalone import enum_values, schemas, standalone_added, standalone_removed
from schemadiff.migrate.tables import (
    by_table,
    created_tables,
    dropped_tables,
    modified,
    one_batch_per_table,
    renames,
    split_adds,
    split_drops,
    table_phase,
)
from schemadiff.model import Change, ForeignKey, Schema, Table, TableKey

__all__ = ["Plan", "build"]


@dataclass
class Plan:
    upgrade: ops.UpgradeOps
    warnings: list[str] = field(default_factory=list)
    tables: dict[TableKey, Table] = field(default_factory=dict)
    """Each table as it stands when its own changes run (for offline batch copies)."""


def build(
    old: Schema, new: Schema, changes: Sequence[Change], dialect: Dialect, *, batch: bool
) -> Plan:
    context = _context(old, new, changes, dialect, batch)
    new_keys = {c.table_key for c in context.by_kind(K.ADD_TABLE)}
    dropped = {c.table_key for c in context.by_kind(K.REMOVE_TABLE)}
    created = dependency_order([context.new_tables[k] for k in sorted(new_keys)])
    removed = dependency_order([context.old_tables[k] for k in sorted(dropped)])
    phases: list[Iterable[ops.MigrateOperation]] = [
        schemas(context),
        standalone_added(context),
        enum_values(context, additions=True),
        renames(context),
        enum_values(context, additions=False),
        table_phase(context, members(context, drop=True) + split_drops(context, removed.split)),
        created_tables(context, created.tables, created.split),
        table_phase(context, altered(context)),
        table_phase(context, members(context, drop=False) + split_adds(created.split)),
        dropped_tables(context, removed.tables[::-1], removed.split),
        standalone_removed(context),
    ]
    upgrade = [op for phase in phases for op in phase]
    upgrade = [*context.todo, *upgrade]  # the phases' arguments above have filled it
    if batch:
        upgrade = one_batch_per_table(context, upgrade)
    deferred = by_table(created.split)
    tables = {
        k: _without(context.new_tables[k], deferred[k]) if k in new_keys else _before(context, k)
        for k in modified(upgrade)
    }
    return Plan(ops.UpgradeOps(upgrade), context.warnings, tables)


def _before(context: Context, key: TableKey) -> Table:
    """An existing table as its batch finds it."""
    table = context.current(key)
    return replace(table, columns=(*table.columns, *context.prefilled[key]))


def _without(table: Table, fks: Sequence[ForeignKey]) -> Table:
    return replace(table, foreign_keys=tuple(f for f in table.foreign_keys if f not in fks))


def _context(
    old: Schema, new: Schema, changes: Sequence[Change], dialect: Dialect, batch: bool
) -> Context:
    context = Context(old, new, changes, dialect, batch)
    context.old_tables = {t.key: t for t in old.tables}
    context.new_tables = {t.key: t for t in new.tables}
    for change in context.by_kind(K.RENAME_TABLE):
        context.old_name[change.table_key] = change.renamed_from
    for change in context.by_kind(K.RENAME_COLUMN):
        assert change.name is not None
        context.old_column[(change.table_key, change.name)] = change.renamed_from
    for key in context.new_tables:
        old_key = (key[0], context.old_name.get(key, key[1]))
        if old_key in context.old_tables:
            columns = {o: n for (k, n), o in context.old_column.items() if k == key}
            context.renamed[old_key] = (key[1], columns)
    return context
