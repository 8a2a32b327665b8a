"""``--format text``: the changes grouped by table, ``+ - ~``, coloured only on a terminal."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import TextIO

from rich.console import Console
from rich.text import Text

from schemadiff.model import Change, ChangeKind, Column, ColumnType, DiffResult, PrimaryKey, Side

K = ChangeKind
_TABLE_KINDS = {K.ADD_TABLE: ("+", "green"), K.REMOVE_TABLE: ("-", "red")}


def render(result: DiffResult, stream: TextIO) -> None:
    if not result.changes:
        return
    plain = bool(os.environ.get("NO_COLOR"))  # no colour and no bold either: plain text
    console = Console(
        file=stream,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        force_terminal=False if plain else None,
    )
    for line in lines(result):
        console.print(line)


def lines(result: DiffResult) -> Iterator[Text]:
    yield Text(f"--- {_side(result.old)}", style="bold")
    yield Text(f"+++ {_side(result.new)}", style="bold")
    for _, group in itertools.groupby(result.changes, key=lambda c: (c.schema or "", c.table)):
        yield from _table(list(group))


def _side(side: Side) -> str:
    return f"{side.label} ({side.commit[:10]})" if side.commit else side.label


def _table(changes: list[Change]) -> Iterator[Text]:
    first = changes[0]
    name = f"{first.schema}.{first.table}" if first.schema else first.table
    if first.kind in _TABLE_KINDS:
        sign, style = _TABLE_KINDS[first.kind]
        yield Text(f"{sign} table {name}", style=style)
        table = first.new if first.kind is K.ADD_TABLE else None
        for column in getattr(table, "columns", ()):
            yield Text(f"    + column {column.name} {describe_column(column)}", style=style)
        return
    yield Text(f"~ table {name}", style="yellow")
    for change in changes:
        yield _change(change)


def _change(change: Change) -> Text:
    if change.kind is K.ADD_COLUMN:
        assert isinstance(change.new, Column)
        return Text(f"    + column {change.name} {describe_column(change.new)}", style="green")
    if change.kind is K.REMOVE_COLUMN:
        assert isinstance(change.old, Column)
        return Text(f"    - column {change.name} {describe_column(change.old)}", style="red")
    what, old, new = _modification(change)
    style = "dim" if change.ddl_change is False else "yellow"
    subject = "" if change.kind in _TABLE_LEVEL else f"column {change.name}: "
    return Text(f"    ~ {subject}{what} {old} -> {new}", style=style)


_TABLE_LEVEL = {K.MODIFY_TABLE_COMMENT, K.MODIFY_PRIMARY_KEY}


def _modification(change: Change) -> tuple[str, str, str]:
    if change.kind is K.MODIFY_TYPE:
        assert isinstance(change.old, ColumnType) and isinstance(change.new, ColumnType)
        return _type_change(change.old, change.new, bool(change.ddl_change))
    if change.kind is K.MODIFY_NULLABLE:
        return "nullable", _nullability(change.old), _nullability(change.new)
    if change.kind is K.MODIFY_PRIMARY_KEY:
        return "primary key", _primary_key(change.old), _primary_key(change.new)
    if change.kind is K.MODIFY_DEFAULT:
        return "server default", _sql(change.old), _sql(change.new)
    label = "table comment" if change.kind is K.MODIFY_TABLE_COMMENT else "comment"
    return label, _literal(change.old), _literal(change.new)


def _type_change(old: ColumnType, new: ColumnType, ddl_change: bool) -> tuple[str, str, str]:
    if not ddl_change:
        return "Python type (same DDL)", old.python, new.python
    if old.ddl and new.ddl:
        return "type", old.ddl, new.ddl
    return "type", old.ddl or old.python, new.ddl or new.python  # a dialect that cannot say


def describe_column(column: Column) -> str:
    parts: list[str] = [column.type.ddl or column.type.python]
    parts.append("NULL" if column.nullable else "NOT NULL")
    if column.server_default is not None:
        parts.append(f"DEFAULT {column.server_default}")
    if column.comment is not None:
        parts.append(f"-- {column.comment}")
    return " ".join(parts)


def _nullability(value: object) -> str:
    return "NULL" if value else "NOT NULL"


def _primary_key(value: object) -> str:
    if not isinstance(value, PrimaryKey):
        return "(none)"
    named = f" {value.name}" if value.name else ""
    return f"({', '.join(value.columns)}){named}"


def _literal(value: object) -> str:
    return "(none)" if value is None else repr(value)


def _sql(value: object) -> str:
    return "(none)" if value is None else str(value)
