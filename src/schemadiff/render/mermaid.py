"""The Mermaid ``erDiagram`` of a diff: the changed tables and their neighbours, changes marked.

What the pull-request comment (``render/markdown.py``) shows in a ```` ```mermaid ```` block.
A changed table shows its columns (a dropped one too) with the change as the attribute's
comment; a new, dropped or renamed table has a first row that says so; an unchanged neighbour
shows only its key columns. Foreign keys are the relationships: dashed when dropped.

Only a conservative part of the grammar is written, one that Mermaid 10 and 11 both parse: every
name is reduced to the characters the grammar takes for it, quotes and backticks are kept out of
comments and labels. ``tests/mermaid/check.mjs`` parses what this writes with the real parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from schemadiff.escape import printable
from schemadiff.model import (
    Change,
    ChangeKind,
    Column,
    ColumnType,
    DiffResult,
    ForeignKey,
    Index,
    Scope,
    Table,
    TableKey,
    UniqueConstraint,
)

K = ChangeKind
"""A table's schema ("" for the default) and name."""

MAX_ENTITIES = 30
"""Past this a diagram is unreadable: the first tables (changed ones first) are drawn."""
MAX_ATTRIBUTES = 20
"""Rows of one table; changed and key columns are kept first."""
MAX_COMMENT = 80

_RESERVED = {
    # Keywords and cardinality words of the erDiagram grammar that a bare name would lex as.
    *("erdiagram", "style", "classdef", "class", "subgraph", "end", "direction", "acctitle"),
    *("accdescr", "one", "many", "only", "zero", "optionally", "to", "u", "o", "pk", "fk", "uk"),
}


@dataclass(frozen=True, slots=True)
class Diagram:
    text: str
    """The ``erDiagram`` source, without the Markdown fence."""
    shown: int
    """Tables drawn."""
    total: int
    """Tables that would be drawn without ``MAX_ENTITIES``."""
    neighbours: bool = False
    """Whether unchanged tables are drawn (with their key columns only)."""
    dropped_keys: bool = False
    """Whether a dropped foreign key is drawn (a dashed line)."""


@dataclass(slots=True)
class _Entity:
    """One table as drawn: what it is now (or was, when dropped) and what happened to it."""

    key: TableKey
    table: Table | None
    state: str | None = None
    """"added", "dropped" or "renamed"; None when changed inside or unchanged."""
    renamed_from: str | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Column name -> what changed about it."""
    dropped_columns: list[Column] = field(default_factory=list)
    dropped_fks: list[ForeignKey] = field(default_factory=list)
    added_fks: list[ForeignKey] = field(default_factory=list)
    neighbour: bool = False


def diagram(result: DiffResult, max_entities: int = MAX_ENTITIES) -> Diagram | None:
    """The diagram of the tables the changes touch, or None when they touch none."""
    entities = _entities(result)
    if not any(not e.neighbour for e in entities.values()):
        return None
    shown = dict(list(entities.items())[:max_entities])
    names = _Names()
    for key in shown:
        names.entity(key)
    lines = ["erDiagram"]
    for entity in shown.values():
        lines.extend(_entity_lines(entity, names))
    relationships = list(_relationships(shown, names))
    lines.extend(relationships)
    return Diagram(
        "\n".join(lines) + "\n",
        len(shown),
        len(entities),
        neighbours=any(e.neighbour and e.table is not None for e in shown.values()),
        dropped_keys=any(re.search(r" \|[|o]\.\.o\{ ", line) for line in relationships),
    )


# --- which tables, and what happened to them --------------------------------------------------


def _entities(result: DiffResult) -> dict[TableKey, _Entity]:
    old_tables, new_tables = _tables(result)
    entities: dict[TableKey, _Entity] = {}
    for change in result.changes:
        if change.table is None or change.python_only:
            continue
        key = (change.schema or "", change.table)
        if key not in entities:
            entities[key] = _Entity(key, new_tables.get(key) or old_tables.get(key))
        _mark(entities[key], change)
    renamed = {_old_key(e): e.key for e in entities.values() if e.renamed_from is not None}
    for entity in entities.values():  # a dropped table's keys point at the old names
        if entity.state == "dropped" and entity.table is not None:
            entity.dropped_fks = [_renamed(fk, renamed) for fk in entity.table.foreign_keys]
    for table in result.related:
        entities.setdefault(table.key, _Entity(table.key, table, neighbour=True))
    for key in list(_referred(entities.values())):  # a table only referred to: an empty box
        entities.setdefault(key, _Entity(key, None, neighbour=True))
    return entities


def _tables(result: DiffResult) -> tuple[dict[TableKey, Table], dict[TableKey, Table]]:
    """Both sides' changed tables; without the schemas, what the changes themselves carry."""
    if result.schemas is not None:
        old, new = result.schemas
        return {t.key: t for t in old.tables}, {t.key: t for t in new.tables}
    carried = [c.new if c.new is not None else c.old for c in result.changes]
    tables = {t.key: t for t in carried if isinstance(t, Table)}
    return tables, tables


def _mark(entity: _Entity, change: Change) -> None:
    kind = change.kind
    if kind in (K.ADD_TABLE, K.REMOVE_TABLE):
        entity.state = "added" if kind is K.ADD_TABLE else "dropped"
        if isinstance(change.old, Table) and kind is K.REMOVE_TABLE:
            entity.table = change.old
    elif kind is K.RENAME_TABLE:
        entity.state = "renamed"
        entity.renamed_from = _old_name(change)
    elif change.scope is Scope.COLUMN and change.name is not None:
        entity.notes.setdefault(change.name, []).append(_column_note(change))
        if kind is K.REMOVE_COLUMN and isinstance(change.old, Column):
            entity.dropped_columns.append(change.old)
    elif isinstance(change.new or change.old, ForeignKey):
        fk = change.new or change.old
        assert isinstance(fk, ForeignKey)
        (entity.added_fks if kind is K.ADD_FK else entity.dropped_fks).append(fk)
    else:
        _mark_members(entity, change)


def _mark_members(entity: _Entity, change: Change) -> None:
    """An index or unique constraint added or dropped: noted on the columns it covers."""
    item = change.new if change.new is not None else change.old
    done = "added" if change.kind in (K.ADD_INDEX, K.ADD_CONSTRAINT) else "dropped"
    if isinstance(item, Index):
        what = "unique index" if item.unique else "index"
        columns: Iterable[str] = item.expressions
    elif isinstance(item, UniqueConstraint):
        what, columns = "unique", item.columns
    else:
        return
    for column in columns:
        entity.notes.setdefault(column, []).append(f"{what} {done}")


def _column_note(change: Change) -> str:
    kind, old, new = change.kind, change.old, change.new
    if kind in (K.ADD_COLUMN, K.REMOVE_COLUMN):
        return "added" if kind is K.ADD_COLUMN else "dropped"
    if kind is K.RENAME_COLUMN:
        return f"renamed from {_old_name(change)}"
    words = _NOTES.get(kind)
    return words(old, new) if words else f"{kind.value.removeprefix('modify_')} changed"


def _type_text(value: object) -> str:
    return (value.ddl or value.python) if isinstance(value, ColumnType) else _text(value)


def _values(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, tuple) else _text(value)


_NOTES: dict[ChangeKind, Callable[[object, object], str]] = {
    K.MODIFY_TYPE: lambda old, new: f"type {_type_text(old)} → {_type_text(new)}",
    K.MODIFY_NULLABLE: lambda old, new: "NULL → NOT NULL" if old else "NOT NULL → NULL",
    K.MODIFY_DEFAULT: lambda old, new: f"default {_text(old)} → {_text(new)}",
    K.MODIFY_ENUM: lambda old, new: f"values {_values(old)} → {_values(new)}",
}
"""A column's change as its note says it, for the kinds that say more than "changed"."""


def _text(value: object) -> str:
    return "none" if value is None else str(value)


def _old_name(change: Change) -> str:
    return str(change.old.get("name")) if isinstance(change.old, dict) else "?"


def _old_key(entity: _Entity) -> TableKey:
    return (entity.key[0], entity.renamed_from or "")


def _renamed(fk: ForeignKey, renamed: dict[TableKey, TableKey]) -> ForeignKey:
    key = renamed.get((fk.referred_schema or "", fk.referred_table))
    if key is None:
        return fk
    return ForeignKey(fk.name, fk.columns, key[0] or None, key[1], fk.referred_columns)


def _referred(entities: Iterable[_Entity]) -> Iterator[TableKey]:
    """The tables the changed ones refer to (a neighbour's own references are not followed)."""
    for entity in entities:
        for fk in [] if entity.neighbour else _foreign_keys(entity):
            yield (fk.referred_schema or "", fk.referred_table)


def _foreign_keys(entity: _Entity) -> list[ForeignKey]:
    """Every key drawn from this table: those it has (none when dropped), then dropped ones."""
    if entity.state == "dropped" or entity.table is None:
        return list(entity.dropped_fks)
    return [*entity.table.foreign_keys, *entity.dropped_fks]


# --- writing it ---------------------------------------------------------------------------------


class _Names:
    """Mermaid identifiers for tables: only word characters, never a keyword, never twice."""

    def __init__(self) -> None:
        self._given: dict[TableKey, str] = {}
        self._taken: set[str] = set()

    def entity(self, key: TableKey) -> str:
        if key not in self._given:
            base = identifier("_".join(part for part in key if part))
            name, n = base, 1
            while name.lower() in self._taken:
                n += 1
                name = f"{base}_{n}"
            self._taken.add(name.lower())
            self._given[key] = name
        return self._given[key]

    def known(self, key: TableKey) -> bool:
        return key in self._given


def identifier(text: str) -> str:
    """A name as Mermaid takes it for an entity or an attribute: ``[A-Za-z_][A-Za-z0-9_]*``."""
    word = re.sub(r"[^A-Za-z0-9_]+", "_", text)  # a run of others: one underscore
    if not text.startswith("_"):
        word = word.lstrip("_")
    if not text.endswith("_"):
        word = word.rstrip("_")
    word = word or "_"
    if word[0].isdigit():
        word = f"_{word}"
    return f"{word}_" if word.lower() in _RESERVED else word


def type_word(text: str) -> str:
    """A column type as Mermaid takes it: ``VARCHAR(50)``, ``INTEGER[]``, ``NUMERIC(10_2)``."""
    word = re.sub(r"[^A-Za-z0-9_()\[\]]+", "_", text.strip()).strip("_") or "type"
    if not (word[0].isalpha() or word[0] == "_"):
        word = f"t_{word}"
    return f"{word}_" if word.lower() in _RESERVED else word


def quoted(text: str, limit: int = MAX_COMMENT) -> str:
    """A comment or label: one line, no double quote (it ends the string), no backtick (it could
    end the Markdown fence), no angle brackets (Mermaid reads its labels as HTML)."""
    flat = printable(" ".join(text.split()))
    flat = flat.replace('"', "'").replace("`", "'").replace("<", "\u2039").replace(">", "\u203a")
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f'"{flat}"'


def _entity_lines(entity: _Entity, names: _Names) -> Iterator[str]:
    rows = list(_rows(entity))
    if not rows:
        return
    yield f"  {names.entity(entity.key)} {{"
    yield from (f"    {row}" for row in rows)
    yield "  }"


def _rows(entity: _Entity) -> Iterator[str]:
    if entity.state is not None:
        detail = f" {quoted(f'from {entity.renamed_from}')}" if entity.renamed_from else ""
        yield f"table {entity.state.upper()}{detail}"
    table = entity.table
    if table is None:  # no schemas to draw from: the changed columns by name
        noted = list(entity.notes.items())
        shown = noted if len(noted) <= MAX_ATTRIBUTES else noted[: MAX_ATTRIBUTES - 1]
        for name, notes in shown:
            yield f"column {identifier(name)} {quoted('; '.join(_merged(notes)))}"
        if len(shown) < len(noted):
            yield f"more columns {quoted(f'{len(noted) - len(shown)} more changed, not shown')}"
        return
    columns = [*table.columns]
    if entity.state != "dropped":  # dropped columns after the ones that stay
        present = {column.name for column in columns}
        columns += [column for column in entity.dropped_columns if column.name not in present]
    keys = _keys(table)
    chosen = _chosen(entity, columns, keys)
    for column in columns:
        if column.name in chosen:
            yield _attribute(column, keys.get(column.name, ()), entity.notes.get(column.name, ()))
    left = len(columns) - len(chosen)
    if left and not entity.neighbour:
        yield f"more columns {quoted(f'{left} unchanged, not shown')}"


def _chosen(entity: _Entity, columns: list[Column], keys: dict[str, list[str]]) -> set[str]:
    """The columns drawn: a neighbour's keys; else changed ones, keys, then the rest in order."""
    if entity.neighbour:
        return {c.name for c in columns if c.name in keys}
    ranked = sorted(columns, key=lambda c: (c.name not in entity.notes, c.name not in keys, c.name))
    limit = len(columns) if len(columns) <= MAX_ATTRIBUTES else MAX_ATTRIBUTES - 1
    return {c.name for c in ranked[:limit]}


def _keys(table: Table) -> dict[str, list[str]]:
    """PK, FK and UK by column: what the table has (a dropped foreign key makes no FK)."""
    keys: dict[str, list[str]] = {}
    for name in table.primary_key.columns if table.primary_key else ():
        keys.setdefault(name, []).append("PK")
    for name in {name for fk in table.foreign_keys for name in fk.columns}:
        keys.setdefault(name, []).append("FK")
    unique = [u.columns for u in table.unique_constraints]
    unique += [i.expressions for i in table.indexes if i.unique]
    for name in {cols[0] for cols in unique if len(cols) == 1}:
        if "PK" not in keys.get(name, ()):
            keys.setdefault(name, []).append("UK")
    return keys


def _attribute(column: Column, keys: Iterable[str], notes: Iterable[str]) -> str:
    parts = [type_word(column.type.ddl or column.type.python), identifier(column.name)]
    if keys:
        parts.append(", ".join(keys))
    comment = "; ".join(_merged(notes))
    if comment:
        parts.append(quoted(comment))
    return " ".join(parts)


def _merged(notes: Iterable[str]) -> list[str]:
    """Each note once; an index both dropped and added (renamed, say) as "index replaced"."""
    unique = list(dict.fromkeys(notes))
    for what in ("unique index", "index", "unique"):
        if f"{what} added" in unique and f"{what} dropped" in unique:
            unique.remove(f"{what} dropped")
            unique[unique.index(f"{what} added")] = f"{what} replaced"
    return unique


def _relationships(shown: dict[TableKey, _Entity], names: _Names) -> Iterator[str]:
    seen: set[str] = set()
    for entity in shown.values():
        if entity.table is None and not entity.dropped_fks:
            continue
        for fk in _foreign_keys(entity):
            target = (fk.referred_schema or "", fk.referred_table)
            if not names.known(target):
                continue
            line = _relationship(entity, fk, names.entity(target), names.entity(entity.key))
            if line not in seen:
                seen.add(line)
                yield line


def _relationship(entity: _Entity, fk: ForeignKey, parent: str, child: str) -> str:
    dropped = entity.state == "dropped" or fk in entity.dropped_fks
    added = entity.state == "added" or fk in entity.added_fks
    label = ", ".join(fk.columns) + (" (dropped)" if dropped else " (added)" if added else "")
    optional = entity.table is not None and all(
        c.nullable for c in entity.table.columns if c.name in fk.columns
    )
    one = "|o" if optional else "||"
    line = ".." if dropped else "--"
    return f"  {parent} {one}{line}o{{ {child} : {quoted(label)}"
