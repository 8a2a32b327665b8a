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
from schemadiff.revisions.operations import Operation
from schemadiff.revisions.writes import Write

__all__ = ["Upgrade", "dedup_columns"]

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
        """A ``DELETE`` that keeps one row per group of exactly the constraint's columns (see
        ``dedup_columns``), or deletes every row, runs before position ``before``. An
        ``UPDATE`` does not count: whether its values are distinct is not read."""
        columns = dedup_columns(change)
        for write in self._writes(change, -1, before):
            if write.verb != "delete":
                continue
            if write.where is None:
                return True
            kept = _keeps_one_per_group(write.where, write.table)
            if columns is not None and kept is not None and kept == columns:
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


def dedup_columns(change: Change) -> frozenset[str] | None:
    """The lowercased columns a de-duplicating ``DELETE`` must group by; None when an
    element of an index is an expression (only deleting every row is read then)."""
    assert isinstance(change.new, UniqueConstraint | Index)
    return unique_columns(change.new)


def unique_columns(member: UniqueConstraint | Index) -> frozenset[str] | None:
    """The lowercased columns a unique constraint or index keeps unique together; None when
    an element of the index is an expression."""
    groups = _unique_columns(member)
    plain = [g[0] for g, e in zip(groups, _elements(member), strict=True) if g == (e,)]
    return frozenset(c.lower() for c in plain) if len(plain) == len(groups) else None


def _elements(member: UniqueConstraint | Index) -> tuple[str, ...]:
    if isinstance(member, UniqueConstraint):
        return tuple(member.columns)
    return tuple(e.strip().strip('"') for e in member.expressions)


_COLUMN = r'(?:"[^"]+"|[A-Za-z_][\w$]*)'
_JOIN = re.compile(
    rf"USING\s+(?:{_COLUMN}\s*\.\s*)?(?P<table>{_COLUMN})\s+(?:AS\s+)?(?P<other>[A-Za-z_]\w*)\s+WHERE\s+(?P<where>.*)",
    re.IGNORECASE | re.DOTALL,
)
_EQUAL = re.compile(rf"(\w+)\s*\.\s*({_COLUMN})\s*=\s*(\w+)\s*\.\s*({_COLUMN})")
_ORDER = re.compile(r"(\w+)\s*\.\s*(id|ctid)\s*[<>]\s*(\w+)\s*\.\s*(id|ctid)", re.IGNORECASE)
_NOT_IN = re.compile(
    rf"WHERE\s+(?:{_COLUMN}\s*\.\s*)?id\s+NOT\s+IN\s*\(\s*SELECT\s+(?:min|max)\s*\(\s*id\s*\)"
    rf"\s+FROM\s+(?:{_COLUMN}\s*\.\s*)?(?P<table>{_COLUMN})\s+GROUP\s+BY\s+(?P<by>{_COLUMN}(?:\s*,\s*{_COLUMN})*)\s*\)",
    re.IGNORECASE,
)


def _keeps_one_per_group(rest: str, table: str) -> frozenset[str] | None:
    """The columns a ``DELETE``'s ``USING``/``WHERE`` keeps one row per group of: ``USING t
    b WHERE a.c = b.c AND ... AND a.id > b.id`` (nothing else), or ``WHERE id NOT IN (SELECT
    min(id) FROM t GROUP BY c, ...)``, ``t`` the table deleted from; None for any other
    condition."""
    rest = rest.strip()
    not_in = _NOT_IN.fullmatch(rest)
    if not_in is not None and _bare(not_in["table"]) == table.lower():
        return frozenset(_bare(c) for c in not_in["by"].split(","))
    join = _JOIN.fullmatch(rest)
    if join is None or _bare(join["table"]) != table.lower():
        return None
    columns, ordered = set(), 0
    for written in re.split(r"\s+AND\s+", join["where"].strip(), flags=re.IGNORECASE):
        term = written.strip()
        equal, order = _EQUAL.fullmatch(term), _ORDER.fullmatch(term)
        if order is not None and order[2].lower() == order[4].lower() and order[1] != order[3]:
            ordered += 1
        elif equal is not None and _bare(equal[2]) == _bare(equal[4]) and equal[1] != equal[3]:
            columns.add(_bare(equal[2]))
        else:
            return None
    return frozenset(columns) if ordered == 1 and columns else None


def _bare(name: str) -> str:
    return name.strip().strip('"').lower()


def _unique_columns(member: UniqueConstraint | Index) -> tuple[tuple[str, ...], ...]:
    """The names each element of a unique index or constraint is made of: its column, or the
    names in an index's expression (``lower(email)``: ``email``)."""
    if isinstance(member, UniqueConstraint):
        return tuple((c,) for c in member.columns)
    return tuple(tuple(_IDENTIFIER.findall(e)) for e in member.expressions)
