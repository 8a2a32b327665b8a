"""What building a plan knows (the two schemas, the renames, the TODOs found so far), and the
helpers every phase shares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from alembic.operations import ops
from sqlalchemy.engine import Dialect

from schemadiff import diff
from schemadiff.migrate.customops import NoteOp
from schemadiff.model import Change, ChangeKind, Column, Schema, Table, TableKey

__all__ = ["Context", "K", "TableOps", "column_of", "keyed", "todo"]


K = ChangeKind
TableOps = list[tuple[TableKey, ops.MigrateOperation]]
"""Operations under their table's key."""


@dataclass
class Context:
    old: Schema
    new: Schema
    changes: Sequence[Change]
    dialect: Dialect
    batch: bool
    warnings: list[str] = field(default_factory=list)
    old_tables: dict[TableKey, Table] = field(default_factory=dict)
    new_tables: dict[TableKey, Table] = field(default_factory=dict)
    old_name: dict[TableKey, str] = field(default_factory=dict)
    """New table key -> its old name, for renamed tables."""
    old_column: dict[tuple[TableKey, str], str] = field(default_factory=dict)
    renamed: dict[TableKey, tuple[str, dict[str, str]]] = field(default_factory=dict)
    todo: list[ops.MigrateOperation] = field(default_factory=list)
    """What is left for a person: comments at the top of both directions."""
    conventions: dict[TableKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Per table, the kinds of unnamed constraint its batch drops by a conventional name."""
    prefilled: dict[TableKey, list[Column]] = field(default_factory=lambda: defaultdict(list))
    """Columns added before the table's batch (batch mode): its copy has them."""

    def by_kind(self, *kinds: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def current(self, key: TableKey) -> Table:
        """An existing table as it stands after the renames: old definition, new names."""
        old_key = (key[0], self.old_name.get(key, key[1]))
        table = self.old_tables[old_key]
        columns = self.renamed.get(old_key, (key[1], {}))[1]
        return diff.translate(table, key[1], columns, self.renamed)

    def old_column_of(self, key: TableKey, name: str) -> Column:
        return column_of(self.current(key), name)


def column_of(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


def todo(context: Context, message: str) -> None:
    context.warnings.append(message)
    context.todo.append(NoteOp(f"TODO schemadiff: {message}", f"TODO schemadiff: {message}"))


def keyed(table: Table, op: ops.MigrateOperation | None) -> TableOps:
    """The operation under its table's key; nothing where there is no operation (a TODO)."""
    return [] if op is None else [(table.key, op)]
