"""What Alembic's operations lack, added through its own extension points.

Each operation here renders to plain ``op.*`` calls, so a migration that uses them runs
with Alembic alone; each can also be invoked, for ``--format sql``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from alembic.autogenerate import renderers
from alembic.autogenerate.api import AutogenContext
from alembic.autogenerate.render import render_op
from alembic.operations import Operations
from alembic.operations import ops as alembic_ops

from schemadiff.escape import printable
from schemadiff.model import TableKey


@dataclass(frozen=True, slots=True)
class Step:
    """SQL statements run in order; ``autocommit`` for those PostgreSQL refuses in a
    transaction block, or whose result must be committed before it is used."""

    statements: tuple[str, ...] = ()
    autocommit: bool = False


class ExecuteStepsOp(alembic_ops.MigrateOperation):
    """Statements Alembic has no operation for (enum types, sequences, schemas)."""

    def __init__(self, up: Step, down: Step) -> None:
        self.up = up
        self.down = down

    def reverse(self) -> ExecuteStepsOp:
        return ExecuteStepsOp(self.down, self.up)


Side = Literal["before", "after"]


class OneWayOp(alembic_ops.MigrateOperation):
    """Alembic operations that differ by direction: ``up`` runs here, ``down`` (as given, in
    its order) in the reverse; either may be empty. A column added with a placeholder default
    drops the default afterwards; dropped, it needs neither step. ``outside``: in batch mode,
    run before or after the table's batch, not in it."""

    def __init__(
        self,
        up: Sequence[alembic_ops.MigrateOperation] = (),
        down: Sequence[alembic_ops.MigrateOperation] = (),
        *,
        table_key: TableKey = ("", ""),
        outside: Side | None = None,
    ) -> None:
        self.up = tuple(up)
        self.down = tuple(down)
        self.table_key = table_key
        self.outside = outside

    def reverse(self) -> OneWayOp:
        flipped: dict[Side | None, Side | None] = {"before": "after", "after": "before", None: None}
        return OneWayOp(
            self.down,
            self.up,
            table_key=self.table_key,
            outside=flipped[self.outside],
        )


class NoteOp(alembic_ops.MigrateOperation):
    """A comment in the migration for the person who reviews it."""

    def __init__(self, text: str, reverse_text: str = "") -> None:
        self.text = text
        self.reverse_text = reverse_text

    def reverse(self) -> NoteOp:
        return NoteOp(self.reverse_text, self.text)


class ReversibleRenameTableOp(alembic_ops.RenameTableOp):
    """``op.rename_table``, which Alembic can run but neither render nor reverse."""

    def reverse(self) -> ReversibleRenameTableOp:
        return ReversibleRenameTableOp(self.new_table_name, self.table_name, schema=self.schema)


class RenameColumnOp(alembic_ops.AlterColumnOp):
    """``alter_column(..., new_column_name=...)`` whose downgrade renames it back
    (Alembic's own ``reverse()`` drops ``modify_name``)."""

    def reverse(self) -> RenameColumnOp:
        assert self.modify_name is not None
        return RenameColumnOp(
            self.table_name,
            self.modify_name,
            schema=self.schema,
            modify_name=self.column_name,
            **_existing(self),
        )


def _existing(op: alembic_ops.AlterColumnOp) -> dict[str, Any]:
    """The column as it stands, which every ``alter_column`` carries."""
    return {
        "existing_type": op.existing_type,
        "existing_nullable": op.existing_nullable,
        "existing_server_default": op.existing_server_default,
        "existing_comment": op.existing_comment,
    }


class CastColumnOp(alembic_ops.AlterColumnOp):
    """``alter_column`` with ``postgresql_using``, for a type PostgreSQL does not cast to by
    itself (text to integer...); its reverse casts back. Alembic runs the argument but does
    not render it."""

    def __init__(self, *args: Any, using_back: str = "", **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.using_back = using_back

    def reverse(self) -> CastColumnOp:
        back = super().reverse()
        assert isinstance(back, CastColumnOp)
        back.kw["postgresql_using"], back.using_back = self.using_back, self.kw["postgresql_using"]
        return back


class CreatePrimaryKeyOp(alembic_ops.CreatePrimaryKeyOp):
    """``op.create_primary_key``, which Alembic runs but does not render."""

    def reverse(self) -> DropPrimaryKeyOp:
        return DropPrimaryKeyOp(
            self.constraint_name,
            self.table_name,
            type_="primary",
            schema=self.schema,
            _reverse=self,
        )


class ReplacePrimaryKeyOp(CreatePrimaryKeyOp):
    """In batch mode, a new primary key replaces the old one, which SQLite may not have
    named; the reverse puts the old columns back the same way."""

    def __init__(self, *args: Any, previous: tuple[str, ...] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.previous = previous

    def reverse(self) -> ReplacePrimaryKeyOp:  # type: ignore[override]
        return ReplacePrimaryKeyOp(
            self.constraint_name,
            self.table_name,
            list(self.previous),
            schema=self.schema,
            previous=tuple(self.columns),
        )


class DropPrimaryKeyOp(alembic_ops.DropConstraintOp):
    """Its reverse is the primary key it dropped, which Alembic's would not render."""

    def reverse(self) -> alembic_ops.AddConstraintOp:
        assert self._reverse is not None
        return self._reverse


class CreateCheckOp(alembic_ops.CreateCheckConstraintOp):
    """``op.create_check_constraint``, rendered here: Alembic 1.18.0 and older (from our
    floor, 1.15.2) raise NotImplementedError for their own."""


class DropConstraintOp(alembic_ops.DropConstraintOp):
    """Its reverse re-adds a check constraint as a ``CreateCheckOp``."""

    def reverse(self) -> alembic_ops.AddConstraintOp:
        return adding(self.to_constraint())


def adding(constraint: Any) -> alembic_ops.AddConstraintOp:
    """The operation adding ``constraint``: Alembic's, but ours for a check constraint."""
    op = alembic_ops.AddConstraintOp.from_constraint(constraint)
    if not isinstance(op, alembic_ops.CreateCheckConstraintOp):
        return op
    return CreateCheckOp(op.constraint_name, op.table_name, op.condition, schema=op.schema)


class BatchOps(alembic_ops.ModifyTableOps):
    """One table's batch (``op.batch_alter_table``) with what Alembic cannot reflect from
    SQLite: a ``naming_convention`` naming the unnamed constraints the batch drops, and the
    unnamed CHECK constraints it keeps, restated as ``table_args`` (else the copy of the
    table would lose them)."""

    def __init__(
        self,
        table_name: str,
        operations: Sequence[alembic_ops.MigrateOperation],
        *,
        schema: str | None = None,
        convention: Sequence[tuple[str, str]] = (),
        checks: Sequence[str] = (),
    ) -> None:
        super().__init__(table_name, list(operations), schema=schema)
        self.convention = tuple(convention)
        self.checks = tuple(checks)

    def reverse(self) -> BatchOps:
        back = [op.reverse() for op in reversed(self.ops)]
        return BatchOps(
            self.table_name,
            back,
            schema=self.schema,
            convention=self.convention,
            checks=self.checks,
        )


CONVENTIONS = {
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
}
"""How a batch names the unnamed foreign keys and unique constraints it reflects (SQLite
keeps no name for them): as ``conventional_name`` spells the one it drops."""


def conventional_name(kind: Literal["fk", "uq"], table: str, columns: Sequence[str]) -> str:
    return CONVENTIONS[kind] % {"table_name": table, "column_0_N_name": "_".join(columns)}


# --- rendering ---------------------------------------------------------------------------------


def _prefix(context: AutogenContext) -> str:
    return "batch_op." if context._has_batch else str(context.opts["alembic_module_prefix"])


@renderers.dispatch_for(BatchOps)
def _render_batch(context: AutogenContext, op: BatchOps) -> list[str]:
    extra = ""
    if op.convention:
        extra += f", naming_convention={dict(op.convention)!r}"
    if op.checks:
        extra += f", table_args=({''.join(f'sa.CheckConstraint({t!r}), ' for t in op.checks)})"
    lines = [
        f"with op.batch_alter_table({op.table_name!r}, schema={op.schema!r}{extra}) as batch_op:"
    ]
    with context._within_batch():
        for inner in op.ops:
            lines.extend(render_op(context, inner))
    lines.append("")  # the block ends: Alembic's printer dedents here
    return lines


@renderers.dispatch_for(ExecuteStepsOp)
def _render_steps(context: AutogenContext, op: ExecuteStepsOp) -> list[str]:
    execute = renderers.dispatch(alembic_ops.ExecuteSQLOp(""))
    lines = [execute(context, alembic_ops.ExecuteSQLOp(s)) for s in op.up.statements]
    if op.up.autocommit and lines:
        block = f"with {context.opts['alembic_module_prefix']}get_context().autocommit_block():"
        return [block, *lines, ""]  # Alembic's printer indents after the colon
    return lines


@renderers.dispatch_for(OneWayOp)
def _render_one_way(context: AutogenContext, op: OneWayOp) -> list[str]:
    lines: list[str] = []
    for inner in op.up:
        rendered = renderers.dispatch(inner)(context, inner)
        lines += [rendered] if isinstance(rendered, str) else rendered
    return lines


@renderers.dispatch_for(CastColumnOp)
def _render_cast_column(context: AutogenContext, op: CastColumnOp) -> str:
    plain = alembic_ops.AlterColumnOp(
        op.table_name,
        op.column_name,
        schema=op.schema,
        **_existing(op),
        modify_type=op.modify_type,
        modify_server_default=op.modify_server_default,
        modify_nullable=op.modify_nullable,
        modify_comment=op.modify_comment,
    )
    text = str(renderers.dispatch(plain)(context, plain))
    assert text.endswith(")")  # Alembic's call, with one more argument before its end
    return f"{text[:-1]},\n{' ' * 11}postgresql_using={op.kw['postgresql_using']!r})"


@renderers.dispatch_for(NoteOp)
def _render_note(context: AutogenContext, op: NoteOp) -> list[str]:
    return [f"# {printable(line)}".rstrip() for line in op.text.splitlines()]


@renderers.dispatch_for(ReversibleRenameTableOp)
def _render_rename_table(context: AutogenContext, op: ReversibleRenameTableOp) -> str:
    return _call(context, "rename_table", [op.table_name, op.new_table_name], op.schema)


@renderers.dispatch_for(CreatePrimaryKeyOp)
def _render_create_primary_key(context: AutogenContext, op: CreatePrimaryKeyOp) -> str:
    if context._has_batch:
        return _call(context, "create_primary_key", [op.constraint_name, list(op.columns)], None)
    arguments = [op.constraint_name, op.table_name, list(op.columns)]
    return _call(context, "create_primary_key", arguments, op.schema)


@renderers.dispatch_for(CreateCheckOp)
def _render_create_check(context: AutogenContext, op: CreateCheckOp) -> str:
    condition = str(op.condition)
    if context._has_batch:
        return _call(context, "create_check_constraint", [op.constraint_name, condition], None)
    arguments = [op.constraint_name, op.table_name, condition]
    return _call(context, "create_check_constraint", arguments, op.schema)


def _call(context: AutogenContext, name: str, arguments: list[Any], schema: str | None) -> str:
    spelled = [repr(a) for a in arguments]
    if schema and not context._has_batch:
        spelled.append(f"schema={schema!r}")
    return f"{_prefix(context)}{name}({', '.join(spelled)})"


# --- running, for offline SQL ------------------------------------------------------------------


@Operations.implementation_for(ExecuteStepsOp)
def _run_steps(operations: Operations, op: ExecuteStepsOp) -> None:
    if op.up.autocommit:
        with operations.get_context().autocommit_block():
            _execute(operations, op.up.statements)
    else:
        _execute(operations, op.up.statements)


def _execute(operations: Operations, statements: tuple[str, ...]) -> None:
    for statement in statements:
        operations.execute(statement)


@Operations.implementation_for(OneWayOp)
def _run_one_way(operations: Operations, op: OneWayOp) -> None:
    for inner in op.up:
        operations.invoke(inner)


@Operations.implementation_for(NoteOp)
def _run_note(operations: Operations, op: NoteOp) -> Any:
    impl = operations.get_context().impl
    if impl.as_sql and op.text:
        impl.static_output(
            "\n".join(f"-- {printable(line)}".rstrip() for line in op.text.splitlines())
        )
