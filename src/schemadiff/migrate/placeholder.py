"""A value that fits a column's type, for a NOT NULL column added to a table with rows.

Django asks for one when a migration adds a non-null field; a generated migration cannot ask,
so it takes the type's zero (0, '', false, the epoch, an empty JSON object, the nil UUID, the
first enum value) and says so in a comment. The value is SQL text for ``server_default``,
spelled as the dialect stores the type (SQLAlchemy's SQLite date/time formats).
"""

from __future__ import annotations

import re

from schemadiff.model import ColumnType

_NUMBERS = frozenset(
    {"INTEGER", "INT", "BIGINT", "SMALLINT", "NUMERIC", "DECIMAL", "FLOAT", "REAL", "DOUBLE"}
)
_STRINGS = frozenset(
    {"VARCHAR", "CHAR", "CHARACTER", "TEXT", "NVARCHAR", "NCHAR", "CLOB", "CITEXT"}
)
_BYTES = frozenset({"BYTEA", "BLOB", "BINARY", "VARBINARY"})
_ZEROS = {
    "sqlite": {
        "TIMESTAMP": "'1970-01-01 00:00:00.000000'",
        "DATETIME": "'1970-01-01 00:00:00.000000'",
        "DATE": "'1970-01-01'",
        "TIME": "'00:00:00.000000'",
        "BOOLEAN": "0",
        "UUID": "'00000000000000000000000000000000'",
        # no BYTES: SQLAlchemy puts X'' in parentheses, which SQLite's ADD COLUMN refuses
    },
    "postgresql": {
        "TIMESTAMP": "'1970-01-01 00:00:00'",
        "DATETIME": "'1970-01-01 00:00:00'",
        "DATE": "'1970-01-01'",
        "TIME": "'00:00:00'",
        "INTERVAL": "'00:00:00'",
        "BOOLEAN": "false",
        "UUID": "'00000000-0000-0000-0000-000000000000'",
        "BYTES": "''",
    },
}


def placeholder(recorded: ColumnType, dialect: str) -> str | None:
    """The SQL of a value of the type; None where the type is not known well enough."""
    if recorded.enum is not None and recorded.enum.values:
        return _literal(recorded.enum.values[0])
    kind = _kind(recorded)
    if kind in _NUMBERS:
        return "0"
    if kind in _STRINGS:
        return "''"
    if kind in {"JSON", "JSONB", "ARRAY"}:
        return "'{}'"  # an empty JSON object; PostgreSQL reads '{}' as an empty array too
    return _ZEROS.get(dialect, {}).get(kind)


def family(recorded: ColumnType) -> str:
    """What PostgreSQL converts within by itself: numbers, texts; otherwise the type."""
    if recorded.enum is not None and recorded.enum.named:
        return f"enum {recorded.enum.name}"
    kind = _kind(recorded)
    return "number" if kind in _NUMBERS else "text" if kind in _STRINGS else kind


def _kind(recorded: ColumnType) -> str:
    """The type's family, from its DDL (``VARCHAR(50)`` -> ``VARCHAR``)."""
    ddl = (recorded.ddl or "").upper()
    if recorded.python.startswith(("sa.Uuid", "sa.UUID")):
        return "UUID"  # CHAR(32) on SQLite, which no DDL tells apart from text
    if ddl.endswith("]"):
        return "ARRAY"
    word = re.match(r"[A-Z]*", ddl)
    base = word.group(0) if word else ""
    if base.startswith("TIMESTAMP"):
        return "TIMESTAMP"
    if base in {"BOOL", "BOOLEAN"}:
        return "BOOLEAN"
    if base in _BYTES:
        return "BYTES"
    return base


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
