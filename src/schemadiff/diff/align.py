"""Reflection artifacts: how a database reports what the models created, spelled its own way.

``align(reflected, models)`` returns the reflected schema with each such spelling replaced by
the models' one, so that a database created from the models compares equal to them. Each
helper below removes one artifact and says why it exists. Only things present on both sides
are aligned, and only when they mean the same: a real difference is left for the diff.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, replace
from typing import Protocol, TypeVar

from schemadiff.model import (
    CheckConstraint,
    Column,
    ColumnType,
    Computed,
    ForeignKey,
    Identity,
    Index,
    Options,
    PrimaryKey,
    Schema,
    SequenceOptions,
    Table,
    UniqueConstraint,
)
from schemadiff.model import Sequence as SequenceRecord

__all__ = ["align"]


def align(reflected: Schema, models: Schema) -> Schema:
    """``reflected`` in the models' spelling wherever the two differ only in spelling."""
    tables = {t.key: t for t in models.tables}
    sequences = {s.key: s for s in models.sequences}
    dialect = reflected.dialect
    return replace(
        reflected,
        tables=tuple(
            _table(t, tables[t.key], dialect) if t.key in tables else t for t in reflected.tables
        ),
        sequences=tuple(
            _sequence(s, sequences[s.key]) if s.key in sequences else s for s in reflected.sequences
        ),
    )


def _table(db: Table, model: Table, dialect: str) -> Table:
    columns = {c.name: c for c in model.columns}
    return replace(
        db,
        comment=_unstored(dialect, "comment", db.comment, model.comment),
        options=tuple(o for o in db.options if o[0] not in _REFLECTION_ONLY or o in model.options),
        columns=tuple(
            _column(c, columns[c.name], dialect) if c.name in columns else c for c in db.columns
        ),
        primary_key=db.primary_key and _pick(db.primary_key, [model.primary_key], _pk_key),
        indexes=tuple(_pick(i, model.indexes, _index_key) for i in db.indexes),
        unique_constraints=tuple(
            _pick(u, model.unique_constraints, _unique_key) for u in db.unique_constraints
        ),
        foreign_keys=tuple(_pick(f, model.foreign_keys, _fk_key) for f in db.foreign_keys),
        check_constraints=tuple(
            _pick(c, model.check_constraints, _check_key) for c in db.check_constraints
        ),
    )


def _column(db: Column, model: Column, dialect: str) -> Column:
    return replace(
        db,
        type=_type(db.type, model.type, dialect),
        server_default=_default(db, model),
        autoincrement=_autoincrement(db, model),
        comment=_unstored(dialect, "comment", db.comment, model.comment),
        computed=_computed(db.computed, model.computed, dialect),
        identity=_unstored(
            dialect, "identity", _identity(db.identity, model.identity), model.identity
        ),
    )


# --- what the database cannot store -----------------------------------------------------------

_NOT_STORED: Mapping[str, frozenset[str]] = {"sqlite": frozenset({"comment", "identity"})}
"""SQLite has no comments and no IDENTITY: CREATE TABLE drops them, reflection reports None."""

V = TypeVar("V")


def _unstored(dialect: str, attribute: str, db: V | None, model: V | None) -> V | None:
    if db is None and attribute in _NOT_STORED.get(dialect, frozenset()):
        return model
    return db


# --- constraints and indexes: names the database chose, options it reports -----------------


class _Named(Protocol):
    @property
    def name(self) -> str | None: ...


M = TypeVar("M", bound=_Named)


def _pick(db: M, models: Iterable[M | None], key: Callable[[M], object]) -> M:
    """The model's member ``db`` stands for: the same ``key``, and the same name unless the
    model left the name to the database (PostgreSQL then says ``t_pkey``, ``t_col_key``,
    ``t_col_fkey``, ``t_col_check``; SQLite says None)."""
    for model in models:
        if model is not None and key(model) == key(db) and model.name in (None, db.name):
            return model
    return db


def _pk_key(pk: PrimaryKey) -> object:
    return pk.columns


def _fk_key(fk: ForeignKey) -> object:
    return replace(fk, name=None)


def _unique_key(unique: UniqueConstraint) -> object:
    return unique.columns, _options_key(unique.options)


def _index_key(index: Index) -> object:
    return tuple(_sql_key(e) for e in index.expressions), index.unique, _options_key(index.options)


def _check_key(check: CheckConstraint) -> object:
    return _sql_key(check.sqltext)


_REFLECTION_ONLY = frozenset({"postgresql_ignore_search_path", "oracle_resolve_synonyms"})
"""Arguments of reflection itself, which SQLAlchemy copies onto each table it reaches through a
foreign key before that table's own turn: they never change the DDL."""

_UNSET_OPTIONS = frozenset(
    {("postgresql_include", "[]"), ("postgresql_nulls_not_distinct", "False")}
)
"""PostgreSQL's reflection reports these on every index and unique constraint: they are the
values a model that never mentions them gets."""


def _options_key(options: Options) -> object:
    """Options as compared: those reflection always reports left out, SQL (a partial index's
    ``postgresql_where``, reported in parentheses) by its meaning."""
    return tuple((k, _sql_key(v)) for k, v in options if (k, v) not in _UNSET_OPTIONS)


# --- columns ------------------------------------------------------------------------------------


def _type(db: ColumnType, model: ColumnType, dialect: str) -> ColumnType:
    """Reflection builds the dialect's own type class (``VARCHAR`` for ``String``,
    ``DOUBLE_PRECISION`` for ``Float``): with the same DDL, the Python spelling is the models'."""
    if db.ddl is None or model.ddl is None:
        return db
    if _ddl_key(db.ddl, dialect) != _ddl_key(model.ddl, dialect):
        return db
    # A non-native enum is a plain VARCHAR to the database: its values are the models' alone.
    return model if db.enum is None else replace(model, enum=db.enum)


_DDL_SYNONYMS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "postgresql": (
        (r"^FLOAT$", "DOUBLE PRECISION"),  # FLOAT without a precision is float8
        (r"^FLOAT\(([1-9]|1\d|2[0-4])\)$", "REAL"),  # up to 24 binary digits: float4
        (r"^FLOAT\(\d+\)$", "DOUBLE PRECISION"),
        (r"^DECIMAL\b", "NUMERIC"),  # one type, reported as NUMERIC
        (r"^CHAR$", "CHAR(1)"),  # the standard's default length, reported explicitly
        (r"^(TIMESTAMP|TIME)( WITHOUT TIME ZONE)$", r"\1"),  # the default, spelled out
    ),
}
"""Type names the dialect stores as another: SQLite keeps the declared text, so has none."""


def _ddl_key(ddl: str, dialect: str) -> str:
    key = " ".join(ddl.upper().split())
    for pattern, spelling in _DDL_SYNONYMS.get(dialect, ()):
        key = re.sub(pattern, spelling, key)
    return key


def _default(db: Column, model: Column) -> str | None:
    """PostgreSQL stores a SERIAL column's sequence as its default, and casts literals."""
    if _is_serial(db) and model.autoincrement and model.server_default is None:
        return None
    return model.server_default if _same_default(db, model) else db.server_default


def _autoincrement(db: Column, model: Column) -> bool:
    """PostgreSQL's reflection calls every integer column whose default is a ``nextval``
    autoincrement; a model that declares that default itself (``server_default=
    Sequence(...).next_value()``) has no SERIAL."""
    if _is_serial(db) and not model.autoincrement and _same_default(db, model):
        return False
    return db.autoincrement


def _same_default(db: Column, model: Column) -> bool:
    if db.server_default is None or model.server_default is None:
        return False
    return _sql_key(db.server_default) == _sql_key(model.server_default)


_SERIAL_DEFAULT = re.compile(r"nextval\('[^']+'::regclass\)")


def _is_serial(column: Column) -> bool:
    text = column.server_default
    return column.autoincrement and text is not None and bool(_SERIAL_DEFAULT.fullmatch(text))


_PERSISTED_DEFAULT: Mapping[str, tuple[bool, ...]] = {
    "postgresql": (True, False),  # STORED before version 18, VIRTUAL from it
    "sqlite": (False,),
}
"""What a generated column is when the model leaves ``persisted`` unsaid (None)."""


def _computed(db: Computed | None, model: Computed | None, dialect: str) -> Computed | None:
    """The database reports the expression it parsed (``(price * (2)::numeric)``) and whether
    the column is stored, where the model may have left that to the database."""
    if db is None or model is None or _sql_key(db.sqltext) != _sql_key(model.sqltext):
        return db
    implied = model.persisted is None and db.persisted in _PERSISTED_DEFAULT.get(dialect, ())
    return replace(db, sqltext=model.sqltext, persisted=None if implied else db.persisted)


def _identity(db: Identity | None, model: Identity | None) -> Identity | None:
    if db is None or model is None:
        return db
    return replace(db, options=_sequence_options(db.options, model.options))


# --- sequences: every option reported, the defaults included ---------------------------------


def _sequence(db: SequenceRecord, model: SequenceRecord) -> SequenceRecord:
    return replace(db, options=_sequence_options(db.options, model.options))


_LIMITS = (2**15 - 1, 2**31 - 1, 2**63 - 1)
"""The largest smallint, integer and bigint: a sequence's default bound, by its type."""

_NO_FLAGS = (("nominvalue", "minvalue"), ("nomaxvalue", "maxvalue"))


def _sequence_options(db: SequenceOptions, model: SequenceOptions) -> SequenceOptions:
    """PostgreSQL reports the value of every option; a model leaves the defaults out (None),
    or says NO MINVALUE / NO MAXVALUE, which means the same defaults."""
    implied = _implied(db)
    chosen = {
        f.name: None
        if getattr(model, f.name) is None and getattr(db, f.name) in implied.get(f.name, ())
        else getattr(db, f.name)
        for f in fields(db)
    }
    for flag, bound in _NO_FLAGS:
        if getattr(model, flag) and getattr(db, bound) in implied[bound]:
            chosen[flag], chosen[bound] = True, None
    return SequenceOptions(**chosen)


def _implied(options: SequenceOptions) -> dict[str, tuple[object, ...]]:
    """What CREATE SEQUENCE picks for each option left out (ascending or descending)."""
    ascending = (options.increment or 1) > 0
    return {
        "increment": (1,),
        "cycle": (False,),
        "cache": (1,),
        "minvalue": (1,) if ascending else tuple(-limit - 1 for limit in _LIMITS),
        "maxvalue": _LIMITS if ascending else (-1,),
        "start": (options.minvalue if ascending else options.maxvalue,),
    }


# --- SQL text: defaults, CHECK conditions, index expressions ----------------------------------

_WORD = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|[<>=!~*|&+\-/%^]+|\w+|\S")
_PLAIN_LITERAL = re.compile(r"'(-?\d+(?:\.\d+)?|true|false)'", re.IGNORECASE)
_TYPE_WORDS = frozenset({"varying", "precision", "with", "without", "time", "zone"})
_OPERATORS = {"!=": ["<>"], "~~": ["like"], "!~~": ["not", "like"], "~~*": ["ilike"]}


def _sql_key(text: str) -> tuple[str, ...]:
    """SQL as PostgreSQL and the models both mean it: PostgreSQL adds casts
    (``'x'::character varying``), quotes numbers (``'-1'::integer``), spells ``IN`` as
    ``= ANY (ARRAY[...])`` and ``LIKE`` as ``~~``, and drops or adds parentheses."""
    words = list(_without_casts(list(_words(text))))
    words = [t for word in words for t in _OPERATORS.get(word, [word])]
    return tuple(_without_parentheses(_betweens(_in_lists(words))))


def _words(text: str) -> Iterator[str]:
    for word in _WORD.findall(text):
        plain = _PLAIN_LITERAL.fullmatch(word)
        if plain:  # '0' and 0 are one value to a typed column
            yield from _WORD.findall(plain.group(1).lower())
        else:
            yield word if word[0] in "'\"" else word.lower()


def _without_casts(words: Sequence[str]) -> Iterator[str]:
    """Drops ``::type``, ``::character varying(10)``, ``::text[]``."""
    i = 0
    while i < len(words):
        if words[i] != "::":
            yield words[i]
            i += 1
            continue
        i += 2
        while i < len(words) and words[i] in _TYPE_WORDS:
            i += 1
        if words[i : i + 1] == ["("] and ")" in words[i:]:
            i = words.index(")", i) + 1
        while words[i : i + 2] == ["[", "]"]:
            i += 2


def _in_lists(words: list[str]) -> list[str]:
    """``x = ANY (ARRAY[a, b])`` back to ``x IN (a, b)``."""
    head = ["=", "any", "(", "array", "["]
    for i in range(len(words) - len(head)):
        if words[i : i + len(head)] == head and "]" in words[i:]:
            end = words.index("]", i)
            if words[end + 1 : end + 2] == [")"]:
                inner = words[i + len(head) : end]
                return [*words[:i], "in", "(", *inner, ")", *_in_lists(words[end + 2 :])]
    return words


def _betweens(words: list[str]) -> list[str]:
    """``x BETWEEN a AND b`` as PostgreSQL stores it, ``x >= a AND x <= b`` (for one-word
    operands, signed numbers included; ``NOT BETWEEN`` is left alone)."""
    for i in range(1, len(words) - 3):
        low = _operand(words, i + 1)
        if words[i] == "between" and words[i - 1] != "not" and words[low : low + 1] == ["and"]:
            x, high = words[i - 1], _operand(words, low + 1)
            rewritten = [x, ">=", *words[i + 1 : low], "and", x, "<=", *words[low + 1 : high]]
            return [*words[: i - 1], *rewritten, *_betweens(words[high:])]
    return words


def _operand(words: Sequence[str], start: int) -> int:
    """Where the one-word operand at ``start`` ends, a minus sign before it included."""
    return start + 2 if words[start : start + 1] == ["-"] else start + 1


_CONNECTIVES = frozenset({"and", "or", "not", ",", "+", "-", "*", "/", "%", "||"})


def _without_parentheses(words: list[str]) -> list[str]:
    """Drops grouping parentheses that change nothing: around the whole text, one atom or one
    comparison. Around AND, OR or arithmetic they are kept: there they can change the meaning."""
    for start, end in _pairs(words):
        inner = words[start + 1 : end]
        whole = start == 0 and end == len(words) - 1
        simple = bool(inner) and not _CONNECTIVES & set(_top_level(inner))
        if _grouping(words, start) and (whole or simple):
            rest = [*words[:start], *inner, *words[end + 1 :]]
            return _without_parentheses(rest)
    return words


def _grouping(words: Sequence[str], start: int) -> bool:
    """Whether the parenthesis at ``start`` groups, rather than opening a call or a list."""
    before = words[start - 1] if start else "("
    return before in {"and", "or", "not"} or not (before[0].isalnum() or before[0] in '_"')


def _pairs(words: Sequence[str]) -> Iterator[tuple[int, int]]:
    stack = []
    for i, word in enumerate(words):
        if word == "(":
            stack.append(i)
        elif word == ")" and stack:
            yield stack.pop(), i


def _top_level(words: Sequence[str]) -> Iterator[str]:
    depth = 0
    for word in words:
        depth += {"(": 1, ")": -1}.get(word, 0)
        if depth == 0:
            yield word
