"""Where the models declare each table and column, and what they acknowledge there.

``Recorder.install()`` wraps the constructors of ``Table`` and ``Column`` before the user's
models are imported: each object remembers the first frame of the user's own code that made
it (a ``mapped_column(...)`` line, a ``class User(Base):`` line, a ``Table(...)`` call). The
sandbox child is the only process that does this, and it exits right after.
"""

from __future__ import annotations

import ast
import functools
import os
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
        self._read: dict[str, dict[tuple[int, str], int]] = {}

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
        yield from self._row(table.schema, table.name, None, table)
        for column in table.columns:
            yield from self._row(table.schema, table.name, column.name, column)

    def _place(self, item: sa.Table | sa.Column[Any]) -> tuple[str | None, int | None]:
        """Where ``item`` was made; for a column SQLAlchemy made from an annotation alone
        (``nick: Mapped[str]``, made as the class is), the annotation's own line."""
        file, line = self._made.get(id(item), (None, None))
        if file is not None and line is not None and isinstance(item, sa.Column):
            return file, self._annotations(file).get((line, item.key), line)
        return file, line

    def _annotations(self, file: str) -> dict[tuple[int, str], int]:
        """The file's annotated class attributes: (class line, name) -> line; read once."""
        if file not in self._read:
            self._read[file] = _annotated(os.path.join(self._tree, file))
        return self._read[file]

    def _row(
        self, schema: str | None, table: str, column: str | None, item: sa.Table | sa.Column[Any]
    ) -> Iterator[Row]:
        file, line = self._place(item)
        allowed = allow(item.info)
        if file is not None or allowed:
            yield [schema, table, column, file, line, allowed]


def _annotated(path: str) -> dict[tuple[int, str], int]:
    """Each class's annotated attributes in the file at ``path``: (the class's line, the
    name) -> the annotation's line. Nothing when the file cannot be read or parsed."""
    try:
        with open(path, "rb") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError, RecursionError):
        return {}
    return {
        (node.lineno, statement.target.id): statement.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def allow(info: dict[Any, Any]) -> list[str]:
    """``info={"schemadiff": {"allow": [...]}}``: the rule names, as written (checked later)."""
    own = info.get("schemadiff")
    names = own.get("allow") if isinstance(own, dict) else None
    if isinstance(names, str):
        return [names]
    return [n for n in names if isinstance(n, str)] if isinstance(names, list | tuple) else []
