"""The rules that judge a change by itself: destructive, data-dependent,
backward-incompatible and locking. Pure: changes in, findings out (docs/check.md).

Each check looks at one change and says what is wrong with it, or nothing. The caller sets
the levels, the places and what the models acknowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from schemadiff.model import (
    Change,
    ChangeKind,
    Column,
    ColumnType,
    ForeignKey,
    Index,
    Rule,
    Schema,
    UniqueConstraint,
)
from schemadiff.rules import types
from schemadiff.rules.upgrade import Upgrade, dedup_columns, unique_columns

K = ChangeKind


@dataclass(frozen=True, slots=True)
class Context:
    """What the checks need besides the change itself."""

    changes: Sequence[Change]
    newer: Schema
    """Every table of the newer side, changed or not: who uses a named enum."""
    concurrent: Collection[str] = ()
    """Indexes the change's own revision files create with ``postgresql_concurrently``."""
    upgrade: Upgrade = field(default_factory=Upgrade)
    """What the change's new revisions do, in order: the data-dependent rule reads it."""

    @property
    def added_columns(self) -> set[tuple[str, str | None, str | None]]:
        return {(c.schema or "", c.table, c.name) for c in self.changes if c.kind is K.ADD_COLUMN}

    @property
    def dropped_uniques(self) -> set[tuple[tuple[str, str | None], frozenset[str]]]:
        """The columns of the unique constraints and (whole-table) unique indexes the change
        drops, by table: the rows held no duplicates there before the migration."""
        return {
            ((c.schema or "", c.table), columns)
            for c in self.changes
            if c.kind in (K.REMOVE_CONSTRAINT, K.REMOVE_INDEX)
            and (columns := _unique_columns(c.old))
        }

    @property
    def dropped_references(self) -> set[tuple[str, str | None, _Reference]]:
        """What the foreign keys the change drops made the rows satisfy, by table."""
        return {
            (c.schema or "", c.table, _reference(c.old))
            for c in self.changes
            if c.kind is K.REMOVE_FK and isinstance(c.old, ForeignKey)
        }


def _unique_columns(member: object) -> frozenset[str] | None:
    """The columns a unique constraint, or a unique index over columns only and every row
    (no ``WHERE``), keeps unique together; None for anything else."""
    if isinstance(member, Index) and member.unique:
        partial = any(name.endswith("_where") for name, _ in member.options)
        return None if partial else unique_columns(member)
    return unique_columns(member) if isinstance(member, UniqueConstraint) else None


Problem = tuple[Rule, str]
Check = Callable[[Change, Context], Iterator[str]]


def problems(change: Change, context: Context, dialect: str) -> Iterator[Problem]:
    """Every rule ``change`` breaks, with what is wrong, in rule order."""
    for rule, checks in CHECKS.items():
        if rule is Rule.LOCKING and dialect != "postgresql":
            continue
        for check in checks:
            for message in check(change, context):
                yield rule, message


# --- destructive ------------------------------------------------------------------------------


def _dropped(change: Change, context: Context) -> Iterator[str]:
    if change.kind is K.REMOVE_TABLE:
        yield "table dropped: its rows are lost"
    elif change.kind is K.REMOVE_COLUMN:
        yield "column dropped: its data is lost"


def _narrowed(change: Change, context: Context) -> Iterator[str]:
    if change.kind is not K.MODIFY_TYPE or change.ddl_change is False:
        return
    old, new = _ddl(change.old), _ddl(change.new)
    if not types.widens(old, new):
        yield f"type {old} -> {new} does not keep every value: some are cut, or refused"


def _values_removed(change: Change, context: Context) -> Iterator[str]:
    if change.kind is K.MODIFY_ENUM:
        gone = [v for v in _values(change.old) if v not in _values(change.new)]
        if gone and change.table is None:  # a type of its own: made anew, every row cast
            yield f"enum values removed ({_listed(gone)}): rows that hold them stop the migration"
        elif gone:
            yield f"enum values removed ({_listed(gone)}): rows that hold them no longer fit"


# --- data-dependent ---------------------------------------------------------------------------


_REQUIRED = "NOT NULL column added without a server default: existing rows need a value"
_HOLDS_NULL = "fails while any row holds NULL"


def _required_column(change: Change, context: Context) -> Iterator[str]:
    """Judged by the column's own ``add_column`` when the revision has one: a server default
    there fills the rows (a generated migration's placeholder does); added nullable, it must
    be backfilled before it is made NOT NULL."""
    if not _required(change):
        return
    added = context.upgrade.added(change)
    if added is None:
        yield f"{_REQUIRED} (a generated migration gives them a placeholder)"
        return
    at, operation = added
    if operation.fills:
        return
    if operation.nullable is not True:
        yield (
            f"{_REQUIRED}: give its add_column a server_default, or add it nullable, "
            "backfill it, then set NOT NULL"
        )
        return
    not_null = context.upgrade.made_not_null(change, at)
    if not_null is None:
        yield (
            f"{_REQUIRED}: the revision adds it nullable, and no alter_column that schemadiff "
            "reads makes it NOT NULL"
        )
    elif not context.upgrade.backfilled(change, at, not_null):
        yield f"added nullable, then made NOT NULL with no backfill between: {_fill(change)}"


def _made_not_null(change: Change, context: Context) -> Iterator[str]:
    if change.kind is not K.MODIFY_NULLABLE or change.old is not True or change.new is not False:
        return
    not_null = context.upgrade.made_not_null(change)
    if not_null is None:
        yield f"made NOT NULL: {_HOLDS_NULL}"
    elif not context.upgrade.backfilled(change, -1, not_null):
        yield f"made NOT NULL with no backfill before: {_fill(change)}"


def _fill(change: Change) -> str:
    """What is wrong, and the backfill that the rule reads as making it pass."""
    table, column = change.table, change.name
    statement = f"UPDATE {table} SET {column} = 'value' WHERE {column} IS NULL"  # noqa: S608 (told, never run)
    return (
        f'{_HOLDS_NULL}; run op.execute("{statement}") before the alter_column, with a value '
        "that cannot be NULL (a literal, or COALESCE(..., literal))"
    )


def _new_constraint(change: Change, context: Context) -> Iterator[str]:
    if change.kind is K.ADD_INDEX and isinstance(change.new, Index) and change.new.unique:
        yield from _duplicates(change, context, f"unique index {change.name or '(unnamed)'}")
    elif change.kind is K.ADD_CONSTRAINT and change.constraint_type == "unique":
        yield from _duplicates(change, context, f"unique constraint {change.name or '(unnamed)'}")
    elif change.kind is K.ADD_CONSTRAINT and change.constraint_type == "check":
        yield f"CHECK {change.name or '(unnamed)'} added: fails if a row breaks it"
    elif change.kind is K.ADD_FK and isinstance(change.new, ForeignKey):
        key = (change.schema or "", change.table)
        on_new = any((*key, c) in context.added_columns for c in change.new.columns)
        kept = (*key, _reference(change.new)) in context.dropped_references
        if not on_new and not kept:
            target = change.new.referred_table
            yield f"foreign key to {target} added: fails if a row refers to a missing {target}"


def _duplicates(change: Change, context: Context, what: str) -> Iterator[str]:
    """Judged by the revision when it builds the index or constraint: a ``DELETE`` before it
    that keeps one row per group of its columns (or deletes every row) makes it pass. None
    when the rows are unique already: on some of its columns, a unique constraint or index
    the change drops (re-added with only its deferral or name changed, say)."""
    columns = dedup_columns(change)
    key = (change.schema or "", change.table)
    if columns is not None and any(t == key and u <= columns for t, u in context.dropped_uniques):
        return
    found = f"{what} added: fails if rows hold duplicates"
    built = context.upgrade.built(change)
    if built is None:
        yield found
    elif not context.upgrade.deduplicated(change, built):
        yield f"{found}; remove them before it is built: {_dedup(change)}"


def _dedup(change: Change) -> str:
    """The de-duplication the rule reads as making it pass."""
    table, columns = change.table, dedup_columns(change)
    if columns is None:
        return f"an index on expressions: only a DELETE of every row of {table} is read"
    same = " AND ".join(f"a.{c} = b.{c}" for c in sorted(columns))
    statement = f"DELETE FROM {table} a USING {table} b WHERE {same} AND a.id > b.id"  # noqa: S608 (told, never run)
    return f'op.execute("{statement}")'


_Reference = tuple[tuple[str, ...], str | None, str, tuple[str, ...], str | None]


def _reference(key: object) -> _Reference:
    """What a foreign key makes the rows satisfy: its columns, what they refer to, and how
    (``MATCH``). ``ondelete``, ``onupdate``, deferral and the name change none of it."""
    assert isinstance(key, ForeignKey)
    return (key.columns, key.referred_schema, key.referred_table, key.referred_columns, key.match)


# --- backward-incompatible ------------------------------------------------------------------


def _breaks_deployed_code(change: Change, context: Context) -> Iterator[str]:
    if change.kind in (K.RENAME_TABLE, K.RENAME_COLUMN):
        old = change.renamed_from
        yield f"renamed from {old}: the code still deployed uses {old}"
    elif change.kind in (K.REMOVE_TABLE, K.REMOVE_COLUMN):
        yield "dropped: the code still deployed uses it"
    elif _required(change):
        yield "NOT NULL column added without a default: the code still deployed inserts no value"


# --- locking (PostgreSQL) ---------------------------------------------------------------------


def _index_locks(change: Change, context: Context) -> Iterator[str]:
    if change.kind is not K.ADD_INDEX or not isinstance(change.new, Index):
        return
    concurrently = dict(change.new.options).get("postgresql_concurrently") == "True"
    if not concurrently and change.name not in context.concurrent:
        yield (
            f"index {change.name or '(unnamed)'} created without CONCURRENTLY: writes to the "
            "table wait until it is built"
        )


def _rewrite(change: Change, context: Context) -> Iterator[str]:
    if change.kind is K.MODIFY_TYPE and change.ddl_change is not False:
        old, new = _ddl(change.old), _ddl(change.new)
        if types.rewrites(old, new):
            yield f"type {old} -> {new} rewrites the table; reads and writes wait"
    elif change.kind is K.MODIFY_NULLABLE and change.new is False:
        yield "SET NOT NULL scans the whole table; reads and writes wait"


def _enum_rewrite(change: Change, context: Context) -> Iterator[str]:
    if change.kind is not K.MODIFY_ENUM or change.table is not None:
        return
    old, new = _values(change.old), _values(change.new)
    if [v for v in new if v in old] != list(old):  # a value removed, or the order changed
        users = _enum_users(context.newer, change.schema, str(change.name))
        yield (
            "values removed or reordered: the type is made anew and every table using it is "
            f"rewritten ({_listed(users) or 'none found'}); reads and writes wait"
        )


def _enum_users(schema: Schema, enum_schema: str | None, name: str) -> list[str]:
    return sorted(
        f"{table.qualified_name}.{column.name}"
        for table in schema.tables
        for column in table.columns
        if _uses(column, enum_schema, name)
    )


def _uses(column: Column, schema: str | None, name: str) -> bool:
    enum = column.type.enum
    return enum is not None and enum.named and enum.name == name and enum.schema == schema


# --- shared -----------------------------------------------------------------------------------


def _required(change: Change) -> bool:
    """A new column that existing rows cannot fill by themselves."""
    column = change.new
    if change.kind is not K.ADD_COLUMN or not isinstance(column, Column):
        return False
    fills = column.server_default or column.computed or column.identity or column.autoincrement
    return not column.nullable and not fills


def _ddl(value: object) -> str:
    assert isinstance(value, ColumnType)
    return value.ddl or value.python


def _values(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple) else ()


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(repr(n) if " " in n else n for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


CHECKS: Mapping[Rule, tuple[Check, ...]] = {
    Rule.DESTRUCTIVE: (_dropped, _narrowed, _values_removed),
    Rule.DATA_DEPENDENT: (_required_column, _made_not_null, _new_constraint),
    Rule.BACKWARD_INCOMPATIBLE: (_breaks_deployed_code,),
    Rule.LOCKING: (_index_locks, _rewrite, _enum_rewrite),
}

ADVICE: Mapping[Rule, str] = {
    Rule.DESTRUCTIVE: (
        "Make sure the data is no longer needed, or copy it first; then acknowledge it in the "
        'model: info={"schemadiff": {"allow": ["destructive"]}} on the table or column.'
    ),
    Rule.DATA_DEPENDENT: (
        "Existing rows decide whether this migration runs: give the column a server default, or "
        "add it nullable, backfill, then set NOT NULL; clean duplicates or orphans first."
    ),
    Rule.BACKWARD_INCOMPATIBLE: (
        "Expand, then contract: add the new shape beside the old one, deploy code that uses the "
        "new one, and rename or drop the old one in a later release."
    ),
    Rule.LOCKING: (
        "On a large table this blocks the application: create indexes with "
        "postgresql_concurrently=True in an autocommit block, and change a type in steps (new "
        "column, backfill, swap)."
    ),
}
