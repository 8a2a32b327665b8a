"""``--format text``: changes grouped by table, ``+ - ~``, coloured only on a terminal.

Named enums and sequences come first, then each table with its changes indented. Type changes
that leave the DDL as it was come last, apart and dim: they need no migration.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from rich.console import Console
from rich.text import Text

from schemadiff.escape import printable
from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    Column,
    ColumnType,
    Computed,
    DiffResult,
    ExcludeConstraint,
    ForeignKey,
    Identity,
    Index,
    NamedEnum,
    PrimaryKey,
    SequenceOptions,
    Side,
    UniqueConstraint,
)
from schemadiff.model import (
    Sequence as SequenceRecord,
)

K = ChangeKind
_STYLE = {"+": "green", "-": "red", "~": "yellow"}


class _Console(Console):
    """Rich's console, except that a reader gone away is reported, not turned into exit 1
    (the CLI says 141 for it, as for every format)."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def console(stream: TextIO) -> Console:
    """Colour only on a terminal, and never with NO_COLOR (no bold either: plain text)."""
    plain = bool(os.environ.get("NO_COLOR"))
    return _Console(
        file=stream,
        highlight=False,
        soft_wrap=True,
        emoji=False,
        force_terminal=False if plain else None,
    )


def render(result: DiffResult, stream: TextIO) -> None:
    if not result.changes:
        return
    out = console(stream)
    for line in lines(result):
        out.print(line)


def lines(result: DiffResult) -> Iterator[Text]:
    yield Text(printable(f"--- {_side(result.old)}"), style="bold")
    yield Text(printable(f"+++ {_side(result.new)}"), style="bold")
    same_ddl = [c for c in result.changes if c.python_only]
    changes = [c for c in result.changes if not c.python_only]
    for (_, table), group in itertools.groupby(changes, key=lambda c: (c.schema or "", c.table)):
        members = list(group)
        yield from (_line(*_standalone(c)) for c in members) if table is None else _table(members)
    if same_ddl:
        yield Text("Python-only type changes (same DDL, no migration needed):", style="dim")
        for change in same_ddl:
            assert isinstance(change.old, ColumnType) and isinstance(change.new, ColumnType)
            where = f"{change.qualified_name}.{change.name}"
            line = f"    ~ {where}: {change.old.python} -> {change.new.python}"
            yield Text(printable(line), style="dim")


def describe(change: Change) -> tuple[str, str]:
    """The sign (``+``, ``-`` or ``~``) and the line the text format words any change with.

    A whole table is one line (``table users``): ``table_members`` lists what a new one holds.
    A type change that keeps the DDL is worded by its Python types.
    """
    if change.table is None:
        return _standalone(change)
    if change.kind in (K.ADD_TABLE, K.REMOVE_TABLE):
        return "+" if change.kind is K.ADD_TABLE else "-", f"table {change.qualified_name}"
    if change.python_only:
        assert isinstance(change.old, ColumnType) and isinstance(change.new, ColumnType)
        types = f"{change.old.python} -> {change.new.python}"
        return "~", f"column {change.name}: Python type {types} (same DDL)"
    return _DESCRIBE[change.kind](change)


def _side(side: Side) -> str:
    if side.reason:
        return f"{side.label} ({side.reason})"
    return f"{side.label} ({side.commit[:10]})" if side.commit else side.label


def _line(sign: str, text: str, indent: str = "") -> Text:
    return Text(printable(f"{indent}{sign} {text}"), style=_STYLE[sign])


# --- enums and sequences ----------------------------------------------------------------------


def _standalone(change: Change) -> tuple[str, str]:
    name = change.qualified_name
    if change.kind in (K.ADD_ENUM, K.REMOVE_ENUM):
        enum = change.new or change.old
        assert isinstance(enum, NamedEnum)
        sign = "+" if change.kind is K.ADD_ENUM else "-"
        return sign, f"enum {name} {_values(enum.values)}"
    if change.kind is K.MODIFY_ENUM:
        return "~", f"enum {name}: {_values(change.old)} -> {_values(change.new)}"
    sequence = change.new or change.old
    assert isinstance(sequence, SequenceRecord)
    if change.kind is K.MODIFY_SEQUENCE:
        assert isinstance(change.old, SequenceRecord)
        old, new = _sequence_options(change.old.options), _sequence_options(sequence.options)
        return "~", f"sequence {name}: {old} -> {new}"
    sign = "+" if change.kind is K.ADD_SEQUENCE else "-"
    return sign, f"sequence {name} {_sequence_options(sequence.options)}".rstrip()


def _values(values: object) -> str:
    return "(" + ", ".join(repr(v) for v in values) + ")" if isinstance(values, tuple) else "()"


def _sequence_options(options: SequenceOptions) -> str:
    given = {k: v for k, v in vars_of(options).items() if v is not None}
    return " ".join(f"{k.upper()} {v}" for k, v in given.items()) or "(defaults)"


def vars_of(record: object) -> dict[str, object]:
    return {name: getattr(record, name) for name in record.__slots__}  # type: ignore[attr-defined]


# --- tables -------------------------------------------------------------------------------------


def _table(changes: list[Change]) -> Iterator[Text]:
    first = changes[0]
    name = first.qualified_name
    if first.kind in (K.ADD_TABLE, K.REMOVE_TABLE):
        sign = "+" if first.kind is K.ADD_TABLE else "-"
        yield _line(sign, f"table {name}")
        if first.kind is K.ADD_TABLE:
            yield from _table_body(first.new, sign)
        return
    yield _line("~", f"table {name}")
    for change in changes:
        yield _line(*describe(change), "    ")


def _table_body(table: object, sign: str) -> Iterator[Text]:
    for text in table_members(table):
        yield _line(sign, text, "    ")


def table_members(table: object) -> Iterator[str]:
    """One line per column, index, constraint and foreign key of a table (a ``Table``)."""
    for column in getattr(table, "columns", ()):
        yield f"column {column.name} {describe_column(column)}"
    for index in getattr(table, "indexes", ()):
        yield _index(index)
    for attribute in ("unique_constraints", "check_constraints", "exclude_constraints"):
        for constraint in getattr(table, attribute, ()):
            yield _constraint(constraint)
    for fk in getattr(table, "foreign_keys", ()):
        yield _foreign_key(fk)


def describe_column(column: Column) -> str:
    parts: list[str] = [column.type.ddl or column.type.python]
    parts.append("NULL" if column.nullable else "NOT NULL")
    if column.server_default is not None:
        parts.append(f"DEFAULT {column.server_default}")
    if column.computed is not None:
        parts.append(computed_clause(column.computed))
    if column.identity is not None:
        parts.append(identity_clause(column.identity))
    if column.comment is not None:
        parts.append(f"-- {column.comment}")
    return " ".join(parts)


def computed_clause(computed: object) -> str:
    if not isinstance(computed, Computed):
        return "(not computed)"
    stored = {True: " STORED", False: " VIRTUAL", None: ""}[computed.persisted]
    return f"GENERATED ALWAYS AS ({computed.sqltext}){stored}"


def identity_clause(identity: object) -> str:
    if not isinstance(identity, Identity):
        return "(no identity)"
    kind = "ALWAYS" if identity.always else "BY DEFAULT"
    options = _sequence_options(identity.options)
    return f"GENERATED {kind} AS IDENTITY" + ("" if options == "(defaults)" else f" ({options})")


def _index(index: Index) -> str:
    unique = "UNIQUE " if index.unique else ""
    expressions = ", ".join(index.expressions)
    return f"{unique}index {index.name or '(unnamed)'} ({expressions}){_options(index.options)}"


def _constraint(constraint: object) -> str:
    if isinstance(constraint, UniqueConstraint):
        text = f"UNIQUE ({', '.join(constraint.columns)}){_options(constraint.options)}"
    elif isinstance(constraint, CheckConstraint):
        text = f"CHECK ({constraint.sqltext})"
    else:
        assert isinstance(constraint, ExcludeConstraint)
        elements = ", ".join(f"{e} WITH {op}" for e, op in constraint.elements)
        where = f" WHERE ({constraint.where})" if constraint.where else ""
        text = f"EXCLUDE USING {constraint.using} ({elements}){where}"
    return f"constraint {getattr(constraint, 'name', None) or '(unnamed)'} {text}"


def _foreign_key(fk: ForeignKey) -> str:
    target = (
        f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
    )
    columns, referred = ", ".join(fk.columns), ", ".join(fk.referred_columns)
    text = f"foreign key {fk.name or '(unnamed)'} ({columns}) -> {target} ({referred})"
    extras = {"MATCH": fk.match, "ON DELETE": fk.ondelete, "ON UPDATE": fk.onupdate}
    text += "".join(f" {k} {v}" for k, v in extras.items() if v)
    text += " DEFERRABLE" if fk.deferrable else ""
    return text + (f" INITIALLY {fk.initially}" if fk.initially else "")


def _options(options: Sequence[tuple[str, str]]) -> str:
    return "".join(f" {k}={v}" for k, v in options)


# --- one line per table change -------------------------------------------------------------------


def _column_line(change: Change) -> tuple[str, str]:
    column = change.new or change.old
    assert isinstance(column, Column)
    sign = "+" if change.kind is K.ADD_COLUMN else "-"
    return sign, f"column {change.name} {describe_column(column)}"


def _rename(change: Change) -> tuple[str, str]:
    old = change.old.get("name") if isinstance(change.old, dict) else None
    confidence = change.confidence.value if change.confidence else "declared"
    subject = "table" if change.kind is K.RENAME_TABLE else f"column {change.name}"
    return "~", f"{subject}: renamed from {old} ({confidence})"


def _modification(label: str, show: Callable[[object], str]) -> Callable[[Change], tuple[str, str]]:
    def describe(change: Change) -> tuple[str, str]:
        subject = "" if change.kind in _TABLE_LEVEL else f"column {change.name}: "
        return "~", f"{subject}{label} {show(change.old)} -> {show(change.new)}"

    return describe


def _type(change: Change) -> tuple[str, str]:
    old, new = change.old, change.new
    assert isinstance(old, ColumnType) and isinstance(new, ColumnType)
    before, after = (
        (old.ddl, new.ddl)
        if old.ddl and new.ddl
        else (old.ddl or old.python, new.ddl or new.python)
    )
    return "~", f"column {change.name}: type {before} -> {after}"


def _member(change: Change) -> tuple[str, str]:
    item = change.new if change.new is not None else change.old
    sign = "+" if change.kind in (K.ADD_INDEX, K.ADD_CONSTRAINT, K.ADD_FK) else "-"
    if isinstance(item, Index):
        return sign, _index(item)
    if isinstance(item, ForeignKey):
        return sign, _foreign_key(item)
    return sign, _constraint(item)


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


def _option_list(value: object) -> str:
    return _options(value).strip() or "(none)" if isinstance(value, tuple) else "(none)"


_TABLE_LEVEL = {K.MODIFY_TABLE_COMMENT, K.MODIFY_PRIMARY_KEY, K.MODIFY_TABLE_OPTIONS}

_DESCRIBE: dict[ChangeKind, Callable[[Change], tuple[str, str]]] = {
    K.ADD_COLUMN: _column_line,
    K.REMOVE_COLUMN: _column_line,
    K.RENAME_TABLE: _rename,
    K.RENAME_COLUMN: _rename,
    K.MODIFY_TYPE: _type,
    K.MODIFY_NULLABLE: _modification("nullable", _nullability),
    K.MODIFY_DEFAULT: _modification("server default", _sql),
    K.MODIFY_COMMENT: _modification("comment", _literal),
    K.MODIFY_TABLE_COMMENT: _modification("table comment", _literal),
    K.MODIFY_PRIMARY_KEY: _modification("primary key", _primary_key),
    K.MODIFY_TABLE_OPTIONS: _modification("table options", _option_list),
    K.MODIFY_COMPUTED: _modification("computed", computed_clause),
    K.MODIFY_IDENTITY: _modification("identity", identity_clause),
    K.MODIFY_AUTOINCREMENT: _modification("autoincrement", str),
    K.MODIFY_ENUM: _modification("enum values", _values),
    K.ADD_INDEX: _member,
    K.REMOVE_INDEX: _member,
    K.ADD_CONSTRAINT: _member,
    K.REMOVE_CONSTRAINT: _member,
    K.ADD_FK: _member,
    K.REMOVE_FK: _member,
}
