"""The vocabulary of a difference: each kind of change, what it is of (its scope), and the
attributes of a column a change may be of."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from schemadiff.model.schema import (
    Column,
    ColumnType,
    Computed,
    Constraint,
    ForeignKey,
    Identity,
    Index,
    NamedEnum,
    Options,
    PrimaryKey,
    Sequence,
    Table,
    TableKey,
)


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
    RENAME_TABLE = "rename_table"
    RENAME_COLUMN = "rename_column"
    ADD_INDEX = "add_index"
    REMOVE_INDEX = "remove_index"
    ADD_CONSTRAINT = "add_constraint"
    REMOVE_CONSTRAINT = "remove_constraint"
    ADD_FK = "add_fk"
    REMOVE_FK = "remove_fk"
    ADD_ENUM = "add_enum"
    REMOVE_ENUM = "remove_enum"
    MODIFY_ENUM = "modify_enum"
    ADD_SEQUENCE = "add_sequence"
    REMOVE_SEQUENCE = "remove_sequence"
    MODIFY_SEQUENCE = "modify_sequence"
    MODIFY_COMPUTED = "modify_computed"
    MODIFY_IDENTITY = "modify_identity"
    MODIFY_AUTOINCREMENT = "modify_autoincrement"
    MODIFY_TABLE_OPTIONS = "modify_table_options"

    @property
    def scope(self) -> Scope:
        """What a change of this kind is of (``Change.scope`` tells an enum's values on a
        column from a named enum's)."""
        return _SCOPES[self]


class Scope(str, enum.Enum):
    """What a change is of."""

    STANDALONE = "standalone"
    """A named enum or a sequence: of no table."""
    TABLE = "table"
    """A table as a whole: added, dropped, renamed, its comment or options."""
    COLUMN = "column"
    """One column of a table: added, dropped, renamed, or one of its attributes."""
    MEMBER = "member"
    """An index, constraint, foreign key or the primary key of a table."""


_SCOPES = {
    **dict.fromkeys(
        (ChangeKind.ADD_ENUM, ChangeKind.REMOVE_ENUM, ChangeKind.MODIFY_ENUM),
        Scope.STANDALONE,
    ),
    **dict.fromkeys(
        (ChangeKind.ADD_SEQUENCE, ChangeKind.REMOVE_SEQUENCE, ChangeKind.MODIFY_SEQUENCE),
        Scope.STANDALONE,
    ),
    **dict.fromkeys(
        (
            ChangeKind.ADD_TABLE,
            ChangeKind.REMOVE_TABLE,
            ChangeKind.RENAME_TABLE,
            ChangeKind.MODIFY_TABLE_COMMENT,
            ChangeKind.MODIFY_TABLE_OPTIONS,
        ),
        Scope.TABLE,
    ),
    **dict.fromkeys(
        (
            ChangeKind.ADD_INDEX,
            ChangeKind.REMOVE_INDEX,
            ChangeKind.ADD_CONSTRAINT,
            ChangeKind.REMOVE_CONSTRAINT,
            ChangeKind.ADD_FK,
            ChangeKind.REMOVE_FK,
            ChangeKind.MODIFY_PRIMARY_KEY,
        ),
        Scope.MEMBER,
    ),
    **dict.fromkeys(
        (
            ChangeKind.ADD_COLUMN,
            ChangeKind.REMOVE_COLUMN,
            ChangeKind.RENAME_COLUMN,
            ChangeKind.MODIFY_TYPE,
            ChangeKind.MODIFY_NULLABLE,
            ChangeKind.MODIFY_DEFAULT,
            ChangeKind.MODIFY_COMMENT,
            ChangeKind.MODIFY_COMPUTED,
            ChangeKind.MODIFY_IDENTITY,
            ChangeKind.MODIFY_AUTOINCREMENT,
        ),
        Scope.COLUMN,
    ),
}


Value = (
    Table
    | Column
    | ColumnType
    | PrimaryKey
    | Index
    | Constraint
    | ForeignKey
    | NamedEnum
    | Sequence
    | Computed
    | Identity
    | tuple[str, ...]
    | Options
    | dict[str, str]
    | str
    | bool
    | None
)
"""What a change's ``old`` and ``new`` may hold."""


class Confidence(str, enum.Enum):
    """How a rename was found."""

    DECLARED = "declared"
    CONFIGURED = "configured"
    GUESSED = "guessed"


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    schema: str | None
    table: str | None
    """None for a named enum or a sequence: they belong to no table."""
    name: str | None
    """The column's name for column kinds, the table's for table kinds, the index's,
    constraint's, enum's or sequence's for theirs (None for an unnamed constraint)."""
    old: Value
    new: Value
    destructive: bool = False
    ddl_change: bool | None = None
    """For ``modify_type`` only: False when only the Python type changed."""
    constraint_type: str | None = None
    """For ``add_constraint``/``remove_constraint``: unique, check or exclude."""
    confidence: Confidence | None = None
    """For renames: how the rename was found."""

    @property
    def scope(self) -> Scope:
        """What the change is of: its kind's scope, but a column's for an enum's values
        changed on a column (a non-native ``Enum``, which has no type of its own)."""
        scope = self.kind.scope
        return Scope.COLUMN if scope is Scope.STANDALONE and self.table is not None else scope

    @property
    def python_only(self) -> bool:
        """A type change that leaves the DDL as it was: it needs no migration."""
        return self.kind is ChangeKind.MODIFY_TYPE and self.ddl_change is False

    @property
    def qualified_name(self) -> str:
        """``schema.name`` of what the change is of (its table's for a table or one of its
        columns or members; its own for a named enum or a sequence), or ``name``."""
        name = self.table if self.table is not None else self.name
        return f"{self.schema}.{name}" if self.schema else str(name)

    @property
    def table_key(self) -> TableKey:
        """The key of the change's table (``Table.key``); only for changes of a table."""
        assert self.table is not None
        return (self.schema or "", self.table)

    @property
    def renamed_from(self) -> str:
        """For renames: the old name."""
        assert isinstance(self.old, dict)
        return str(self.old["name"])


@dataclass(frozen=True, slots=True)
class Attribute:
    """An attribute of a column, as ``blame TABLE.COLUMN`` gives it a line: the changes of
    it, and (for those the diff reads off the column) how to read it."""

    name: str
    kinds: tuple[ChangeKind, ...]
    read: Callable[[Column], Value] | None = None


COLUMN_ATTRIBUTES = (
    Attribute("name", (ChangeKind.RENAME_COLUMN,)),
    Attribute(
        "type", (ChangeKind.MODIFY_TYPE, ChangeKind.MODIFY_ENUM)
    ),  # a non-native Enum's values
    Attribute("nullable", (ChangeKind.MODIFY_NULLABLE,), lambda c: c.nullable),
    Attribute("default", (ChangeKind.MODIFY_DEFAULT,), lambda c: c.server_default),
    Attribute("comment", (ChangeKind.MODIFY_COMMENT,), lambda c: c.comment),
    Attribute("computed", (ChangeKind.MODIFY_COMPUTED,), lambda c: c.computed),
    Attribute("identity", (ChangeKind.MODIFY_IDENTITY,), lambda c: c.identity),
    Attribute("autoincrement", (ChangeKind.MODIFY_AUTOINCREMENT,), lambda c: c.autoincrement),
)
"""Every attribute of a column a change may be of: each column-scoped kind but adding and
dropping is in exactly one."""
