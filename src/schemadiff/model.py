"""The plain data that everything else passes around: frozen, comparable, no behaviour.

A ``Schema`` is what the models at one git ref declare; a ``Change`` is one difference
between two of them. JSON conversion lives in ``schemadiff.snapshot``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Options = tuple[tuple[str, str], ...]
"""Dialect keyword options (``postgresql_using``...) with their values as text, sorted."""


@dataclass(frozen=True, slots=True)
class EnumType:
    """The values of an Enum type; ``named`` when the dialect creates it as its own type."""

    name: str | None
    schema: str | None
    values: tuple[str, ...]
    named: bool = False


@dataclass(frozen=True, slots=True)
class ColumnType:
    """A column type as both the Python rendering and the DDL the dialect emits."""

    python: str
    """``sa.String(length=50)``: what Alembic would write in a migration."""
    imports: tuple[str, ...]
    """The import statements ``python`` needs, sorted."""
    ddl: str | None
    """``VARCHAR(50)``; None when the dialect cannot compile the type."""
    enum: EnumType | None = None


@dataclass(frozen=True, slots=True)
class SequenceOptions:
    """What ``Sequence`` and ``Identity`` share; None means "the database's default"."""

    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    nominvalue: bool | None = None
    nomaxvalue: bool | None = None
    cycle: bool | None = None
    cache: int | None = None
    order: bool | None = None


@dataclass(frozen=True, slots=True)
class Computed:
    sqltext: str
    persisted: bool | None


@dataclass(frozen=True, slots=True)
class Identity:
    always: bool
    on_null: bool | None
    options: SequenceOptions


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool
    server_default: str | None
    """The DDL text after DEFAULT, exactly as the dialect emits it."""
    comment: str | None
    computed: Computed | None = None
    identity: Identity | None = None
    autoincrement: bool = False
    """Whether this is the table's autoincrement column (SERIAL, AUTO_INCREMENT...)."""
    renamed_from: str | None = field(default=None, compare=False)
    """``info={"renamed_from": ...}``: a hint for the diff, not part of the schema."""


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    name: str | None
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    name: str | None
    expressions: tuple[str, ...]
    """Column names, or the compiled text of an expression."""
    unique: bool
    options: Options = ()


@dataclass(frozen=True, slots=True)
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]
    options: Options = ()
    """``deferrable``, ``initially`` and dialect options."""


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    referred_schema: str | None
    referred_table: str
    referred_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None
    deferrable: bool | None = None
    initially: str | None = None
    match: str | None = None


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    name: str | None
    sqltext: str


@dataclass(frozen=True, slots=True)
class ExcludeConstraint:
    name: str | None
    elements: tuple[tuple[str, str], ...]
    """(expression, operator) pairs."""
    using: str
    where: str | None


@dataclass(frozen=True, slots=True)
class Table:
    schema: str | None
    name: str
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None
    comment: str | None
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    check_constraints: tuple[CheckConstraint, ...] = ()
    exclude_constraints: tuple[ExcludeConstraint, ...] = ()
    options: Options = ()
    """Table-level dialect options (``mysql_engine``...)."""
    renamed_from: str | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """The sort and match key: schema ("" for the default) and name."""
        return (self.schema or "", self.name)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class NamedEnum:
    """An enum the dialect creates as a type of its own (PostgreSQL ``CREATE TYPE``)."""

    schema: str | None
    name: str
    values: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema or "", self.name)


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str | None
    name: str
    options: SequenceOptions

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema or "", self.name)


@dataclass(frozen=True, slots=True)
class Schema:
    """Every table, named enum and sequence the models declare, each sorted by key."""

    dialect: str
    tables: tuple[Table, ...]
    enums: tuple[NamedEnum, ...] = ()
    sequences: tuple[Sequence, ...] = ()


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


Constraint = UniqueConstraint | CheckConstraint | ExcludeConstraint

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
    def qualified_name(self) -> str:
        """``schema.name`` of what the change is of (its table's for a table or one of its
        columns or members; its own for a named enum or a sequence), or ``name``."""
        name = self.table if self.table is not None else self.name
        return f"{self.schema}.{name}" if self.schema else str(name)

    @property
    def table_key(self) -> tuple[str, str]:
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


class Source(str, enum.Enum):
    """Where one side's schema came from."""

    GIT = "git"
    WORKTREE = "worktree"
    INDEX = "index"
    SNAPSHOT = "snapshot"
    """A snapshot file's entry: ``--from-snapshot``, or a fallback when git could not answer."""
    DATABASE = "database"
    """A database, reflected: ``--from-db``, or the last fallback."""


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a comparison, as the user named it and as it was resolved."""

    ref: str | None
    """What the user typed (``HEAD~1``); None for the working tree or the index."""
    commit: str | None
    """The full commit id; None for the working tree or the index."""
    source: Source
    reason: str | None = None
    """Where the schema came from and why, when it did not come from git as asked."""

    @property
    def label(self) -> str:
        """How messages name this side."""
        if self.ref is not None:
            return self.ref
        return _LABELS[self.source]


_LABELS = {
    Source.WORKTREE: "the working tree",
    Source.INDEX: "the index",
    Source.SNAPSHOT: "the snapshot",
    Source.DATABASE: "the database",
    Source.GIT: "a commit",
}


@dataclass(frozen=True, slots=True)
class RevisionTarget:
    """Where a new Alembic revision goes, as ``alembic revision`` is told it."""

    config: Path | None = None
    """alembic.ini; None for the project's own."""
    message: str | None = None
    head: str | None = None
    branch_label: str | None = None
    rev_id: str | None = None


class Rule(str, enum.Enum):
    """The rules ``schemadiff check`` enforces (docs/check.md)."""

    MIGRATION_REQUIRED = "migration-required"
    DESTRUCTIVE = "destructive"
    DATA_DEPENDENT = "data-dependent"
    BACKWARD_INCOMPATIBLE = "backward-incompatible"
    LOCKING = "locking"


class Level(str, enum.Enum):
    """What a rule's finding does: fail the check, only warn, or nothing."""

    ERROR = "error"
    WARN = "warn"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Location:
    """Where the models declare a table or column: a path from the repository's top."""

    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that one change breaks."""

    rule: Rule
    level: Level
    """ERROR or WARN; never OFF (such findings are not made)."""
    schema: str | None
    table: str | None
    """None for a named enum or a sequence."""
    column: str | None
    """The column, or the enum's or sequence's name when ``table`` is None."""
    message: str
    """What is wrong, without the subject: "column dropped; its data is lost"."""
    change: int | None = None
    """The index of the change in ``DiffResult.changes`` that this finding is about."""
    location: Location | None = None
    allowed: bool = False
    """Acknowledged in the model (``info={"schemadiff": {"allow": [rule]}}``): shown, not
    counted."""

    @property
    def subject(self) -> str:
        """``schema.table.column``, as far as it goes."""
        parts = (self.schema, self.table, self.column)
        return ".".join(p for p in parts if p)

    @property
    def fails(self) -> bool:
        return self.level is Level.ERROR and not self.allowed


@dataclass(frozen=True, slots=True)
class PlannedMigration:
    """The migration of a diff, as the outputs print it: Python for Alembic, and the DDL
    when it was asked for (``--format sql``)."""

    imports: tuple[str, ...]
    """What ``upgrade()`` and ``downgrade()`` import beyond ``op`` and ``sa``."""
    upgrade: str
    downgrade: str
    sql: str | None
    warnings: tuple[str, ...]
    """What the migration cannot do as asked (its code says them as comments too)."""


@dataclass(frozen=True, slots=True)
class DiffResult:
    old: Side
    new: Side
    dialect: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()
    schemas: tuple[Schema, Schema] | None = field(default=None, compare=False, repr=False)
    """The two schemas compared (filtered): what a migration of the diff is planned from."""
    render_as_batch: bool | None = field(default=None, compare=False)
    """How a migration of this diff is written: batch mode, or None for the dialect's default."""
    findings: tuple[Finding, ...] | None = None
    """What the rules found (``schemadiff check``); None when the rules were not run."""
    related: tuple[Table, ...] = field(default=(), compare=False, repr=False)
    """Unchanged tables of the newer side linked by a foreign key to a changed one."""
    advice: tuple[tuple[Rule, str], ...] = field(default=(), compare=False)
    """What to do about each rule that has findings, in rule order."""
    migration: PlannedMigration | None = field(default=None, compare=False, repr=False)
    """The migration, planned for the outputs that print one (``api.planned``)."""


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit of a history walk (``schemadiff log``, ``blame``), as git log shows it."""

    id: str
    parents: tuple[str, ...]
    author: str
    email: str
    date: str
    """The author date, ISO 8601."""
    subject: str

    @property
    def short(self) -> str:
        return self.id[:10]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One commit of ``schemadiff log``: what it changed in the schema."""

    commit: Commit
    base: str | None
    """The commit the changes are against: the first parent, or the nearest ancestor on the
    first-parent line whose models import; None for a root commit (the empty tree)."""
    changes: tuple[Change, ...] = ()
    failure: str | None = None
    """Why the models at this commit do not import."""
    note: str | None = None
    failing: tuple[Commit, ...] = ()
    """With a failure: the commits after this one (newest first) whose models do not import
    either, up to the next that does; this entry stands for the whole stretch."""


@dataclass(frozen=True, slots=True)
class BlameLine:
    """One line of ``schemadiff blame``: a column, or one attribute of it, and its commit."""

    column: Column
    attribute: str | None
    """None when the line is the whole column (``blame TABLE``)."""
    commit: Commit | None
    """None when the value is older than the walk (the start of a shallow clone)."""


@dataclass(frozen=True, slots=True)
class Blame:
    table: Table
    revision: Commit
    lines: tuple[BlameLine, ...]
    since: str | None = None
    """The walk's --since: a line with no commit is older than that, not than the clone."""

    @property
    def older(self) -> str:
        """What a line with no commit is older than, in words."""
        return f"older than --since {self.since}" if self.since else "older than this clone"
