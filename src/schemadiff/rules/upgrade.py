"""What the new revisions do to the rows a change meets, read from their operations in the order
they run (docs/check.md, data-dependent).

The data-dependent rule asks three things of them: whether a new column's own ``add_column``
fills the rows (a server default); whether an ``UPDATE`` gives a column a value on every row
between the moment it exists and the ``alter_column`` that makes it NOT NULL; whether the rows
of a table are written (``DELETE``, or an ``UPDATE`` of its columns) before a unique index or
constraint is built on them. Order counts: a backfill after the NOT NULL is too late. Only
operations that always run count as such evidence: one under an ``if``, a loop or a ``try``
may not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from schemadiff.model import Change, Index, UniqueConstraint
from schemadiff.rules.operations import Operation
from schemadiff.rules.writes import Write

__all__ = ["Upgrade"]

_IDENTIFIER = re.compile(r"[A-Za-z_][\w$]*(?![\w$]|\s*\()")
"""A name in an index expression that is not a function called: ``email`` in ``lower(email)``."""


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The operations of the change's new revisions, parents' before their children's."""

    operations: Sequence[Operation] = ()

    def added(self, change: Change) -> tuple[int, Operation] | None:
        """The first ``add_column`` of the change's column, with its position; one that may not
        run (under an ``if``...) is not read: which of several adds runs is not known."""
        return next(
            ((i, op) for i, op in enumerate(self.operations) if _adds(op, change)),
            None,
        )

    def made_not_null(self, change: Change, after: int = -1) -> int | None:
        """The position of the first ``alter_column(..., nullable=False)`` of the column after
        ``after``."""
        for i, op in enumerate(self.operations):
            if (
                i > after
                and op.name == "alter_column"
                and op.nullable is False
                and _on_column(op, change)
            ):
                return i
        return None

    def backfilled(self, change: Change, start: int, end: int) -> bool:
        """An ``UPDATE`` that always runs between the two positions gives the column a value on
        every row that held NULL."""
        assert change.name is not None
        column = change.name
        return any(w.fills(column) for w in self._writes(change, start, end))

    def built(self, change: Change) -> int | None:
        """The position of the operation that creates the unique index or constraint."""
        return next((i for i, op in enumerate(self.operations) if _builds(op, change)), None)

    def deduplicated(self, change: Change, before: int) -> bool:
        """A ``DELETE`` of the table naming every column of the constraint (or deleting every
        row), or an ``UPDATE`` that sets one of them, runs before position ``before``."""
        groups = _unique_columns(change)
        for write in self._writes(change, -1, before):
            sets = {s.lower() for s in write.sets}
            if write.verb == "update" and any(c.lower() in sets for g in groups for c in g):
                return True
            if write.verb == "delete" and (
                write.where is None or all(any(write.mentions(c) for c in g) for g in groups)
            ):
                return True
        return False

    def _writes(self, change: Change, start: int, end: int) -> list[Write]:
        """The writes of the change's table by operations that always run, strictly between
        the positions."""
        found: list[Write] = []
        for op in self.operations[start + 1 : max(end, start + 1)]:
            if not op.conditional:
                found.extend(w for w in op.writes if _writes_table(w, change))
        return found


def _on_table(op: Operation, change: Change) -> bool:
    return op.table == change.table and (op.schema or "") == (change.schema or "")


def _on_column(op: Operation, change: Change) -> bool:
    return _on_table(op, change) and change.name in (op.target, op.new_name)


def _adds(op: Operation, change: Change) -> bool:
    return op.name == "add_column" and not op.conditional and _on_column(op, change)


def _writes_table(write: Write, change: Change) -> bool:
    """The schema is only compared when the SQL names one (else the search path decides)."""
    assert change.table is not None
    same_schema = write.schema is None or write.schema.lower() == (change.schema or "").lower()
    return write.table.lower() == change.table.lower() and same_schema


def _builds(op: Operation, change: Change) -> bool:
    if isinstance(change.new, Index):
        named = op.name == "create_index" and op.target == change.name
        return named and (op.table is None or _on_table(op, change))
    if op.name != "create_unique_constraint" or not _on_table(op, change):
        return False
    if change.name is not None:
        return op.target == change.name
    assert isinstance(change.new, UniqueConstraint)
    return op.columns is None or op.columns == change.new.columns


def _unique_columns(change: Change) -> tuple[tuple[str, ...], ...]:
    """The names each element of a unique index or constraint is made of: its column, or the
    names in an index's expression (``lower(email)``: ``email``)."""
    if isinstance(change.new, UniqueConstraint):
        return tuple((c,) for c in change.new.columns)
    assert isinstance(change.new, Index)
    return tuple(tuple(_IDENTIFIER.findall(e)) for e in change.new.expressions)
