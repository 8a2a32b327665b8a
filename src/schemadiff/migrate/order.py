"""Tables in foreign-key order: each after the tables it refers to, cycles broken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from schemadiff.model import ForeignKey, Table, TableKey


@dataclass(frozen=True, slots=True)
class Ordered:
    tables: tuple[Table, ...]
    """Each table after every table it refers to (apart from the split foreign keys)."""
    split: tuple[tuple[Table, ForeignKey], ...]
    """Foreign keys that close a cycle: created after all the tables, dropped before them."""


def dependency_order(tables: Sequence[Table]) -> Ordered:
    """A deterministic order: among the tables that are ready, the first by key; when none is
    ready (a cycle), the first waiting table's foreign keys to waiting tables are split off."""
    waiting = {t.key: t for t in sorted(tables, key=lambda t: t.key)}
    done: list[Table] = []
    split: list[tuple[Table, ForeignKey]] = []
    while waiting:
        ready = [t for t in waiting.values() if not _refers(t, waiting, split)]
        if not ready:
            table = next(iter(waiting.values()))
            split += [(table, fk) for fk in _pending(table, waiting, split)]
            ready = [table]
        done.append(ready[0])
        del waiting[ready[0].key]
    return Ordered(tuple(done), tuple(split))


def _pending(
    table: Table, waiting: dict[TableKey, Table], split: list[tuple[Table, ForeignKey]]
) -> list[ForeignKey]:
    """The table's foreign keys to other tables still waiting, apart from those split off."""
    return [
        fk
        for fk in table.foreign_keys
        if _target(table, fk) in waiting
        and _target(table, fk) != table.key
        and (table, fk) not in split
    ]


def _refers(
    table: Table, waiting: dict[TableKey, Table], split: list[tuple[Table, ForeignKey]]
) -> bool:
    return bool(_pending(table, waiting, split))


def _target(table: Table, fk: ForeignKey) -> TableKey:
    return (fk.referred_schema or "", fk.referred_table)
