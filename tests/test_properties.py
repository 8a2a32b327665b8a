"""Properties of the pure core over generated schemas (Hypothesis)."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from schemadiff import snapshot
from schemadiff.diff import diff_schemas
from schemadiff.model import Change, ChangeKind, Column, ColumnType, PrimaryKey, Schema, Table

K = ChangeKind
names = st.sampled_from(["id", "a", "b", "c", "name", "user", "Order", "é"])
texts = st.none() | st.text(max_size=8)
column_types = st.builds(
    ColumnType,
    python=st.sampled_from(["sa.Integer()", "sa.String(length=5)", "sa.VARCHAR(length=5)"]),
    imports=st.just(("import sqlalchemy as sa",)),
    ddl=st.none() | st.sampled_from(["INTEGER", "VARCHAR(5)", "TEXT"]),
)


@st.composite
def tables(draw: st.DrawFn, name: str, schema: str | None) -> Table:
    column_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    columns = tuple(
        Column(n, draw(column_types), draw(st.booleans()), draw(texts), draw(texts))
        for n in column_names
    )
    pk_columns = draw(st.lists(st.sampled_from(column_names), unique=True, max_size=2))
    pk = PrimaryKey(draw(st.none() | names), tuple(pk_columns)) if pk_columns else None
    return Table(schema, name, columns, pk, draw(texts))


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    keys = draw(st.lists(st.tuples(st.none() | st.sampled_from(["s1", "s2"]), names), unique=True))
    found = [draw(tables(name, schema)) for schema, name in keys]
    return Schema("postgresql", tuple(sorted(found, key=lambda t: t.key)))


REVERSED = {
    K.ADD_TABLE: K.REMOVE_TABLE,
    K.REMOVE_TABLE: K.ADD_TABLE,
    K.ADD_COLUMN: K.REMOVE_COLUMN,
    K.REMOVE_COLUMN: K.ADD_COLUMN,
}


def reverse(change: Change) -> tuple[object, ...]:
    kind = REVERSED.get(change.kind, change.kind)
    return (kind, change.schema, change.table, change.name, change.new, change.old)


def key(change: Change) -> tuple[object, ...]:
    return (change.kind, change.schema, change.table, change.name, change.old, change.new)


@given(schemas())
def test_a_schema_equals_itself(schema: Schema) -> None:
    assert diff_schemas(schema, schema) == ()


@given(schemas(), schemas())
def test_reversed_changes_are_the_changes_of_the_reverse_diff(a: Schema, b: Schema) -> None:
    forward = sorted(map(reverse, diff_schemas(a, b)), key=repr)
    backward = sorted(map(key, diff_schemas(b, a)), key=repr)
    assert forward == backward


@given(schemas(), schemas())
def test_diff_is_deterministic_and_empty_only_for_equal_schemas(a: Schema, b: Schema) -> None:
    assert diff_schemas(a, b) == diff_schemas(a, b)
    assert (diff_schemas(a, b) == ()) == (a == b)


@given(schemas())
def test_schema_document_round_trips_exactly(schema: Schema) -> None:
    text = snapshot.dumps(snapshot.schema_to_json(schema))
    assert snapshot.schema_from_json(json.loads(text)) == schema
    assert (
        snapshot.dumps(snapshot.schema_to_json(snapshot.schema_from_json(json.loads(text)))) == text
    )


@given(schemas())
def test_only_removals_are_destructive(schema: Schema) -> None:
    empty = replace(schema, tables=())
    assert all(c.destructive for c in diff_schemas(schema, empty))
    assert not any(c.destructive for c in diff_schemas(empty, schema))
