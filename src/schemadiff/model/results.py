"""What the commands return: the sides compared, the diff, the findings, the history."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from schemadiff.model.changes import Change
from schemadiff.model.schema import Column, Schema, Table


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
