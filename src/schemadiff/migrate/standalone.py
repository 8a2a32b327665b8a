"""The objects outside tables: schemas, sequences, named enum types (created, dropped, their
values added or the type rebuilt).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from alembic.operations import ops

from schemadiff.migrate import ddl
from schemadiff.migrate.context import Context, K
from schemadiff.migrate.customops import ExecuteStepsOp, Step
from schemadiff.model import NamedEnum, Schema
from schemadiff.model import Sequence as SequenceRecord

__all__ = ["enum_values", "rebuilt_enums", "schemas", "standalone_added", "standalone_removed"]


def schemas(context: Context) -> Iterator[ops.MigrateOperation]:
    if context.dialect.name != "postgresql":  # SQLite's schemas are attached files
        return
    before = _schema_names(context.old)
    for name in sorted(_schema_names(context.new) - before):
        yield ExecuteStepsOp(ddl.create_schema(name, context.dialect), Step())


def _schema_names(schema: Schema) -> set[str]:
    owners: list[Any] = [*schema.tables, *schema.enums, *schema.sequences]
    return {o.schema for o in owners if o.schema}


def standalone_added(context: Context) -> Iterator[ops.MigrateOperation]:
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


def standalone_removed(context: Context) -> Iterator[ops.MigrateOperation]:
    for change in context.by_kind(K.REMOVE_ENUM):
        assert isinstance(change.old, NamedEnum)
        yield ExecuteStepsOp(ddl.drop_enum(change.old), ddl.create_enum(change.old))
    for change in context.by_kind(K.REMOVE_SEQUENCE):
        assert isinstance(change.old, SequenceRecord)
        up = ddl.drop_sequence(change.old, context.dialect)
        yield ExecuteStepsOp(up, ddl.create_sequence(change.old, context.dialect))


def enum_values(context: Context, *, additions: bool) -> Iterator[ops.MigrateOperation]:
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


def rebuilt_enums(context: Context) -> set[tuple[str | None, str]]:
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


def _enum_uses(context: Context, schema: str | None, name: str, *, renamed: bool) -> list[ddl.Use]:
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


def _new_defaults(context: Context, uses: Sequence[ddl.Use]) -> list[ddl.Use]:
    """The uses with the defaults the new models give them: the old one may be a value the
    rebuilt type no longer has."""
    found = []
    for use in uses:
        table = context.new_tables.get((use.schema or "", use.table))
        column = next((c for c in table.columns if c.name == use.column), None) if table else None
        found.append(use._replace(target_default=column.server_default if column else None))
    return found
