"""Which changes no operation of the new revisions accounts for: the static half of
``migration-required``.

Strict on names, lenient on spelling. A change is matched on its table (and schema) and on the
name of its column, index, constraint, enum type or sequence; where Alembic has several ways to
write the same thing, any of them counts:

- tables: ``create_table``, ``drop_table``, ``rename_table(old, new)``; table comments:
  ``create_table_comment`` or ``drop_table_comment``.
- columns: ``add_column(t, sa.Column("c", ...))``, ``drop_column``; a column's type, nullability,
  server default and comment: an ``alter_column`` on it given ``type_``, ``nullable``,
  ``server_default`` or ``comment``; a rename: ``alter_column(t, old, new_column_name=new)``.
  The column dropped and added again also covers its changes (that is how a generated
  column's expression changes: any ``alter_column`` on it counts too).
- indexes by name (``op.f`` unwrapped); constraints by name through
  ``create_unique_constraint``, ``create_check_constraint``, ``create_exclude_constraint``,
  ``create_foreign_key`` and ``drop_constraint`` (whose ``type_``, when given, must be the
  constraint's). An unnamed one: an operation of its kind on its table that no named change
  claims, with the same columns when both are known (the database named it: the name of its
  drop cannot be checked). An index, constraint or foreign key removed is also covered by a
  ``drop_column`` of one of its columns, which takes it along.
- a primary key: ``create_primary_key``, or ``drop_constraint`` of ``type_="primary"`` (or of
  the old key's name), on its table.
- named enum types and sequences (no Alembic operation): their own ``create``/``drop``; a
  ``create_table`` that creates the enum type with its column; alembic-postgresql-enum's
  ``sync_enum_values`` for values; a column's own (non-native) enum values: ``alter_column``
  with ``type_``, or its CHECK constraint dropped or created.
- SQL: an ``op.execute`` whose text is DDL (ALTER, CREATE, DROP or COMMENT) and mentions, as
  whole words and in any case, what the change names: the table, and the column; the index's,
  constraint's, enum's or sequence's own name (its table when unnamed). ``UPDATE`` alone covers
  nothing.

The names of the range's renames are both accepted: a change on ``customer.email`` renamed from
``client.mail`` is covered by an operation on either name, as a migration may alter a column
before or after renaming it.

Never reported: a type change only Python sees (``ddl_change is False``); and the kinds Alembic
has no operation for and ``schemadiff revision`` writes only a TODO comment for (identity,
autoincrement, table options): asking an operation of them would fail every revision we write,
a fix by hand is SQL of any shape, and ``revision`` already warns. For these the rule's other
half (a new revision exists at all) is the whole check.

Not counted: one operation may cover several changes (two unnamed constraints added to one
table are covered by one ``create_unique_constraint`` whose columns are not literals).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    ExcludeConstraint,
    ForeignKey,
    Index,
    PrimaryKey,
    TableKey,
    UniqueConstraint,
)
from schemadiff.revisions.operations import Operation

__all__ = ["uncovered"]

K = ChangeKind
"""A table's schema ("" for the default) and name, under its new name."""

_DDL = re.compile(r"\b(ALTER|CREATE|DROP|COMMENT)\b", re.IGNORECASE)


def uncovered(changes: Sequence[Change], operations: Sequence[Operation]) -> tuple[int, ...]:
    """The indices of the changes that no operation accounts for."""
    context = _Context.of(changes, operations)
    return tuple(i for i, c in enumerate(changes) if not _RULES[c.kind](c, context))


@dataclass(frozen=True, slots=True)
class _Context:
    operations: Sequence[Operation]
    tables: Mapping[TableKey, frozenset[str]]
    """A renamed table's new key -> both its names."""
    columns: Mapping[tuple[TableKey, str], frozenset[str]]
    """A renamed column (table key, new name) -> both its names."""
    claimed: frozenset[tuple[ChangeKind, TableKey, str]]
    """The names of the named indexes, constraints and foreign keys changed, by kind."""

    @classmethod
    def of(cls, changes: Sequence[Change], operations: Sequence[Operation]) -> _Context:
        tables, columns = {}, {}
        for change in changes:
            if change.kind is K.RENAME_TABLE and change.table is not None:
                tables[change.table_key] = frozenset({change.table, change.renamed_from})
            elif change.kind is K.RENAME_COLUMN and change.name is not None:
                columns[(change.table_key, change.name)] = frozenset(
                    {change.name, change.renamed_from}
                )
        claimed = frozenset(
            (c.kind, c.table_key, c.name)
            for c in changes
            if c.kind in _MEMBERS and c.name is not None
        )
        return cls(operations, tables, columns, claimed)

    def table_names(self, change: Change) -> frozenset[str]:
        assert change.table is not None
        return self.tables.get(change.table_key, frozenset({change.table}))

    def column_names(self, change: Change) -> frozenset[str]:
        assert change.name is not None
        return self.columns.get((change.table_key, change.name), frozenset({change.name}))

    def on_table(self, op: Operation, change: Change) -> bool:
        return op.table in self.table_names(change) and (op.schema or "") == (change.schema or "")

    def on_column(self, op: Operation, change: Change) -> bool:
        names = self.column_names(change)
        return self.on_table(op, change) and (op.target in names or op.new_name in names)

    def find(self, names: Iterable[str], test: Callable[[Operation], bool]) -> bool:
        wanted = frozenset(names)
        return any(op.name in wanted and test(op) for op in self.operations)

    def executes(self, *groups: Iterable[str]) -> bool:
        """Some ``op.execute`` runs DDL that mentions a name of each group."""
        patterns = [[_word(n) for n in group] for group in groups]
        return any(
            op.name == "execute"
            and op.text is not None
            and _DDL.search(op.text) is not None
            and all(any(p.search(op.text) for p in group) for group in patterns)
            for op in self.operations
        )


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])", re.IGNORECASE)


Rule = Callable[[Change, _Context], bool]


# --- tables ------------------------------------------------------------------------------------


def _table_op(*names: str) -> Rule:
    def rule(change: Change, context: _Context) -> bool:
        return context.find(names, lambda op: context.on_table(op, change)) or context.executes(
            context.table_names(change)
        )

    return rule


def _rename_table(change: Change, context: _Context) -> bool:
    assert change.table is not None
    old, new = change.renamed_from, change.table

    def test(op: Operation) -> bool:
        same_schema = (op.schema or "") == (change.schema or "")
        return op.table == old and op.target == new and same_schema

    return context.find(["rename_table"], test) or context.executes([old], [new])


def _primary_key(change: Change, context: _Context) -> bool:
    old_name = change.old.name if isinstance(change.old, PrimaryKey) else None

    def dropped(op: Operation) -> bool:
        named = old_name is not None and op.target == old_name
        return context.on_table(op, change) and (op.constraint_type == "primary" or named)

    return (
        context.find(["create_primary_key"], lambda op: context.on_table(op, change))
        or context.find(["drop_constraint"], dropped)
        or context.executes(context.table_names(change))
    )


# --- columns -----------------------------------------------------------------------------------


def _column_op(name: str) -> Rule:
    def rule(change: Change, context: _Context) -> bool:
        return context.find([name], lambda op: context.on_column(op, change)) or _column_sql(
            change, context
        )

    return rule


def _altered(keyword: str | None) -> Rule:
    """An ``alter_column`` on the column given ``keyword`` (any, for None)."""

    def rule(change: Change, context: _Context) -> bool:
        def test(op: Operation) -> bool:
            given = keyword is None or keyword in op.keywords
            return context.on_column(op, change) and given

        return (
            context.find(["alter_column"], test)
            or _recreated(change, context)
            or _column_sql(change, context)
        )

    return rule


def _recreated(change: Change, context: _Context) -> bool:
    return all(
        context.find([name], lambda op: context.on_column(op, change))
        for name in ("drop_column", "add_column")
    )


def _column_sql(change: Change, context: _Context) -> bool:
    return context.executes(context.table_names(change), context.column_names(change))


def _modify_type(change: Change, context: _Context) -> bool:
    return change.ddl_change is False or _altered("type_")(change, context)


def _rename_column(change: Change, context: _Context) -> bool:
    assert change.name is not None
    old, new = change.renamed_from, change.name

    def test(op: Operation) -> bool:
        return context.on_table(op, change) and op.target == old and op.new_name == new

    return context.find(["alter_column"], test) or context.executes(
        context.table_names(change), [old], [new]
    )


def _modify_enum(change: Change, context: _Context) -> bool:
    if change.table is None:  # a named enum type
        return _standalone("enum", "sync_enum_values")(change, context)

    def check(op: Operation) -> bool:
        kind = op.name == "create_check_constraint" or op.constraint_type in ("check", None)
        return context.on_table(op, change) and kind

    return _altered("type_")(change, context) or context.find(
        ["create_check_constraint", "drop_constraint"], check
    )


# --- indexes, constraints, foreign keys --------------------------------------------------------

_MEMBERS = frozenset(
    {K.ADD_INDEX, K.REMOVE_INDEX, K.ADD_CONSTRAINT, K.REMOVE_CONSTRAINT, K.ADD_FK, K.REMOVE_FK}
)
_CREATE_CONSTRAINT = {
    "unique": "create_unique_constraint",
    "check": "create_check_constraint",
    "exclude": "create_exclude_constraint",
}
_DROP_TYPES: Mapping[str | None, frozenset[str | None]] = {
    "unique": frozenset({"unique", None}),
    "check": frozenset({"check", None}),
    "foreignkey": frozenset({"foreignkey", None}),
}
"""``drop_constraint``'s ``type_`` each kind of constraint accepts (exclude: any)."""


def _fits(constraint_type: str | None, allowed: frozenset[str | None] | None) -> bool:
    return allowed is None or constraint_type in allowed


def _member_columns(change: Change) -> tuple[str, ...] | None:
    member = change.new if change.new is not None else change.old
    if isinstance(member, Index):
        return member.expressions
    if isinstance(member, UniqueConstraint | ForeignKey):
        return member.columns
    if isinstance(member, ExcludeConstraint):
        return tuple(expression for expression, _ in member.elements)
    assert isinstance(member, CheckConstraint)
    return None


def _member(op_names: Callable[[Change], Sequence[str]], drop_type: str | None = None) -> Rule:
    """An index, constraint or foreign key, added or removed: by its name, or when unnamed by
    its table (and its columns, when the operation's are literals)."""

    def rule(change: Change, context: _Context) -> bool:
        allowed = _DROP_TYPES.get(drop_type or change.constraint_type)
        columns = _member_columns(change)

        def test(op: Operation) -> bool:
            if op.name == "drop_constraint" and not _fits(op.constraint_type, allowed):
                return False
            if change.name is not None:  # drop_index may leave its table out
                loose = op.name == "drop_index" and op.table is None
                return op.target == change.name and (loose or context.on_table(op, change))
            claimed = op.target is not None and (change.kind, change.table_key, op.target) in (
                context.claimed
            )
            same = op.columns is None or columns is None or op.columns == columns
            return context.on_table(op, change) and not claimed and same

        names = [change.name] if change.name is not None else context.table_names(change)
        return (
            context.find(op_names(change), test)
            or context.executes(names)
            or _taken_along(change, columns, context)
        )

    return rule


def _taken_along(change: Change, columns: tuple[str, ...] | None, context: _Context) -> bool:
    """Removed with a column of its own: the database drops it along with the column."""
    if change.kind not in (K.REMOVE_INDEX, K.REMOVE_CONSTRAINT, K.REMOVE_FK) or not columns:
        return False

    def test(op: Operation) -> bool:
        return context.on_table(op, change) and op.target in columns

    return context.find(["drop_column"], test)


def _constraint_ops(change: Change) -> Sequence[str]:
    if change.kind is K.REMOVE_CONSTRAINT:
        return ["drop_constraint"]
    return [_CREATE_CONSTRAINT.get(change.constraint_type or "", "create_unique_constraint")]


# --- enum types and sequences ------------------------------------------------------------------


def _standalone(kind: str, *others: str) -> Rule:
    """A named enum type or sequence: its own create or drop, ``others``, or SQL naming it.
    A schema written on both sides must agree (``public`` is often spelled out)."""

    def rule(change: Change, context: _Context) -> bool:
        assert change.name is not None
        names = {f"create_{kind}", f"drop_{kind}", *others}

        def test(op: Operation) -> bool:
            agree = op.schema is None or change.schema is None or op.schema == change.schema
            return op.target == change.name and agree

        return context.find(names, test) or context.executes([change.name])

    return rule


def _add_enum(change: Change, context: _Context) -> bool:
    assert change.name is not None
    name = change.name
    return _standalone("enum")(change, context) or context.find(
        ["create_table"], lambda op: name in op.enums
    )


def _not_asked(change: Change, context: _Context) -> bool:
    """Alembic has no operation for it and ``schemadiff revision`` writes a TODO."""
    return True


_RULES: Mapping[ChangeKind, Rule] = {
    K.ADD_TABLE: _table_op("create_table"),
    K.REMOVE_TABLE: _table_op("drop_table"),
    K.RENAME_TABLE: _rename_table,
    K.MODIFY_TABLE_COMMENT: _table_op("create_table_comment", "drop_table_comment"),
    K.MODIFY_PRIMARY_KEY: _primary_key,
    K.ADD_COLUMN: _column_op("add_column"),
    K.REMOVE_COLUMN: _column_op("drop_column"),
    K.RENAME_COLUMN: _rename_column,
    K.MODIFY_TYPE: _modify_type,
    K.MODIFY_NULLABLE: _altered("nullable"),
    K.MODIFY_DEFAULT: _altered("server_default"),
    K.MODIFY_COMMENT: _altered("comment"),
    K.MODIFY_COMPUTED: _altered(None),
    K.MODIFY_ENUM: _modify_enum,
    K.ADD_INDEX: _member(lambda c: ["create_index"]),
    K.REMOVE_INDEX: _member(lambda c: ["drop_index"]),
    K.ADD_CONSTRAINT: _member(_constraint_ops),
    K.REMOVE_CONSTRAINT: _member(_constraint_ops),
    K.ADD_FK: _member(lambda c: ["create_foreign_key"], "foreignkey"),
    K.REMOVE_FK: _member(lambda c: ["drop_constraint"], "foreignkey"),
    K.ADD_ENUM: _add_enum,
    K.REMOVE_ENUM: _standalone("enum"),
    K.ADD_SEQUENCE: _standalone("sequence"),
    K.REMOVE_SEQUENCE: _standalone("sequence"),
    K.MODIFY_SEQUENCE: _standalone("sequence"),
    K.MODIFY_IDENTITY: _not_asked,
    K.MODIFY_AUTOINCREMENT: _not_asked,
    K.MODIFY_TABLE_OPTIONS: _not_asked,
}
