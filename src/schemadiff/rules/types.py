"""What a column type change does to the values and to the table, judged from the DDL text.

``widens``: every value of the old type is a value of the new one, unchanged. ``rewrites``:
PostgreSQL rewrites the table (under an ACCESS EXCLUSIVE lock) to make the change. Both err
on the safe side: a pair they do not know narrows, and rewrites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_DDL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*(?:\(([^)]*)\))?\s*(\[\])?\s*$")

_SAME = {
    "CHARACTER VARYING": "VARCHAR",
    "CHARACTER": "CHAR",
    "INT": "INTEGER",
    "INT4": "INTEGER",
    "INT8": "BIGINT",
    "INT2": "SMALLINT",
    "DECIMAL": "NUMERIC",
    "FLOAT8": "DOUBLE PRECISION",
    "DOUBLE": "DOUBLE PRECISION",
    "FLOAT4": "REAL",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE",
    "BIT VARYING": "VARBIT",
}
_TEXTS = ("VARCHAR", "TEXT", "CHAR", "NVARCHAR", "NCHAR", "CLOB")
_INTEGERS = ("SMALLINT", "INTEGER", "BIGINT")
_FLOATS = ("REAL", "FLOAT", "DOUBLE PRECISION")


@dataclass(frozen=True, slots=True)
class Parsed:
    name: str
    arguments: tuple[int, ...]
    """The numbers in the parentheses: a length, or precision and scale."""
    array: bool = False


def parse(ddl: str | None) -> Parsed | None:
    match = _DDL.match(ddl or "")
    if match is None:
        return None
    name = " ".join(match.group(1).upper().split())
    arguments = [a.strip() for a in (match.group(2) or "").split(",") if a.strip()]
    if not all(a.isdigit() for a in arguments):
        return None  # a type with other arguments (an enum's values, a geometry's kind)
    return Parsed(_SAME.get(name, name), tuple(map(int, arguments)), bool(match.group(3)))


def widens(old_ddl: str | None, new_ddl: str | None) -> bool:
    """Whether every value of the old type fits the new one as it is."""
    old, new = parse(old_ddl), parse(new_ddl)
    if old is None or new is None or old.array != new.array:
        return False
    if old == new:
        return True
    for (old_family, new_family), judge in _WIDENING.items():
        if old.name in old_family and new.name in new_family:
            return judge(old, new)
    return (old.name, new.name) in {("CIDR", "INET"), ("JSON", "TEXT")}


def _integer_widens(old: Parsed, new: Parsed) -> bool:
    return _INTEGERS.index(new.name) >= _INTEGERS.index(old.name)


def _integer_to_numeric(old: Parsed, new: Parsed) -> bool:
    return not new.arguments or _digits(new) - _scale(new) >= _INTEGER_DIGITS[old.name]


def _float_widens(old: Parsed, new: Parsed) -> bool:
    return new.name in ("DOUBLE PRECISION", old.name)


def rewrites(old_ddl: str | None, new_ddl: str | None) -> bool:
    """Whether PostgreSQL rewrites the table to change the type (it does not for a longer
    varchar, varchar to text, a larger numeric of the same scale, cidr to inet)."""
    old, new = parse(old_ddl), parse(new_ddl)
    if old is None or new is None or old.array != new.array:
        return True
    if old == new:
        return False
    if old.name in ("VARCHAR", "TEXT") and new.name in ("VARCHAR", "TEXT"):
        return new.name == "VARCHAR" and not _length_widens(old, new)
    if old.name == new.name == "NUMERIC":
        same_scale = _scale(old) == _scale(new) and _digits(new) >= _digits(old)
        return bool(new.arguments) and not same_scale
    if old.name == new.name == "VARBIT":
        return not _length_widens(old, new)
    return (old.name, new.name) != ("CIDR", "INET")


_INTEGER_DIGITS = {"SMALLINT": 5, "INTEGER": 10, "BIGINT": 19}


def _text_widens(old: Parsed, new: Parsed) -> bool:
    if new.name in ("TEXT", "CLOB"):
        return True
    if old.name in ("TEXT", "CLOB"):
        return not new.arguments and new.name == "VARCHAR"
    return _length_widens(old, new)


def _length_widens(old: Parsed, new: Parsed) -> bool:
    """No length is "any length"; otherwise the new one must be at least the old one."""
    if not new.arguments:
        return True
    return bool(old.arguments) and new.arguments[0] >= old.arguments[0]


def _numeric_widens(old: Parsed, new: Parsed) -> bool:
    if not new.arguments:
        return True
    if not old.arguments:
        return False
    integral = _digits(new) - _scale(new) >= _digits(old) - _scale(old)
    return integral and _scale(new) >= _scale(old)


def _digits(parsed: Parsed) -> int:
    return parsed.arguments[0] if parsed.arguments else 1000


def _scale(parsed: Parsed) -> int:
    return parsed.arguments[1] if len(parsed.arguments) > 1 else 0


_WIDENING: dict[tuple[tuple[str, ...], tuple[str, ...]], Callable[[Parsed, Parsed], bool]] = {
    (_TEXTS, _TEXTS): _text_widens,
    (_INTEGERS, _INTEGERS): _integer_widens,
    (_INTEGERS, ("NUMERIC",)): _integer_to_numeric,
    (("NUMERIC",), ("NUMERIC",)): _numeric_widens,
    (_FLOATS, _FLOATS): _float_widens,
    (("VARBIT",), ("VARBIT",)): _length_widens,
}
