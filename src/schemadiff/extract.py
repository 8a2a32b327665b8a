"""SQLAlchemy MetaData -> ``Schema``. The only module that reads SQLAlchemy objects.

It runs in the sandbox child, never in the CLI process. Types are recorded twice: the Python
rendering a migration would use, and the DDL the chosen dialect emits.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.type_api import TypeEngine

from schemadiff.errors import ModelLoadError
from schemadiff.model import Column, ColumnType, PrimaryKey, Schema, Table


class DuplicateTableError(ModelLoadError):
    """The same table is declared in two MetaData collections."""


def load_dialect(name: str) -> Dialect:
    try:
        dialect_class = make_url(f"{name}://").get_dialect()
    except (NoSuchModuleError, ArgumentError):
        raise ModelLoadError(
            f"Unknown dialect {name!r}. Use a SQLAlchemy dialect name such as postgresql, "
            "sqlite, mysql, mssql or oracle."
        ) from None
    return dialect_class()


def schema_from_metadata(
    collections: Sequence[tuple[str, sa.MetaData]], dialect_name: str
) -> Schema:
    """One schema from several MetaData collections, each named by its locator."""
    dialect = load_dialect(dialect_name)
    seen: dict[tuple[str, str], str] = {}
    tables = []
    read: set[int] = set()
    for locator, metadata in collections:
        if id(metadata) in read:  # the same MetaData reached by two locators
            continue
        read.add(id(metadata))
        for sa_table in metadata.tables.values():
            table = table_from_sa(sa_table, dialect)
            if table.key in seen and seen[table.key] != locator:
                raise DuplicateTableError(
                    f"Table {table.qualified_name!r} is declared in both {seen[table.key]} and "
                    f"{locator}. Keep it in one MetaData, or compare them separately."
                )
            if table.key not in seen:
                seen[table.key] = locator
                tables.append(table)
    return Schema(dialect_name, tuple(sorted(tables, key=lambda t: t.key)))


def table_from_sa(table: sa.Table, dialect: Dialect) -> Table:
    return Table(
        schema=table.schema,
        name=table.name,
        columns=tuple(column_from_sa(c, dialect) for c in table.columns),
        primary_key=_primary_key(table),
        comment=table.comment,
    )


def column_from_sa(column: sa.Column[object], dialect: Dialect) -> Column:
    return Column(
        name=column.name,
        type=column_type(column.type, dialect),
        nullable=bool(column.nullable),
        server_default=_server_default(column, dialect),
        comment=column.comment,
    )


def column_type(type_: TypeEngine[object], dialect: Dialect) -> ColumnType:
    python, imports = render_type(type_)
    return ColumnType(python, tuple(sorted(imports)), _compile_type(type_, dialect))


def render_type(type_: TypeEngine[object]) -> tuple[str, set[str]]:
    """``sa.String(length=50)`` and the imports it needs, as a migration would spell it."""
    prefix, imports = _module_prefix(type(type_).__module__)
    text = repr(type_)
    for nested in _nested_types(type_):  # ARRAY(item_type), JSONB(astext_type=...), ...
        inner, inner_imports = render_type(nested)
        text = text.replace(repr(nested), inner, 1)
        imports |= inner_imports
    return prefix + text, imports


def _nested_types(type_: TypeEngine[object]) -> list[TypeEngine[object]]:
    cls: type = type(type_)
    names = [*getattr(type_, "__dict__", {}), *_class_type_attributes(cls)]
    found = (getattr(type_, name, None) for name in dict.fromkeys(names))
    return [value for value in found if isinstance(value, TypeEngine) and value is not type_]


@functools.cache
def _class_type_attributes(cls: type) -> tuple[str, ...]:
    """Class-level defaults that are types themselves (JSON's ``astext_type``)."""
    return tuple(
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, TypeEngine)
    )


def _module_prefix(module: str) -> tuple[str, set[str]]:
    parts = module.split(".")
    if parts[:2] == ["sqlalchemy", "dialects"] and len(parts) > 2:
        return f"{parts[2]}.", {f"from sqlalchemy.dialects import {parts[2]}"}
    if parts[0] == "sqlalchemy":
        return "sa.", {"import sqlalchemy as sa"}
    return f"{module}.", {f"import {module}"}


def _compile_type(type_: TypeEngine[object], dialect: Dialect) -> str | None:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type this dialect cannot emit: compared by its Python rendering
        return None


def _server_default(column: sa.Column[object], dialect: Dialect) -> str | None:
    if not isinstance(column.server_default, sa.DefaultClause):
        return None
    text = _ddl_compiler(dialect).get_column_default_string(column)
    return None if text is None else str(text)


@functools.cache
def _ddl_compiler(dialect: Dialect) -> DDLCompiler:
    # No statement: only the per-column helper is used, as CREATE TABLE would call it.
    return dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]


def warm_compiler(dialect_name: str) -> None:
    """Compile one typical column once, so the first real one pays no set-up."""
    column: sa.Column[object] = sa.Column("warm", sa.DateTime(), server_default=sa.func.now())
    sa.Table("schemadiff_warm", sa.MetaData(), column)
    column_from_sa(column, load_dialect(dialect_name))


def _primary_key(table: sa.Table) -> PrimaryKey | None:
    constraint = table.primary_key
    if not constraint.columns:
        return None
    name = constraint.name if isinstance(constraint.name, str) else None
    return PrimaryKey(name, tuple(c.name for c in constraint.columns))
