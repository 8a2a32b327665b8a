"""Indexes, constraints and foreign keys, as comparable records."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ExcludeConstraint as SAExcludeConstraint
from sqlalchemy.engine import Dialect

from schemadiff.extract.sql import ddl_compiler, name_of, options, sql_text
from schemadiff.model import (
    CheckConstraint,
    ExcludeConstraint,
    ForeignKey,
    Index,
    PrimaryKey,
    UniqueConstraint,
)


def primary_key(table: sa.Table) -> PrimaryKey | None:
    constraint = table.primary_key
    if not constraint.columns:
        return None
    return PrimaryKey(name_of(constraint.name), tuple(c.name for c in constraint.columns))


def indexes(table: sa.Table, dialect: Dialect) -> tuple[Index, ...]:
    found = (
        Index(
            name_of(index.name),
            tuple(sql_text(e, dialect) for e in index.expressions),
            bool(index.unique),
            options(index.dialect_kwargs, dialect),
        )
        for index in table.indexes
    )
    return tuple(sorted(found, key=repr))


def _all_constraints(table: sa.Table, dialect: Dialect) -> list[sa.Constraint]:
    """The table's constraints and those inline on its columns that this dialect creates.

    A type's own CHECK (``Boolean``/``Enum`` with ``create_constraint``) carries a rule that
    says whether the dialect emits it; PostgreSQL's native types need none.
    """
    found = {id(c): c for c in table.constraints}
    for column in table.columns:
        found.update({id(c): c for c in column.constraints})
    return [c for c in found.values() if _created(c, dialect)]


def _created(constraint: sa.Constraint, dialect: Dialect) -> bool:
    rule = getattr(constraint, "_create_rule", None)
    return rule is None or bool(rule(ddl_compiler(dialect)))


def unique_constraints(table: sa.Table, dialect: Dialect) -> tuple[UniqueConstraint, ...]:
    found = (
        UniqueConstraint(
            name_of(c.name),
            tuple(col.name for col in c.columns),
            options(_deferral(c) | dict(c.dialect_kwargs), dialect),
        )
        for c in _all_constraints(table, dialect)
        if isinstance(c, sa.UniqueConstraint)
    )
    return tuple(sorted(found, key=repr))


def check_constraints(table: sa.Table, dialect: Dialect) -> tuple[CheckConstraint, ...]:
    found = (
        CheckConstraint(name_of(c.name), sql_text(c.sqltext, dialect))
        for c in _all_constraints(table, dialect)
        if isinstance(c, sa.CheckConstraint)
    )
    return tuple(sorted(found, key=repr))


def exclude_constraints(table: sa.Table, dialect: Dialect) -> tuple[ExcludeConstraint, ...]:
    found = (
        ExcludeConstraint(
            name_of(c.name),
            tuple((sql_text(expr, dialect), str(op)) for expr, _, op in c._render_exprs),
            str(c.using),
            None if c.where is None else sql_text(c.where, dialect),
        )
        for c in _all_constraints(table, dialect)
        if isinstance(c, SAExcludeConstraint) and dialect.name == "postgresql"
    )
    return tuple(sorted(found, key=repr))


def foreign_keys(table: sa.Table) -> tuple[ForeignKey, ...]:
    found = []
    for c in table.foreign_key_constraints:
        targets = [element.target_fullname.rsplit(".", 1) for element in c.elements]
        referred_schema, _, referred = targets[0][0].rpartition(".")
        found.append(
            ForeignKey(
                name_of(c.name),
                tuple(column.name for column in c.columns),
                referred_schema or None,
                referred,
                tuple(column for _, column in targets),
                c.ondelete,
                c.onupdate,
                c.deferrable,
                c.initially,
                c.match,
            )
        )
    return tuple(sorted(found, key=repr))


def _deferral(constraint: sa.Constraint) -> dict[str, object]:
    return {"deferrable": constraint.deferrable, "initially": constraint.initially}
