"""Dialects and compiled SQL text: how every expression is turned into comparable text."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.sql.compiler import DDLCompiler

from schemadiff.errors import ModelLoadError
from schemadiff.model import Options


@functools.cache
def load_dialect(name: str) -> Dialect:
    try:
        dialect_class = make_url(f"{name}://").get_dialect()
    except (NoSuchModuleError, ArgumentError):
        raise ModelLoadError(
            f"Unknown dialect {name!r}. Use a SQLAlchemy dialect name such as postgresql, "
            "sqlite, mysql, mssql or oracle."
        ) from None
    return dialect_class()


@functools.cache
def ddl_compiler(dialect: Dialect) -> DDLCompiler:
    # No statement: only the per-element helpers are used, as CREATE TABLE would call them.
    return dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]


def sql_text(element: object, dialect: Dialect) -> str:
    """An expression as the dialect writes it in DDL: literal values inline, no table prefix."""
    if isinstance(element, str):
        return element
    if isinstance(element, sa.Column):
        return element.name
    clause = sa.text(element) if isinstance(element, str) else element
    compiled = clause.compile(  # type: ignore[attr-defined]
        dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
    )
    return str(compiled)


def option_text(value: object, dialect: Dialect) -> str:
    """A dialect option's value as stable text: SQL compiled, collections in order."""
    if isinstance(value, sa.sql.ClauseElement | sa.Column):
        return sql_text(value, dialect)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k}: {option_text(v, dialect)}" for k, v in sorted(value.items()))
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(option_text(v, dialect) for v in value) + "]"
    return value if isinstance(value, str) else repr(value)


_DIALECT_PREFIXES = tuple(
    f"{d}_" for d in ("mysql", "mariadb", "mssql", "oracle", "postgresql", "sqlite")
)


def options(kwargs: Mapping[str, object], dialect: Dialect) -> Options:
    """The options that can change this dialect's DDL: its own (``postgresql_*``) and the
    dialect-neutral ones (``deferrable``...); another dialect's are left out."""
    own = f"{dialect.name}_"
    kept = (
        (k, v)
        for k, v in kwargs.items()
        if v is not None and (k.startswith(own) or not k.startswith(_DIALECT_PREFIXES))
    )
    return tuple(sorted((k, option_text(v, dialect)) for k, v in kept))


def name_of(name: object) -> str | None:
    """A constraint's name: naming-convention names included, "no name" as None."""
    return name if isinstance(name, str) else None
