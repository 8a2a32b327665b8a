"""The changes as Alembic operations, in an order that runs; the downgrade is ``reverse()``.

Upgrade order: TODO notes; schemas, new or changed sequences, new enum types; enum values only
added; renames; enum types rebuilt; dropped foreign keys, indexes and constraints; new tables
(foreign-key order, cycles split off); each table's own changes; new indexes, constraints and
foreign keys; dropped tables (reverse order); dropped enum types and sequences. Reversed, the
same list is a downgrade that runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import sqlalchemy as sa
from alembic.operations import ops
from sqlalchemy.engine import Dialect

from schemadiff import diff
from schemadiff.migrate import customops, ddl, objects
from schemadiff.migrate.customops import (
    CastColumnOp,
    CreatePrimaryKeyOp,
    ExecuteStepsOp,
    NoteOp,
    OneWayOp,
    RenameColumnOp,
    ReplacePrimaryKeyOp,
    ReversibleRenameTableOp,
    Step,
)
from schemadiff.migrate.order import dependency_order
from schemadiff.migrate.placeholder import family, placeholder
from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    Column,
    ExcludeConstraint,
    ForeignKey,
    Index,
    NamedEnum,
    PrimaryKey,
    Schema,
    Table,
    UniqueConstraint,
)
from schemadiff.model import Sequence as SequenceRecord

K = ChangeKind
Key = tuple[str, str]


@dataclass
class Plan:
    upgrade: ops.UpgradeOps
    warnings: list[str] = field(default_factory=list)
    tables: dict[Key, Table] = field(default_factory=dict)
    """Each table as it stands when its own changes run (for offline batch copies)."""


@dataclass
class _Context:
    old: Schema
    new: Schema
    changes: Sequence[Change]
    dialect: Dialect
    batch: bool
    warnings: list[str] = field(default_factory=list)
    old_tables: dict[Key, Table] = field(default_factory=dict)
    new_tables: dict[Key, Table] = field(default_factory=dict)
    old_name: dict[Key, str] = field(default_factory=dict)
    """New table key -> its old name, for renamed tables."""
    old_column: dict[tuple[Key, str], str] = field(default_factory=dict)
    renamed: dict[Key, tuple[str, dict[str, str]]] = field(default_factory=dict)
    todo: list[ops.MigrateOperation] = field(default_factory=list)
    """What is left for a person: comments at the top of both directions."""
    prefilled: dict[Key, list[Column]] = field(default_factory=lambda: defaultdict(list))
    """Columns added before the table's batch (batch mode): its copy has them."""

    def by_kind(self, *kinds: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def current(self, key: Key) -> Table:
        """An existing table as it stands after the renames: old definition, new names."""
        old_key = (key[0], self.old_name.get(key, key[1]))
        table = self.old_tables[old_key]
        columns = self.renamed.get(old_key, (key[1], {}))[1]
        return diff.translate(table, key[1], columns, self.renamed)

    def old_column_of(self, key: Key, name: str) -> Column:
        return _column(self.current(key), name)


def build(
    old: Schema, new: Schema, changes: Sequence[Change], dialect: Dialect, *, batch: bool
) -> Plan:
    context = _context(old, new, changes, dialect, batch)
    new_keys = {c.table_key for c in context.by_kind(K.ADD_TABLE)}
    dropped = {c.table_key for c in context.by_kind(K.REMOVE_TABLE)}
    created = dependency_order([context.new_tables[k] for k in sorted(new_keys)])
    removed = dependency_order([context.old_tables[k] for k in sorted(dropped)])
    phases: list[Iterable[ops.MigrateOperation]] = [
        _schemas(context),
        _standalone_added(context),
        _enum_values(context, additions=True),
        _renames(context),
        _enum_values(context, additions=False),
        _table_phase(context, _members(context, drop=True) + _split_drops(context, removed.split)),
        _created_tables(context, created.tables, created.split),
        _table_phase(context, _altered(context)),
        _table_phase(context, _members(context, drop=False) + _split_adds(created.split)),
        _dropped_tables(context, removed.tables[::-1], removed.split),
        _standalone_removed(context),
    ]
    upgrade = [op for phase in phases for op in phase]
    upgrade = [*context.todo, *upgrade]  # the phases' arguments above have filled it
    if batch:
        upgrade = _one_batch_per_table(upgrade)
    deferred = _by_table(created.split)
    tables = {
        k: _without(context.new_tables[k], deferred[k]) if k in new_keys else _before(context, k)
        for k in _modified(upgrade)
    }
    return Plan(ops.UpgradeOps(upgrade), context.warnings, tables)


def _before(context: _Context, key: Key) -> Table:
    """An existing table as its batch finds it."""
    table = context.current(key)
    return replace(table, columns=(*table.columns, *context.prefilled[key]))


def _without(table: Table, fks: Sequence[ForeignKey]) -> Table:
    return replace(table, foreign_keys=tuple(f for f in table.foreign_keys if f not in fks))


def _context(
    old: Schema, new: Schema, changes: Sequence[Change], dialect: Dialect, batch: bool
) -> _Context:
    context = _Context(old, new, changes, dialect, batch)
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


def _column(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


# --- standalone objects ------------------------------------------------------------------------


def _schemas(context: _Context) -> Iterator[ops.MigrateOperation]:
    if context.dialect.name != "postgresql":  # SQLite's schemas are attached files
        return
    before = _schema_names(context.old)
    for name in sorted(_schema_names(context.new) - before):
        yield ExecuteStepsOp(ddl.create_schema(name, context.dialect), Step())


def _schema_names(schema: Schema) -> set[str]:
    owners: list[Any] = [*schema.tables, *schema.enums, *schema.sequences]
    return {o.schema for o in owners if o.schema}


def _standalone_added(context: _Context) -> Iterator[ops.MigrateOperation]:
    for change in context.by_kind(K.ADD_SEQUENCE):
        assert isinstance(change.new, SequenceRecord)
        up = ddl.create_sequence(change.new, context.dialect)
        yield ExecuteStepsOp(up, ddl.drop_sequence(change.new, context.dialect))
    for change in context.by_kind(K.MODIFY_SEQUENCE):
        assert isinstance(change.old, SequenceRecord) and isinstance(change.new, SequenceRecord)
        up = ddl.alter_sequence(change.new, change.old, context.dialect)
        yield ExecuteStepsOp(up, ddl.alter_sequence(change.old, change.new, context.dialect))
    for change in context.by_kind(K.ADD_ENUM):
        assert isinstance(change.new, NamedEnum)
        yield ExecuteStepsOp(ddl.create_enum(change.new), ddl.drop_enum(change.new))


def _standalone_removed(context: _Context) -> Iterator[ops.MigrateOperation]:
    for change in context.by_kind(K.REMOVE_ENUM):
        assert isinstance(change.old, NamedEnum)
        yield ExecuteStepsOp(ddl.drop_enum(change.old), ddl.create_enum(change.old))
    for change in context.by_kind(K.REMOVE_SEQUENCE):
        assert isinstance(change.old, SequenceRecord)
        up = ddl.drop_sequence(change.old, context.dialect)
        yield ExecuteStepsOp(up, ddl.create_sequence(change.old, context.dialect))


def _enum_values(context: _Context, *, additions: bool) -> Iterator[ops.MigrateOperation]:
    """PostgreSQL enum types whose values changed. Values only added: ``ADD VALUE``, before
    anything else (it commits what ran before it); the downgrade rebuilds the old type at the
    very end, under the old names. Otherwise the type is rebuilt after the renames, both ways."""
    for change in context.by_kind(K.MODIFY_ENUM):
        if change.table is not None:
            continue  # a column's own (non-native) enum: an ordinary type change
        old, new = _values(change.old), _values(change.new)
        assert change.name is not None
        if ([v for v in new if v in old] == list(old)) != additions:
            continue
        uses = _enum_uses(context, change.schema, change.name, renamed=not additions)
        if additions:
            up = ddl.add_values(change.name, change.schema, old, new)
            down = ddl.replace_enum(change.name, change.schema, old, uses)
        else:  # the rebuild also moves the defaults, which the type may not hold before
            uses = _new_defaults(context, uses)
            up = ddl.replace_enum(change.name, change.schema, new, uses)
            back = [u._replace(default=u.target_default, target_default=u.default) for u in uses]
            down = ddl.replace_enum(change.name, change.schema, old, back)
        yield ExecuteStepsOp(up, down)


def _rebuilt_enums(context: _Context) -> set[tuple[str | None, str]]:
    """Named enums rebuilt (values removed or reordered): they set their columns' defaults."""
    found = set()
    for change in context.by_kind(K.MODIFY_ENUM):
        if change.table is None and change.name is not None:
            old, new = _values(change.old), _values(change.new)
            if [v for v in new if v in old] != list(old):
                found.add((change.schema, change.name))
    return found


def _values(value: object) -> tuple[str, ...]:
    assert isinstance(value, tuple)
    return tuple(str(v) for v in value)


def _enum_uses(context: _Context, schema: str | None, name: str, *, renamed: bool) -> list[ddl.Use]:
    """The columns of the enum type in the old schema, under their new names or their own."""
    uses: list[ddl.Use] = []
    for old_key in sorted(context.old_tables):
        new_name, columns = old_key[1], dict[str, str]()
        if renamed:
            new_name, columns = context.renamed.get(old_key, (old_key[1], {}))
        for column in context.old_tables[old_key].columns:
            enum = column.type.enum
            if enum is not None and enum.named and (enum.schema, enum.name) == (schema, name):
                column_name = columns.get(column.name, column.name)
                table_schema = old_key[0] or None
                default = column.server_default
                uses.append(ddl.Use(table_schema, new_name, column_name, default, default))
    return uses


def _new_defaults(context: _Context, uses: Sequence[ddl.Use]) -> list[ddl.Use]:
    """The uses with the defaults the new models give them: the old one may be a value the
    rebuilt type no longer has."""
    found = []
    for use in uses:
        table = context.new_tables.get((use.schema or "", use.table))
        column = next((c for c in table.columns if c.name == use.column), None) if table else None
        found.append(use._replace(target_default=column.server_default if column else None))
    return found


# --- renames ----------------------------------------------------------------------------------


def _renames(context: _Context) -> Iterator[ops.MigrateOperation]:
    for change in context.by_kind(K.RENAME_TABLE):
        assert change.table is not None
        yield ReversibleRenameTableOp(change.renamed_from, change.table, schema=change.schema)
    for change in context.by_kind(K.RENAME_COLUMN):
        assert change.table is not None and change.name is not None
        old = _column(context.current(change.table_key), change.name)
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


TableOps = list[tuple[Key, ops.MigrateOperation]]


def _table_phase(context: _Context, found: TableOps) -> Iterator[ops.MigrateOperation]:
    """One ``ModifyTableOps`` per table, tables in key order, operations in the order found;
    in batch mode what must run outside the batch comes just before or after it."""
    grouped: dict[Key, list[ops.MigrateOperation]] = defaultdict(list)
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


def _created_tables(
    context: _Context, tables: Sequence[Table], split: Sequence[tuple[Table, ForeignKey]]
) -> Iterator[ops.MigrateOperation]:
    deferred = _by_table(split)
    for table in tables:
        sa_table = objects.table(table, sa.MetaData(), skip_fks=deferred.get(table.key, ()))
        yield ops.CreateTableOp.from_table(sa_table)
        yield from (_create_index(table, index) for index in table.indexes)


def _dropped_tables(
    context: _Context, tables: Sequence[Table], split: Sequence[tuple[Table, ForeignKey]]
) -> Iterator[ops.MigrateOperation]:
    deferred = _by_table(split)
    for table in tables:
        yield from (_drop_index(table, index) for index in table.indexes)
        sa_table = objects.table(table, sa.MetaData(), skip_fks=deferred.get(table.key, ()))
        yield ops.DropTableOp.from_table(sa_table)


def _by_table(split: Sequence[tuple[Table, ForeignKey]]) -> dict[Key, list[ForeignKey]]:
    found: dict[Key, list[ForeignKey]] = defaultdict(list)
    for table, fk in split:
        found[table.key].append(fk)
    return found


def _split_adds(split: Sequence[tuple[Table, ForeignKey]]) -> TableOps:
    """Named even when the model leaves it unnamed, so that the downgrade can drop it."""
    return [(t.key, _add_fk(t, fk, _fk_name(t.name, fk))) for t, fk in split]


def _split_drops(context: _Context, split: Sequence[tuple[Table, ForeignKey]]) -> TableOps:
    return [pair for table, fk in split for pair in _keyed(table, _drop_fk(context, table, fk))]


def _keyed(table: Table, op: ops.MigrateOperation | None) -> TableOps:
    """The operation under its table's key; nothing where there is no operation (a TODO)."""
    return [] if op is None else [(table.key, op)]


# --- indexes, constraints, foreign keys -----------------------------------------------------------


def _members(context: _Context, *, drop: bool) -> TableOps:
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
        found += _keyed(table, op)
        if drop and op is not None:
            found += _keyed(table, _readded_note(table, member))
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
    return _downgrade_note(
        f"re-adding {type(member).__name__} {name} on {where} fails while {found}."
    )


def _downgrade_note(text: str) -> NoteOp:
    """A comment in the downgrade only, over the operation that follows it there (placed
    after the upgrade's own operation, as the downgrade runs them in reverse)."""
    return NoteOp("", f"schemadiff: {text}")


def _member_op(
    context: _Context, table: Table, member: object, *, drop: bool
) -> ops.MigrateOperation | None:
    if isinstance(member, Index):
        return _drop_index(table, member) if drop else _create_index(table, member)
    if isinstance(member, ForeignKey):
        return _drop_fk(context, table, member) if drop else _add_fk(table, member)
    assert isinstance(member, UniqueConstraint | CheckConstraint | ExcludeConstraint)
    constraint = _bound(table, _constraint(member))
    if not drop:
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


def _bound(table: Table, constraint: Any) -> Any:
    """The constraint on a copy of its table, as Alembic reads table and columns from it."""
    metadata = sa.MetaData()
    columns = [objects.column(c) for c in table.columns]
    sa.Table(table.name, metadata, *columns, constraint, schema=table.schema)
    objects.stub_targets(metadata, table.foreign_keys)
    return constraint


def _default_name(
    context: _Context, table: Table, member: UniqueConstraint | CheckConstraint | ExcludeConstraint
) -> str | None:
    """The name PostgreSQL gives an unnamed unique constraint; None where it cannot be known."""
    if context.dialect.name == "postgresql" and isinstance(member, UniqueConstraint):
        return "_".join([_original_name(context, table), *member.columns, "key"])
    return None


def _unnamed(context: _Context, table: Table, member: object) -> None:
    _todo(
        context,
        f"{table.qualified_name}: an unnamed {type(member).__name__} cannot be dropped by name; "
        "drop it by hand, and give constraints names (MetaData(naming_convention=...)).",
    )


def _todo(context: _Context, message: str) -> None:
    context.warnings.append(message)
    context.todo.append(NoteOp(f"TODO schemadiff: {message}", f"TODO schemadiff: {message}"))


def _original_name(context: _Context, table: Table) -> str:
    """The name the database gave the table's unnamed constraints: its name when created."""
    return context.old_name.get(table.key, table.name)


def _create_index(table: Table, index: Index) -> ops.CreateIndexOp:
    return ops.CreateIndexOp(
        index.name,
        table.name,
        objects.index_elements(index, (c.name for c in table.columns)),
        schema=table.schema,
        unique=index.unique,
        **objects.option_kw(index.options),
    )


def _drop_index(table: Table, index: Index) -> ops.DropIndexOp:
    assert index.name is not None  # SQLAlchemy names every index
    create = _create_index(table, index)
    return ops.DropIndexOp(
        index.name,
        table.name,
        schema=table.schema,
        _reverse=create,
        unique=index.unique,  # its reverse is built from these, not from _reverse
        **objects.option_kw(index.options),
    )


def _add_fk(table: Table, fk: ForeignKey, name: str | None = None) -> ops.MigrateOperation:
    constraint = _bound(table, objects.foreign_key(fk))
    constraint.name = constraint.name or name
    return ops.CreateForeignKeyOp.from_constraint(constraint)


def _drop_fk(context: _Context, table: Table, fk: ForeignKey) -> ops.MigrateOperation | None:
    constraint = _bound(table, objects.foreign_key(fk))
    if constraint.name is None and context.dialect.name == "postgresql":
        constraint.name = _fk_name(_original_name(context, table), fk)
    if constraint.name is None:
        _unnamed(context, table, fk)
        return None
    return ops.DropConstraintOp.from_constraint(constraint)


def _fk_name(table: str, fk: ForeignKey) -> str:
    """PostgreSQL's name for an unnamed foreign key."""
    return "_".join([table, *fk.columns, "fkey"])


# --- each table's own changes ---------------------------------------------------------------


_ALTERED = (K.MODIFY_TYPE, K.MODIFY_NULLABLE, K.MODIFY_DEFAULT, K.MODIFY_COMMENT, K.MODIFY_ENUM)


def _altered(context: _Context) -> TableOps:
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


def _add_column(context: _Context, change: Change) -> TableOps:
    assert isinstance(change.new, Column)
    return _column_added(context, change, change.new, dropped=False)


def _drop_column(context: _Context, change: Change) -> TableOps:
    assert isinstance(change.old, Column)
    return _column_added(context, change, change.old, dropped=True)


def _column_added(context: _Context, change: Change, column: Column, *, dropped: bool) -> TableOps:
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


def _placeholder(context: _Context, column: Column) -> str | None:
    if not _required(column) or column.autoincrement:
        return None
    return placeholder(column.type, context.dialect.name)


def _filled(context: _Context, key: Key, column: Column, value: str, note: str) -> TableOps:
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


def _alter_columns(context: _Context) -> TableOps:
    """One ``alter_column`` per column, with every attribute that changed."""
    grouped: dict[tuple[Key, str], list[Change]] = defaultdict(list)
    rebuilt = _rebuilt_enums(context)
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
            found.append((key, _downgrade_note(text)))
    return found


def _enum_of(context: _Context, change: Change) -> tuple[str | None, str] | None:
    assert change.name is not None
    named = []
    for column in (
        _column(context.new_tables[change.table_key], change.name),
        context.old_column_of(change.table_key, change.name),
    ):
        enum = column.type.enum
        named.append((enum.schema, enum.name) if enum and enum.named and enum.name else None)
    return named[0] if named[0] == named[1] else None


def _alter_column(
    context: _Context, key: Key, name: str, changes: Sequence[Change]
) -> ops.AlterColumnOp:
    old = context.old_column_of(key, name)
    new = _column(context.new_tables[key], name)
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


def _casts(context: _Context, name: str, old: Column, new: Column) -> dict[str, Any]:
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


def _recompute(context: _Context, change: Change) -> TableOps:
    """A generated column's expression cannot be altered: drop it and add it again."""
    key = change.table_key
    assert change.name is not None and change.table is not None
    old = objects.column(context.old_column_of(key, change.name))
    new = objects.column(_column(context.new_tables[key], change.name))
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


def _primary_key(context: _Context, change: Change, *, drop: bool) -> TableOps:
    key = change.table_key
    if context.batch and isinstance(change.old, PrimaryKey) and not change.old.name:
        return [] if drop else _replace_primary_key(change)
    record = change.old if drop else change.new
    if record is None:
        return []
    assert isinstance(record, PrimaryKey) and change.table is not None
    table = context.current(key) if drop else context.new_tables[key]
    name = _original_name(context, table) if drop else change.table
    constraint = _bound(table, objects.primary_key(record, f"{name}_pkey"))
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


def _not_migrated(context: _Context, change: Change) -> None:
    what = change.kind.value.removeprefix("modify_").replace("_", " ")
    where = (
        change.table if change.kind is K.MODIFY_TABLE_OPTIONS else f"{change.table}.{change.name}"
    )
    _todo(context, f"{where}: the {what} changed; migrate it by hand.")


# --- batch mode ---------------------------------------------------------------------------------


def _one_batch_per_table(upgrade: Sequence[ops.MigrateOperation]) -> list[ops.MigrateOperation]:
    """Each table's changes in one batch (one copy of the table on SQLite), where its last
    changes were: everything that the batch needs exists by then. What runs outside the batch
    stays next to it, before or after."""
    merged: dict[Key, ops.ModifyTableOps] = {}
    last: dict[Key, int] = {}
    around: dict[tuple[Key, str], list[ops.MigrateOperation]] = defaultdict(list)
    for position, op in enumerate(upgrade):
        if isinstance(op, ops.ModifyTableOps):
            key = (op.schema or "", op.table_name)
            merged.setdefault(key, ops.ModifyTableOps(op.table_name, [], schema=op.schema))
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


def _modified(upgrade: Sequence[ops.MigrateOperation]) -> list[Key]:
    return [
        (op.schema or "", op.table_name) for op in upgrade if isinstance(op, ops.ModifyTableOps)
    ]
