"""The schema a side's models declare: tables, columns, types, constraints, enums and
sequences."""

from __future__ import annotations

from dataclasses import dataclass, field

Options = tuple[tuple[str, str], ...]
TableKey = tuple[str, str]
"""How a table is matched and sorted: its schema ("" for the default) and its name. Named
enums and sequences are keyed the same way."""
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
    def key(self) -> TableKey:
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
    def key(self) -> TableKey:
        return (self.schema or "", self.name)


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str | None
    name: str
    options: SequenceOptions

    @property
    def key(self) -> TableKey:
        return (self.schema or "", self.name)


@dataclass(frozen=True, slots=True)
class Schema:
    """Every table, named enum and sequence the models declare, each sorted by key."""

    dialect: str
    tables: tuple[Table, ...]
    enums: tuple[NamedEnum, ...] = ()
    sequences: tuple[Sequence, ...] = ()


Constraint = UniqueConstraint | CheckConstraint | ExcludeConstraint
