"""The plain data that everything else passes around: frozen, comparable, no behaviour.

A ``Schema`` is what the models at one git ref declare; a ``Change`` is one difference
between two of them. JSON conversion lives in ``schemadiff.snapshot``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ColumnType:
    """A column type as both the Python rendering and the DDL the dialect emits."""

    python: str
    """``sa.String(length=50)``: what Alembic would write in a migration."""
    imports: tuple[str, ...]
    """The import statements ``python`` needs, sorted."""
    ddl: str | None
    """``VARCHAR(50)``; None when the dialect cannot compile the type."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool
    server_default: str | None
    """The DDL text after DEFAULT, exactly as the dialect emits it."""
    comment: str | None


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    schema: str | None
    name: str
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None
    comment: str | None

    @property
    def key(self) -> tuple[str, str]:
        """The sort and match key: schema ("" for the default) and name."""
        return (self.schema or "", self.name)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class Schema:
    """Every table the models declare, sorted by ``Table.key``."""

    dialect: str
    tables: tuple[Table, ...]


class ChangeKind(str, enum.Enum):
    """The kinds of change; the names follow Alembic's compare_metadata."""

    ADD_TABLE = "add_table"
    REMOVE_TABLE = "remove_table"
    ADD_COLUMN = "add_column"
    REMOVE_COLUMN = "remove_column"
    MODIFY_TYPE = "modify_type"
    MODIFY_NULLABLE = "modify_nullable"
    MODIFY_DEFAULT = "modify_default"
    MODIFY_COMMENT = "modify_comment"
    MODIFY_TABLE_COMMENT = "modify_table_comment"
    MODIFY_PRIMARY_KEY = "modify_primary_key"


Value = Table | Column | ColumnType | PrimaryKey | str | bool | None
"""What a change's ``old`` and ``new`` may hold."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    schema: str | None
    table: str
    name: str
    """The column's name for column kinds, the table's name for table kinds."""
    old: Value
    new: Value
    destructive: bool = False
    ddl_change: bool | None = None
    """For ``modify_type`` only: False when only the Python type changed."""


class Source(str, enum.Enum):
    """Where one side's schema came from."""

    GIT = "git"
    WORKTREE = "worktree"
    INDEX = "index"


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison, as the user named it and as it was resolved."""

    ref: str | None
    """What the user typed (``HEAD~1``); None for the working tree or the index."""
    commit: str | None
    """The full commit id; None for the working tree or the index."""
    source: Source

    @property
    def label(self) -> str:
        """How messages name this side."""
        if self.ref is not None:
            return self.ref
        return "the index" if self.source is Source.INDEX else "the working tree"


@dataclass(frozen=True, slots=True)
class DiffResult:
    old: Side
    new: Side
    dialect: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()
