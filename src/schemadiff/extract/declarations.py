"""Where the models declare each table and column, and what they acknowledge there.

``Recorder.install()`` wraps the constructors of ``Table`` and ``Column`` before the user's
models are imported: each object remembers the first frame of the user's own code that made
it (a ``mapped_column(...)`` line, a ``class User(Base):`` line, a ``Table(...)`` call). The
sandbox child is the only process that does this, and it exits right after.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import schema as sa_schema

Row = list[Any]
"""``[schema, table, column or None, file or None, line or None, [allowed rules]]``."""


class Recorder:
    def __init__(self, tree: Path) -> None:
        self._tree = os.path.join(os.path.abspath(tree), "")
        self._made: dict[int, tuple[str, int]] = {}
        self._kept: list[object] = []  # an id stays this object's while the child lives
        self._lines: dict[str, list[str]] = {}

    def install(self) -> None:
        for cls in (sa_schema.Table, sa_schema.Column):
            cls.__init__ = self._wrapped(cls.__init__)  # type: ignore[method-assign]

    def _wrapped(self, init: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(init)
        def recording(instance: object, *args: Any, **kwargs: Any) -> None:
            found = self._caller()
            if found is not None:
                self._made[id(instance)] = found
                self._kept.append(instance)
            init(instance, *args, **kwargs)

        return recording

    def _caller(self) -> tuple[str, int] | None:
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(self._tree):
                return filename[len(self._tree) :].replace(os.sep, "/"), frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def rows(self, tables: Sequence[sa.Table]) -> list[Row]:
        """A row for each table and column with a known place or an acknowledgement."""
        return [row for table in tables for row in self._table_rows(table)]

    def _table_rows(self, table: sa.Table) -> Iterator[Row]:
        made = self._made.get(id(table), (None, None))
        yield from self._row(table.schema, table.name, None, table, made)
        for column in table.columns:
            place = self._made.get(id(column), (None, None))
            if place == made and place[0] is not None and place[1] is not None:
                # made with its class, from an annotation alone (``nick: Mapped[str]``)
                place = (place[0], self._annotation(place[0], place[1], column.key) or place[1])
            yield from self._row(table.schema, table.name, column.name, column, place)

    def _annotation(self, file: str, line: int, name: str) -> int | None:
        """The line of ``name: ...`` in the body of the class at ``line`` of ``file``."""
        if file not in self._lines:
            try:
                with open(os.path.join(self._tree, file), encoding="utf-8") as source:
                    self._lines[file] = source.read().splitlines()
            except (OSError, ValueError):
                self._lines[file] = []
        return _annotated_at(self._lines[file], line, name)

    def _row(
        self,
        schema: str | None,
        table: str,
        column: str | None,
        item: sa.Table | sa.Column[Any],
        place: tuple[str | None, int | None],
    ) -> Iterator[Row]:
        file, line = place
        allowed = allow(item.info)
        if file is not None or allowed:
            yield [schema, table, column, file, line, allowed]


def _annotated_at(lines: Sequence[str], line: int, name: str) -> int | None:
    """The line (from 1) of ``name:`` at the top of the body of the class on ``line``: read
    as text, the body being the lines indented deeper than the ``class`` line."""
    if not 0 < line <= len(lines):
        return None
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    pattern = re.compile(rf"\s+{re.escape(name)}\s*:(?!=)")
    body: int | None = None
    for number in range(line, len(lines)):
        text = lines[number]
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(text) - len(stripped)
        if depth <= indent:
            return None  # past the class
        body = depth if body is None else body
        if depth == body and pattern.match(text):
            return number + 1
    return None


def allow(info: dict[Any, Any]) -> list[str]:
    """``info={"schemadiff": {"allow": [...]}}``: the rule names, as written (checked later)."""
    own = info.get("schemadiff")
    names = own.get("allow") if isinstance(own, dict) else None
    if isinstance(names, str):
        return [names]
    return [n for n in names if isinstance(n, str)] if isinstance(names, list | tuple) else []
