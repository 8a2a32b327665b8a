"""The rows a revision's SQL writes: ``UPDATE`` and ``DELETE`` statements, read from their text.

The data-dependent rule asks two things of them: did an ``UPDATE`` give a column a value on
every row (a backfill), and did a statement touch the rows of a table before a unique
constraint is built on it (a de-duplication). Only the plain shapes are read: ``UPDATE t SET
c = ...`` with no ``WHERE`` or ``WHERE c IS NULL`` fills ``c``; any other ``WHERE``, a
``FROM`` join, a subquery with its own ``WHERE``, or a statement that is not matched leaves
the rows undecided, and the rule keeps its finding.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["NON_NULL_FUNCTIONS", "Write", "construct", "func_name", "is_null", "non_null", "parse"]

_NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_TABLE = rf"(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)"
_ALIAS = r"(?:\s+(?:AS\s+)?(?!SET\b|WHERE\b|USING\b)[\w$]+)?"
_UPDATE = re.compile(
    rf"UPDATE\s+(?:ONLY\s+)?{_TABLE}{_ALIAS}\s+SET\s+(?P<sets>.*?)(?:\s+WHERE\s+(?P<where>.*))?",
    re.IGNORECASE | re.DOTALL,
)
_DELETE = re.compile(
    rf"DELETE\s+FROM\s+(?:ONLY\s+)?{_TABLE}{_ALIAS}(?:\s+(?P<rest>(?:USING|WHERE)\b.*))?",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"\A(?:\s*--[^\n]*(?:\n|\Z)|\s*/\*.*?\*/)*\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Write:
    """One ``UPDATE`` or ``DELETE`` of a table's rows."""

    verb: str
    """``update`` or ``delete``."""
    table: str
    schema: str | None
    sets: tuple[str, ...] = ()
    """The columns an ``UPDATE`` assigns."""
    where: str | None = None
    """The condition, as written; None when every row is written."""
    text: str = ""
    """The whole statement: what it mentions."""
    filled: tuple[str, ...] = ()
    """Those of ``sets`` given a value that cannot be NULL (see ``non_null``)."""

    def fills(self, column: str) -> bool:
        """Gives ``column`` a value that cannot be NULL on every row that held NULL."""
        if self.verb != "update" or not any(_same(s, column) for s in self.filled):
            return False
        return self.where is None or _is_null(self.where, column)

    def mentions(self, name: str) -> bool:
        return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", self.text, re.I) is not None


def parse(text: str) -> tuple[Write, ...]:
    """The ``UPDATE`` and ``DELETE`` statements of an SQL text, in order; others are skipped."""
    return tuple(w for w in map(_statement, _statements(text)) if w is not None)


def is_null(column: str) -> str:
    """The condition that picks the rows where ``column`` is NULL, as ``fills`` reads it."""
    return f"{column} IS NULL"


def _statement(text: str) -> Write | None:
    text = _COMMENT.sub("", text, count=1).strip()
    update = _UPDATE.fullmatch(text)
    if update is not None:
        assigned = list(_assigned(update["sets"]))
        sets = tuple(c for c, _ in assigned)
        filled = tuple(c for c, value in assigned if non_null(value))
        return Write("update", *_split(update["table"]), sets, update["where"], text, filled)
    delete = _DELETE.fullmatch(text)
    if delete is not None:
        rest = delete["rest"]
        return Write("delete", *_split(delete["table"]), (), rest, text=text)
    return None


def _statements(text: str) -> Iterator[str]:
    """The text cut at each ``;`` outside quotes."""
    start, quote = 0, ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == ";":
            yield text[start:i]
            start = i + 1
    yield text[start:]


def _split(name: str) -> tuple[str, str | None]:
    """(table, schema) of ``schema.table``, quotes removed."""
    parts = [_unquote(p.strip()) for p in re.findall(rf"{_NAME}", name)]
    return (parts[-1], parts[0]) if len(parts) == 2 else (parts[0], None)


def _assigned(sets: str) -> Iterator[tuple[str, str]]:
    """(column, value) of each top-level ``=`` of a ``SET`` list."""
    for part in _top_level(sets, ","):
        left, equals, value = part.partition("=")
        name = re.fullmatch(rf"\s*(?:{_NAME}\s*\.\s*)?({_NAME})\s*", left)
        if equals and name is not None:
            yield _unquote(name[1]), value


def _depths(text: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, parenthesis depth after it) of each character outside quotes."""
    depth, quote = 0, ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
            continue
        if char in "'\"":
            quote = char
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        yield i, char, depth
    if quote:
        yield len(text), quote, -1  # an unclosed quote: unbalanced


def _top_level(text: str, separator: str) -> list[str]:
    """The text cut at each ``separator`` outside parentheses and quotes."""
    parts, start = [], 0
    for i, char, depth in _depths(text):
        if char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _balanced(text: str) -> bool:
    """No parenthesis outside quotes closes one the text did not open: ``a) + (b`` is not."""
    depths = [depth for _, _, depth in _depths(text)]
    return all(d >= 0 for d in depths) and (not depths or depths[-1] == 0)


NON_NULL_FUNCTIONS = frozenset(
    {
        "now",
        "current_timestamp",
        "current_date",
        "current_time",
        "localtimestamp",
        "localtime",
        "statement_timestamp",
        "clock_timestamp",
        "transaction_timestamp",
        "gen_random_uuid",
        "uuid_generate_v4",
    }
)
"""The functions whose result is never NULL (``now()``, ``sa.func.now()``)."""
_FUNCTIONS = "|".join(sorted(NON_NULL_FUNCTIONS, key=len, reverse=True))
_LITERAL = re.compile(
    r"(?:'(?:[^']|'')*'|[+-]?\d+(?:\.\d*)?(?:e[+-]?\d+)?|TRUE|FALSE"
    r"|(?:CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|LOCALTIMESTAMP|LOCALTIME)"
    rf"|(?:{_FUNCTIONS})\s*\(\s*\d*\s*\))"
    r"(?:\s*::\s*[\w ]+(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?)?",
    re.IGNORECASE,
)
"""A value that is never NULL: a string, a number, a boolean, the time or a new uuid; cast."""


def non_null(value: str) -> bool:
    """An SQL value that cannot be NULL: a literal that is not NULL (``'eu'``, ``0``,
    ``TRUE``, ``CURRENT_TIMESTAMP``, ``now()``), or ``COALESCE(..., literal)``. Anything else
    (another column, a subquery, a ``CASE``) may be NULL."""
    value = value.strip()
    while value.startswith("(") and value.endswith(")") and _balanced(value[1:-1]):
        value = value[1:-1].strip()
    if _LITERAL.fullmatch(value):
        return True
    coalesce = re.fullmatch(r"COALESCE\s*\((.*)\)", value, re.IGNORECASE | re.DOTALL)
    if coalesce is None or not _balanced(coalesce[1]):
        return False
    return non_null(_top_level(coalesce[1], ",")[-1])


def _is_null(where: str, column: str) -> bool:
    found = re.fullmatch(rf"\s*(?:{_NAME}\s*\.\s*)?({_NAME})\s+IS\s+NULL\s*", where, re.I)
    return found is not None and _same(_unquote(found[1]), column)


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in '"`[' and len(name) > 1 else name


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


# --- the same, built with SQLAlchemy in the revision ------------------------------------------

Strings = Callable[[ast.expr | None], str | None]
"""The reader's literal strings: a string, or a name assigned one."""
Values = Callable[[str], ast.expr | None]
"""What a name of the file was assigned, when it was assigned once."""

_CHAIN = frozenset({"values", "where", "filter", "execution_options"})
_DEPTH = 20


def construct(node: ast.expr | None, strings: Strings, values: Values) -> Write | None:
    """An ``UPDATE`` or ``DELETE`` built as ``sa.table("t", ...).update().values(c=...)
    .where(...)``, ``sa.update(t)...`` or ``t.delete()...`` (also through names assigned once);
    None for any other shape."""
    node = _resolved(node, values)
    whole, wheres = node, []
    sets: list[str] = []
    filled: list[str] = []
    while _method(node) in _CHAIN:
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if node.func.attr == "values":
            named = _value_names(node, strings)
            if named is None:
                return None
            sets.extend(name for name, _ in named)
            filled.extend(name for name, value in named if _non_null_value(value, strings))
        elif node.func.attr in ("where", "filter"):
            wheres.extend(node.args)
        node = node.func.value
    verb, target = _verb(node)
    table = _table(_resolved(target, values), strings)
    if verb is None or table is None or whole is None:
        return None
    where = " AND ".join(_condition(w, strings) for w in wheres) if wheres else None
    return Write(verb, *table, tuple(sets), where, ast.unparse(whole), tuple(filled))


def _resolved(node: ast.expr | None, values: Values) -> ast.expr | None:
    for _ in range(_DEPTH):
        if not isinstance(node, ast.Name):
            return node
        node = values(node.id)
    return None


def _method(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _verb(node: ast.expr | None) -> tuple[str | None, ast.expr | None]:
    """``t.update()`` / ``sa.update(t)``: (``update``, ``t``)."""
    if not isinstance(node, ast.Call) or len(node.args) > 1:
        return None, None
    name = node.func.attr if isinstance(node.func, ast.Attribute) else None
    if isinstance(node.func, ast.Name):
        name = node.func.id
    if name not in ("update", "delete"):
        return None, None
    if node.args:
        return name, node.args[0]
    return (name, node.func.value) if isinstance(node.func, ast.Attribute) else (None, None)


def _table(node: ast.expr | None, strings: Strings) -> tuple[str, str | None] | None:
    """``sa.table("t", ..., schema="s")`` or ``sa.Table("t", metadata, ...)``."""
    if not isinstance(node, ast.Call):
        return None
    called = node.func.id if isinstance(node.func, ast.Name) else _method(node)
    if called not in ("table", "Table") or not node.args:
        return None
    name = strings(node.args[0])
    schema = next((strings(k.value) for k in node.keywords if k.arg == "schema"), None)
    return None if name is None else (name, schema)


def _value_names(node: ast.Call, strings: Strings) -> list[tuple[str, ast.expr]] | None:
    """(column, value) of each ``.values(c=...)`` or ``.values({"c": ...})``; None when
    unread."""
    if any(k.arg is None for k in node.keywords) or len(node.args) > 1:
        return None
    named = [(str(k.arg), k.value) for k in node.keywords]
    if node.args:
        given = node.args[0]
        if not isinstance(given, ast.Dict) or None in given.keys:
            return None
        for key, value in zip(given.keys, given.values, strict=True):
            name = strings(key) or _column(key, strings)
            if name is None:
                return None
            named.append((name, value))
    return named


def _non_null_value(node: ast.expr, strings: Strings) -> bool:
    """A Python string, number or boolean (a bound parameter), ``sa.text("<literal>")`` or a
    ``sa.func`` call whose result is never NULL; not ``None``, ``sa.null()``, a column."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    if strings(node) is not None:
        return True
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    if node.func.attr in ("text", "literal_column") and len(node.args) == 1:
        text = strings(node.args[0])
        return text is not None and non_null(text)
    return func_name(node) in NON_NULL_FUNCTIONS


def func_name(node: ast.expr) -> str | None:
    """``sa.func.now()`` / ``func.now()``: ``now`` (lowercased); None for any other node."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    owner = node.func.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
    return node.func.attr.lower() if name == "func" else None


def _condition(node: ast.expr, strings: Strings) -> str:
    """``t.c.x.is_(None)`` or ``t.c.x == None`` as ``x IS NULL``; anything else as written."""
    tested: ast.expr | None = None
    if isinstance(node, ast.Call) and _method(node) == "is_" and len(node.args) == 1:
        assert isinstance(node.func, ast.Attribute)
        tested = node.func.value if _is_none(node.args[0]) else None
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        null = isinstance(node.ops[0], ast.Eq | ast.Is) and _is_none(node.comparators[0])
        tested = node.left if null else None
    column = _column(tested, strings) if tested is not None else None
    return is_null(column) if column is not None else ast.unparse(node)


def _is_none(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is None
    return isinstance(node, ast.Call) and not node.args and _method(node) == "null"


def _column(node: ast.expr | None, strings: Strings) -> str | None:
    """``t.c.x``, ``t.columns.x`` or ``sa.column("x")``: ``x``."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
        return node.attr if node.value.attr in ("c", "columns") else None
    if isinstance(node, ast.Call) and node.args and _method(node) == "column":
        return strings(node.args[0])
    return None
