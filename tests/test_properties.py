"""Properties of the pure core over generated schemas (Hypothesis)."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import assume, given
from hypothesis import strategies as st

from schemadiff import snapshot
from schemadiff.diff import RenameRules, diff_schemas
from schemadiff.model import (
    Change,
    ChangeKind,
    CheckConstraint,
    Column,
    ColumnType,
    Computed,
    Confidence,
    EnumType,
    ForeignKey,
    Identity,
    Index,
    NamedEnum,
    PrimaryKey,
    Schema,
    Sequence,
    SequenceOptions,
    Table,
    UniqueConstraint,
)

K = ChangeKind
NO_GUESS = RenameRules(guess=False)
names = st.sampled_from(["id", "a", "b", "c", "name", "user", "Order", "é"])
texts = st.none() | st.text(max_size=6)
enums = st.none() | st.builds(
    EnumType,
    name=st.none() | st.sampled_from(["mood", "color"]),
    schema=st.none(),
    values=st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3).map(tuple),
    # A named enum's values live in Schema.enums (extraction derives that list from the
    # columns), so column types here carry only enums the dialect inlines.
    named=st.just(False),
)
column_types = st.builds(
    ColumnType,
    python=st.sampled_from(["sa.Integer()", "sa.String(length=5)", "sa.VARCHAR(length=5)"]),
    imports=st.just(("import sqlalchemy as sa",)),
    ddl=st.none() | st.sampled_from(["INTEGER", "VARCHAR(5)", "TEXT"]),
    enum=enums,
)
sequence_options = st.builds(
    SequenceOptions, start=st.none() | st.integers(1, 3), cycle=st.none() | st.booleans()
)
computed = st.none() | st.builds(
    Computed, st.sampled_from(["a + 1", "b * 2"]), st.none() | st.booleans()
)
identity = st.none() | st.builds(Identity, st.booleans(), st.none(), sequence_options)


@st.composite
def columns(draw: st.DrawFn, name: str) -> Column:
    return Column(
        name,
        draw(column_types),
        draw(st.booleans()),
        draw(texts),
        draw(texts),
        draw(computed),
        draw(identity),
        draw(st.booleans()),
    )


@st.composite
def tables(draw: st.DrawFn, name: str, schema: str | None) -> Table:
    column_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    subset = st.lists(st.sampled_from(column_names), unique=True, min_size=1, max_size=2).map(tuple)
    pk_columns = draw(st.lists(st.sampled_from(column_names), unique=True, max_size=2))
    return Table(
        schema,
        name,
        tuple(draw(columns(n)) for n in column_names),
        PrimaryKey(draw(st.none() | names), tuple(pk_columns)) if pk_columns else None,
        draw(texts),
        indexes=tuple(
            draw(
                st.lists(
                    st.builds(Index, st.none() | names, subset, st.booleans()),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        unique_constraints=tuple(
            draw(
                st.lists(
                    st.builds(UniqueConstraint, st.none() | names, subset), max_size=2, unique=True
                )
            )
        ),
        foreign_keys=tuple(
            draw(
                st.lists(
                    st.builds(ForeignKey, st.none() | names, subset, st.none(), names, subset),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        check_constraints=tuple(
            draw(
                st.lists(
                    st.builds(
                        CheckConstraint, st.none() | names, st.sampled_from(["a > 0", "b <> ''"])
                    ),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        options=draw(st.sampled_from([(), (("mysql_engine", "InnoDB"),)])),
    )


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    keys = draw(
        st.lists(st.tuples(st.none() | st.sampled_from(["s1"]), names), unique=True, max_size=4)
    )
    found = [draw(tables(name, schema)) for schema, name in keys]
    named = draw(
        st.lists(
            st.builds(NamedEnum, st.none(), names, st.lists(names, unique=True).map(tuple)),
            max_size=2,
            unique_by=lambda e: e.key,
        )
    )
    sequences = draw(
        st.lists(
            st.builds(Sequence, st.none(), names, sequence_options),
            max_size=2,
            unique_by=lambda s: s.key,
        )
    )
    return Schema(
        "postgresql",
        tuple(sorted(found, key=lambda t: t.key)),
        tuple(sorted(named, key=lambda e: e.key)),
        tuple(sorted(sequences, key=lambda s: s.key)),
    )


REVERSED = {
    K.ADD_TABLE: K.REMOVE_TABLE,
    K.ADD_COLUMN: K.REMOVE_COLUMN,
    K.ADD_INDEX: K.REMOVE_INDEX,
    K.ADD_CONSTRAINT: K.REMOVE_CONSTRAINT,
    K.ADD_FK: K.REMOVE_FK,
    K.ADD_ENUM: K.REMOVE_ENUM,
    K.ADD_SEQUENCE: K.REMOVE_SEQUENCE,
}
REVERSED.update({v: k for k, v in REVERSED.items()})


def reverse(change: Change) -> tuple[object, ...]:
    kind = REVERSED.get(change.kind, change.kind)
    return (kind, change.schema, change.table, change.name, change.new, change.old)


def key(change: Change) -> tuple[object, ...]:
    return (change.kind, change.schema, change.table, change.name, change.old, change.new)


@given(schemas())
def test_a_schema_equals_itself(schema: Schema) -> None:
    assert diff_schemas(schema, schema).changes == ()


@given(schemas(), schemas())
def test_reversed_changes_are_the_changes_of_the_reverse_diff(a: Schema, b: Schema) -> None:
    forward = sorted(map(reverse, diff_schemas(a, b, NO_GUESS).changes), key=repr)
    backward = sorted(map(key, diff_schemas(b, a, NO_GUESS).changes), key=repr)
    assert forward == backward


@given(schemas(), schemas())
def test_diff_is_deterministic_and_empty_only_for_equal_schemas(a: Schema, b: Schema) -> None:
    assert diff_schemas(a, b) == diff_schemas(a, b)
    assert (diff_schemas(a, b, NO_GUESS).changes == ()) == (a == b)


@given(schemas())
def test_schema_document_round_trips_exactly(schema: Schema) -> None:
    text = snapshot.dumps(snapshot.schema_to_json(schema))
    assert snapshot.schema_from_json(json.loads(text)) == schema
    again = snapshot.schema_to_json(snapshot.schema_from_json(json.loads(text)))
    assert snapshot.dumps(again) == text


@given(schemas())
def test_only_removals_are_destructive(schema: Schema) -> None:
    empty = replace(schema, tables=(), enums=(), sequences=())
    assert all(c.destructive for c in diff_schemas(schema, empty).changes)
    assert not any(c.destructive for c in diff_schemas(empty, schema).changes)


@given(schemas(), st.data())
def test_a_renamed_table_is_found_as_one_guessed_rename(
    schema: Schema, data: st.DataObject
) -> None:
    assume(schema.tables)
    table = data.draw(st.sampled_from(schema.tables))
    others = [t for t in schema.tables if t is not table]
    assume(all(t.qualified_name != f"{table.qualified_name}_new" for t in others))
    assume(not any(fk.referred_table == table.name for t in schema.tables for fk in t.foreign_keys))
    renamed = replace(table, name=f"{table.name}_new")
    after = replace(schema, tables=tuple(sorted([*others, renamed], key=lambda t: t.key)))
    changes = diff_schemas(schema, after).changes
    assert [(c.kind, c.table, c.old, c.new, c.confidence) for c in changes] == [
        (
            K.RENAME_TABLE,
            renamed.name,
            {"name": table.name},
            {"name": renamed.name},
            Confidence.GUESSED,
        )
    ]
    assert diff_schemas(schema, after, NO_GUESS).changes != changes


@given(schemas(), st.data())
def test_a_renamed_column_is_found_as_one_guessed_rename(
    schema: Schema, data: st.DataObject
) -> None:
    assume(schema.tables)
    table = data.draw(st.sampled_from(schema.tables))
    column = data.draw(st.sampled_from(table.columns))
    assume(not any(c.name == "zz" for c in table.columns))
    assume(
        not any(column.name in fk.referred_columns for t in schema.tables for fk in t.foreign_keys)
    )

    def rename(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple("zz" if n == column.name else n for n in names)

    new_table = replace(
        table,
        columns=tuple(replace(c, name="zz") if c is column else c for c in table.columns),
        primary_key=table.primary_key
        and replace(table.primary_key, columns=rename(table.primary_key.columns)),
        indexes=tuple(replace(i, expressions=rename(i.expressions)) for i in table.indexes),
        unique_constraints=tuple(
            replace(u, columns=rename(u.columns)) for u in table.unique_constraints
        ),
        foreign_keys=tuple(replace(f, columns=rename(f.columns)) for f in table.foreign_keys),
    )
    after = replace(schema, tables=tuple(new_table if t is table else t for t in schema.tables))
    changes = diff_schemas(schema, after).changes
    assert [(c.kind, c.name, c.confidence) for c in changes] == [
        (K.RENAME_COLUMN, "zz", Confidence.GUESSED)
    ]
