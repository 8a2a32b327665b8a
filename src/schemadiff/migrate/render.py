"""Alembic renders the plan: Python for a revision file, or SQL through its offline mode."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from alembic.autogenerate import render_python_code
from alembic.autogenerate.api import AutogenContext
from alembic.operations import Operations, ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Dialect, make_url

from schemadiff.migrate.customops import BatchOps, NoteOp
from schemadiff.migrate.objects import (
    Placeholder,
    Recorded,
    RecordedInteger,
    RecordedType,
    enum_type,
    table,
)
from schemadiff.migrate.plan import Plan

_TEMPLATE_IMPORTS = frozenset({"import sqlalchemy as sa", "from alembic import op"})


@dataclass(frozen=True, slots=True)
class Python:
    upgrade: str
    downgrade: str
    imports: tuple[str, ...]
    """Imports the types need beyond the template's ``sa`` and ``op``."""


def python(plan: Plan, dialect: str, *, batch: bool) -> Python:
    imports: set[str] = set()

    def render_item(kind: str, obj: Any, context: AutogenContext) -> str | Literal[False]:
        if kind == "type" and isinstance(obj, RecordedType | RecordedInteger):
            text, needed = _type_text(obj, dialect)
            imports.update(needed)
            return text
        if kind == "server_default" and isinstance(obj, sa.TextClause):
            return f"sa.text({obj.text!r})"  # Alembic would write the SQL bare, as Python
        if kind == "server_default" and isinstance(obj, Placeholder):
            return f"sa.text({str(obj.arg)!r})"  # not in parentheses: SQLite's ADD COLUMN
        return False

    def code(container: ops.UpgradeOps | ops.DowngradeOps) -> str:
        text = render_python_code(
            container,
            render_as_batch=batch,
            render_item=render_item,
            migration_context=MigrationContext.configure(dialect_name=dialect),
        )
        if container.ops and all(isinstance(op, NoteOp) for op in container.ops):
            text += "\n    pass"  # comments alone are no function body
        return text

    upgrade, downgrade = code(plan.upgrade), code(plan.upgrade.reverse())
    return Python(upgrade, downgrade, tuple(sorted(imports - _TEMPLATE_IMPORTS)))


def _type_text(recorded: Recorded, dialect: str) -> tuple[str, set[str]]:
    """The recorded spelling; a PostgreSQL enum is told that its type is created apart."""
    enum = enum_type(recorded.recorded) if dialect == "postgresql" else None
    if enum is None:
        return recorded.recorded.python, set(recorded.recorded.imports)
    arguments = [repr(v) for v in enum.enums] + [f"name={enum.name!r}"]
    if enum.schema:
        arguments.append(f"schema={enum.schema!r}")
    text = f"postgresql.ENUM({', '.join(arguments)}, create_type=False)"
    return text, {"from sqlalchemy.dialects import postgresql"}


def sql(plan: Plan, dialect: str, *, batch: bool) -> str:
    """The upgrade as the SQL Alembic's offline mode (``--sql``) would print."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect=_printing_dialect(dialect),
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
    )
    operations = Operations(context)
    with context.begin_transaction():
        for op in plan.upgrade.ops:
            _invoke(operations, op, plan, batch=batch)
    return buffer.getvalue()


def _printing_dialect(name: str) -> Dialect:
    """The dialect with named parameters: SQL for a person or psql, so ``%`` stays single."""
    dialect_class = make_url(f"{name}://").get_dialect()
    return dialect_class(paramstyle="named")  # type: ignore[call-arg]


def _invoke(operations: Operations, op: ops.MigrateOperation, plan: Plan, *, batch: bool) -> None:
    if not isinstance(op, ops.ModifyTableOps):
        operations.invoke(op)
        return
    if not batch:
        for inner in op.ops:
            operations.invoke(inner)
        return
    # The copy is the table as the plan knows it, CHECK constraints included; the batch's
    # naming convention names its unnamed constraints as the batch drops them.
    convention = dict(op.convention) if isinstance(op, BatchOps) else {}
    metadata = sa.MetaData(naming_convention=convention) if convention else sa.MetaData()
    copy = table(plan.tables[(op.schema or "", op.table_name)], metadata, with_indexes=True)
    with operations.batch_alter_table(
        op.table_name, schema=op.schema, copy_from=copy, recreate="auto"
    ) as batch_operations:
        for inner in op.ops:
            batch_operations.invoke(inner)
