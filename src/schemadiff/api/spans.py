"""Which part of what an import read can change one table: ``blame``'s way past the commits
that change other tables only.

The import says what it read (``closure.Reads``) and where each table and column was
declared (``Packed.declarations``: the first line of the user's code that made it). A
table's *text* is the files of its closure less two kinds of top-level statement in its
Python files: those that declare other tables, and imports that bind only modules of the
tree (the file imported counts by its own text). What stays: the table's own ``class`` or
``Table(...)``, the constants, functions and mixins beside it, an import that binds a name;
any other file whole. A statement is known across commits by what it binds (``class
Invoice``, ``invoices = ...``); a name two statements bind is no table's own. Statements
that declare a table this one refers to by foreign key stay in: a key column without a type
takes its type from there.

This is a guess, not a closure: Python lets any module change any table. ``blame`` uses it
to choose the commits to import, and believes no commit the imports have not shown.
"""

from __future__ import annotations

import ast
import collections
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from schemadiff import closure
from schemadiff.model import TableKey
from schemadiff.snapshot import Packed


def bound(statement: ast.stmt) -> str | None:
    """What a top-level statement is known by from one commit to the next: the name it
    defines or the targets it assigns; None when it binds nothing as a whole."""
    if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return f"def {statement.name}"
    if isinstance(statement, ast.Assign):
        return "= " + ", ".join(ast.unparse(t) for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return "= " + ast.unparse(statement.target)
    return None


@dataclass(frozen=True, slots=True)
class Statement:
    name: str | None
    first: int
    last: int
    text: bytes
    imports: tuple[int, str, tuple[str, ...]] | None = None
    """Of an import statement: its level, module and names (``from .. import a, b`` is
    ``(2, "", ("a", "b"))``; ``import a.b, c`` is ``(-1, "", ("a.b", "c"))``)."""
    inert: bool = False
    """A bare string (a docstring): no table's text."""

    def modules(self, path: str) -> list[str] | None:
        """The modules of the tree an import statement in file ``path`` may bind
        (``app/models/user`` for ``from app.models import user``); None for any other."""
        if self.imports is None:
            return None
        level, module, names = self.imports
        if level < 0:
            return [name.replace(".", "/") for name in names]
        base = path.split("/")[:-1]
        if level:
            base = base[: len(base) - (level - 1)] if level - 1 <= len(base) else []
            base += module.split(".") if module else []
        else:
            base = module.split(".")
        return ["/".join([*base, name]) for name in names]


_STARTS = re.compile(rb"(?:class |def |async def |@)")
"""A line that starts so, at the margin, starts a top-level statement unless a string or a
bracket is open (``statements`` then parses the whole file)."""


def statements(source: bytes) -> list[Statement] | None:
    """The top-level statements of a module, with their lines (decorators included); None
    when it does not parse.

    The file is parsed in blocks, each from a ``class``, ``def`` or decorator at the margin
    to the next, and each block text once (a commit changes one or two): a block that does
    not parse alone was cut inside a string or a bracket, and the file is parsed whole."""
    lines = source.splitlines(keepends=True)
    if not lines:
        return []
    cuts = [
        n
        for n, line in enumerate(lines)
        if n == 0 or (_STARTS.match(line) and not lines[n - 1].startswith(b"@"))
    ]
    found: list[Statement] = []
    for start, end in zip(cuts, [*cuts[1:], len(lines)], strict=True):
        block = _parsed(b"".join(lines[start:end]))
        if block is None:
            return _parsed(source)
        found += (replace(s, first=s.first + start, last=s.last + start) for s in block)
    return found


def _imported(statement: ast.stmt) -> tuple[int, str, tuple[str, ...]] | None:
    if isinstance(statement, ast.Import):
        return (-1, "", tuple(a.name for a in statement.names))
    if isinstance(statement, ast.ImportFrom):
        names = tuple(a.name for a in statement.names)
        return None if "*" in names else (statement.level, statement.module or "", names)
    return None


@functools.lru_cache(maxsize=1024)
def _parsed(source: bytes) -> list[Statement] | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = source.splitlines(keepends=True)
    found = []
    for statement in tree.body:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)])
        last = statement.end_lineno or statement.lineno
        text = b"".join(lines[first - 1 : last])
        value = statement.value if isinstance(statement, ast.Expr) else None
        inert = isinstance(value, ast.Constant) and isinstance(value.value, str)
        found.append(Statement(bound(statement), first, last, text, _imported(statement), inert))
    return found


_NOTHING = hashlib.blake2b(b"", digest_size=16).digest()


def _named_at(found: Sequence[Statement], lines: Iterable[int]) -> set[str]:
    named = (next((s.name for s in found if s.first <= n <= s.last), None) for n in lines)
    return {name for name in named if name is not None}


def _once(found: Sequence[Statement]) -> set[str]:
    """The names only one statement binds: a name bound twice is no table's own."""
    counts = collections.Counter(s.name for s in found if s.name is not None)
    return {name for name, count in counts.items() if count == 1}


@dataclass(frozen=True, slots=True, eq=False)
class Text:
    """A table's text: the files of its closure, and of each the statements left out."""

    reads: closure.Reads
    left_out: Mapping[str, frozenset[str]]

    @property
    def files(self) -> frozenset[str]:
        return self.reads.files

    def part(self, path: str, source: bytes | None) -> bytes:
        """What one file holds of the table's text, as a digest. An absent file (None) holds
        none of it, nor does one with only other tables, imports and docstrings: what those
        bind, only the file's own statements could use."""
        if source is None:
            return _NOTHING
        found = statements(source) if path.endswith(".py") else None
        if found is None:
            return hashlib.blake2b(source, digest_size=16).digest()
        left_out = self.left_out.get(path, frozenset()) & _once(found)
        found = [s for s in found if not s.inert]
        kept = [s for s in found if s.imports is None and s.name not in left_out]
        if not kept:
            return _NOTHING  # its imports bind names nothing of the table's text uses
        digest = hashlib.blake2b(digest_size=16)
        for statement in found:
            modules = statement.modules(path)
            if modules is not None and all(m in self.reads.modules for m in modules):
                continue
            if statement.imports is not None or statement.name not in left_out:
                digest.update(statement.text + b"\0")
        return digest.digest()


def text_of(
    table: TableKey,
    document: Packed,
    reads: closure.Reads,
    sources: Mapping[str, bytes | None],
) -> Text | None:
    """The table's text as the commit whose ``document``, closure and Python files of it
    (``sources``) these are shows it; None when the import said nowhere where it was
    declared."""
    kept = {table, *_referred(document, table)}
    own: dict[str, set[int]] = {}
    other: dict[str, set[int]] = {}
    for schema, name, _column, file, line, _allowed in document.declarations():
        if isinstance(file, str) and isinstance(line, int):
            chosen = own if (schema or "", name) in kept else other
            chosen.setdefault(file, set()).add(line)
    if table not in {(s or "", n) for s, n, *_ in document.declarations()} or not own:
        return None
    left_out = {}
    for path, lines in other.items():
        source = sources.get(path)
        found = None if source is None else statements(source)
        if found is not None:
            theirs = _named_at(found, lines) & _once(found)
            left_out[path] = frozenset(theirs - _named_at(found, own.get(path, ())))
    return Text(reads, left_out)


def _referred(document: Packed, table: TableKey) -> set[TableKey]:
    packed = document.tables.get(table)
    if packed is None:
        return set()
    keys = json.loads(packed).get("foreign_keys", [])
    return {(k.get("referred_schema") or "", k["referred_table"]) for k in keys}
