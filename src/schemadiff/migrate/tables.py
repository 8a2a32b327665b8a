"""Tables as wholes: renamed, created (foreign-key order, cycles split off) and dropped; each
table's operations in one ``ModifyTableOps``, and in batch mode one batch per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic.operations import ops

from schemadiff.migrate import objects
from schemadiff.migrate.context import Context, K, TableOps, column_of, keyed
from schemadiff.migrate.customops import (
    CONVENTIONS,
    BatchOps,
    OneWayOp,
    RenameColumnOp,
    ReversibleRenameTableOp,
)
from schemadiff.migrate.members import add_fk, create_index, drop_fk, drop_index, fk_name
from schemadiff.model import ForeignKey, Table, TableKey

__all__ = [
    "by_table",
    "created_tables",
    "dropped_tables",
    "modified",
    "one_batch_per_table",
    "renames",
    "split_adds",
    "split_drops",
    "table_phase",
]


def renames(context: Context) -> Iterator[ops.MigrateOperation]:
    for change in context.by_kind(K.RENAME_TABLE):
        assert change.table is not None
        yield ReversibleRenameTableOp(change.renamed_from, change.table, schema=change.schema)
    for change in context.by_kind(K.RENAME_COLUMN):
        assert change.table is not None and change.name is not None
        old = column_of(context.current(change.table_key), change.name)
        yield RenameColumnOp(
            change.table,
            change.renamed_from,
            schema=change.schema,
            modify_name=change.name,
            existing_type=objects.sa_type(old.type),
            existing_nullable=old.nullable,
            existing_server_default=objects.default(old.server_default),
            existing_comment=old.comment,
        )


# --- tables -----------------------------------------------------------------------------------


def table_phase(context: Context, found: TableOps) -> Iterator[ops.MigrateOperation]:
    """One ``ModifyTableOps`` per table, tables in key order, operations in the order found;
    in batch mode what must run outside the batch comes just before or after it."""
    grouped: dict[TableKey, list[ops.MigrateOperation]] = defaultdict(list)
    for key, op in found:
        grouped[key].append(op)
    for key in sorted(grouped):
        yield from _outside(grouped[key], "before")
        inside = [op for op in grouped[key] if not _outside([op], None)]
        yield ops.ModifyTableOps(key[1], inside, schema=key[0] or None)
        yield from _outside(grouped[key], "after")


def _outside(found: Sequence[ops.MigrateOperation], side: str | None) -> list[OneWayOp]:
    """The operations that run before or after the table's batch (any side: None)."""
    return [
        op for op in found if isinstance(op, OneWayOp) and op.outside and side in (None, op.outside)
    ]


def created_tables(
    context: Context, tables: Sequence[Table], split: Sequence[tuple[Table, ForeignKey]]
) -> Iterator[ops.MigrateOperation]:
    deferred = by_table(split)
    for table in tables:
        sa_table = objects.table(table, sa.MetaData(), skip_fks=deferred.get(table.key, ()))
        yield ops.CreateTableOp.from_table(sa_table)
        yield from (create_index(table, index) for index in table.indexes)


def dropped_tables(
    context: Context, tables: Sequence[Table], split: Sequence[tuple[Table, ForeignKey]]
) -> Iterator[ops.MigrateOperation]:
    deferred = by_table(split)
    for table in tables:
        yield from (drop_index(table, index) for index in table.indexes)
        sa_table = objects.table(table, sa.MetaData(), skip_fks=deferred.get(table.key, ()))
        yield ops.DropTableOp.from_table(sa_table)


def by_table(split: Sequence[tuple[Table, ForeignKey]]) -> dict[TableKey, list[ForeignKey]]:
    found: dict[TableKey, list[ForeignKey]] = defaultdict(list)
    for table, fk in split:
        found[table.key].append(fk)
    return found


def split_adds(split: Sequence[tuple[Table, ForeignKey]]) -> TableOps:
    """Named even when the model leaves it unnamed, so that the downgrade can drop it."""
    return [(t.key, add_fk(t, fk, fk_name(t.name, fk))) for t, fk in split]


def split_drops(context: Context, split: Sequence[tuple[Table, ForeignKey]]) -> TableOps:
    return [pair for table, fk in split for pair in keyed(table, drop_fk(context, table, fk))]


# --- batch mode ---------------------------------------------------------------------------------


def one_batch_per_table(
    context: Context, upgrade: Sequence[ops.MigrateOperation]
) -> list[ops.MigrateOperation]:
    """Each table's changes in one batch (one copy of the table on SQLite), where its last
    changes were: everything that the batch needs exists by then. What runs outside the batch
    stays next to it, before or after."""
    merged: dict[TableKey, BatchOps] = {}
    last: dict[TableKey, int] = {}
    around: dict[tuple[TableKey, str], list[ops.MigrateOperation]] = defaultdict(list)
    for position, op in enumerate(upgrade):
        if isinstance(op, ops.ModifyTableOps):
            key = (op.schema or "", op.table_name)
            if key not in merged:
                merged[key] = _batch(context, key, op)
            merged[key].ops.extend(op.ops)
            last[key] = position
        elif isinstance(op, OneWayOp) and op.outside:
            around[(op.table_key, op.outside)].append(op)
    at = {position: key for key, position in last.items()}
    result: list[ops.MigrateOperation] = []
    for position, op in enumerate(upgrade):
        if position in at:
            key = at[position]
            result += [*around[(key, "before")], merged[key], *around[(key, "after")]]
        elif not isinstance(op, ops.ModifyTableOps) and not _outside([op], None):
            result.append(op)
    return result


def _batch(context: Context, key: TableKey, op: ops.ModifyTableOps) -> BatchOps:
    convention = [(kind, CONVENTIONS[kind]) for kind in sorted(context.conventions[key])]
    return BatchOps(
        op.table_name,
        [],
        schema=op.schema,
        convention=convention,
        checks=_kept_checks(context, key),
    )


def _kept_checks(context: Context, key: TableKey) -> tuple[str, ...]:
    """The unnamed CHECK constraints the table keeps, which a batch copying it from SQLite
    must restate: Alembic cannot reflect them."""
    old_key = (key[0], context.old_name.get(key, key[1]))
    if context.dialect.name != "sqlite" or old_key not in context.old_tables:
        return ()
    if key not in context.new_tables:
        return ()
    before = {c.sqltext for c in context.current(key).check_constraints if c.name is None}
    after = context.new_tables[key].check_constraints
    return tuple(c.sqltext for c in after if c.name is None and c.sqltext in before)


def modified(upgrade: Sequence[ops.MigrateOperation]) -> list[TableKey]:
    return [
        (op.schema or "", op.table_name) for op in upgrade if isinstance(op, ops.ModifyTableOps)
    ]
