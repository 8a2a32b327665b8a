"""Column types: the Python rendering a migration would use and the DDL the dialect emits."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.type_api import TypeEngine

from schemadiff.model import ColumnType, EnumType, NamedEnum


def column_type(
    type_: TypeEngine[object], dialect: Dialect, user_module_prefix: str | None = None
) -> ColumnType:
    python, imports = render_type(type_, user_module_prefix)
    return ColumnType(
        python, tuple(sorted(imports)), _compile(type_, dialect), _enum(type_, dialect)
    )


def render_type(
    type_: TypeEngine[object], user_module_prefix: str | None = None
) -> tuple[str, set[str]]:
    """``sa.String(length=50)`` and the imports it needs, as a migration would spell it."""
    prefix, imports = _module_prefix(type(type_).__module__, user_module_prefix)
    text = repr(type_)
    for nested in _nested_types(type_):  # ARRAY(item_type), JSONB(astext_type=...), ...
        if repr(nested) in text:  # a TypeDecorator's impl is held, but not spelled out
            inner, inner_imports = render_type(nested, user_module_prefix)
            text = text.replace(repr(nested), inner, 1)
            imports |= inner_imports
    text = prefix + text
    for dialect_name, variant in sorted(getattr(type_, "_variant_mapping", {}).items()):
        inner, inner_imports = render_type(variant, user_module_prefix)
        text += f".with_variant({inner}, {dialect_name!r})"
        imports |= inner_imports
    return text, imports


def _module_prefix(module: str, user_module_prefix: str | None) -> tuple[str, set[str]]:
    parts = module.split(".")
    if parts[:2] == ["sqlalchemy", "dialects"] and len(parts) > 2:
        return f"{parts[2]}.", {f"from sqlalchemy.dialects import {parts[2]}"}
    if parts[0] == "sqlalchemy":
        return "sa.", {"import sqlalchemy as sa"}
    if user_module_prefix is not None:  # as Alembic's user_module_prefix: no import added
        return user_module_prefix, set()
    return f"{module}.", {f"import {module}"}


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


def _compile(type_: TypeEngine[object], dialect: Dialect) -> str | None:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type this dialect cannot emit: compared by its Python rendering
        return None


def _enum(type_: TypeEngine[object], dialect: Dialect) -> EnumType | None:
    if not isinstance(type_, sa.Enum):
        return None
    named = bool(
        type_.native_enum
        and type_.name
        and dialect.supports_native_enum
        and dialect.name == "postgresql"  # the one dialect with CREATE TYPE ... AS ENUM
    )
    return EnumType(type_.name, type_.schema, tuple(type_.enums), named)


def named_enum(column_type: ColumnType) -> NamedEnum | None:
    enum = column_type.enum
    if enum is None or not enum.named or enum.name is None:
        return None
    return NamedEnum(enum.schema, enum.name, enum.values)
