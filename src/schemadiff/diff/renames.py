"""Which old table or column became which new one: declared, configured, or guessed.

Pure: works on the frozen model only. A guess needs a unique match: exactly one candidate on
each side with an identical definition apart from the name; anything else is left as a
remove and an add, with a note naming the possible rename.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from schemadiff.model import Column, Confidence, Table

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RenameRules:
    configured: Mapping[str, str] = field(default_factory=dict)
    """``"old_table" = "new_table"`` and ``"table.old_column" = "table.new_column"``."""
    guess: bool = True


@dataclass(frozen=True, slots=True)
class Match:
    old: str
    new: str
    confidence: Confidence


@dataclass
class Matching:
    """The outcome for one kind of object: renames found, and notes on the ambiguous."""

    renames: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def match_names(
    removed: Sequence[T],
    added: Sequence[T],
    *,
    name: Callable[[T], str],
    declared: Callable[[T], str | None],
    configured: Mapping[str, str],
    signatures: tuple[Callable[[T], Hashable], Callable[[T], Hashable]] | None,
) -> Matching:
    """Pair removed and added objects; ``signatures`` (old side's, new side's) is None when
    guessing is off."""
    result = Matching()
    old = {name(o): o for o in removed}
    new = {name(n): n for n in added}

    def take(old_name: str, new_name: str, confidence: Confidence) -> None:
        result.renames.append(Match(old_name, new_name, confidence))
        del old[old_name], new[new_name]

    for new_name, item in list(new.items()):
        source = declared(item)
        if source in old:
            take(source, new_name, Confidence.DECLARED)
    for old_name, new_name in configured.items():
        if old_name in old and new_name in new:
            take(old_name, new_name, Confidence.CONFIGURED)
    if signatures is not None:
        _guess(old, new, signatures, take, result)
    return result


def _guess(
    old: dict[str, T],
    new: dict[str, T],
    signatures: tuple[Callable[[T], Hashable], Callable[[T], Hashable]],
    take: Callable[[str, str, Confidence], None],
    result: Matching,
) -> None:
    by_signature: dict[Hashable, tuple[list[str], list[str]]] = {}
    for old_name, item in old.items():
        by_signature.setdefault(signatures[0](item), ([], []))[0].append(old_name)
    for new_name, item in new.items():
        by_signature.setdefault(signatures[1](item), ([], []))[1].append(new_name)
    for olds, news in by_signature.values():
        if len(olds) == 1 and len(news) == 1:
            take(olds[0], news[0], Confidence.GUESSED)
        elif olds and news:
            result.notes.append(
                f"possible rename: {' or '.join(olds)} -> {' or '.join(news)} (ambiguous: "
                "declare it with info={'renamed_from': ...} or [tool.schemadiff.renames])"
            )


def table_signature(table: Table) -> Hashable:
    """The table with every name that a rename would change blanked out."""
    return replace(
        table,
        name="",
        primary_key=table.primary_key and replace(table.primary_key, name=None),
        indexes=_unnamed(table.indexes),
        unique_constraints=_unnamed(table.unique_constraints),
        foreign_keys=_unnamed(table.foreign_keys),
        check_constraints=_unnamed(table.check_constraints),
        exclude_constraints=_unnamed(table.exclude_constraints),
    )


def _unnamed(items: Sequence[T]) -> tuple[T, ...]:
    return tuple(sorted((replace(i, name=None) for i in items), key=repr))  # type: ignore[type-var]


def column_signature(table: Table) -> Callable[[Column], Hashable]:
    """A column's definition without its name, and the roles it plays in the table."""

    def signature(column: Column) -> Hashable:
        return (replace(column, name=""), _roles(table, column.name))

    return signature


def _roles(table: Table, column: str) -> tuple[object, ...]:
    def mark(names: Sequence[str]) -> tuple[str, ...]:
        return tuple("?" if n == column else n for n in names)

    roles: list[object] = []
    if table.primary_key and column in table.primary_key.columns:
        roles.append(("pk", mark(table.primary_key.columns)))
    roles += [
        ("ix", i.unique, mark(i.expressions)) for i in table.indexes if column in i.expressions
    ]
    roles += [("uq", mark(u.columns)) for u in table.unique_constraints if column in u.columns]
    roles += [
        ("fk", mark(f.columns), f.referred_table, f.referred_columns)
        for f in table.foreign_keys
        if column in f.columns
    ]
    return tuple(sorted(roles, key=repr))


def configured_tables(configured: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in configured.items() if "." not in k}


def configured_columns(configured: Mapping[str, str], table: str) -> dict[str, str]:
    """``"t.old" = "t.new"`` entries for the table now called ``table``."""
    found = {}
    for key, value in configured.items():
        old_table, _, old_column = key.rpartition(".")
        new_table, _, new_column = value.rpartition(".")
        if old_table and new_table == table:
            found[old_column] = new_column
    return found
