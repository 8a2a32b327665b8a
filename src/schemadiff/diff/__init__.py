"""The pure comparison: (Schema, Schema) -> changes. No I/O, no formatting, no SQLAlchemy.

Tables are matched by (schema, name) and columns by name, after renames are found
(``schemadiff.diff.renames``): the old side is then translated to the new names, so a renamed
column is not also reported as a changed primary key, index or foreign key. Everything else is
compared with ``==`` on the frozen model; indexes, constraints and foreign keys as sets, a
changed one being a removal and an addition. The order is deterministic: named enums and
sequences, then tables by key; within a table, its rename and its own attributes, then its
columns in declaration order, then indexes, constraints and foreign keys.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from schemadiff.diff.align import align
from schemadiff.diff.renames import (
    Match,
    RenameRules,
    column_signature,
    configured_columns,
    configured_tables,
    match_names,
    table_signature,
)
from schemadiff.model import (
    COLUMN_ATTRIBUTES,
    Change,
    ChangeKind,
    Column,
    ColumnType,
    Constraint,
    ForeignKey,
    Index,
    NamedEnum,
    Schema,
    Table,
    TableKey,
    Value,
)
from schemadiff.model import Sequence as SequenceRecord

T = TypeVar("T")
KeyT = TypeVar("KeyT", bound=Hashable)

__all__ = [
    "Diff",
    "RenameRules",
    "Renamed",
    "align",
    "diff_schemas",
    "filter_schema",
    "translate",
    "without_python_only",
]

K = ChangeKind


@dataclass(frozen=True, slots=True)
class Diff:
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Pair:
    """A table on both sides (or one), with how the old one became the new one."""

    old: Table | None
    new: Table | None
    rename: Match | None = None
    columns: tuple[Match, ...] = ()

    @property
    def key(self) -> TableKey:
        table = self.new or self.old
        assert table is not None
        return table.key


def diff_schemas(old: Schema, new: Schema, rules: RenameRules | None = None) -> Diff:
    rules = rules or RenameRules()
    notes: list[str] = []
    pairs = _pair_tables(old, new, rules, notes)
    renamed = {
        p.old.key: (p.new.name, {m.old: m.new for m in p.columns})
        for p in pairs
        if p.old is not None and p.new is not None
    }
    changes = [*_diff_enums(old, new), *_diff_sequences(old, new)]
    for pair in sorted(pairs, key=lambda p: p.key):
        changes.extend(_diff_pair(pair, renamed))
    return Diff(tuple(changes), tuple(notes))


# --- matching -------------------------------------------------------------------------------


def _pair_tables(old: Schema, new: Schema, rules: RenameRules, notes: list[str]) -> list[_Pair]:
    old_tables = {t.qualified_name: t for t in old.tables}
    new_tables = {t.qualified_name: t for t in new.tables}
    matching = match_names(
        [t for n, t in old_tables.items() if n not in new_tables],
        [t for n, t in new_tables.items() if n not in old_tables],
        name=lambda t: t.qualified_name,
        declared=_declared_table,
        configured=configured_tables(rules.configured),
        signatures=(table_signature, table_signature) if rules.guess else None,
    )
    notes.extend(f"table {n}" for n in matching.notes)
    renames = {m.new: m for m in matching.renames}
    old_for_new = {m.new: old_tables[m.old] for m in matching.renames}
    old_for_new.update({n: old_tables[n] for n in new_tables if n in old_tables})
    moved = {old_tables[m.old].key: new_tables[m.new].name for m in matching.renames}
    pairs = [
        _pair_columns(old_for_new.get(n), t, renames.get(n), rules=rules, notes=notes, moved=moved)
        for n, t in new_tables.items()
    ]
    taken = {p.old.qualified_name for p in pairs if p.old is not None}
    pairs += [_Pair(t, None) for n, t in old_tables.items() if n not in taken]
    return pairs


def _retarget(table: Table, moved: Mapping[TableKey, str]) -> Table:
    """The table with its foreign keys pointing at the new names of renamed tables."""

    def target(fk: ForeignKey) -> ForeignKey:
        renamed = moved.get((fk.referred_schema or "", fk.referred_table))
        return fk if renamed is None else replace(fk, referred_table=renamed)

    return replace(table, foreign_keys=tuple(target(f) for f in table.foreign_keys))


def _declared_table(table: Table) -> str | None:
    if table.renamed_from is None:
        return None
    return f"{table.schema}.{table.renamed_from}" if table.schema else table.renamed_from


def _pair_columns(
    old: Table | None,
    new: Table,
    rename: Match | None,
    *,
    rules: RenameRules,
    notes: list[str],
    moved: Mapping[tuple[str, str], str],
) -> _Pair:
    if old is None:
        return _Pair(None, new)
    retargeted = _retarget(old, moved)
    old_names = {c.name for c in old.columns}
    new_names = {c.name for c in new.columns}
    matching = match_names(
        [c for c in old.columns if c.name not in new_names],
        [c for c in new.columns if c.name not in old_names],
        name=lambda c: c.name,
        declared=lambda c: c.renamed_from,
        configured=configured_columns(rules.configured, new.name),
        signatures=(column_signature(retargeted), column_signature(new)) if rules.guess else None,
    )
    notes.extend(f"column {new.qualified_name}: {n}" for n in matching.notes)
    return _Pair(old, new, rename, tuple(matching.renames))


# --- comparing --------------------------------------------------------------------------------


def differences(
    before: Mapping[KeyT, T],
    after: Mapping[KeyT, T],
    order: Sequence[KeyT] | None = None,
) -> Iterator[tuple[T | None, T | None]]:
    """What differs between two keyed collections: ``(old, None)`` for a key only
    ``before`` has, ``(None, new)`` for one only ``after`` has, ``(old, new)`` for one whose
    items differ. In ``order`` when given, else the keys gone (in ``before``'s order), then
    ``after``'s. The one loop of the table members, columns, named enums and sequences."""
    keys = [*(k for k in before if k not in after), *after] if order is None else order
    for key in keys:
        was, now = before.get(key), after.get(key)
        if was != now:
            yield was, now


def _diff_pair(pair: _Pair, renamed: Renamed) -> Iterator[Change]:
    old, new = pair.old, pair.new
    if old is None:
        assert new is not None
        yield Change(K.ADD_TABLE, new.schema, new.name, new.name, None, new)
        return
    if new is None:
        yield Change(K.REMOVE_TABLE, old.schema, old.name, old.name, old, None, destructive=True)
        return
    if pair.rename is not None:
        yield _rename(K.RENAME_TABLE, new, new.name, pair.rename)
    for match in pair.columns:
        yield _rename(K.RENAME_COLUMN, new, match.new, match)
    translated = translate(old, new.name, {m.old: m.new for m in pair.columns}, renamed)
    if translated != new:
        yield from _diff_table(translated, new)


def _rename(kind: ChangeKind, table: Table, name: str, match: Match) -> Change:
    return Change(
        kind,
        table.schema,
        table.name,
        name,
        {"name": match.old.rpartition(".")[2]},
        {"name": match.new.rpartition(".")[2]},
        confidence=match.confidence,
    )


Renamed = Mapping[tuple[str, str], tuple[str, Mapping[str, str]]]
"""Old table key -> the table's new name and its columns' new names (old -> new)."""


def translate(old: Table, name: str, columns: Mapping[str, str], renamed: Renamed) -> Table:
    """The old table as it reads under the new names of itself, its columns and its targets."""

    def col(names: Sequence[str]) -> tuple[str, ...]:
        return tuple(columns.get(n, n) for n in names)

    def fk_target(fk: ForeignKey) -> ForeignKey:
        fk = replace(fk, columns=col(fk.columns))
        target = renamed.get((fk.referred_schema or "", fk.referred_table))
        if target is None:
            return fk
        new_name, mapping = target
        referred = tuple(mapping.get(c, c) for c in fk.referred_columns)
        return replace(fk, referred_table=new_name, referred_columns=referred)

    return replace(
        old,
        name=name,
        columns=tuple(replace(c, name=columns.get(c.name, c.name)) for c in old.columns),
        primary_key=old.primary_key
        and replace(old.primary_key, columns=col(old.primary_key.columns)),
        indexes=tuple(replace(i, expressions=col(i.expressions)) for i in old.indexes),
        unique_constraints=tuple(
            replace(u, columns=col(u.columns)) for u in old.unique_constraints
        ),
        foreign_keys=tuple(fk_target(f) for f in old.foreign_keys),
    )


def _diff_table(old: Table, new: Table) -> Iterator[Change]:
    def change(kind: ChangeKind, before: Value, after: Value) -> Change:
        return Change(kind, new.schema, new.name, new.name, before, after)

    if old.options != new.options:
        yield change(K.MODIFY_TABLE_OPTIONS, old.options, new.options)
    if old.comment != new.comment:
        yield change(K.MODIFY_TABLE_COMMENT, old.comment, new.comment)
    if old.primary_key != new.primary_key:
        yield change(K.MODIFY_PRIMARY_KEY, old.primary_key, new.primary_key)
    yield from _diff_columns(old, new)
    yield from _diff_set(new, old.indexes, new.indexes, remove=K.REMOVE_INDEX, add=K.ADD_INDEX)
    for kind, attribute in _CONSTRAINTS:
        before, after = getattr(old, attribute), getattr(new, attribute)
        yield from _diff_set(
            new,
            before,
            after,
            remove=K.REMOVE_CONSTRAINT,
            add=K.ADD_CONSTRAINT,
            constraint_type=kind,
        )
    yield from _diff_set(new, old.foreign_keys, new.foreign_keys, remove=K.REMOVE_FK, add=K.ADD_FK)


_CONSTRAINTS = (
    ("unique", "unique_constraints"),
    ("check", "check_constraints"),
    ("exclude", "exclude_constraints"),
)


Member = Index | Constraint | ForeignKey


def _diff_set(
    table: Table,
    old: Sequence[Member],
    new: Sequence[Member],
    *,
    remove: ChangeKind,
    add: ChangeKind,
    constraint_type: str | None = None,
) -> Iterator[Change]:
    def change(
        kind: ChangeKind, item: Member, before: Member | None, after: Member | None
    ) -> Change:
        return Change(
            kind,
            table.schema,
            table.name,
            item.name,
            before,
            after,
            constraint_type=constraint_type,
        )

    for was, now in differences({i: i for i in old}, {i: i for i in new}):
        item = now or was
        assert item is not None
        yield change(add if was is None else remove, item, was, now)


def _diff_columns(old: Table, new: Table) -> Iterator[Change]:
    before = {c.name: c for c in old.columns}
    after = {c.name: c for c in new.columns}
    for was, now in differences(before, after):
        if now is None:
            assert was is not None
            yield Change(
                K.REMOVE_COLUMN, new.schema, new.name, was.name, was, None, destructive=True
            )
        elif was is None:
            yield Change(K.ADD_COLUMN, new.schema, new.name, now.name, None, now)
        else:
            yield from _diff_column(new, was, now)


def _diff_column(table: Table, old: Column, new: Column) -> Iterator[Change]:
    def change(kind: ChangeKind, before: Value, after: Value) -> Change:
        return Change(kind, table.schema, table.name, new.name, before, after)

    if _type_key(old.type) != _type_key(new.type):
        unknown = old.type.ddl is None or new.type.ddl is None  # cannot prove the DDL is equal
        ddl_change = unknown or old.type.ddl != new.type.ddl
        yield replace(change(K.MODIFY_TYPE, old.type, new.type), ddl_change=ddl_change)
    old_values, new_values = _column_enum_values(old.type), _column_enum_values(new.type)
    if old_values is not None and new_values is not None and old_values != new_values:
        modify = change(K.MODIFY_ENUM, old_values, new_values)
        yield replace(modify, destructive=_drops(old_values, new_values))
    for attribute in COLUMN_ATTRIBUTES:
        read = attribute.read
        if read is not None and read(old) != read(new):
            yield change(attribute.kinds[0], read(old), read(new))


def _type_key(column_type: ColumnType) -> object:
    """What a type change is judged by; an enum's values are compared on their own."""
    enum = column_type.enum
    if enum is None:
        return (column_type.ddl, column_type.python)
    return (column_type.ddl, replace(enum, values=()), column_type.python.partition("(")[0])


def _column_enum_values(column_type: ColumnType) -> tuple[str, ...] | None:
    enum = column_type.enum
    return None if enum is None or enum.named else enum.values


def _drops(old: Sequence[str], new: Sequence[str]) -> bool:
    return bool(set(old) - set(new))


# --- named enums and sequences -----------------------------------------------------------------


Standalone = NamedEnum | SequenceRecord


def _diff_enums(old: Schema, new: Schema) -> Iterator[Change]:
    kinds = (K.ADD_ENUM, K.REMOVE_ENUM, K.MODIFY_ENUM)
    return _diff_standalone(old.enums, new.enums, kinds, _enum_values, _drops)


def _diff_sequences(old: Schema, new: Schema) -> Iterator[Change]:
    kinds = (K.ADD_SEQUENCE, K.REMOVE_SEQUENCE, K.MODIFY_SEQUENCE)
    return _diff_standalone(old.sequences, new.sequences, kinds, lambda s: s, lambda a, b: False)


def _enum_values(item: Standalone) -> tuple[str, ...]:
    assert isinstance(item, NamedEnum)
    return item.values


def _diff_standalone(
    old: Sequence[Standalone],
    new: Sequence[Standalone],
    kinds: tuple[ChangeKind, ChangeKind, ChangeKind],
    state: Callable[[Standalone], Value],
    drops: Callable[[Any, Any], bool],
) -> Iterator[Change]:
    """Objects of no table, matched by (schema, name): added, removed, or their ``state``
    changed (``drops`` says whether that change can lose data)."""
    add, remove, modify = kinds
    before = {i.key: i for i in old}
    after = {i.key: i for i in new}
    for was, now in differences(before, after, sorted(before.keys() | after.keys())):
        if was is None:
            assert now is not None
            yield Change(add, now.schema, None, now.name, None, now)
        elif now is None:
            yield Change(remove, was.schema, None, was.name, was, None, destructive=True)
        elif state(was) != state(now):
            lost = drops(state(was), state(now))
            yield Change(modify, now.schema, None, now.name, state(was), state(now), lost)


# --- filters ------------------------------------------------------------------------------------


def without_python_only(changes: Sequence[Change]) -> tuple[Change, ...]:
    """``--ignore-python-only``: drop type changes that leave the DDL as it was."""
    return tuple(c for c in changes if not c.python_only)


def filter_schema(
    schema: Schema, include_schemas: Sequence[str], exclude_tables: Sequence[str]
) -> Schema:
    """Keep the tables whose schema matches an include glob and whose name no exclude glob.

    The default schema is spelled ``""`` for ``include_schemas``; exclude globs match the
    table's name and its schema-qualified name. Named enums go with the tables that use
    them; sequences follow the schema globs.
    """
    kept = tuple(
        t
        for t in schema.tables
        if _included(t.schema, include_schemas) and not _excluded(t, exclude_tables)
    )
    used = {
        (c.type.enum.schema or "", c.type.enum.name)
        for t in kept
        for c in t.columns
        if c.type.enum is not None and c.type.enum.named
    }
    enums = tuple(e for e in schema.enums if e.key in used)
    sequences = tuple(s for s in schema.sequences if _included(s.schema, include_schemas))
    return Schema(schema.dialect, kept, enums, sequences)


def _included(schema: str | None, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(schema or "", g) for g in globs)


def _excluded(table: Table, globs: Sequence[str]) -> bool:
    names = (table.name, table.qualified_name)
    return any(fnmatch.fnmatchcase(n, g) for n in names for g in globs)
